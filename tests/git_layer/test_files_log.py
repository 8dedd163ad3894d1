"""`files_log` reads several files' histories in one `git log` walk and must give exactly
what `git log --follow` gives for each (`file_log`): renames followed, merged branches,
deletions and re-creations, notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.errors import PromptopsError
from promptops.git.log import file_log, files_log, start_files_log
from promptops.git.log_cache import cached_files_log
from tests.gitrepo import commit, git, make_repo

NOTES = "refs/notes/promptops"


def assert_same_as_follow(repo: Path, paths: list[str]) -> dict[str, list]:
    """files_log == file_log (`git log --follow`) per path, and the logs it gave."""
    logs = files_log(repo, "refs/heads/main", paths, notes_ref=NOTES)
    assert logs == {p: file_log(repo, ["refs/heads/main"], p, notes_ref=NOTES) for p in paths}
    return logs


def test_renames_merges_and_notes_as_git_log_follow(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a/old.md": "Original prompt text, long enough to be a rename.\n"}, "add old")
    commit(repo, {"a/old.md": "Original prompt text, long enough to be a rename!\n"}, "edit old")
    git(repo, "mv", "a/old.md", "a/system.md")
    git(repo, "commit", "-q", "-m", "rename old to system")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"a/system.md": "Original prompt text, long enough to be a rename?\n"}, "feature edit")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #7 from me/feature")
    commit(repo, {"a/rollout.yaml": "weight: 5\n"}, "start rollout")
    commit(repo, {"a/rollout.yaml": "weight: 25\n"}, "advance rollout")
    git(repo, "rm", "-q", "a/rollout.yaml")
    git(repo, "commit", "-q", "-m", "end rollout")
    git(repo, "notes", f"--ref={NOTES}", "add", "-m", '{"verdict": "improvement"}', "HEAD~3")

    logs = assert_same_as_follow(repo, ["a/system.md", "a/rollout.yaml"])

    system = logs["a/system.md"]
    assert [c.subject for c in system] == [
        "Merge pull request #7 from me/feature",
        "rename old to system",
        "edit old",
        "add old",
    ]
    assert (system[1].status[0], system[1].old_path) == ("R", "a/old.md")
    assert system[0].note == '{"verdict": "improvement"}'
    assert [c.status for c in logs["a/rollout.yaml"]] == ["D", "M", "A"]


def test_a_path_recreated_by_a_rename_stops_where_follow_stops(tmp_path: Path) -> None:
    """--follow switches to the old path at the newest rename into the path, so the path's
    own earlier life (created, deleted) is not shown; files_log must stop there too."""
    repo = make_repo(tmp_path)
    commit(repo, {"p/system.md": "First life of the system prompt.\n"}, "first life")
    git(repo, "rm", "-q", "p/system.md")
    git(repo, "commit", "-q", "-m", "delete")
    commit(repo, {"p/draft.md": "A draft that becomes the system prompt later on.\n"}, "draft")
    git(repo, "mv", "p/draft.md", "p/system.md")
    git(repo, "commit", "-q", "-m", "promote draft")

    logs = assert_same_as_follow(repo, ["p/system.md", "p/rollout.yaml"])

    assert [c.subject for c in logs["p/system.md"]] == ["promote draft", "draft"]
    assert logs["p/rollout.yaml"] == []


def test_a_renamed_agent_folder_is_followed_for_every_path(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    files = {"old/system.md": "The system prompt of the agent.\n", "old/rollout.yaml": "weight: 5\n"}
    commit(repo, files, "add")
    commit(repo, {"old/rollout.yaml": "weight: 50\n"}, "advance")
    git(repo, "mv", "old", "new")
    git(repo, "commit", "-q", "-m", "rename agent")

    logs = assert_same_as_follow(repo, ["new/system.md", "new/rollout.yaml"])

    assert [c.subject for c in logs["new/rollout.yaml"]] == ["rename agent", "advance", "add"]


@pytest.mark.parametrize("paths", [["nothing/here.md"], ["README.md", "nothing/here.md"]])
def test_paths_without_history(tmp_path: Path, paths: list[str]) -> None:
    repo = make_repo(tmp_path)
    logs = assert_same_as_follow(repo, paths)
    assert logs["nothing/here.md"] == []


def test_kept_logs_follow_new_commits_renames_notes_and_rewrites(tmp_path: Path) -> None:
    """cached_files_log answers as a fresh walk (`git log --follow`) after every kind of move."""
    repo = make_repo(tmp_path)
    paths = ["p/system.md", "p/rollout.yaml"]
    commit(repo, {"p/system.md": "The system prompt, first version, long enough.\n"}, "first")

    def check() -> dict[str, list]:
        tip = git(repo, "rev-parse", "HEAD")
        logs = cached_files_log(repo, tip, paths, notes_ref=NOTES)
        assert logs == {p: file_log(repo, [tip], p, notes_ref=NOTES) for p in paths}
        return logs

    check()
    commit(repo, {"p/system.md": "The system prompt, second version, long enough.\n"}, "second")
    commit(repo, {"p/rollout.yaml": "weight: 5\n"}, "start rollout")
    assert [c.subject for c in check()["p/system.md"]] == ["second", "first"]

    git(repo, "notes", f"--ref={NOTES}", "add", "-m", '{"verdict": "improvement"}', "HEAD~1")
    assert check()["p/system.md"][0].note == '{"verdict": "improvement"}'

    commit(repo, {"p/draft.md": "A draft that replaces the system prompt, long enough.\n"}, "draft")
    git(repo, "rm", "-q", "p/system.md")
    git(repo, "commit", "-q", "-m", "drop system")
    git(repo, "mv", "p/draft.md", "p/system.md")
    git(repo, "commit", "-q", "-m", "promote draft")
    assert [c.subject for c in check()["p/system.md"]] == ["promote draft", "draft"]

    git(repo, "reset", "-q", "--hard", "HEAD~3")  # a rewritten branch: walked again
    commit(repo, {"p/system.md": "The system prompt, third version, long enough.\n"}, "third")
    assert [c.subject for c in check()["p/system.md"]] == ["third", "second", "first"]


def test_a_started_walk_that_fails_or_cannot_start_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path, {"a.md": "one\n"})
    walk = start_files_log(repo, "refs/heads/no-such-branch", ["a.md"], notes_ref=NOTES)
    with pytest.raises(PromptopsError) as failed:
        walk.result()
    message = str(failed.value)
    assert message.startswith("git failed while reading the history of a.md: ") and "\n" not in message
    assert "no-such-branch" in message

    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    with pytest.raises(PromptopsError, match=r"^git is not installed or not on PATH"):
        start_files_log(repo, "HEAD", ["a.md"])
