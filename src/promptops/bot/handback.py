"""Branches belong to whoever last pushed them (as Renovate does it).

The bot pushes to its branch only while the branch is still at the commit the bot last
pushed. When a person has pushed commits there, publishing stops before any commit or push
and this module says so on the pull request, with the way to hand the branch back:
`/promptops recreate`, which resets the branch to the bot's last commit.
"""

from __future__ import annotations

from promptops.bot.context import CiContext
from promptops.config import Config
from promptops.errors import InputError
from promptops.git.commits import recreate_branch as reset_to_bot_commit
from promptops.git.push import BranchEditedByHand
from promptops.github.connection import connect_for
from promptops.github.retries import MissingToken
from promptops.markdown import escape_text, inline_code

NOTICE_KEY = "hand-edited"


def notice_body(exc: BranchEditedByHand) -> str:
    return (
        f"**promptops did not push to {inline_code(exc.branch)}**: it has commits promptops did not "
        f"make (the tip, {inline_code(exc.tip[:10])}, is by {escape_text(exc.author)}), so the branch is "
        "yours now and nothing was overwritten.\n\n"
        "To let promptops update it again, comment `/promptops recreate`: the branch goes back to "
        "promptops' last commit"
        + (f" ({inline_code(exc.bot_commit[:10])})" if exc.bot_commit else "")
        + " and **the commits pushed on top are dropped**. To keep them, merge or copy them first."
    )


def say_branch_is_theirs(
    config: Config, token: str | None, base_url: str | None, exc: BranchEditedByHand
) -> str:
    """Comment on the branch's open PR (when there is a token and a PR); returns the user's sentence."""
    try:
        gh = connect_for(config, token, base_url)
    except MissingToken:
        return str(exc)
    pr = gh.find_open_pull(exc.branch)
    if pr is None:
        return str(exc)
    gh.upsert_issue_comment(pr.number, NOTICE_KEY, notice_body(exc))
    return f"{exc}; said so on pull request #{pr.number}"


def recreate_branch(ctx: CiContext, number: int, on_pull_request: bool) -> str:
    """`/promptops recreate` on a promptops pull request: reset its branch to the bot's last commit."""
    if not on_pull_request:
        raise InputError("recreate works on a promptops pull request")
    pr = ctx.github().pull(number)
    prefix = ctx.config.get("github.branch_prefix") + "/"
    head_repo = pr.head.repo.full_name if pr.head.repo else None
    if head_repo != ctx.github().full_name or not pr.head.ref.startswith(prefix):
        raise InputError(f"#{number} is not a promptops pull request (its branch is not under {prefix})")
    done = reset_to_bot_commit(ctx.root, pr.head.ref)
    ctx.report.say(
        f"recreate {done.branch}: reset to {done.commit[:10]}, dropped {len(done.dropped)} commits"
    )
    if not done.dropped:
        return f"{inline_code(done.branch)} is already at promptops' last commit; nothing to hand back."
    return (
        f"{inline_code(done.branch)} is promptops' again: reset to {inline_code(done.commit[:10])}, "
        f"dropping {len(done.dropped)} commit{'s' if len(done.dropped) != 1 else ''} "
        f"({', '.join(inline_code(c[:10]) for c in done.dropped[:5])}). The next run updates it."
    )
