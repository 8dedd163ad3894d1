"""`-C DIR` before or after the command name, and in every command's --help (issue 14, item 5)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from promptops.cli import main
from tests.gitrepo import commit, make_repo
from tests.repo.samples import support_agent


def every_command(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += every_command(command, (*prefix, name))
    return found


@pytest.mark.parametrize("words", every_command(main), ids=" ".join)
def test_every_command_help_mentions_dash_c(words: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*words, "--help"])
    assert result.exit_code == 0
    assert "-C DIR" in result.output and "Run as if promptops was started in DIR" in result.output


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(repo, support_agent(), "add support-agent")
    return repo


def run_in(cwd: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> click.testing.Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_dash_c_after_the_command(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = run_in(elsewhere, "-C", str(sample), "list", monkeypatch=monkeypatch)
    after = run_in(elsewhere, "list", "-C", str(sample), monkeypatch=monkeypatch)
    assert before.exit_code == after.exit_code == 0
    assert "support-agent/system" in after.output and after.output == before.output
    # in the middle of the options, and for lint, whose PATHS are relative to -C
    lint = run_in(
        elsewhere, "lint", "--strict", "-C", str(sample), "prompts/support-agent", monkeypatch=monkeypatch
    )
    assert lint.exit_code == 0, lint.output
    outside = run_in(elsewhere, "list", monkeypatch=monkeypatch)
    assert outside.exit_code == 2 and "not inside a git repository" in outside.output


def test_two_dash_c_compose_like_git(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_in(
        sample.parent.parent,
        "-C",
        sample.parent.name,
        "history",
        "support-agent/system",
        "-C",
        sample.name,
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0, result.output
    assert "v1" in result.output


def test_dash_c_on_a_subcommand_of_a_group(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_in(tmp_path, "cache", "stats", "--json", "-C", str(sample), monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert str(sample / ".promptops") in result.output
