"""The `promptops/eval` gate on GitHub: check run and status first, then the sticky comment.

The check (and the status, for tokens without checks permission) is set before the
comment is written, so a comment that fails to post never leaves a required check
waiting (`eval_comment.publish_gate` does both, and spares the comment a re-run whose
results are unchanged). A gate-change approval is a comment the bot itself writes when a maintainer
comments `/promptops approve-gate-change`; it names the head commit it approves, so a new
push needs a new approval, and as the bot reads only its own comments nobody can forge one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from promptops.bot.context import CiContext
from promptops.bot.events import PullRequestEvent
from promptops.bot.staleness import Staleness, staleness_lines
from promptops.evals.command import EvalOutcome
from promptops.evals.gate import APPROVE_COMMAND, EVAL_COMMAND, GateResult
from promptops.evals.markdown_report import markdown_report
from promptops.evals.report import measured_on
from promptops.evals.results import EvalRun
from promptops.github.retries import GitHubError
from promptops.markdown import escape_text, inline_code, report_marker

APPROVAL_KEY = "gate-approval"
_APPROVAL = re.compile(r"<!-- promptops:approval head=([0-9a-f]{40}) by=([\w.\[\]-]+) -->")
NO_CREDENTIALS = "no model credentials in this run"
NEW_AGENT = "new agent: no base version to compare with"
REMOVED = "removed by this pull request; nothing to evaluate"
_ICONS = {"success": "✅", "neutral": "⚪", "action_required": "⏸️", "failure": "❌"}


@dataclass
class AgentResult:
    agent: str
    outcome: EvalOutcome | None = None
    note: str = ""  # why there is no comparison (new agent, removed, error)
    failed: bool = False
    own_cases: str = ""  # the head prompts on the PR's own (changed) cases: reported, never judged

    @property
    def verdict(self) -> str:
        if self.failed:
            return "error"
        cmp = self.outcome.comparison if self.outcome else None
        return cmp.verdict.outcome if cmp else "evaluated"


@dataclass
class PullEvaluation:
    base: str
    head: str
    agents: list[AgentResult] = field(default_factory=list)
    gate: GateResult | None = None
    fork: bool = False  # only the fork's prompt files were evaluated
    changes_cases: bool = False
    changes_settings: bool = False
    stale: Staleness | None = None  # the base branch changed these agents since the merge base


def own_cases_summary(run: EvalRun) -> str:
    """The head prompts on the PR's own cases, as the report states it (never judged)."""
    s = run.summary
    return (
        f"pass rate {s.pass_rate:.1%} ({s.passed} passed, {s.failed} failed, {s.errors} errors "
        f"on {s.samples} samples of {s.cases} cases)"
    )


def render_comment(evaluation: PullEvaluation, links: str = "") -> str:
    """The sticky comment (also the check's summary): the gate first, then one section per agent;
    `links` (`alerts.run_links`) last."""
    gate = evaluation.gate
    base, head = evaluation.base[:10], evaluation.head[:10]
    lines = [f"## promptops evaluation: {inline_code(head)} vs merge base {inline_code(base)}", ""]
    lines += staleness_lines(evaluation.stale)
    if gate is not None:
        lines += [conclusion_line(gate), ""]
        lines += [f"- {escape_text(a.agent)}: {a.conclusion}: {escape_text(a.reason)}" for a in gate.agents]
        lines += _changes(evaluation, gate)
    if evaluation.fork:
        lines += [
            "",
            "_Fork: only the fork's prompt files were evaluated, on the base's agent, cases and settings._",
        ]
    lines.append("")
    for agent in evaluation.agents:
        lines += _agent_section(agent)
    lines += [links] if links else []
    return "\n".join(lines) + "\n"


def conclusion_line(gate: GateResult) -> str:
    return f"**promptops/eval: {gate.conclusion}** {_ICONS.get(gate.conclusion, '')}"


