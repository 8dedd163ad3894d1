"""Pull requests: evaluate every agent the PR changed, base vs head, and report on the PR.

Base is the merge base of the PR's base and head commits (what the PR is reviewed
against, not whatever the base branch moved on to). Each changed agent runs through the
eval engine's paired comparison, so the comment states the same verdict `promptops eval
--compare` would. One sticky comment per PR holds every agent's report, and the
`promptops/eval` status on the head commit summarises it:

- `success`: no agent regressed (including "skipped: no model credentials", so a fork's
  PR is not blocked forever by a required check; a maintainer can comment `/promptops eval`);
- `failure`: at least one agent's verdict is a regression;
- `error`: an agent could not be evaluated (broken cases file, provider failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from promptops.bot.context import CiContext
from promptops.bot.events import PullRequestEvent
from promptops.config import Config
from promptops.errors import PromptopsError
from promptops.evals.command import EvalOptions, EvalOutcome, run_eval_command
from promptops.evals.markdown_report import markdown_report
from promptops.evals.report import measured_on
from promptops.git.refs import changed_paths_between, merge_base
from promptops.github.retries import GitHubError
from promptops.llm.errors import MissingAPIKey
from promptops.markdown import escape_text, inline_code
from promptops.repo.agents import list_agents

COMMENT_KEY = "eval"
NO_CREDENTIALS = "skipped: no model credentials"


@dataclass
class AgentResult:
    agent: str
    outcome: EvalOutcome | None = None
    note: str = ""  # why there is no comparison (new agent, removed, error)
    failed: bool = False

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
    missing_credentials: str | None = None  # the MissingAPIKey message, when evaluation was skipped

    @property
    def state(self) -> tuple[str, str]:
        """(commit status state, description)."""
        if self.missing_credentials:
            return "success", NO_CREDENTIALS
        regressed = [a.agent for a in self.agents if a.verdict == "regression"]
        if regressed:
            return "failure", f"regression in {', '.join(regressed)}"
        broken = [a.agent for a in self.agents if a.failed]
        if broken:
            return "error", f"could not evaluate {', '.join(broken)}"
        verdicts = ", ".join(f"{a.agent}: {a.verdict}" for a in self.agents)
        return "success", f"no regression ({verdicts})"


def changed_agents(config: Config, base: str, head: str) -> list[str]:
    """Agents (folders under the prompts folder) with any file changed between base and head."""
    prompts_rel = config.data["prompts_dir"].strip("/")
    prefix = f"{prompts_rel}/" if prompts_rel and prompts_rel != "." else ""
    paths = changed_paths_between(config.root, base, head, prefix.rstrip("/"))
    return sorted({p[len(prefix) :].split("/")[0] for p in paths if "/" in p[len(prefix) :]})


def evaluate_pull(config: Config, base: str, head: str, agents: list[str]) -> PullEvaluation:
    """Evaluate each agent at `head` against `base`, stopping early if there is no model key."""
    result = PullEvaluation(base, head)
    at_base, at_head = set(list_agents(config, base)), set(list_agents(config, head))
    for agent in agents:
        if agent not in at_head:
            result.agents.append(AgentResult(agent, note="removed by this pull request; nothing to evaluate"))
            continue
        compare = base if agent in at_base else None
        try:
            outcome = run_eval_command(config, EvalOptions(agent_id=agent, ref=head, compare=compare))
        except MissingAPIKey as exc:
            result.missing_credentials = str(exc)
            return result
        except PromptopsError as exc:
            result.agents.append(AgentResult(agent, note=str(exc), failed=True))
            continue
        note = "" if compare else "new agent: no base version to compare with"
        result.agents.append(AgentResult(agent, outcome, note))
    return result


def render_comment(evaluation: PullEvaluation) -> str:
    """The sticky comment: one section per agent, verdict first, then the engine's report."""
    base, head = evaluation.base[:10], evaluation.head[:10]
    lines = [f"## promptops evaluation: {inline_code(head)} vs merge base {inline_code(base)}", ""]
    if evaluation.missing_credentials:
        lines += [
            "**Evaluation skipped: no model credentials.** This run had no model API key "
            "(pull requests from forks never receive secrets). A maintainer can comment "
            "`/promptops eval` to evaluate this pull request.",
            "",
            f"_{escape_text(evaluation.missing_credentials)}_",
        ]
        return "\n".join(lines) + "\n"
    for agent in evaluation.agents:
        lines += _agent_section(agent)
    return "\n".join(lines) + "\n"


def _agent_section(agent: AgentResult) -> list[str]:
    title = f"### {escape_text(agent.agent)}: **{agent.verdict}**"
    if agent.outcome is None:
        return [title, "", escape_text(agent.note), ""]
    head, base, cmp = agent.outcome.head, agent.outcome.base, agent.outcome.comparison
    lines = [title, "", f"Measured on {escape_text(measured_on(head))}."]
    if agent.note:
        lines.append(f"_{escape_text(agent.note)}_")
    return [*lines, "", markdown_report(head, base, cmp), ""]


def report_pull(ctx: CiContext, number: int, evaluation: PullEvaluation) -> str:
    """Sticky comment and status on the PR; returns the comment URL."""
    url = ctx.comment(number, COMMENT_KEY, render_comment(evaluation))
    state, description = evaluation.state
    ctx.status(evaluation.head, state, description)
    ctx.report.say(f"promptops/eval on {evaluation.head[:10]}: {state} ({description})")
    ctx.report.summary.append(render_comment(evaluation))
    return url


def handle_pull_request(ctx: CiContext, event: PullRequestEvent) -> None:
    if event.draft and not ctx.config.get("github.run_on_drafts"):
        ctx.report.say(
            f"pull request #{event.number} is a draft; skipped (set github.run_on_drafts to evaluate drafts)"
        )
        return
    base = merge_base(ctx.root, event.base_sha, event.head_sha)
    agents = changed_agents(ctx.config, base, event.head_sha)
    if not agents:
        ctx.report.say(
            f"pull request #{event.number} changes nothing under "
            f"{ctx.config.data['prompts_dir']}/; nothing to evaluate"
        )
        return
    ctx.report.say(f"evaluating {', '.join(agents)} at {event.head_sha[:10]} against merge base {base[:10]}")
    evaluation = evaluate_pull(ctx.config, base, event.head_sha, agents)
    try:
        report_pull(ctx, event.number, evaluation)
    except GitHubError as exc:
        if not event.from_fork:
            raise
        # A fork's pull_request run gets a read-only token: the report stays in the job summary.
        ctx.report.say(f"could not write to the pull request from a fork (read-only token): {exc}")
        ctx.report.summary.append(render_comment(evaluation))
