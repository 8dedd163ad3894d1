"""Targets the scheduled run must leave alone, each skip said in the run's output.

Declined: a maintainer closed the optimize PR for this prompt, goal and version unmerged
(`ignores`). Explicit requests (`/promptops optimize`) are not filtered: a person asking
now overrides an earlier "no".
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from promptops.bot.context import CiContext
from promptops.bot.ignores import current_version, find_ignore
from promptops.bot.pr_commands import command_line
from promptops.git.notes import fetch_notes


class _Target(Protocol):
    @property
    def prompt_id(self) -> str: ...

    @property
    def goal(self) -> str: ...


T = TypeVar("T", bound=_Target)


def skip_declined(ctx: CiContext, targets: list[T]) -> list[T]:
    """`targets` without those declined at the prompt's current version."""
    if not targets:
        return targets
    fetch_notes(ctx.root)
    kept = []
    for target in targets:
        version = current_version(ctx.config, target.prompt_id)
        ignore = find_ignore(ctx.config, target.prompt_id, target.goal, version)
        if ignore is None:
            kept.append(target)
            continue
        undo = command_line("unignore", prompt=target.prompt_id, goal=target.goal)
        ctx.report.say(
            f"{target.prompt_id}: goal {target.goal} skipped: pull request #{ignore.pr} was closed "
            f"unmerged at version {version[:10]}; it is proposed again when the prompt changes, "
            f"or now after `{undo}`"
        )
    return kept
