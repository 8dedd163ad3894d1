"""`promptops history` starts its `git log` walk before click loads (cli/history_early) and
the command takes that walk: one walk, one ref lookup, the same output as the command run
in-process (where nothing starts early), and every error still one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from promptops.cli.history_early import HistoryArgs, parse_history_args
from tests.conftest import run_cli
from tests.gitrepo import commit, git, make_repo, write_files
from tests.repo.samples import AGENT_YAML, support_agent
from tests.repo.test_history_lean import git_commands, imported

SYSTEM_PATH = "prompts/support-agent/system.md"
PROMPT = "support-agent/system"


def promptops(
    cwd: Path, *args: str, trace: Path | None = None, python: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`python -m promptops ARGS` as a user runs it (so through the early start)."""
    env = {**os.environ, **({"GIT_TRACE": str(trace)} if trace else {})}
    cmd = [sys.executable, *python, "-m", "promptops", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def edited_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path, support_agent())
    commit(repo, {SYSTEM_PATH: "You are a support agent. Mind the refund policy.\n"}, "edit", push=True)
    commit(repo, {SYSTEM_PATH: "You are a support agent. Quote the refund policy.\n"}, "again", push=True)
    return repo


def test_the_command_takes_the_walk_started_before_click(edited_repo: Path, tmp_path: Path) -> None:
    expected = run_cli(edited_repo, "history", PROMPT, "--json").stdout  # in-process: no early start
    shutil.rmtree(edited_repo / ".git" / "promptops" / "file-logs")  # so the next run walks

    trace = tmp_path / "walk.trace"
    walked = promptops(edited_repo, "history", PROMPT, "--json", trace=trace, python=("-X", "importtime"))
    assert walked.returncode == 0, walked.stderr
    assert walked.stdout == expected
    assert "tiktoken" not in imported(walked.stderr)  # counts were kept: no tokenizer to load
    # One ref lookup and one walk: the command used what the early start found and began.
    commands = git_commands(tmp_path / "walk.trace")
    assert [commands.count(c) for c in ("remote", "for-each-ref", "log")] == [1, 1, 1], commands

    kept = promptops(edited_repo, "history", PROMPT, "--json", trace=tmp_path / "kept.trace")
    assert kept.stdout == expected
    assert git_commands(tmp_path / "kept.trace") == ["remote", "for-each-ref"]  # nothing moved


def test_the_early_start_walks_without_importing_click(edited_repo: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from promptops.cli import history_early as early\n"
        f"early.start_early(['history', {PROMPT!r}])\n"
        f"started = early.take_early(early.HistoryArgs(Path('.'), {PROMPT!r}, None))\n"
        "print('click' in sys.modules, started.logs.walking, started.prompt.rel_path)\n"
        "print(len(started.logs.result()[started.prompt.rel_path]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=edited_repo, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "True", SYSTEM_PATH, "3"]


def test_directories_and_options_through_the_early_start(edited_repo: Path, tmp_path: Path) -> None:
    expected = json.loads(run_cli(edited_repo, "history", PROMPT, "--json", "--limit", "2").stdout)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    rel = os.path.relpath(edited_repo, elsewhere)
    runs = [
        ("-C", str(edited_repo), "history", PROMPT, "--json", "--limit", "2"),
        ("history", "-C", rel, PROMPT, "--limit=2", "--json", "--no-fetch"),
        ("-C", str(edited_repo.parent), "history", "-C", edited_repo.name, PROMPT, "--json", "--limit", "2"),
    ]
    for n, args in enumerate(runs):
        done = promptops(elsewhere, *args, trace=tmp_path / f"{n}.trace")
        assert done.returncode == 0, (args, done.stderr)
        assert json.loads(done.stdout) == expected, args
        assert git_commands(tmp_path / f"{n}.trace").count("log") <= 1, args


def test_a_fetch_that_moves_the_notes_walks_again(edited_repo: Path, tmp_path: Path) -> None:
    """The notes ref is read with the branch; a fetch that brings notes must not be served the
    walk kept for the notes before it."""
    tip = git(edited_repo, "rev-parse", "HEAD")
    before = promptops(edited_repo, "history", PROMPT, "--json", "--fetch")
    assert json.loads(before.stdout)["versions"][0]["eval"] is None

    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(tmp_path / "origin.git"), str(other))
    git(other, "notes", "--ref=promptops", "add", "-m", '{"verdict": "improvement", "cases": 12}', tip)
    git(other, "push", "-q", "origin", "refs/notes/promptops")

    stale_ok = promptops(edited_repo, "history", PROMPT, "--json")  # fetched a moment ago: not again
    assert json.loads(stale_ok.stdout)["versions"][0]["eval"] is None
    fetched = promptops(edited_repo, "history", PROMPT, "--json", "--fetch", trace=tmp_path / "f.trace")
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["versions"][0]["eval"] == {"verdict": "improvement", "cases": 12}
    assert git_commands(tmp_path / "f.trace").count("log") == 1


