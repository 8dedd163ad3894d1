"""`/promptops ...` comment commands: parsing and the help text replies carry.

Parsing is strict and separate from running, so a bad command is answered with the help
text before anything (permissions aside) is touched.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from promptops.config import GOALS
from promptops.errors import InputError


@dataclass(frozen=True)
class CommandSpec:
    """One `/promptops` command as users see it: the one source of truth for `/promptops help`,
    the docs' table (a test compares them) and the "Commands" section of every bot PR."""

    name: str
    usage: str  # e.g. "/promptops optimize AGENT/NAME --goal GOAL"
    summary: str


COMMAND_SPECS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "optimize", "/promptops optimize AGENT/NAME --goal GOAL", "write and test variants, open a PR"
    ),
    CommandSpec("eval", "/promptops eval [AGENT]", "evaluate the agent(s) at this PR's head"),
    CommandSpec("rollback", "/promptops rollback AGENT/NAME --to vN", "open a PR restoring version N"),
    CommandSpec(
        "rollout", "/promptops rollout AGENT/NAME", "check a canary rollout and advance, promote or abort it"
    ),
    CommandSpec(
        "approve-gate-change",
        "/promptops approve-gate-change",
        "accept this PR's change to its own cases or settings",
    ),
    CommandSpec(
        "recreate", "/promptops recreate", "hand the bot's branch back to the bot (drops hand edits)"
    ),
    CommandSpec(
        "unignore",
        "/promptops unignore AGENT/NAME --goal GOAL",
        "propose GOAL for this prompt again (closing its PR ignored it)",
    ),
    CommandSpec("help", "/promptops help", "this text"),
)

SPECS_BY_NAME = {spec.name: spec for spec in COMMAND_SPECS}


def _help_text() -> str:
    width = max(len(spec.usage) for spec in COMMAND_SPECS) + 3
    rows = "\n".join(f"    {spec.usage.ljust(width)}{spec.summary}" for spec in COMMAND_SPECS)
    return (
        "Commands (comment on a pull request or issue; needs write permission on the repository):\n\n"
        f"{rows}\n\nGOAL is one of: {', '.join(GOALS)}."
    )


HELP = _help_text()


class ChatUsageError(InputError):
    """A `/promptops` comment that is not a valid command; the reply is the help text."""


@dataclass(frozen=True)
class ChatCommand:
    name: str  # optimize | eval | rollback | rollout | approve-gate-change | recreate | unignore | help
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


def _rollout(args: list[str]) -> ChatCommand:
    positional, _ = _options(args, ())
    return ChatCommand("rollout", prompt_id=_prompt_id(positional, "rollout"))


def _prompt_and_goal(name: str):  # noqa: ANN202 - a parser factory
    """`NAME AGENT/NAME --goal GOAL` (optimize, unignore)."""

    def parse(args: list[str]) -> ChatCommand:
        positional, options = _options(args, ("goal",))
        goal = options.get("goal")
        if goal not in GOALS:
            raise ChatUsageError(f"--goal must be one of {', '.join(GOALS)}")
        return ChatCommand(name, prompt_id=_prompt_id(positional, name), goal=goal)

    return parse


def _no_arguments(name: str):  # noqa: ANN202 - a parser factory
    def parse(args: list[str]) -> ChatCommand:
        if args:
            raise ChatUsageError(f"{name} takes no arguments")
        return ChatCommand(name)

    return parse


_COMMANDS = {
    "optimize": _prompt_and_goal("optimize"),
    "eval": _eval,
    "rollback": _rollback,
    "rollout": _rollout,
    "approve-gate-change": _no_arguments("approve-gate-change"),
    "recreate": _no_arguments("recreate"),
    "unignore": _prompt_and_goal("unignore"),
}
