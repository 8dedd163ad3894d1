"""Gather the dashboard from the repository (and, when given, GitHub's open pull requests).

Every figure comes from git: agents and prompts as on the default branch, `vN` and tokens
from the prompt's history, the last eval from the eval notes (`refs/notes/promptops`) of
that history, the last deploy from the commit that deployed the current version (and
whether `promptops ci` recorded it), rollouts from `rollout.yaml`, ignored suggestions from
the ignore notes on the current version. Pull requests come from the caller: `None` means
"not known" (no token), which the dashboard says rather than showing none.
"""

from __future__ import annotations

from collections.abc import Sequence

from promptops.config import GOALS, Config
from promptops.dashboard.actions import Action
from promptops.dashboard.model import (
    AgentState,
    Dashboard,
    IgnoredGoal,
    LastDeploy,
    LastEval,
    PromptPull,
    PromptState,
    RolloutState,
)
from promptops.dashboard.version_points import measured, version_points
from promptops.errors import PromptopsError
from promptops.git.commits import ROLLBACK_GOAL, ROLLOUT_GOAL, variant_branch
from promptops.git.notes import notes_for
from promptops.github.open_pulls import OpenPull
from promptops.repo.agents import Prompt, load_all_agents
from promptops.repo.eval_notes import describe_note
from promptops.repo.history import (
    PromptHistory,
    PromptVersion,
    checked_default_branch,
    fetch_notes_if_due,
    prompt_histories,
)
from promptops.repo.ignore_notes import Ignore, ignores_in_note
from promptops.repo.rollouts import Rollout, load_agent_rollout, step_started
from promptops.repo.tokens import count_tokens_by_version


def gather_dashboard(
    config: Config,
    *,
    pulls: Sequence[OpenPull] | None,
    repository: str | None = None,
    pulls_note: str | None = None,
    fetch: bool = False,
) -> Dashboard:
    """The dashboard of the default branch. `pulls`: the repository's open PRs, or None when
    they are unknown (then `pulls_note` says why). `fetch` brings origin's notes in first."""
    branch = checked_default_branch(config)
    assert branch.rev is not None and branch.commit is not None  # checked_default_branch raised otherwise
    if fetch:
        fetch_notes_if_due(config, True)  # stamped: a `history` right after need not fetch again
    agents = load_all_agents(config, branch.rev)
    by_branch = _branches(config, [p for a in agents for p in a.prompts.values()])
    mine = _promptops_pulls(config, pulls or [], by_branch)
    known = {pid for agent in agents for pid in (p.id for p in agent.prompts.values())}
    # One `git notes list` for every prompt's "no means no" record, not a `git notes show` each.
    ignore_notes = notes_for(config.root, [p.version_id for agent in agents for p in agent.prompts.values()])
    histories = prompt_histories(
        config, [p for agent in agents for p in agent.prompts.values()], branch=branch
    )
    states = []
    for agent in agents:
        rollout = load_agent_rollout(config, agent.id, branch.rev)
        prompts = tuple(
            _prompt_state(
                config,
                prompt,
                histories[prompt.id],
                branch.rev,
                rollout,
                mine.get(prompt.id, []),
                ignores_in_note(ignore_notes.get(prompt.version_id), prompt.id, prompt.version_id),
            )
            for prompt in agent.prompts.values()
        )
        states.append(AgentState(agent.id, prompts, (Action("eval", agent.id, None, "re-evaluate now"),)))
    others = tuple(p for pid, found in mine.items() if pid not in known for p in found)
    return Dashboard(
        repository=repository,
        branch=branch.name,
        commit=branch.commit,
        agents=tuple(states),
        pulls_note=None if pulls is not None else pulls_note or "pull requests not read",
        other_pulls=others,
    )


def _branches(config: Config, prompts: list[Prompt]) -> dict[str, tuple[str, str]]:
    """head branch -> (prompt id, goal) for every branch the bot would use for these prompts."""
    prefix = config.get("github.branch_prefix")
    return {
        variant_branch(p.agent, p.name, goal, prefix): (p.id, goal)
        for p in prompts
        for goal in (*GOALS, ROLLBACK_GOAL, ROLLOUT_GOAL)
    }


def _promptops_pulls(
    config: Config, pulls: Sequence[OpenPull], by_branch: dict[str, tuple[str, str]]
) -> dict[str, list[PromptPull]]:
    """prompt id -> its open promptops PRs (oldest first); PRs under the branch prefix that
    match no current prompt are kept under their branch name."""
    prefix = config.get("github.branch_prefix") + "/"
    ours = [p for p in pulls if p.head in by_branch or p.head.startswith(prefix)]
    notes = notes_for(config.root, [p.head_sha for p in ours if p.head_sha])
    found: dict[str, list[PromptPull]] = {}
    for pr in sorted(ours, key=lambda p: p.number):
        prompt_id, goal = by_branch.get(pr.head, (pr.head, "?"))
        note = notes.get(pr.head_sha)
        verdict = _verdict(note) if note else f"no eval note on {pr.head_sha[:10] or 'its head'} yet"
        found.setdefault(prompt_id, []).append(
            PromptPull(pr.number, pr.url, pr.title, goal, verdict, pr.draft)
        )
    return found


