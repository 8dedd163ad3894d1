"""The git layer on real repositories with a bare origin."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from promptops.errors import NotFoundError, PromptopsError
from promptops.git import commits as git_commits
from promptops.git import tree
from promptops.git.branches import default_branch_name
from promptops.git.commits import PublishResult, commit_files_on_branch, commit_message, variant_branch
from promptops.git.notes import fetch_notes, read_note
from promptops.git.push import PushRejected
from promptops.git.refs import commit_trailers
from promptops.git.repository import find_remote, open_repo
from promptops.git.status import changed_paths, ensure_clean
from promptops.version_ids import version_id
from tests.git_layer.conftest import SYSTEM_PATH, SYSTEM_TEXT, publish
from tests.gitrepo import commit, git

BRANCH = "promptops/support-agent/system/conciseness"


def origin_of(work: Path) -> Path:
    return work.parent / "origin.git"


def test_publish_pushes_a_branch_without_touching_the_users_checkout(prompt_repo: Path) -> None:
    git(prompt_repo, "checkout", "-q", "-b", "my-feature")
    (prompt_repo / "notes.txt").write_text("untracked\n")
    (prompt_repo / "README.md").write_text("staged edit\n")
    git(prompt_repo, "add", "README.md")
    status_before = git(prompt_repo, "status", "--porcelain")
    head_before = git(prompt_repo, "rev-parse", "HEAD")

    result = publish(prompt_repo, "Be a concise ACME support agent. Mention the refund policy.\n")

    assert result.branch == BRANCH and result.pushed
    assert git(prompt_repo, "rev-parse", "--abbrev-ref", "HEAD") == "my-feature"
    assert git(prompt_repo, "rev-parse", "HEAD") == head_before
    assert git(prompt_repo, "status", "--porcelain") == status_before
    assert (prompt_repo / SYSTEM_PATH).read_text() == SYSTEM_TEXT
    assert git(prompt_repo, "worktree", "list").count("\n") == 0  # temporary worktree removed
    origin = origin_of(prompt_repo)
    assert git(origin, "rev-parse", f"refs/heads/{BRANCH}") == result.commit
    assert git(origin, "rev-parse", f"{result.commit}^") == git(origin, "rev-parse", "refs/heads/main")
    assert git(origin, "show", f"{result.commit}:{SYSTEM_PATH}").startswith("Be a concise")


def test_commit_message_trailers_and_note_reach_origin(prompt_repo: Path, tmp_path: Path) -> None:
    result = publish(prompt_repo, "Short prompt.\n", run="run-42")
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(origin_of(prompt_repo)), str(fresh)], check=True)
    git(fresh, "fetch", "-q", "origin", f"{BRANCH}:{BRANCH}")
    fetch_notes(fresh)

    subject = git(fresh, "log", "-1", "--format=%s", result.commit)
    assert subject == "promptops(support-agent/system): conciseness, -23% tokens, pass rate unchanged"
    assert commit_trailers(fresh, result.commit) == {
        "Promptops-Prompt": "support-agent/system",
        "Promptops-Base": version_id(SYSTEM_TEXT),
        "Promptops-Goal": "conciseness",
        "Promptops-Run": "run-42",
    }
    assert read_note(fresh, result.commit) == {
        "run": "run-42",
        "pass_rate": {"base": 0.85, "variant": 0.86},
    }


def test_republish_replaces_the_branch_commit_and_keeps_both_notes(prompt_repo: Path) -> None:
    first = publish(prompt_repo, "First variant.\n", run="run-1")
    second = publish(prompt_repo, "Second variant.\n", run="run-2")

    origin = origin_of(prompt_repo)
    assert second.branch == first.branch
    assert git(origin, "rev-parse", f"refs/heads/{BRANCH}") == second.commit
    assert (
        git(origin, "rev-parse", f"{second.commit}^") == first.base_commit
    )  # one commit on main, not stacked
    assert git(origin, "notes", "--ref=refs/notes/promptops", "show", first.commit).count("run-1") == 1
    assert (
        json.loads(git(origin, "notes", "--ref=refs/notes/promptops", "show", second.commit))["run"]
        == "run-2"
    )


def test_variant_starts_from_the_up_to_date_default_branch(prompt_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(origin_of(prompt_repo)), str(other)], check=True)
    upstream = commit(other, {"docs/changelog.md": "news\n"}, "someone else's change", push=True)

    result = publish(prompt_repo, "Variant.\n")  # the local main is one commit behind origin

    assert result.base_commit == upstream
    assert git(origin_of(prompt_repo), "show", f"{result.commit}:docs/changelog.md") == "news"


def test_refuses_when_the_prompt_changed_on_the_default_branch(prompt_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(origin_of(prompt_repo)), str(other)], check=True)
    commit(other, {SYSTEM_PATH: "Edited by a human.\n"}, "human edit", push=True)

    with pytest.raises(PromptopsError, match="prompts/support-agent/system.md changed on the default branch"):
        publish(prompt_repo, "Variant.\n")
    assert "refs/heads/" + BRANCH not in git(origin_of(prompt_repo), "for-each-ref")


def test_dirty_files_are_named(prompt_repo: Path) -> None:
    (prompt_repo / SYSTEM_PATH).write_text("local edit\n")
    (prompt_repo / "prompts/support-agent/new.md").write_text("new\n")
    (prompt_repo / "README.md").write_text("unrelated edit\n")

    paths = [SYSTEM_PATH, "prompts/support-agent/new.md", "prompts/support-agent/user.md"]
    assert changed_paths(prompt_repo, paths) == ["prompts/support-agent/new.md", SYSTEM_PATH]
    with pytest.raises(
        PromptopsError, match=r"uncommitted changes in prompts/support-agent/new.md, prompts/"
    ):
        ensure_clean(prompt_repo, paths)
    ensure_clean(prompt_repo, ["prompts/support-agent/user.md"])  # only what it touches matters
    with pytest.raises(PromptopsError, match=f"uncommitted changes in {SYSTEM_PATH}; commit or stash"):
        publish(prompt_repo, "Variant.\n")
    assert BRANCH not in git(origin_of(prompt_repo), "for-each-ref")


def test_push_rejected_by_a_hook_keeps_the_local_branch_and_changes_nothing_remote(prompt_repo: Path) -> None:
    hook = origin_of(prompt_repo) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'branch protection: promptops/* is locked' >&2\nexit 1\n")
    hook.chmod(0o755)

    with pytest.raises(PushRejected) as err:
        publish(prompt_repo, "Variant.\n")

    message = str(err.value)
    assert "origin refused the push of promptops/support-agent/system/conciseness" in message
    assert "branch protection: promptops/* is locked" in message
    assert "kept on promptops/support-agent/system/conciseness" in message
    kept = git(prompt_repo, "rev-parse", BRANCH)
    assert git(prompt_repo, "show", f"{kept}:{SYSTEM_PATH}") == "Variant."
    refs = git(origin_of(prompt_repo), "for-each-ref", "--format=%(refname)")
    assert refs.split() == ["refs/heads/main"]  # neither the branch nor the notes were half-written
    assert git(prompt_repo, "worktree", "list").count("\n") == 0


def test_two_runs_at_once_one_wins_and_the_other_keeps_its_commit(prompt_repo: Path, tmp_path: Path) -> None:
    second = tmp_path / "second"
    subprocess.run(["git", "clone", "-q", str(origin_of(prompt_repo)), str(second)], check=True)
    hold, arrived = tmp_path / "hold", tmp_path / "arrived"
    hold.touch()
    arrived.mkdir()
    hook = origin_of(prompt_repo) / "hooks" / "pre-receive"  # both pushes wait here until released
    hook.write_text(f'#!/bin/sh\ntouch "{arrived}/$$"\nwhile [ -e "{hold}" ]; do sleep 0.05; done\nexit 0\n')
    hook.chmod(0o755)
    outcomes: dict[str, Any] = {}

    def run(name: str, work: Path) -> None:
        try:
            outcomes[name] = publish(work, f"Variant from {name}.\n", run=name)
        except PromptopsError as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=run, args=(n, w)) for n, w in (("one", prompt_repo), ("two", second))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while len(list(arrived.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    hold.unlink()
    for thread in threads:
        thread.join(20)

    winners = [n for n, o in outcomes.items() if isinstance(o, PublishResult)]
    losers = {n: o for n, o in outcomes.items() if isinstance(o, PushRejected)}
    assert len(winners) == 1 and len(losers) == 1, outcomes
    winner = outcomes[winners[0]]
    assert git(origin_of(prompt_repo), "rev-parse", f"refs/heads/{BRANCH}") == winner.commit
    ((loser_name, error),) = losers.items()
    loser_work = prompt_repo if loser_name == "one" else second
    assert "another run updated it since we fetched" in str(error) and "is kept on" in str(error)
    kept = git(loser_work, "rev-parse", BRANCH)
    assert git(loser_work, "show", f"{kept}:{SYSTEM_PATH}") == f"Variant from {loser_name}."


def test_branch_only_publish_makes_a_local_branch(prompt_repo: Path) -> None:
    result = publish(prompt_repo, "Local only.\n", push=False)
    assert not result.pushed
    assert git(prompt_repo, "show", f"{BRANCH}:{SYSTEM_PATH}") == "Local only."
    assert BRANCH not in git(origin_of(prompt_repo), "for-each-ref")
    assert read_note(prompt_repo, result.commit)["run"] == "run-1"


def test_a_checked_out_branch_is_pushed_but_not_moved_under_the_user(prompt_repo: Path) -> None:
    first = publish(prompt_repo, "Variant.\n")
    git(prompt_repo, "checkout", "-q", BRANCH)

    second = publish(prompt_repo, "Another variant.\n", run="run-2")

    assert git(origin_of(prompt_repo), "rev-parse", f"refs/heads/{BRANCH}") == second.commit
    assert git(prompt_repo, "rev-parse", "HEAD") == first.commit
    assert (prompt_repo / SYSTEM_PATH).read_text() == "Variant.\n"
    with pytest.raises(PromptopsError, match="is checked out in"):
        publish(prompt_repo, "Local only.\n", run="run-3", push=False)


def test_tool_prompt_names_become_valid_branch_names() -> None:
    assert variant_branch("support-agent", "tool:lookup_order", "accuracy") == (
        "promptops/support-agent/tool-lookup_order/accuracy"
    )
    assert (
        variant_branch("a", "weird name..x.lock", "speed", "bots/") == "bots/a/weird-name-x-lock/speed"
    )
    subprocess.run(
        ["git", "check-ref-format", "--branch", variant_branch("a", "tool:x?*[", "g")], check=True
    )


def test_default_branch_and_remote_detection(prompt_repo: Path) -> None:
    repo = open_repo(prompt_repo)
    assert find_remote(repo) == "origin"
    assert default_branch_name(repo, None, "origin") == "main"
    assert default_branch_name(repo, "trunk", "origin") == "trunk"
    git(prompt_repo, "remote", "set-head", "origin", "--delete")
    assert default_branch_name(repo, None, "origin") == "main"


def test_read_blob_and_list_tree_at_a_ref(prompt_repo: Path) -> None:
    old = git(prompt_repo, "rev-parse", "HEAD")
    commit(prompt_repo, {"prompts/support-agent/tools/lookup.md": "Looks up an order.\n"}, "add tool")

    assert tree.read_blob(prompt_repo, old, SYSTEM_PATH) == SYSTEM_TEXT.encode()
    assert tree.read_blob(prompt_repo, old, "prompts/support-agent/tools/lookup.md") is None
    assert tree.read_blob(prompt_repo, "HEAD", "prompts/support-agent") is None  # a folder is not a file
    assert tree.list_tree(prompt_repo, "HEAD", "prompts/support-agent") == [
        SYSTEM_PATH,
        "prompts/support-agent/tools/lookup.md",
        "prompts/support-agent/user.md",
    ]
    assert tree.list_tree(prompt_repo, old, "prompts/missing") == []
    with pytest.raises(NotFoundError, match="no-such-ref"):
        tree.read_blob(prompt_repo, "no-such-ref", SYSTEM_PATH)


def test_commit_files_on_branch_can_push_a_direct_fix_to_the_default_branch(prompt_repo: Path) -> None:
    message = commit_message(
        "Revert support-agent/system to v1",
        {"Promptops-Prompt": "support-agent/system", "Promptops-Rollback-To": "v1"},
    )
    result = commit_files_on_branch(
        prompt_repo,
        branch="main",
        files={SYSTEM_PATH: "restored\n"},
        message=message,
        expected_versions={SYSTEM_PATH: version_id(SYSTEM_TEXT)},
    )
    origin = origin_of(prompt_repo)
    assert git(origin, "rev-parse", "refs/heads/main") == result.commit
    assert commit_trailers(prompt_repo, result.commit)["Promptops-Rollback-To"] == "v1"


def test_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PromptopsError, match="not a git repository"):
        tree.read_blob(tmp_path, "HEAD", "x")


def test_notes_from_another_clone_are_merged_not_overwritten(prompt_repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(origin_of(prompt_repo)), str(other)], check=True)
    theirs = publish(other, "Their accuracy variant.\n", goal="accuracy", run="theirs")
    ours = publish(prompt_repo, "Our variant.\n", run="ours")

    origin = origin_of(prompt_repo)
    for result, run in ((theirs, "theirs"), (ours, "ours")):
        note = git(origin, "notes", "--ref=refs/notes/promptops", "show", result.commit)
        assert json.loads(note)["run"] == run


def test_origin_moving_while_we_commit_fails_the_lease(
    prompt_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(prompt_repo, "First.\n")
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(origin_of(prompt_repo)), str(other)], check=True)
    real_commit = git_commits.commit_in_temporary_worktree

    def commit_while_another_run_pushes(*args: Any) -> str:
        made = real_commit(*args)
        monkeypatch.setattr(git_commits, "commit_in_temporary_worktree", real_commit)
        publish(other, "Pushed by another run.\n", run="other")  # lands between our fetch and our push
        return made

    monkeypatch.setattr(git_commits, "commit_in_temporary_worktree", commit_while_another_run_pushes)
    with pytest.raises(
        PushRejected, match=r"another run updated it since we fetched \(\[rejected\] \(stale info\)\)"
    ):
        publish(prompt_repo, "Ours.\n", run="ours")

    assert git(origin_of(prompt_repo), "show", f"{BRANCH}:{SYSTEM_PATH}") == "Pushed by another run."
    assert git(prompt_repo, "show", f"{BRANCH}:{SYSTEM_PATH}") == "Ours."  # our commit kept locally
