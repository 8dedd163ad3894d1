"""`promptops rollback`: real git with a bare origin, real PyGithub against the GitHub stand-in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from promptops.version_ids import version_id
from tests.conftest import run_cli
from tests.gitrepo import git
from tests.publish.conftest import SYSTEM, USER, USER_V2, V1, V2
from tests.standins.github_server import GitHubStandin

BRANCH = "promptops/support-agent/system/rollback"


def github_env(monkeypatch: pytest.MonkeyPatch, standin: GitHubStandin) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", standin.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo-org/prompts")
    Path(os.environ["HOME"]).mkdir(exist_ok=True)


def origin_file(repo: Path, ref: str, path: str) -> str:
    return git(repo, "show", f"origin/{ref}:{path}") + "\n"


def test_rollback_opens_a_labelled_pr_touching_only_that_prompt(
    deployed_repo: Path, github_standin: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_env(monkeypatch, github_standin)
    (deployed_repo / ".promptops.yaml").write_text(f"github: {{base_url: '{github_standin.url}'}}\n")
    head_before = git(deployed_repo, "rev-parse", "HEAD")

    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v1", "--json")

    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["pr_number"] == 1 and out["from"]["version"] == "v3" and out["to"]["version"] == "v1"
    git(deployed_repo, "fetch", "-q", "origin")
    assert origin_file(deployed_repo, BRANCH, SYSTEM) == V1
    # the merge that deployed v3 also changed user.md: the rollback leaves it as it is
    assert origin_file(deployed_repo, BRANCH, USER) == USER_V2
    changed = git(deployed_repo, "diff", "--name-only", f"origin/main..origin/{BRANCH}").splitlines()
    assert changed == [SYSTEM]
    message = git(deployed_repo, "log", "-1", "--format=%B", f"origin/{BRANCH}")
    assert message.startswith("Revert support-agent/system to v1")
    assert f"Promptops-Rollback-To: v1 {version_id(V1)}" in message
    assert "Promptops-Rollback-From: v3 " in message and "Promptops-Run: rollback-" in message
    pr = github_standin.pulls[1]
    assert pr["head"] == BRANCH and pr["base"] == "main"
    assert "v3" in pr["body"] and "v1" in pr["body"] and version_id(V1)[:10] in pr["body"]
    assert set(github_standin.issue_labels[1]) >= {"rollback", "promptops"}
    # the user's checkout did not move
    assert git(deployed_repo, "rev-parse", "HEAD") == head_before
    assert git(deployed_repo, "status", "--porcelain") == "?? .promptops.yaml"

    again = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", version_id(V2)[:8])
    assert again.exit_code == 0, again.stderr
    assert "updated pull request #1" in again.stdout and len(github_standin.pulls) == 1
    git(deployed_repo, "fetch", "-q", "origin")
    assert origin_file(deployed_repo, BRANCH, SYSTEM) == V2


def test_rollback_to_the_current_version_is_refused(deployed_repo: Path) -> None:
    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v3")
    assert result.exit_code == 2
    assert "already has the content of v3" in result.stderr and "nothing to roll back" in result.stderr
    assert git(deployed_repo, "branch", "--list", BRANCH) == ""


def test_unknown_target_says_what_exists(deployed_repo: Path) -> None:
    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v9")
    assert result.exit_code == 2
    assert "has no v9 on main: versions are v1 to v3" in result.stderr


def test_rollback_to_a_commit(deployed_repo: Path) -> None:
    second = git(deployed_repo, "log", "--format=%H", "--grep=friendlier")
    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", second[:9], "--branch-only")
    assert result.exit_code == 0, result.stderr
    assert "rolled back to v2" in result.stdout and "not pushed" in result.stdout
    assert git(deployed_repo, "show", f"{BRANCH}:{SYSTEM}") + "\n" == V2
    assert git(deployed_repo, "ls-remote", "origin", BRANCH) == ""


def test_rollback_without_token_pushes_and_says_how_to_open_the_pr(deployed_repo: Path) -> None:
    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v2")
    assert result.exit_code == 0, result.stderr
    assert f"pushed {BRANCH}" in result.stdout
    assert f"gh pr create --base main --head {BRANCH}" in result.stdout
    assert git(deployed_repo, "ls-remote", "origin", BRANCH) != ""


def test_rollback_writes_the_current_path_after_a_rename(deployed_repo: Path) -> None:
    git(deployed_repo, "mv", SYSTEM, "prompts/support-agent/sys.md")
    yaml = (deployed_repo / "prompts/support-agent/agent.yaml").read_text().replace("system.md", "sys.md")
    (deployed_repo / "prompts/support-agent/agent.yaml").write_text(yaml)
    git(deployed_repo, "commit", "-qam", "rename system")
    git(deployed_repo, "push", "-q", "origin", "main")

    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v1", "--branch-only")

    assert result.exit_code == 0, result.stderr
    tree = git(deployed_repo, "ls-tree", "-r", "--name-only", BRANCH, "prompts/support-agent").splitlines()
    assert "prompts/support-agent/sys.md" in tree and SYSTEM not in tree
    assert git(deployed_repo, "show", f"{BRANCH}:prompts/support-agent/sys.md") + "\n" == V1


def test_direct_rollback_pushes_to_the_default_branch(deployed_repo: Path) -> None:
    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v2", "--direct")
    assert result.exit_code == 0, result.stderr
    assert "pushed to main" in result.stdout
    git(deployed_repo, "fetch", "-q", "origin")
    assert origin_file(deployed_repo, "main", SYSTEM) == V2
    assert origin_file(deployed_repo, "main", USER) == USER_V2
    assert (
        git(deployed_repo, "log", "-1", "--format=%s", "origin/main") == "Revert support-agent/system to v2"
    )
    history = json.loads(run_cli(deployed_repo, "history", "support-agent/system", "--json").stdout)
    # the checked-out main is left for `git pull`; history reads the local branch
    git(deployed_repo, "pull", "-q", "--ff-only")
    history = json.loads(run_cli(deployed_repo, "history", "support-agent/system", "--json").stdout)
    assert history["total"] == 4 and history["versions"][0]["version_id"] == version_id(V2)


def test_rejected_direct_rollback_keeps_the_commit(deployed_repo: Path) -> None:
    hook = deployed_repo.parent / "origin.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    origin_main = git(deployed_repo, "rev-parse", "origin/main")

    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v1", "--direct")

    assert result.exit_code == 1
    assert "main is protected" in result.stderr
    kept = result.stderr.rsplit("is kept on ", 1)[1].strip()
    assert kept.startswith("main-rollback-")
    assert git(deployed_repo, "show", f"{kept}:{SYSTEM}") + "\n" == V1
    assert git(deployed_repo, "ls-remote", "origin", "refs/heads/main").split()[0] == origin_main
    assert git(deployed_repo, "rev-parse", "main") == origin_main


def test_direct_rollback_from_another_branch_moves_local_main_only_forward(deployed_repo: Path) -> None:
    git(deployed_repo, "checkout", "-q", "-b", "work")
    result = run_cli(deployed_repo, "rollback", "support-agent/system", "--to", "v1", "--direct")
    assert result.exit_code == 0, result.stderr
    assert (
        git(deployed_repo, "rev-parse", "main")
        == git(deployed_repo, "ls-remote", "origin", "main").split()[0]
    )
    assert git(deployed_repo, "show", f"main:{SYSTEM}") + "\n" == V1
    assert git(deployed_repo, "rev-parse", "--abbrev-ref", "HEAD") == "work"
