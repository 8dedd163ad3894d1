"""Canary rollouts: start one in a pull request, and check a running one against its logs.

A rollout is `rollout.yaml` beside the agent's `agent.yaml` (see `promptops.repo.rollouts`).
`start` writes it and the candidate text on the bot's rollout branch and opens a PR, so a
rollout begins like every other change: reviewed, then merged. `check` reads the rollout
as committed on the default branch (what production runs), finds when the current step
began from git, and analyses only the logs of the two versions since then.
"""

from __future__ import annotations

import posixpath
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from promptops.config import Config
from promptops.errors import InputError, NotFoundError
from promptops.git.branches import resolve_default_branch
from promptops.git.commits import ROLLOUT_GOAL, commit_files_on_branch, commit_message, variant_branch
from promptops.git.tree import read_blob
from promptops.logs.reader import ReadSummary, read_logs
from promptops.logs.rollout_analysis import RolloutCheck, analyse_rollout
from promptops.repo.agents import resolve_prompt_id, split_prompt_id
from promptops.repo.rollouts import (
    DEFAULT_MIN_SAMPLES,
    DEFAULT_STEPS,
    ROLLOUT_FILE,
    Rollout,
    StepStart,
    load_agent_rollout,
    load_rollout,
    render_rollout,
    step_started,
    yaml_number,
)
from promptops.version_ids import short_id, version_id


@dataclass(frozen=True)
class RolloutReport:
    """A check of one rollout: the analysis, the rollout it used, and where its data came from."""

    rollout: Rollout
    check: RolloutCheck
    step: StepStart
    branch: str
    logs: ReadSummary


@dataclass(frozen=True)
class StartPlan:
    """What `rollout start` commits: the candidate file and rollout.yaml, on the rollout branch."""

    prompt_id: str
    branch: str
    files: dict[str, str]
    candidate_rel: str
    candidate_version: str
    message: str


def rollout_run_id() -> str:
    """The `Promptops-Run` trailer of a rollout commit (what marks a commit as the bot's own)."""
    return f"rollout-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def rollout_branch(config: Config, prompt_id: str) -> str:
    agent, name = split_prompt_id(prompt_id)
    return variant_branch(agent, name, ROLLOUT_GOAL, config.get("github.branch_prefix"))


def check_rollout(config: Config, prompt_id: str, log_paths: list[Path]) -> RolloutReport:
    """Analyse the committed rollout of `prompt_id` on the logs since its current step began."""
    branch = resolve_default_branch(config.root, config)
    if branch.rev is None:
        raise NotFoundError(f"the default branch {branch.name} has no commits yet")
    rollout = load_rollout(config, prompt_id, ref=branch.rev)
    if rollout is None:
        raise NotFoundError(
            f"{prompt_id} has no rollout on {branch.name}; start one with "
            f"`promptops rollout start {prompt_id} --file FILE` and merge its pull request"
        )
    step = step_started(config, rollout, branch.rev)
    summary = ReadSummary()
    since = datetime.fromisoformat(step.timestamp)
    check = analyse_rollout(
        read_logs(log_paths, summary, since=since),
        prompt_id=rollout.prompt_id,
        stable_version=rollout.stable_version,
        candidate_version=rollout.candidate_version,
        since=since,
        weight=rollout.weight,
        next_weight=rollout.next_step(),
        analysis=rollout.analysis,
    )
    return RolloutReport(rollout, check, step, branch.name, summary)


def plan_start(
    config: Config,
    prompt_id: str,
    *,
    candidate_text: str | None = None,
    from_branch: str | None = None,
    steps: tuple[float, ...] = DEFAULT_STEPS,
    key: str | None = None,
    min_samples: int = DEFAULT_MIN_SAMPLES,
    metrics: tuple[str, ...] = ("success_rate", "latency_ms"),
) -> StartPlan:
    """The files of a new rollout of `prompt_id`: the candidate from a file's text or a branch."""
    prompt = resolve_prompt_id(config, prompt_id)
    if (candidate_text is None) == (from_branch is None):
        raise InputError("give the candidate with exactly one of --file FILE or --from-branch BRANCH")
    if from_branch is not None:
        data = read_blob(config.root, from_branch, prompt.rel_path)
        if data is None:
            raise NotFoundError(f"{prompt.rel_path} does not exist on {from_branch}")
        candidate_text = data.decode("utf-8")
    assert candidate_text is not None
    if not candidate_text.strip():
        raise InputError(f"the candidate for {prompt_id} is empty")
    if version_id(candidate_text) == prompt.version_id:
        raise InputError(
            f"the candidate is the same text as the deployed {prompt_id} ({short_id(prompt.version_id)})"
        )
    if load_agent_rollout(config, prompt.agent) is not None:
        raise InputError(
            f"agent {prompt.agent} already has a {ROLLOUT_FILE}; finish or abort that rollout first"
        )
    if list(steps) != sorted(set(steps)) or not steps or steps[-1] != 100 or steps[0] <= 0:
        raise InputError(f"--steps: expected increasing percents ending at 100, got {list(steps)}")
    folder = posixpath.dirname(prompt.rel_path)
    stem, dot, suffix = posixpath.basename(prompt.rel_path).rpartition(".")
    candidate_name = f"{stem}.candidate.{suffix}" if dot else f"{suffix}.candidate"
    candidate_rel = posixpath.join(folder, candidate_name)
    fields = {
        "prompt": prompt.name,
        "candidate": candidate_name,
        "steps": [yaml_number(s) for s in steps],
        "weight": yaml_number(steps[0]),
        "key": key,
        "analysis": {"min_samples": min_samples, "metrics": list(metrics), "alpha": 0.05},
        "on_regression": "abort",
    }
    files = {candidate_rel: candidate_text, posixpath.join(folder, ROLLOUT_FILE): render_rollout(fields)}
    message = commit_message(
        f"promptops(rollout {prompt_id}): start at {fields['weight']}% "
        f"with {short_id(version_id(candidate_text))}",
        {
            "Promptops-Prompt": prompt_id,
            "Promptops-Base": prompt.version_id,
            "Promptops-Rollout": prompt_id,
            "Promptops-Rollout-Step": str(fields["weight"]),
            "Promptops-Rollout-Outcome": "start",
            "Promptops-Run": rollout_run_id(),
        },
    )
    return StartPlan(
        prompt_id,
        rollout_branch(config, prompt_id),
        files,
        candidate_rel,
        version_id(candidate_text),
        message,
    )


def commit_start(config: Config, plan: StartPlan, *, push: bool) -> str:
    """Commit the plan on the rollout branch (pushed unless `push` is False); the commit id."""
    result = commit_files_on_branch(
        config.root,
        branch=plan.branch,
        files=dict(plan.files),
        message=plan.message,
        configured_default_branch=config.get("default_branch"),
        push=push,
    )
    return result.commit
