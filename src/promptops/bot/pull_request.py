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
from pathlib import Path

from promptops.bot.context import CiContext
from promptops.bot.events import PullRequestEvent
from promptops.bot.sharded_pull import NO_CREDENTIALS_FILE, shard_files_by_agent, shard_mode
from promptops.config import Config
from promptops.errors import PromptopsError
from promptops.evals.command import EvalOptions, EvalOutcome, run_eval_command, run_merge_command
from promptops.evals.markdown_report import markdown_report
from promptops.evals.report import measured_on
from promptops.evals.results import RUNS_DIR
from promptops.evals.shards import Shard
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


def evaluate_pull(
    config: Config, base: str, head: str, agents: list[str], shard: Shard | None = None
) -> PullEvaluation:
    """Evaluate each agent at `head` against `base`, stopping early if there is no model key.

    With `shard`, only that shard of each suite (the run files are for the merge job)."""
    result = PullEvaluation(base, head)
    at_base, at_head = set(list_agents(config, base)), set(list_agents(config, head))
    for agent in agents:
        if agent not in at_head:
            result.agents.append(AgentResult(agent, note="removed by this pull request; nothing to evaluate"))
            continue
        compare = base if agent in at_base else None
        try:
            options = EvalOptions(agent_id=agent, ref=head, compare=compare, shard=shard)
            outcome = run_eval_command(config, options)
        except MissingAPIKey as exc:
            result.missing_credentials = str(exc)
            return result
        except PromptopsError as exc:
            result.agents.append(AgentResult(agent, note=str(exc), failed=True))
            continue
        note = "" if compare else "new agent: no base version to compare with"
        result.agents.append(AgentResult(agent, outcome, note))
    return result


def merge_pull(config: Config, base: str, head: str, agents: list[str], folder: Path) -> PullEvaluation:
    """The evaluation of the eval-shard jobs: each agent's shard run files under `folder`, merged."""
    result = PullEvaluation(base, head)
    files = shard_files_by_agent(folder)
    skipped = next(folder.rglob(NO_CREDENTIALS_FILE), None)
    if skipped is not None:
        result.missing_credentials = skipped.read_text(encoding="utf-8")
        return result
    at_head = set(list_agents(config, head))
    for agent in agents:
        if agent not in at_head:
            result.agents.append(AgentResult(agent, note="removed by this pull request; nothing to evaluate"))
        elif agent not in files:
            note = f"no shard run files for {agent} under {folder}; did every eval-shard job finish?"
            result.agents.append(AgentResult(agent, note=note, failed=True))
        else:
            try:
                outcome = run_merge_command(config, files[agent])
            except PromptopsError as exc:
                result.agents.append(AgentResult(agent, note=str(exc), failed=True))
                continue
            note = "" if outcome.base else "new agent: no base version to compare with"
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
    mode = shard_mode(ctx.config, ctx.process_env)
    if mode is not None and mode.shard is None and mode.merge_dir is None:
        ctx.report.say(
            f"evals.shards = {ctx.config.get('evals.shards')}: pull request #{event.number} is evaluated "
            "by the workflow's eval-shard jobs and reported by its eval-merge job"
        )
        return
    if mode is not None and mode.shard is not None:
        _evaluate_shard(ctx, base, event.head_sha, agents, mode.shard)
        return
    ctx.report.say(f"evaluating {', '.join(agents)} at {event.head_sha[:10]} against merge base {base[:10]}")
    if mode is not None and mode.merge_dir is not None:
        evaluation = merge_pull(ctx.config, base, event.head_sha, agents, mode.merge_dir)
    else:
        evaluation = evaluate_pull(ctx.config, base, event.head_sha, agents)
    try:
        report_pull(ctx, event.number, evaluation)
    except GitHubError as exc:
        if not event.from_fork:
            raise
        # A fork's pull_request run gets a read-only token: the report stays in the job summary.
        ctx.report.say(f"could not write to the pull request from a fork (read-only token): {exc}")
        ctx.report.summary.append(render_comment(evaluation))


def _evaluate_shard(ctx: CiContext, base: str, head: str, agents: list[str], shard: Shard) -> None:
    """One eval-shard job: evaluate, save the run files, post nothing (the merge job reports)."""
    evaluation = evaluate_pull(ctx.config, base, head, agents, shard=shard)
    if evaluation.missing_credentials:
        # uploaded with the run files: the merge job reports "skipped", as one job would
        marker = ctx.root / RUNS_DIR / NO_CREDENTIALS_FILE
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(evaluation.missing_credentials, encoding="utf-8")
        ctx.report.say(f"shard {shard}: {NO_CREDENTIALS}; the eval-merge job reports it")
    for agent in evaluation.agents:
        if agent.failed:
            raise PromptopsError(f"shard {shard} of {agent.agent}: {agent.note}")
        saved = ", ".join(str(p) for p in agent.outcome.saved) if agent.outcome else agent.note
        ctx.report.say(f"shard {shard} of {agent.agent}: {saved}")
