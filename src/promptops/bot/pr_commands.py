"""The "Commands" section that ends every bot pull request, and the hidden record of what an
optimize PR proposes.

Each line is an instance of a `COMMAND_SPECS` usage with this PR's prompt, agent and goal
filled in, so the section, `/promptops help` and the docs cannot drift apart: a test parses
every line back with `parse_command`. The optimize PR's marker (prompt, goal, base version)
is what the `pull_request: closed` handler reads from the payload to record "no", without
needing the branch (GitHub may have deleted it) in the clone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from promptops.bot.commands import SPECS_BY_NAME
from promptops.markdown import inline_code

_PLACEHOLDERS = ("AGENT/NAME", "[AGENT]", "GOAL", "vN")
RERUN_MARKER = "<!-- promptops:rerun-eval -->"
RERUN_BOX = f"- [ ] {RERUN_MARKER} Tick to re-run the evaluation of this PR (as Renovate's rebase box)"
_TICKED = re.compile(r"^- \[[xX]\] " + re.escape(RERUN_MARKER), flags=re.M)


def rerun_ticked(body: str | None) -> bool:
    """Whether the body's re-run checkbox is ticked."""
    return bool(_TICKED.search(body or ""))


def untick(body: str) -> str:
    return _TICKED.sub(f"- [ ] {RERUN_MARKER}", body)


_MARKER = re.compile(r"<!-- promptops:pr prompt=(\S+) goal=(\S+) base=([0-9a-f]{4,64}) -->")


@dataclass(frozen=True)
class ProposalMarker:
    """What an optimize PR proposes: `goal` for `prompt_id`, starting from version `base_version`."""

    prompt_id: str
    goal: str
    base_version: str

    def render(self) -> str:
        return f"<!-- promptops:pr prompt={self.prompt_id} goal={self.goal} base={self.base_version} -->"


def read_marker(body: str | None) -> ProposalMarker | None:
    """The proposal recorded in an optimize PR's body; None for any other PR."""
    found = _MARKER.search(body or "")
    return ProposalMarker(*found.groups()) if found else None


def command_line(name: str, **values: str) -> str:
    """The usage of command `name` with placeholders filled: `prompt`, `agent`, `goal`, `to`."""
    usage = SPECS_BY_NAME[name].usage
    filled = {
        "AGENT/NAME": values.get("prompt", "AGENT/NAME"),
        "[AGENT]": values.get("agent", "").strip() or "",
        "GOAL": values.get("goal", "GOAL"),
        "vN": values.get("to", "vN"),
    }
    for placeholder in _PLACEHOLDERS:
        if placeholder in usage:
            usage = usage.replace(placeholder, filled[placeholder])
    return " ".join(usage.split())


def _section(rows: list[tuple[str, str]], footer: str = "") -> str:
    lines = ["### Commands", "", "Comment on this pull request (needs write permission):", ""]
    lines += [f"- {inline_code(cmd)}: {what}" for cmd, what in rows]
    lines.append(f"- {inline_code(command_line('help'))}: every command")
    lines += ["", RERUN_BOX]
    if footer:
        lines += ["", footer]
    return "\n".join(lines)


def optimize_commands(prompt_id: str, goal: str, base_version: str) -> str:
    """The section of an optimize PR, with the marker the close handler reads."""
    agent = prompt_id.split("/", 1)[0]
    rows = [
        (command_line("eval", agent=agent), "re-run the evaluation of this PR's head"),
        (
            command_line("optimize", prompt=prompt_id, goal=goal),
            "re-optimize for the same goal (updates this PR)",
        ),
        (
            command_line("optimize", prompt=prompt_id, goal="GOAL"),
            "another goal: close this PR first (one open optimize PR per prompt)",
        ),
        (command_line("unignore", prompt=prompt_id, goal=goal), "undo the ignore after closing this PR"),
    ]
    footer = (
        f'Closing this PR without merging tells promptops "no": it stops proposing goal '
        f"{inline_code(goal)} for {inline_code(prompt_id)} until the prompt changes or a "
        "maintainer runs the unignore command above.\n\n"
        + ProposalMarker(prompt_id, goal, base_version).render()
    )
    return _section(rows, footer)


def rollback_commands(prompt_id: str, to: str) -> str:
    agent = prompt_id.split("/", 1)[0]
    rows = [
        (command_line("eval", agent=agent), "evaluate the restored version at this PR's head"),
        (command_line("rollback", prompt=prompt_id, to="vN"), f"restore another version instead of {to}"),
    ]
    return _section(rows)


def rollout_commands(prompt_id: str) -> str:
    agent = prompt_id.split("/", 1)[0]
    rows = [
        (command_line("rollout", prompt=prompt_id), "check the rollout now and apply the outcome"),
        (command_line("eval", agent=agent), "evaluate the agent at this PR's head"),
    ]
    return _section(rows)


def with_commands(body: str, section: str) -> str:
    return f"{body.rstrip()}\n\n{section}\n"
