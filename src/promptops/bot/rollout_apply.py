"""Turning a rollout check into git: advance and promote by pull request, abort at once.

- advance: rollout.yaml with the next weight, in a PR (a direct commit with `auto_advance`);
- promote: the candidate text becomes the stable prompt, the candidate file and rollout.yaml
  go, in a PR;
- abort: rollout.yaml with `weight: 0`, as a direct commit to the default branch (production
  must not wait for a review to stop a regression; `abort_via: pr` asks for a PR), with the
  evidence in the commit, in a git note, and as a comment on the PR that began the step.

Every commit carries `Promptops-Rollout`, `-Rollout-Step` and `-Rollout-Outcome` trailers
and a note with the figures, so `promptops history` shows each step.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptops.bot.pr_commands import rollout_commands, with_commands
from promptops.bot.rollout import RolloutReport, StartPlan, rollout_branch, rollout_run_id
from promptops.charts import rollout_chart
from promptops.config import Config
from promptops.git.branches import resolve_default_branch
from promptops.git.commits import commit_files_on_branch, commit_message
from promptops.github.connection import connect_for, no_token_message
from promptops.github.retries import GitHubError, MissingToken
from promptops.logs.rollout_analysis import fmt_figure
from promptops.markdown import escape_text, inline_code
from promptops.repo.pull_requests import pull_request_number
from promptops.repo.rollouts import render_rollout, rollout_fields, yaml_number

ROLLOUT_LABELS = ("promptops", "rollout")
NOTE_SCHEMA = "promptops-rollout/1"


@dataclass(frozen=True)
class ApplyResult:
    """What `--apply` did: the outcome acted on, the commit, where it went, and a sentence."""

    outcome: str
    commit: str | None
    branch: str | None
    direct: bool
    pr_number: int | None
    pr_url: str | None
    message: str


def apply_check(
    config: Config, report: RolloutReport, *, token: str | None = None, github_base_url: str | None = None
) -> ApplyResult:
    """Act on `report.check.outcome`; waiting, pause and stopped change nothing."""
    outcome = report.check.outcome
    if outcome == "advance":
        return _advance(config, report, token, github_base_url)
    if outcome == "promote":
        return _promote(config, report, token, github_base_url)
    if outcome == "abort":
        return _abort(config, report, token, github_base_url)
    return ApplyResult(outcome, None, None, False, None, None, f"nothing to apply ({outcome})")


def _advance(config: Config, report: RolloutReport, token: str | None, base_url: str | None) -> ApplyResult:
    rollout, step = report.rollout, report.check.next_weight
    assert step is not None
    files = {rollout.rel_path: render_rollout(rollout_fields(rollout, weight=yaml_number(step)))}
    subject = f"advance to {step:g}%"
    return _publish(
        config,
        report,
        files,
        subject,
        f"{step:g}",
        direct=rollout.auto_advance,
        token=token,
        base_url=base_url,
    )


def _promote(config: Config, report: RolloutReport, token: str | None, base_url: str | None) -> ApplyResult:
    rollout = report.rollout
    files: dict[str, str | None] = {
        rollout.prompt.rel_path: rollout.candidate_text,
        rollout.candidate_rel: None,
        rollout.rel_path: None,
    }
    return _publish(
        config, report, files, "promote the candidate", "100", direct=False, token=token, base_url=base_url
    )


def _abort(config: Config, report: RolloutReport, token: str | None, base_url: str | None) -> ApplyResult:
    rollout = report.rollout
    files = {rollout.rel_path: render_rollout(rollout_fields(rollout, weight=0))}
    direct = rollout.abort_via == "commit"
    result = _publish(config, report, files, "abort", "0", direct=direct, token=token, base_url=base_url)
    number = pull_request_number(report.step.subject)
    if direct and number is not None:
        try:
            gh = connect_for(config, token, base_url)
            gh.upsert_issue_comment(number, f"rollout/{rollout.prompt_id}", evidence_markdown(report, result))
        except (MissingToken, GitHubError) as exc:
            return _with(result, f"{result.message}; the evidence was not posted on #{number}: {exc}")
        return _with(result, f"{result.message}; the evidence is on pull request #{number}")
    return result


def _publish(
    config: Config,
    report: RolloutReport,
    files: dict[str, str | None],
    subject: str,
    step: str,
    *,
    direct: bool,
    token: str | None,
    base_url: str | None,
) -> ApplyResult:
    rollout, check = report.rollout, report.check
    run_id = rollout_run_id()
    message = commit_message(
        f"promptops(rollout {rollout.prompt_id}): {subject}",
        {
            "Promptops-Prompt": rollout.prompt_id,
            "Promptops-Base": rollout.stable_version,
            "Promptops-Rollout": rollout.prompt_id,
            "Promptops-Rollout-Step": step,
            "Promptops-Rollout-Outcome": check.outcome,
            "Promptops-Run": run_id,
        },
        body="\n".join(check.reasons),
    )
    branch = report.branch if direct else rollout_branch(config, rollout.prompt_id)
    result = commit_files_on_branch(
        config.root,
        branch=branch,
        files=files,
        message=message,
        note=rollout_note(report),
        configured_default_branch=config.get("default_branch"),
        push=True,
        run_id=run_id,
    )
    what = f"{check.outcome} of {rollout.prompt_id} in commit {result.commit[:10]}"
    if direct:
        return ApplyResult(
            check.outcome, result.commit, branch, True, None, None, f"{what}, pushed to {branch}"
        )
    try:
        gh = connect_for(config, token, base_url)
    except MissingToken:
        hint = no_token_message(config.root, report.branch, branch)
        return ApplyResult(
            check.outcome, result.commit, branch, False, None, None, f"{what} on {branch}; {hint}"
        )
    title = f"promptops rollout: {subject} for {rollout.prompt_id}"
    pr, created = gh.open_or_update_pull(
        branch=branch,
        base=report.branch,
        title=title,
        body=with_commands(evidence_markdown(report, None), rollout_commands(rollout.prompt_id)),
    )
    gh.add_labels(pr, [*ROLLOUT_LABELS, *(config.get("github.labels") or [])])
    verb = "opened" if created else "updated"
    return ApplyResult(
        check.outcome,
        result.commit,
        branch,
        False,
        pr.number,
        pr.html_url,
        f"{what}; {verb} pull request #{pr.number}",
    )


def rollout_note(report: RolloutReport) -> dict[str, object]:
    """The git note of a rollout commit: the step, the outcome and every figure behind it."""
    check = report.check.to_dict()
    return {
        "schema": NOTE_SCHEMA,
        "verdict": report.check.outcome,
        "rollout": check,
        "step_started": report.step.commit,
    }


def evidence_markdown(report: RolloutReport, result: ApplyResult | None) -> str:
    """Markdown for a PR body or comment: the outcome, why, and the figures per metric."""
    check = report.check
    lines = [
        f"## promptops rollout: {escape_text(check.outcome)} for {inline_code(check.prompt_id)}",
        "",
        *(f"- {escape_text(reason)}" for reason in check.reasons),
        "",
        f"Step at {check.weight:g}% since commit {inline_code(report.step.commit[:10])} "
        f"({escape_text(report.step.timestamp)}); stable {inline_code(check.stable_version[:10])} "
        f"({check.stable_n:,} calls), candidate {inline_code(check.candidate_version[:10])} "
        f"({check.candidate_n:,} calls); always-valid intervals at alpha {check.alpha:g}.",
        "",
        "| metric | stable | candidate | difference | interval | allowed | regression |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in check.metrics:
        cells = [m.metric, fmt_figure(m.stable_mean), fmt_figure(m.candidate_mean), fmt_figure(m.difference)]
        cells += [
            f"{fmt_figure(m.low)} to {fmt_figure(m.high)}",
            f"{m.margin:g}",
            "yes" if m.regression else "no",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    next_weight = check.next_weight if check.outcome == "advance" else None
    lines += ["", rollout_chart(check.prompt_id, report.rollout.steps, check.weight, next_weight)]
    if result is not None and result.commit:
        lines += [
            "",
            f"Applied in commit {inline_code(result.commit[:10])} on {inline_code(result.branch or '')}.",
        ]
    return "\n".join(lines) + "\n"


def _with(result: ApplyResult, message: str) -> ApplyResult:
    return ApplyResult(
        result.outcome, result.commit, result.branch, result.direct, result.pr_number, result.pr_url, message
    )


def open_start_pull(config: Config, plan: StartPlan, commit: str, *, token: str | None = None) -> str:
    """Open (or update) the PR that starts a rollout; a sentence saying what happened."""
    base = resolve_default_branch(config.root, config).name
    try:
        gh = connect_for(config, token, config.get("github.base_url"))
    except MissingToken:
        return f"pushed {plan.branch} ({commit[:10]}); " + no_token_message(config.root, base, plan.branch)
    body = (
        f"## promptops rollout: start {inline_code(plan.prompt_id)}\n\n"
        f"Adds the candidate {inline_code(plan.candidate_rel)} ({inline_code(plan.candidate_version[:10])}) "
        "and the rollout settings beside the stable prompt, which stays as it is. After merging, agents "
        "that load prompts with `promptops.runtime` serve the candidate to the first step's share of "
        "traffic; `promptops rollout check --apply` then advances, promotes or aborts step by step.\n"
    )
    body = with_commands(body, rollout_commands(plan.prompt_id))
    title = f"promptops rollout: start {plan.prompt_id}"
    pr, created = gh.open_or_update_pull(branch=plan.branch, base=base, title=title, body=body)
    gh.add_labels(pr, [*ROLLOUT_LABELS, *(config.get("github.labels") or [])])
    verb = "opened" if created else "updated"
    return f"{verb} pull request #{pr.number} ({pr.html_url}) to start the rollout of {plan.prompt_id}"