def test_git_failing_under_the_early_walk_is_one_line(edited_repo: Path) -> None:
    """An object the walk needs is gone: the walk (started early) fails, and the command says
    so in one line, exits non-zero and keeps no walk."""
    parent = git(edited_repo, "rev-parse", "HEAD~1")
    (edited_repo / ".git" / "objects" / parent[:2] / parent[2:]).unlink()
    done = promptops(edited_repo, "history", PROMPT)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"promptops: git failed while reading the history of {SYSTEM_PATH}"), lines
    assert parent in lines[0] or "bad object" in lines[0] or "could not" in lines[0].lower(), lines
    assert not (edited_repo / ".git" / "promptops" / "file-logs").exists()


def test_a_prompt_missing_from_the_working_tree_and_a_typo(edited_repo: Path) -> None:
    (edited_repo / "prompts/support-agent/tools/lookup_order.md").unlink()  # still on main
    write_files(edited_repo, {"prompts/support-agent/agent.yaml": AGENT_YAML.split("tools:")[0]})
    expected = run_cli(edited_repo, "history", "support-agent/tool:lookup_order", "--json").stdout
    shutil.rmtree(edited_repo / ".git" / "promptops" / "file-logs")
    gone = promptops(edited_repo, "history", "support-agent/tool:lookup_order", "--json")
    assert gone.returncode == 0, gone.stderr
    assert gone.stdout == expected
    assert json.loads(gone.stdout)["path"] == "prompts/support-agent/tools/lookup_order.md"

    typo = promptops(edited_repo, "history", "support-agent/sytem")
    assert (typo.returncode, typo.stderr.strip()) == (
        2,
        "promptops: unknown prompt 'support-agent/sytem'; closest: support-agent/system",
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["history", "a/b"], HistoryArgs(Path("."), "a/b", None)),
        (["history", "a/b", "--fetch", "--json"], HistoryArgs(Path("."), "a/b", True)),
        (["-C", "x", "history", "--no-fetch", "a/b"], HistoryArgs(Path("x"), "a/b", False)),
        (["-C", "x", "history", "-C", "y", "a/b", "--limit", "3"], HistoryArgs(Path("x/y"), "a/b", None)),
        (["history", "a/b", "--chart", "--all-branches", "--limit=2"], HistoryArgs(Path("."), "a/b", None)),
        (["history", "--help", "a/b"], None),
        (["history", "a/b", "c/d"], None),
        (["history"], None),
        (["history", "a/b", "--verbose"], None),
        (["list", "a/b"], None),
        (["--version"], None),
        (["-C"], None),
        ([], None),
    ],
)
def test_only_plain_history_arguments_start_early(argv: list[str], expected: HistoryArgs | None) -> None:
    assert parse_history_args(argv) == expected
