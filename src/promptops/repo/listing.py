"""Every prompt of the repository with its type, tokens, version id and `vN`: `promptops list`.

`vN` is shown only when the working-tree file is exactly the file at the tip of the
default branch; anything else (uncommitted, or committed on another branch) is not a
deployed version yet. The whole listing costs two git calls however many prompts exist.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from promptops.config import Config
from promptops.errors import InputError
from promptops.git.branches import resolve_default_branch
from promptops.git.change_counts import change_counts
from promptops.git.tree import tree_blobs
from promptops.repo.agents import Prompt, load_all_agents
from promptops.repo.sources import prompts_rel
from promptops.repo.tokens import count_tokens_by_version


@dataclass(frozen=True)
class PromptEntry:
    id: str
    agent: str
    name: str
    type: str
    path: str
    tokens: int
    version_id: str
    number: int | None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "version": f"v{self.number}" if self.number else None}


def list_prompts(config: Config) -> list[PromptEntry]:
    """Prompts of every agent in the working tree, agents in id order."""
    prompts = [p for agent in load_all_agents(config) for p in agent.prompts.values()]
    numbers = _deployed_numbers(config, prompts)
    tokens = count_tokens_by_version({p.version_id: p.text for p in prompts})
    return [
        PromptEntry(
            p.id, p.agent, p.name, p.type, p.rel_path, tokens[p.version_id], p.version_id, numbers.get(p.id)
        )
        for p in prompts
    ]


def _deployed_numbers(config: Config, prompts: list[Prompt]) -> dict[str, int]:
    """vN of each prompt whose working-tree text is the default branch's; {} without git."""
    if not prompts:
        return {}
    try:
        branch = resolve_default_branch(config.root, config)
    except InputError:
        return {}
    if branch.commit is None:
        return {}
    folder = prompts_rel(config)
    blobs = tree_blobs(config.root, branch.commit, folder)
    counts = change_counts(config.root, branch.commit, folder)
    return {
        p.id: counts[p.rel_path]
        for p in prompts
        if blobs.get(p.rel_path) == p.version_id and p.rel_path in counts
    }
