"""One open optimize PR per prompt, as Atlantis locks a directory while a plan is open.

Two PRs changing the same prompt for different goals would conflict on merge and split
reviewers' attention; the second goal waits until the first PR is merged or closed. The
lock is read from GitHub (open PRs whose head is an optimize branch of the prompt), so
there is nothing to release: closing or merging the PR frees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptops.bot.context import CiContext
from promptops.config import GOALS
from promptops.git.commits import variant_branch
from promptops.github.open_pulls import open_pulls
from promptops.repo.agents import split_prompt_id


@dataclass(frozen=True)
class LockHolder:
    """The open optimize PR of a prompt that keeps other goals waiting."""

    number: int
    url: str
    goal: str

    def describe(self) -> str:
        return f"pull request #{self.number} (goal {self.goal}) holds the lock: {self.url}"


def lock_holder(ctx: CiContext, prompt_id: str, goal: str) -> LockHolder | None:
    """The open optimize PR of `prompt_id` for a goal other than `goal`, if any.

    The PR for `goal` itself is no lock: optimizing again updates that very PR."""
    agent, name = split_prompt_id(prompt_id)
    prefix = ctx.config.get("github.branch_prefix")
    branches = {variant_branch(agent, name, g, prefix): g for g in GOALS if g != goal}
    for pr in open_pulls(ctx.github()):
        if pr.head in branches:
            return LockHolder(pr.number, pr.url, branches[pr.head])
    return None
