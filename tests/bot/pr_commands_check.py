"""Reading the "Commands" section back out of a bot PR body (shared by the tests of each PR kind)."""

from __future__ import annotations

import re

from promptops.bot.commands import ChatCommand, parse_command

# Placeholders a reader fills in; filled with a valid value so the line must parse.
_FILL = {"--goal GOAL": "--goal accuracy"}


def section_commands(body: str) -> list[ChatCommand]:
    """Every command listed in the body's final "Commands" section, parsed as a comment would be."""
    assert "### Commands" in body, body[-500:]
    section = body.rsplit("### Commands", 1)[1]
    lines = re.findall(r"^- `(/promptops[^`]*)`", section, flags=re.M)
    assert lines, section
    parsed = []
    for line in lines:
        for placeholder, value in _FILL.items():
            line = line.replace(placeholder, value)
        parsed.append(parse_command(line))
    return parsed