def _changes(evaluation: PullEvaluation, gate: GateResult) -> list[str]:
    lines: list[str] = []
    if evaluation.changes_cases:
        lines += ["", "This pull request changes the eval cases; the verdict is on the base's cases."]
    if evaluation.changes_settings:
        lines += ["", "This pull request changes `.promptops.yaml`; it is judged by the base's settings."]
    if gate.changes:
        lines += ["", "Changes to what judges this pull request:"]
        for change in gate.changes:
            flag = " (loosens the gate)" if change.loosens else ""
            lines.append(f"- {escape_text(change.description)}{flag}")
    loosening = [c for c in gate.changes if c.loosens]
    if loosening and gate.approved_by:
        lines += ["", f"Approved by {escape_text(gate.approved_by)} with `{APPROVE_COMMAND}`."]
    elif loosening:
        lines += ["", f"A maintainer can accept these changes by commenting `{APPROVE_COMMAND}`."]
    return lines


def _agent_section(agent: AgentResult) -> list[str]:
    title = f"### {escape_text(agent.agent)}: **{agent.verdict}**"
    if agent.outcome is None:
        return [title, "", escape_text(agent.note), ""]
    head, base, cmp = agent.outcome.head, agent.outcome.base, agent.outcome.comparison
    lines = [title, "", f"Measured on {escape_text(measured_on(head))}."]
    if agent.note:
        lines.append(f"_{escape_text(agent.note)}_")
    if agent.own_cases:
        lines += [
            "",
            f"On this pull request's own cases (reported separately, not judged): {agent.own_cases}",
        ]
    return [*lines, "", markdown_report(head, base, cmp), ""]


def set_gate(ctx: CiContext, sha: str, conclusion: str, state: str, title: str, summary: str) -> None:
    """The check run (when the token may write checks) and the commit status, both on `sha`."""
    gh = ctx.github()
    wrote_check = gh.create_check_run(
        sha, conclusion, ctx.redact(title), ctx.redact(summary), ctx.env.run_url
    )
    ctx.status(sha, state, title)
    kind = "check run and status" if wrote_check else "status (the token may not write checks)"
    ctx.report.say(f"promptops/eval on {sha[:10]}: {conclusion} ({title}) [{kind}]")


def fork_waiting(ctx: CiContext, event: PullRequestEvent) -> None:
    """A fork's PR: nothing is evaluated; the gate asks a maintainer to act (`action_required`)."""
    title = f"pull request from a fork: a maintainer can comment `{EVAL_COMMAND}` to evaluate it"
    body = (
        f"## promptops evaluation: {inline_code(event.head_sha[:10])}\n\n"
        "**promptops/eval: action_required**\n\n"
        f"This pull request comes from a fork ({escape_text(event.head_repository)}), so promptops did not "
        f"evaluate it with this repository's model key. A maintainer can comment `{EVAL_COMMAND}`: "
        "promptops then evaluates the fork's prompt files only (read as text; nothing from the fork is "
        "installed or run), on the base's cases and settings.\n"
    )
    if any(ctx.process_env.get(name) for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY")):
        ctx.report.say(
            "a model key is set, but promptops does not evaluate a fork's PR outside a maintainer's command"
        )
    ctx.report.summary.append(body)
    try:
        set_gate(ctx, event.head_sha, "action_required", "pending", title, body)
        ctx.comment(event.number, "eval", body)
    except GitHubError as exc:
        # A fork's pull_request run gets a read-only token: the report stays in the job summary,
        # and the required check stays unset (never success).
        ctx.report.say(f"could not write to the pull request from a fork (read-only token): {exc}")


def approval_of(ctx: CiContext, number: int, head: str) -> str | None:
    """Who approved a gate change for exactly this head commit, from the bot's own comment."""
    for comment in ctx.github().own_comments_with(number, report_marker(APPROVAL_KEY)):
        for sha, login in _APPROVAL.findall(comment.body or ""):
            if sha == head:
                return login
    return None


def record_approval(ctx: CiContext, number: int, head: str, login: str) -> None:
    """The bot's comment recording `login`'s approval of this PR's change to its own gate, at `head`."""
    body = (
        f"<!-- promptops:approval head={head} by={login} -->\n"
        f"{escape_text(login)} approved this pull request's change to its own eval cases or settings "
        f"at {inline_code(head[:10])}. A new push needs a new `{APPROVE_COMMAND}`."
    )
    ctx.comment(number, APPROVAL_KEY, body)
