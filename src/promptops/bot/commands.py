"""`/promptops ...` comment commands: parsing and the help text replies carry.

Parsing is strict and separate from running, so a bad command is answered with the help
text before anything (permissions aside) is touched.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from promptops.config import GOALS
from promptops.errors import InputError

HELP = """\
Commands (comment on a pull request or issue; needs write permission on the repository):

    /promptops optimize AGENT/NAME --goal GOAL   write and test variants, open a PR
    /promptops eval [AGENT]                      evaluate the agent(s) at this PR's head
    /promptops rollback AGENT/NAME --to vN       open a PR restoring version N
    /promptops help                              this text

GOAL is one of: accuracy, conciseness, clarity, safety, speed."""


class ChatUsageError(InputError):
    """A `/promptops` comment that is not a valid command; the reply is the help text."""


@dataclass(frozen=True)
class ChatCommand:
    name: str  # optimize | eval | rollback | help
    prompt_id: str | None = None
    agent: str | None = None
    goal: str | None = None
    to: str | None = None


def parse_command(body: str) -> ChatCommand:
    """The command on the first line of a comment that starts with `/promptops`."""
    first_line = body.strip().splitlines()[0] if body.strip() else ""
    try:
        words = shlex.split(first_line)
    except ValueError as exc:
        raise ChatUsageError(f"cannot parse command: {exc}") from exc
    if not words or words[0] != "/promptops":
        raise ChatUsageError("a command starts with /promptops")
    if len(words) == 1 or words[1] in ("help", "--help", "-h"):
        return ChatCommand("help")
    name, args = words[1], words[2:]
    parser = _COMMANDS.get(name)
    if parser is None:
        raise ChatUsageError(f"unknown command {name!r}")
    return parser(args)


def _options(args: list[str], allowed: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    options: dict[str, str] = {}
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("--"):
            key, _, inline = word[2:].partition("=")
            if key not in allowed:
                raise ChatUsageError(f"unknown option --{key}")
            if not inline:
                i += 1
                if i >= len(args):
                    raise ChatUsageError(f"--{key} needs a value")
                inline = args[i]
            options[key] = inline
        else:
            positional.append(word)
        i += 1
    return positional, options


def _prompt_id(positional: list[str], command: str) -> str:
    if len(positional) != 1 or "/" not in positional[0]:
        raise ChatUsageError(f"{command} takes one prompt id like support-agent/system")
    return positional[0]


def _optimize(args: list[str]) -> ChatCommand:
    positional, options = _options(args, ("goal",))
    goal = options.get("goal")
    if goal not in GOALS:
        raise ChatUsageError(f"--goal must be one of {', '.join(GOALS)}")
    return ChatCommand("optimize", prompt_id=_prompt_id(positional, "optimize"), goal=goal)


def _eval(args: list[str]) -> ChatCommand:
    positional, _ = _options(args, ())
    if len(positional) > 1:
        raise ChatUsageError("eval takes at most one agent id")
    return ChatCommand("eval", agent=positional[0] if positional else None)


def _rollback(args: list[str]) -> ChatCommand:
    positional, options = _options(args, ("to",))
    if "to" not in options:
        raise ChatUsageError("rollback needs --to vN (or a version id or commit)")
    return ChatCommand("rollback", prompt_id=_prompt_id(positional, "rollback"), to=options["to"])


_COMMANDS = {"optimize": _optimize, "eval": _eval, "rollback": _rollback}