def _verdict(note: dict) -> str:
    said = describe_note(note)
    return said if note.get("recommended", True) else f"not recommended: {said}"


def _prompt_state(
    config: Config,
    prompt: Prompt,
    history: PromptHistory,
    rev: str,
    rollout: Rollout | None,
    pulls: list[PromptPull],
    ignores: list[Ignore],
) -> PromptState:
    on_branch = [v for v in history.versions if v.number is not None]
    current = next((v for v in on_branch if v.version_id == prompt.version_id), None)
    tokens = current.tokens if current and current.tokens is not None else None
    if tokens is None:
        tokens = count_tokens_by_version({prompt.version_id: prompt.text})[prompt.version_id]
    lock = next((p.number for p in pulls if p.goal in GOALS), None)
    rolled_out = rollout if rollout and rollout.prompt.id == prompt.id else None
    ignored = tuple(IgnoredGoal(i.goal, i.pr, i.by, i.at) for i in ignores)
    return PromptState(
        prompt_id=prompt.id,
        type=prompt.type,
        path=prompt.rel_path,
        version=current.number if current else None,
        version_id=prompt.version_id,
        tokens=tokens,
        last_eval=_last_eval(on_branch),
        last_deploy=_last_deploy(current),
        rollout=_rollout_state(config, rolled_out, history, rev) if rolled_out else None,
        pulls=tuple(pulls),
        lock=lock,
        ignored=ignored,
        actions=_actions(config, prompt.id, pulls, lock, ignored),
        points=tuple(version_points(history)),
    )


def _last_eval(versions: list[PromptVersion]) -> LastEval | None:
    """The newest version on the default branch whose own eval note measured its text
    (`version_points.measured`: the rule the charts draw by)."""
    for version in versions:
        found = measured(version.eval, version.version_id)
        if found is None:
            continue
        note = version.eval or {}
        return LastEval(
            version=version.number,
            commit=version.commit,
            date=version.date,
            pass_rate=found.pass_rate,
            low=found.low,
            high=found.high,
            cases=found.cases,
            repeats=found.repeats,
            model=str(note.get("model") or "unknown model"),
            verdict=note.get("verdict"),
            goal=note.get("goal"),
        )
    return None


def _last_deploy(current: PromptVersion | None) -> LastDeploy | None:
    if current is None:
        return None
    recorded = bool((current.eval or {}).get("deployment"))
    return LastDeploy(current.number, current.commit, current.date, current.pr_number, recorded)


def _rollout_state(config: Config, rollout: Rollout, history: PromptHistory, rev: str) -> RolloutState:
    """`history`: of the rollout's prompt, whose walk read rollout.yaml's history too."""
    try:
        since: str | None = step_started(config, rollout, rev, history.rollout_log or None).timestamp
    except PromptopsError:  # rollout.yaml not committed as read: the step's start is unknown
        since = None
    steps = tuple(rollout.steps)
    return RolloutState(
        candidate=rollout.candidate_rel,
        candidate_version=rollout.candidate_version,
        weight=rollout.weight,
        step=steps.index(rollout.weight) + 1 if rollout.weight in steps else None,
        steps=steps,
        since=since,
    )


def _actions(
    config: Config,
    prompt_id: str,
    pulls: list[PromptPull],
    lock: int | None,
    ignored: tuple[IgnoredGoal, ...],
) -> tuple[Action, ...]:
    """Optimize boxes for the goals this repository optimizes for (`optimizer.goal` and the
    prompt's `schedule.prompts` goals) that are neither declined, nor open, nor locked out;
    an un-ignore box per declined goal."""
    default = config.get("optimizer.goal")
    listed = [e.get("goal") or default for e in config.get("schedule.prompts") if e["prompt"] == prompt_id]
    declined = {i.goal for i in ignored}
    open_goals = {p.goal for p in pulls}
    actions = [
        Action("optimize", prompt_id, goal, f"optimize for {goal} now")
        for goal in dict.fromkeys([default, *listed])
        if goal not in declined and goal not in open_goals and lock is None
    ]
    for ignore in ignored:
        by = f" in #{ignore.pr}" if ignore.pr else ""
        actions.append(Action("unignore", prompt_id, ignore.goal, f"un-ignore {ignore.goal} (declined{by})"))
    return tuple(actions)
