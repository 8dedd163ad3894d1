"""One source of truth for the `/promptops` commands: help, the docs' table, PR sections."""

from __future__ import annotations

import re
from pathlib import Path

from promptops.bot.commands import HELP
from promptops.bot.pr_commands import (
    optimize_commands,
    read_marker,
    rollback_commands,
    rollout_commands,
)
from tests.bot.pr_commands_check import section_commands

DOCS = Path(__file__).resolve().parents[2] / "docs" / "github-actions.md"


def _help_rows() -> list[tuple[str, str]]:
    rows = re.findall(r"^    (/promptops .*?)\s{3,}(\S.*)$", HELP, flags=re.M)
    return [(usage.strip(), summary.strip()) for usage, summary in rows]


def test_the_docs_commands_table_matches_promptops_help() -> None:
    table = re.findall(r"^\| `(/promptops[^`]*)` \| (.*?) \|$", DOCS.read_text(encoding="utf-8"), flags=re.M)
    assert len(_help_rows()) == 8
    assert table == _help_rows()


def test_each_pr_kind_lists_commands_that_parse() -> None:
    optimize = section_commands(
        "x\n\n" + optimize_commands("support-agent/system", "conciseness", "ab12cd34")
    )
    assert [(c.name, c.prompt_id or c.agent, c.goal) for c in optimize] == [
        ("eval", "support-agent", None),
        ("optimize", "support-agent/system", "conciseness"),
        ("optimize", "support-agent/system", "accuracy"),
        ("unignore", "support-agent/system", "conciseness"),
        ("help", None, None),
    ]
    rollback = section_commands(rollback_commands("support-agent/system", "v1"))
    assert [c.name for c in rollback] == ["eval", "rollback", "help"]
    rollout = section_commands(rollout_commands("support-agent/system"))
    assert [(c.name, c.prompt_id) for c in rollout][0] == ("rollout", "support-agent/system")


def test_the_optimize_marker_reads_back() -> None:
    marker = read_marker(optimize_commands("support-agent/system", "clarity", "0123abcd"))
    assert marker is not None
    assert (marker.prompt_id, marker.goal, marker.base_version) == (
        "support-agent/system",
        "clarity",
        "0123abcd",
    )
    assert read_marker("please review") is None and read_marker(None) is None
