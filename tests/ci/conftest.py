"""`promptops ci` as GitHub Actions runs it: env variables, a payload file, the GitHub stand-in.

The stand-in serves `octo-org/agents` (the repository the payload builders name) from the
`repo` fixture's bare origin, with a token that looks like a real one so the secrets test
can search every output for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from tests.ci import payloads
from tests.conftest import run_cli
from tests.gitrepo import commit, git
from tests.repo.samples import support_agent
from tests.standins.github_server import GitHubStandin

FAKE_GITHUB_TOKEN = "ghs_FAKEtoken0123456789abcdefABCDEF"
AGENT = "prompts/support-agent"

# Eight cases that all need the word "refund": removing it from the system prompt fails all
# eight, enough discordant pairs for the paired test to call it a regression.
REFUND_CASES = "cases:\n" + "".join(
    f"  - id: case-{i}\n    vars: {{customer_message: 'message {i}'}}\n"
    f"    assert: [{{type: icontains, value: refund}}]\n"
    for i in range(8)
)


@dataclass
class CiRun:
    result: Result
    summary: str

    @property
    def out(self) -> str:
        return self.result.stdout

    @property
    def err(self) -> str:
        return self.result.stderr


@pytest.fixture
def github(repo: Path) -> Iterator[GitHubStandin]:
    standin = GitHubStandin(bare_repo=repo.parent / "origin.git", name=payloads.NAME, token=FAKE_GITHUB_TOKEN)
    standin.start()
    try:
        yield standin
    finally:
        standin.stop()
    assert not standin.violations, "GitHub schema violations:\n" + "\n".join(standin.violations)


def write_config(repo: Path, config: dict[str, Any]) -> None:
    (repo / ".promptops.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


@pytest.fixture
def agent_repo(repo: Path) -> Path:
    """`repo` with support-agent (eight refund cases) and an echo-provider config, pushed."""
    files = {**support_agent(AGENT), f"{AGENT}/evals/cases.yaml": REFUND_CASES}
    files[".promptops.yaml"] = yaml.safe_dump({"provider": {"name": "echo", "model": "echo-1"}})
    files[".gitignore"] = ".promptops/\n"
    commit(repo, files, "add support-agent", push=True)
    return repo


def feature_branch(repo: Path, files: dict[str, str], name: str = "feature") -> tuple[str, str]:
    """(base sha, head sha) of a new branch `name` off main with `files` committed, pushed."""
    base = git(repo, "rev-parse", "main")
    git(repo, "checkout", "-q", "-b", name)
    head = commit(repo, files, f"change on {name}")
    git(repo, "push", "-q", "origin", name)
    git(repo, "checkout", "-q", "main")
    return base, head


def open_pull(standin: GitHubStandin, head: str, base: str = "main") -> int:
    """A PR in the stand-in's state, as if a person had opened it."""
    status, payload, _ = standin.handle(
        "POST",
        f"/repos/{standin.owner}/{standin.name}/pulls",
        {"authorization": f"token {standin.token}"},
        {"title": "Update prompt", "head": head, "base": base, "body": "please review"},
    )
    assert status == 201, payload
    return int(payload["number"])


def run_event(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    standin: GitHubStandin | None,
    event: str,
    payload: dict[str, Any],
    **env: str,
) -> CiRun:
    """`promptops ci` in `repo` with the environment Actions sets for `event`."""
    event_file = repo.parent / f"event-{event}.json"
    event_file.write_text(json.dumps(payload), encoding="utf-8")
    summary = repo.parent / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    values = {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_REPOSITORY": payloads.FULL,
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_RUN_ID": "4242",
        **({"GITHUB_TOKEN": standin.token, "GITHUB_API_URL": standin.url} if standin else {}),
        **env,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    result = run_cli(repo, "ci")
    return CiRun(result, summary.read_text(encoding="utf-8"))


def bodies(standin: GitHubStandin) -> list[str]:
    """Every comment body on the stand-in, in creation order."""
    return [c["body"] for c in sorted(standin.comments.values(), key=lambda c: c["id"])]
