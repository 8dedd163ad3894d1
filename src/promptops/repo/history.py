"""The versions of one prompt on the default branch: `promptops history AGENT/NAME`.

`vN` counts the first-parent commits of the default branch that changed the prompt's
file (following renames), oldest = v1, so it is stable once merged and means "the Nth
deployed change". The version id is the blob id the file had after that commit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from promptops.config import Config
from promptops.errors import NotFoundError
from promptops.gitops.history import FileChange, file_log, read_blobs, resolve_default_branch
from promptops.repo.agents import Prompt, resolve_prompt_id
from promptops.repo.tokens import cached_token_counts, count_tokens_by_version


@dataclass(frozen=True)
class PromptVersion:
    """One commit that changed the prompt; `number` is None off the default branch."""

    number: int | None
    version_id: str | None
    commit: str
    date: str
    author: str
    subject: str
    path: str
    tokens: int | None

    def to_json(self) -> dict[str, Any]:
        return {"version": f"v{self.number}" if self.number else None, **asdict(self)}


@dataclass(frozen=True)
class PromptHistory:
    prompt_id: str
    path: str
    branch: str
    total: int
    versions: list[PromptVersion]

    def to_json(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt_id,
            "path": self.path,
            "branch": self.branch,
            "total": self.total,
            "versions": [v.to_json() for v in self.versions],
        }


def prompt_history(
    config: Config, prompt_id: str, *, all_branches: bool = False, limit: int | None = None
) -> PromptHistory:
    """Newest first; `all_branches` adds commits of every local and remote branch."""
    branch = resolve_default_branch(config.root, config)
    if branch.rev is None:
        raise NotFoundError(f"{config.root}: error: default branch {branch.name!r} has no commits yet")
    rev = branch.rev
    prompt = _find_prompt(config, prompt_id, rev)
    on_default = file_log(config.root, [rev], prompt.rel_path)
    numbers = {c.commit: len(on_default) - i for i, c in enumerate(on_default)}
    changes = _with_other_branches(config, prompt, on_default) if all_branches else on_default
    changes = changes[:limit] if limit is not None else changes
    tokens = _tokens_by_blob(config, changes)
    versions = [_version(c, numbers.get(c.commit), tokens) for c in changes]
    return PromptHistory(prompt.id, prompt.rel_path, branch.name, len(on_default), versions)


def _find_prompt(config: Config, prompt_id: str, rev: str) -> Prompt:
    """The prompt in the working tree, or as on the default branch if it is gone here."""
    try:
        return resolve_prompt_id(config, prompt_id)
    except NotFoundError as first:
        try:
            return resolve_prompt_id(config, prompt_id, ref=rev)
        except NotFoundError:
            raise first from None


def _with_other_branches(config: Config, prompt: Prompt, on_default: list[FileChange]) -> list[FileChange]:
    """The default branch's changes plus every other branch's, newest first by date."""
    others = file_log(config.root, ["--branches", "--remotes"], prompt.rel_path, first_parent=False)
    seen = {c.commit for c in on_default}
    merged = on_default + [c for c in others if c.commit not in seen]
    return sorted(merged, key=lambda c: datetime.fromisoformat(c.date), reverse=True)


def _tokens_by_blob(config: Config, changes: list[FileChange]) -> dict[str, int]:
    """Token count per distinct blob; blobs are read only when their count is not cached."""
    wanted = list(dict.fromkeys(c.blob for c in changes if c.blob))
    known = cached_token_counts(wanted)
    blobs = read_blobs(config.root, [b for b in wanted if b not in known])
    texts = {blob: data.decode("utf-8", errors="replace") for blob, data in blobs.items()}
    return {**known, **count_tokens_by_version(texts)}


def _version(change: FileChange, number: int | None, tokens: dict[str, int]) -> PromptVersion:
    return PromptVersion(
        number=number,
        version_id=change.blob,
        commit=change.commit,
        date=change.date,
        author=change.author,
        subject=change.subject,
        path=change.path,
        tokens=tokens.get(change.blob) if change.blob else None,
    )
