"""A prompt repository with a bare origin and a deployment history, and the GitHub stand-in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from tests.conftest import run_cli
from tests.gitrepo import commit, git
from tests.optimize.prompts import SUPPORT_SYSTEM
from tests.optimize.repo import cases_yaml
from tests.repo.samples import support_agent
from tests.standins.github_server import GitHubStandin, github_standin  # noqa: F401 - pytest fixture

SYSTEM = "prompts/support-agent/system.md"
USER = "prompts/support-agent/user.md"
V1 = "You are a support agent. Follow the refund policy.\n"
V2 = "You are a friendly support agent. Follow the refund policy.\n"
V3 = "You are a terse support agent. Follow the refund policy. Answer in one line.\n"
USER_V2 = "Customer says (v2): {{customer_message}}\n"


def merge_pull_request(repo: Path, branch: str, files: dict[str, str], number: int) -> str:
    """What GitHub's merge button does: a branch merged with `--no-ff`, pushed; returns the merge."""
    git(repo, "checkout", "-q", "-b", branch)
    commit(repo, files, f"edit on {branch}")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", branch, "-m", f"Merge pull request #{number} from octo-org/{branch}")
    git(repo, "push", "-q", "origin", "main")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def deployed_repo(repo: Path) -> Path:
    """main: v1 (the agent added), v2 (a plain commit), v3 (PR #7, which also changed user.md)."""
    commit(repo, support_agent(), "add support agent", push=True)
    commit(repo, {SYSTEM: V2}, "friendlier", push=True)
    merge_pull_request(repo, "terse", {SYSTEM: V3, USER: USER_V2}, 7)
    return repo


OFFLINE = {  # the echo provider answers with the prompt: every variant keeping "refund policy" passes
    "provider": {"name": "echo"},
    "evals": {"holdout_fraction": 0.5},
    "decision": {"min_success_delta": 0.1},
}


@pytest.fixture
def optimized_repo(
    repo: Path,
    github_standin: GitHubStandin,  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """support-agent with 90 cases on origin, GitHub at the stand-in, a token in the environment."""
    files = support_agent()
    files["prompts/support-agent/system.md"] = SUPPORT_SYSTEM
    files["prompts/support-agent/evals/cases.yaml"] = cases_yaml(90)
    config = {**OFFLINE, "github": {"base_url": github_standin.url}}
    files[".promptops.yaml"] = yaml.safe_dump(config, sort_keys=False)
    (repo / ".gitignore").write_text(".promptops/\n")
    commit(repo, files, "add support-agent", push=True)
    monkeypatch.setenv("GITHUB_TOKEN", github_standin.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo-org/prompts")
    return repo


def optimize(repo: Path, *args: str, goal: str = "conciseness") -> tuple[dict, Result]:
    """Run the real optimizer (edit generator, echo provider); returns the session and the CLI result."""
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", goal, "--budget-calls", "400", *args)
    newest = max((repo / ".promptops" / "sessions").glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    return json.loads(newest.read_text()), result


def rewrite_session(repo: Path, session: dict, **changes: object) -> str:
    """Save an edited copy of `session` under a new id; returns the id."""
    edited = {**session, **changes, "id": f"{session['id']}-edited"}
    path = repo / ".promptops" / "sessions" / f"{edited['id']}.json"
    path.write_text(json.dumps(edited, indent=2))
    return edited["id"]
