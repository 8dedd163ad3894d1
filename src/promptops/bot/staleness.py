"""Baselines that are seen to be fresh: does the PR's comparison still describe what merging does?

A PR is evaluated against its merge base. If the base branch has since moved on and
changed the same agent, the comparison is stale: the reviewer sees "head vs an old base",
not "head vs what is deployed". The report then says so, naming both commits, and how to
refresh (bring the base branch in; the push re-runs the evaluation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from promptops.config import Config
from promptops.git.refs import has_commit
from promptops.markdown import escape_text, inline_code


@dataclass(frozen=True)
class Staleness:
    """The base branch tip and the evaluated agents it changed since the merge base."""

    merge_base: str
    base_tip: str
    base_ref: str
    agents: tuple[str, ...]


def check_staleness(
    config: Config,
    merge_base: str,
    base_tip: str,
    base_ref: str,
    agents: list[str],
    changed_agents: Callable[[Config, str, str], list[str]],
) -> Staleness | None:
    """None when the comparison is current (or the tip is not in this clone: nothing to say).

    `changed_agents` is the pull request handler's own definition of "agent changed"."""
    if not base_tip or base_tip == merge_base or not has_commit(config.root, base_tip):
        return None
    moved = set(changed_agents(config, merge_base, base_tip))
    stale = tuple(a for a in agents if a in moved)
    return Staleness(merge_base, base_tip, base_ref, stale) if stale else None


def staleness_lines(stale: Staleness | None) -> list[str]:
    """The warning for the report; empty when the comparison is current."""
    if stale is None:
        return []
    agents = ", ".join(map(escape_text, stale.agents))
    first = stale.agents[0]
    merge = inline_code(f"git merge origin/{stale.base_ref}")
    return [
        "> [!WARNING]",
        "> **Stale comparison.** This report compares against merge base "
        f"{inline_code(stale.merge_base[:10])}, but {inline_code(stale.base_ref)} has moved on to "
        f"{inline_code(stale.base_tip[:10])} and changed {agents} since. To refresh, update this "
        f"branch ({merge} and push, or GitHub's Update branch button: the push re-runs the "
        f"evaluation), or after updating comment {inline_code(f'/promptops eval {first}')}.",
        "",
    ]
