"""The dashboard as the issue body (markdown), and the plain facts every view shows.

`facts(prompt)` is the one wording of each row (version, last eval, deploy, rollout, PRs,
ignored), shared by the issue body and `promptops dashboard`'s terminal view, so both say
the same thing. Text that people wrote (PR titles, logins) is escaped.

Each prompt with two or more versions ends with the charts of its newest versions on the default branch
(pass rate with its interval, and tokens: `promptops.charts`), the same blocks
`promptops history --chart` prints; GitHub draws them in the issue.
"""

from __future__ import annotations

from promptops.charts import version_charts
from promptops.dashboard.model import Dashboard, LastEval, PromptPull, PromptState, RolloutState
from promptops.markdown import COMMENT_LIMIT, escape_cell, escape_text, inline_code, truncate_to_limit
from promptops.version_ids import short_id

DASHBOARD_MARKER = "<!-- promptops:dashboard -->"
TITLE = "promptops dashboard"


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def describe_eval(last: LastEval | None, current: int | None) -> str:
    if last is None:
        return "no eval note on the default branch yet"
    of = f"v{last.version}" if last.version else last.commit[:10]
    older = f" (current is v{current})" if current and last.version != current else ""
    return (
        f"{_pct(last.pass_rate)} pass (95% CI {_pct(last.low)}–{_pct(last.high)}) on {of}{older}, "
        f"{last.date[:10]}, {last.cases} cases × {last.repeats}, {last.model}"
    )


def describe_rollout(rollout: RolloutState | None) -> str:
    if rollout is None:
        return "none running"
    ladder = " → ".join(f"{s:g}%" for s in rollout.steps)
    step = f"step {rollout.step} of {len(rollout.steps)}" if rollout.step else "off its steps"
    since = f" since {rollout.since[:10]}" if rollout.since else ""
    return (
        f"{rollout.weight:g}% of traffic to {rollout.candidate} ({short_id(rollout.candidate_version)}), "
        f"{step} ({ladder}){since}"
    )


def describe_pull(pr: PromptPull, lock: int | None) -> str:
    draft = " (draft)" if pr.draft else ""
    holds = ", holds the lock" if pr.number == lock else ""
    return f"#{pr.number} {pr.goal}{draft}: {pr.verdict}{holds}"


def facts(prompt: PromptState, pulls_note: str | None) -> list[tuple[str, str]]:
    """(label, plain text) rows describing one prompt."""
    version = f"v{prompt.version}" if prompt.version else "not on the default branch"
    deploy = prompt.last_deploy
    deployed = "unknown"
    if deploy is not None:
        pr = f", PR #{deploy.pr}" if deploy.pr else ""
        recorded = "recorded by promptops ci" if deploy.recorded else "no deployment note"
        deployed = f"v{deploy.version} in {deploy.commit[:10]} on {deploy.date[:10]}{pr} ({recorded})"
    pulls = "; ".join(describe_pull(p, prompt.lock) for p in prompt.pulls) or "none open"
    ignored = "; ".join(
        f"{i.goal} (declined{f' in #{i.pr}' if i.pr else ''} by {i.by} on {i.at[:10]})"
        for i in prompt.ignored
    )
    return [
        ("version", f"{version} · {short_id(prompt.version_id)} · {prompt.tokens} tokens"),
        ("last eval", describe_eval(prompt.last_eval, prompt.version)),
        ("last deploy", deployed),
        ("rollout", describe_rollout(prompt.rollout)),
        ("pull requests", "unknown (see the note above)" if pulls_note else pulls),
        ("ignored", ignored or "nothing"),
    ]


def issue_body(dashboard: Dashboard) -> str:
    """The dashboard issue's body, as the bot writes it and `promptops dashboard --markdown`
    prints it: the marker first, then one section per agent and prompt."""
    where = f" of `{escape_text(dashboard.repository)}`" if dashboard.repository else ""
    parts = [
        DASHBOARD_MARKER,
        f"Every prompt{where} as on `{escape_text(dashboard.branch)}` at `{dashboard.commit[:10]}`. "
        "Refreshed by the scheduled run and after each deploy.",
        "Tick a box to act: it runs the `/promptops` command it names, for people with write "
        "permission on the repository, and is unticked when done.",
    ]
    if dashboard.pulls_note:
        parts.append(f"> [!NOTE]\n> {escape_text(dashboard.pulls_note)}")
    for agent in dashboard.agents:
        parts.append(f"## {escape_text(agent.agent_id)}")
        parts.append("\n".join(a.box() for a in agent.actions))
        for prompt in agent.prompts:
            parts.append(_prompt_section(prompt, dashboard.pulls_note))
    if dashboard.other_pulls:
        rows = [
            f"- #{p.number} {escape_text(p.title)}: {escape_text(p.verdict)}" for p in dashboard.other_pulls
        ]
        parts.append("## Other promptops pull requests\n\n" + "\n".join(rows))
    return truncate_to_limit("\n\n".join(parts) + "\n", COMMENT_LIMIT)


def _prompt_section(prompt: PromptState, pulls_note: str | None) -> str:
    rows = "\n".join(f"| {label} | {escape_cell(text)} |" for label, text in facts(prompt, pulls_note))
    title = f"### {inline_code(prompt.prompt_id)} ({prompt.type}, {inline_code(prompt.path)})"
    section = [title, f"| | |\n| --- | --- |\n{rows}"]
    if prompt.actions:
        section.append("\n".join(a.box() for a in prompt.actions))
    # One version is a fact the table already states; a chart starts with two.
    charts = version_charts(prompt.prompt_id, list(prompt.points)) if len(prompt.points) > 1 else ""
    if charts:
        section.append(charts.rstrip("\n"))
    return "\n\n".join(section)
