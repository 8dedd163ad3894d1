"""One PR per branch because the bot looks its PR up first, not because GitHub's 422 "already
exists" happens to cover for a missing lookup: a re-run never even asks to create a PR."""

from __future__ import annotations

from pathlib import Path

from tests.git_layer.conftest import publish
from tests.github_layer.test_github import connect_standin, open_pr
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin


def test_a_rerun_updates_its_pr_without_asking_github_to_create_another(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    gh = connect_standin(github_standin)
    first = open_pr(gh, publish(prompt_repo, "First.\n", run="run-1"), "first report")
    second = open_pr(gh, publish(prompt_repo, "Second.\n", run="run-2"), "second report")
    third = open_pr(gh, publish(prompt_repo, "Third.\n", run="run-3"), "third report")
    assert first.created and not second.created and not third.created
    assert first.number == second.number == third.number
    assert [r.status for r in github_standin.calls("pulls/create")] == [201]
    assert github_standin.pulls[first.number]["body"] == "third report"


def test_the_lookup_is_by_this_branch_not_any_open_pr(
    prompt_repo: Path, github_standin: GitHubStandin
) -> None:
    """A person's open PR from another branch is neither updated nor mistaken for ours."""
    git(prompt_repo, "checkout", "-q", "-b", "people/typo-fix")
    commit(prompt_repo, {"NOTES.md": "a fixed typo\n"}, "fix a typo")
    git(prompt_repo, "push", "-q", "origin", "people/typo-fix")
    git(prompt_repo, "checkout", "-q", "main")
    status, human, _ = github_standin.handle(
        "POST",
        f"/repos/{github_standin.owner}/{github_standin.name}/pulls",
        {"authorization": f"token {github_standin.token}"},
        {"title": "Fix a typo", "head": "people/typo-fix", "base": "main", "body": "a person's PR"},
    )
    assert status == 201, human
    gh = connect_standin(github_standin)
    ours = open_pr(gh, publish(prompt_repo, "Variant.\n"), "the report")
    assert ours.created and ours.number != human["number"]
    assert github_standin.pulls[human["number"]]["body"] == "a person's PR"
    assert [r.status for r in github_standin.calls("pulls/create")] == [201, 201]
