"""The `promptops/eval` gate of a PR on GitHub: check and status, then the sticky comment,
which says "unchanged since <sha>" when a re-run changes nothing instead of reposting the table.

A reviewer who sees the sticky comment rewritten after every push learns nothing from it;
one that says "unchanged since `abc1234`, re-evaluated at `def5678`" tells them at a glance
that their push did not move the results (as codecov does). A real change replaces the
comment as before.

"The same" is what the comment tells a reviewer about the result, never about the run:
the merge base compared against, a stale-base warning, the gate's conclusion, reasons and
the changes the PR makes to its own gate, and per agent the verdict and its reasons, every
case's outcome and the figures as the tables display them (rounded as they are rounded;
latency included, so a run answered afresh by the model usually differs). Not part of it:
the head commit, the run link, the time, how many samples the response cache answered.

The fingerprint of those facts and the commit of the first run that gave them are kept in a
hidden marker in the bot's own comment, and read back only from a comment the bot's own
identity wrote (the one `GitHubRepo.upsert_issue_comment` finds and edits, in its one listing
of the comments): a copied marker in someone else's comment cannot make a changed result
pass as unchanged. The check and status are set on every head by the caller either way;
only the comment is spared.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from promptops.bot.alerts import run_links
from promptops.bot.context import CiContext
from promptops.bot.gate_report import AgentResult, PullEvaluation, conclusion_line, render_comment, set_gate
from promptops.bot.staleness import staleness_lines
from promptops.evals.markdown_report import summary_lines
from promptops.evals.report import case_rows, comparison_rows
from promptops.markdown import details, inline_code

EVAL_KEY = "eval"

_MARKER = re.compile(r"<!-- promptops:results fingerprint=([0-9a-f]{16,64}) since=([0-9a-f]{40}) -->")
RESULTS_BEGIN = "<!-- promptops:results-begin -->"
RESULTS_END = "<!-- promptops:results-end -->"


def publish_gate(ctx: CiContext, number: int, evaluation: PullEvaluation, now: datetime | None = None) -> str:
    """Check and status on the head first, on every run (a required check must exist on each
    commit, and a comment that fails to post must not leave it waiting); then the comment: the
    full report, or "unchanged since" when the bot's own earlier comment has the same results.
    Returns the comment URL."""
    gate = evaluation.gate
    assert gate is not None
    evaluated = any(agent.outcome is not None for agent in evaluation.agents)
    links = run_links(ctx.env.run_url, ctx.env.runs_artifact if evaluated else None)
    report = render_comment(evaluation, links)
    ctx.report.summary.append(report)
    set_gate(ctx, evaluation.head, gate.conclusion, gate.status_state, gate.title, report)
    fingerprint = results_fingerprint(evaluation)
    unchanged: list[PostedResults] = []

    def body(previous: str | None) -> str:
        # `previous`: the bot's own earlier eval comment (comments by anyone else are ignored)
        posted = read_posted(previous) if previous else None
        unchanged[:] = [posted] if posted is not None and posted.fingerprint == fingerprint else []
        if not unchanged:
            return with_marker(report, fingerprint, evaluation.head)
        return render_unchanged(evaluation, unchanged[0], links, now or datetime.now(UTC))

    url = ctx.comment(number, EVAL_KEY, body)
    if unchanged:
        since = unchanged[0].since[:10]
        ctx.report.say(f"results unchanged since {since}: comment edited to say so, results kept folded")
    return url


@dataclass(frozen=True)
class PostedResults:
    """What the bot's earlier comment says about its results: their fingerprint, the commit of
    the first run that gave them, and the results markdown (to keep, folded)."""

    fingerprint: str
    since: str
    results: str


def results_fingerprint(evaluation: PullEvaluation) -> str:
    """A digest of what the comment shows about the result (see the module docstring)."""
    gate, stale = evaluation.gate, evaluation.stale
    facts: dict[str, Any] = {
        "base": evaluation.base,
        "fork": evaluation.fork,
        "changes": [evaluation.changes_cases, evaluation.changes_settings],
        "stale": [stale.base_tip, list(stale.agents)] if stale else None,
        "gate": None
        if gate is None
        else [
            gate.conclusion,
            gate.title,
            [[a.agent, a.conclusion, a.reason] for a in gate.agents],
            [[c.description, c.loosens] for c in gate.changes],
            gate.approved_by,
        ],
        "agents": [_agent_facts(agent) for agent in evaluation.agents],
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:32]


def _agent_facts(agent: AgentResult) -> dict[str, Any]:
    facts: dict[str, Any] = {"agent": agent.agent, "verdict": agent.verdict, "note": agent.note}
    facts["own_cases"] = agent.own_cases
    if agent.outcome is None:
        return facts
    head, cmp = agent.outcome.head, agent.outcome.comparison
    s = head.summary
    facts["measured"] = [s.samples, s.cases, head.repeat, head.split, head.model, head.provider]
    if cmp is None:  # a new agent, evaluated alone: its summary and per-case table
        facts["summary"] = [line for line in summary_lines(head) if not line.startswith("- measured on")]
        facts["cases"] = case_rows(head)
        return facts
    facts["figures"] = comparison_rows(cmp)
    facts["verdict_text"] = [cmp.verdict.goal, cmp.verdict.headline, cmp.verdict.reasons]
    facts["cases"] = [[c.case_id, c.base, c.head, c.base_passed, c.head_passed, c.samples] for c in cmp.cases]
    return facts


def with_marker(body: str, fingerprint: str, since: str) -> str:
    """`body` (a full report) with the hidden marker recording its results."""
    return f"<!-- promptops:results fingerprint={fingerprint} since={since} -->\n{body}"


def read_posted(body: str) -> PostedResults | None:
    """The marker and results of one of the bot's own comments; None without a marker."""
    found = _MARKER.search(body)
    if found is None:
        return None
    rest = body[found.end() :].lstrip("\n")
    if RESULTS_BEGIN in rest:
        rest = rest.split(RESULTS_BEGIN, 1)[1].split(RESULTS_END, 1)[0].strip("\n")
    return PostedResults(found[1], found[2], rest)


def render_unchanged(evaluation: PullEvaluation, posted: PostedResults, links: str, now: datetime) -> str:
    """The comment for a re-run whose results match `posted`: what was re-run, when, where,
    with the gate and any stale-base warning in view and the earlier results folded below."""
    head, since = inline_code(evaluation.head[:10]), inline_code(posted.since[:10])
    lines = [f"## promptops evaluation: unchanged since {since}", ""]
    lines += staleness_lines(evaluation.stale)
    if evaluation.gate is not None:
        lines += [conclusion_line(evaluation.gate), ""]
    lines += [
        f"Re-evaluated at {head} on {now:%Y-%m-%d %H:%M} UTC: the verdict, every case's outcome and "
        f"the figures are the same as at {since} (vs merge base {inline_code(evaluation.base[:10])}), "
        f"so the results are not posted again. The check on {head} carries the full report."
    ]
    if links:
        lines += ["", links]
    results = f"{RESULTS_BEGIN}\n{posted.results}\n{RESULTS_END}"
    folded = details(f"Results (unchanged since {posted.since[:10]})", results)
    body = "\n".join(lines) + "\n\n" + folded + "\n"
    return with_marker(body, posted.fingerprint, posted.since)
