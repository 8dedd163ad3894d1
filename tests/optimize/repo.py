"""A repository with support-agent and many eval cases, for optimize command tests."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.gitrepo import commit, make_repo
from tests.optimize.prompts import SUPPORT_SYSTEM
from tests.repo.samples import support_agent

AGENT = "prompts/support-agent"
MESSAGES = ("Where is my order", "I want my money back", "Cancel please", "Hello", "Is it shipped")


def cases_yaml(count: int, contains: str = "refund policy") -> str:
    cases = [
        {
            "id": f"case-{i:03d}",
            "vars": {"customer_message": f"{MESSAGES[i % 5]} #{i}"},
            "assert": [{"type": "icontains", "value": contains}],
        }
        for i in range(count)
    ]
    return yaml.safe_dump({"cases": cases}, sort_keys=False)


def optimize_repo(
    tmp_path: Path,
    config: dict,
    *,
    cases: int | None = 90,
    system: str = SUPPORT_SYSTEM,
    contains: str = "refund policy",
) -> Path:
    """support-agent with `system` as its system prompt and `cases` cases (None: no evals)."""
    files = support_agent()
    files[f"{AGENT}/system.md"] = system
    if cases is None:
        files.pop(f"{AGENT}/evals/cases.yaml")
        files[f"{AGENT}/agent.yaml"] = files[f"{AGENT}/agent.yaml"].replace("evals: evals/cases.yaml\n", "")
    else:
        files[f"{AGENT}/evals/cases.yaml"] = cases_yaml(cases, contains)
    files[".promptops.yaml"] = yaml.safe_dump(config, sort_keys=False)
    repo = make_repo(tmp_path)
    commit(repo, files, "add support-agent")
    return repo


def sessions(repo: Path) -> list[dict]:
    """Every session file the optimizer wrote in `repo`, oldest first."""
    folder = repo / ".promptops" / "sessions"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []
