"""The one top-level handler: expected failures are one line and their exit code; anything
else is exit 3 with the traceback kept in a log file whose path the line names."""

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from promptops.cli import main
from promptops.errors import InputError
from tests.conftest import run_cli
from tests.gitrepo import make_repo


@pytest.fixture
def failing_commands() -> Iterator[None]:
    @main.command("boom-bug")
    def boom_bug() -> None:
        raise RuntimeError("an unexpected bug")

    @main.command("boom-leak")
    def boom_leak() -> None:
        import os

        raise RuntimeError(f"could not call https://x-access-token:{os.environ['GITHUB_TOKEN']}@github.com")

    @main.command("boom-input")
    def boom_input() -> None:
        raise InputError("cases.yaml:3:5: error: expected a list")

    yield
    main.commands.pop("boom-bug")
    main.commands.pop("boom-leak")
    main.commands.pop("boom-input")


def test_unexpected_errors_exit_3_and_keep_the_traceback(failing_commands: None, tmp_path: Path) -> None:
    result = run_cli(tmp_path, "boom-bug")
    assert result.exit_code == 3
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("promptops: internal error; traceback written to ")
    log = Path(line.rsplit(" ", 1)[1])
    assert "RuntimeError: an unexpected bug" in log.read_text()
    log.unlink()


def test_expected_errors_are_one_line_with_their_exit_code(failing_commands: None, tmp_path: Path) -> None:
    result = run_cli(tmp_path, "boom-input")
    assert result.exit_code == 2
    assert result.stderr == "promptops: cases.yaml:3:5: error: expected a list\n"


def test_usage_errors_stay_clicks(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "no-such-command")
    assert result.exit_code == click.UsageError.exit_code
    assert "No such command 'no-such-command'" in result.stderr


def test_the_crash_log_is_redacted(
    failing_commands: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_crashSECRET0123456789")
    monkeypatch.setenv("MY_VENDOR_API_KEY", "vendor-SECRET-98765")
    result = run_cli(tmp_path, "boom-leak")
    assert result.exit_code == 3
    log = Path(result.stderr.strip().rsplit(" ", 1)[1])
    text = log.read_text()
    log.unlink()
    assert "x-access-token:***@github.com" in text
    assert "ghs_crashSECRET0123456789" not in text and "SECRET" not in text


def test_a_reader_that_went_away_ends_the_command_quietly_with_gits_status(tmp_path: Path) -> None:
    """`promptops list | head -1` once head has exited: no crash log, no traceback, exit 141
    (128 + SIGPIPE). The pipe's read end is closed before promptops writes, so the first
    write meets the cut whatever the pipe's capacity."""
    import os
    import subprocess
    import sys

    work = make_repo(tmp_path)
    run_cli(work, "init")
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "promptops", "-C", str(work), "list"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    finally:
        os.close(write_end)

    assert (done.returncode, done.stderr.decode()) == (141, "")  # not "internal error; traceback ..."
