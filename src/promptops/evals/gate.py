"""The promptops/eval gate: one conclusion for a pull request, failing closed.

Teams make `promptops/eval` a required check, so nothing short of a measured "no
regression" may read as success:

- an agent that could not be evaluated, a run stopped early, any sample still errored
  after retries (in either run), or fewer paired error-free samples than
  `gate.min_paired_samples` -> `failure`, with the reason and the command that re-runs it;
- a regression -> `failure`;
- inconclusive (a regression larger than `decision.min_success_delta` is neither shown nor
  ruled out) -> `gate.inconclusive` (`neutral` by default, `failure` for strict gates),
  with about how many more cases would settle it;
- a PR that removes or edits eval cases, or loosens the settings that judge it, ->
  `failure` until a maintainer comments `/promptops approve-gate-change`;
- a fork's PR before a maintainer asked for it -> `action_required`.

The worst conclusion of all agents and changes wins.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from promptops.config import Config
from promptops.evals.cases import Suite
from promptops.evals.command import EvalOutcome
from promptops.stats import pair_samples

CONCLUSIONS = ("success", "neutral", "action_required", "failure")  # from best to worst
APPROVE_COMMAND = "/promptops approve-gate-change"
EVAL_COMMAND = "/promptops eval"


@dataclass(frozen=True)
class GateSettings:
    """The `gate.*` settings (read from the base commit)."""

    inconclusive: str = "neutral"
    min_paired_samples: int = 3

    @classmethod
    def from_config(cls, config: Config) -> GateSettings:
        return cls(
            inconclusive=str(config.get("gate.inconclusive")),
            min_paired_samples=int(config.get("gate.min_paired_samples")),
        )


@dataclass(frozen=True)
class AgentGate:
    """One agent's part of the conclusion, with the reason a reviewer reads."""

    agent: str
    conclusion: str
    reason: str
    short: str = ""  # a few words for the check's title: "regression", "samples errored"


@dataclass(frozen=True)
class GateChange:
    """Something the PR changes in what judges it; `loosens` ones need a maintainer's approval."""

    description: str
    loosens: bool


@dataclass
class GateResult:
    conclusion: str
    title: str
    agents: list[AgentGate] = field(default_factory=list)
    changes: list[GateChange] = field(default_factory=list)
    approved_by: str | None = None  # who approved the gate change, when someone did

    @property
    def status_state(self) -> str:
        """The commit-status state for tokens without checks permission (statuses have no neutral:
        neutral passes as GitHub's neutral check does; waiting for a maintainer stays pending)."""
        return {"success": "success", "neutral": "success", "action_required": "pending"}.get(
            self.conclusion, "failure"
        )


def worst(conclusions: list[str]) -> str:
    return max(conclusions, key=CONCLUSIONS.index, default="success")


def judge_agent(
    agent: str,
    outcome: EvalOutcome | None,
    settings: GateSettings,
    *,
    error: str | None = None,
    rerun: str = EVAL_COMMAND,
) -> AgentGate:
    """The gate's conclusion for one agent's evaluation (see the module docstring)."""
    again = f"re-run: comment {rerun} on the pull request"
    if error is not None or outcome is None:
        return AgentGate(
            agent, "failure", f"could not be evaluated: {error or 'no result'}; {again}", "could not evaluate"
        )
    stopped = [run.stopped for run in outcome.runs if run.stopped]
    if stopped:
        return AgentGate(
            agent, "failure", f"the run stopped early ({stopped[0]}); {again}", "run stopped early"
        )
    errored = [r for run in outcome.runs for r in run.results if r.passed is None]
    if errored:
        total = sum(len(run.results) for run in outcome.runs)
        first = errored[0]
        return AgentGate(
            agent,
            "failure",
            f"{len(errored)} of {total} samples errored after retries (first: case {first.case_id}: "
            f"{first.error or 'error'}); errored samples are never counted as passing; {again}",
            "samples errored",
        )
    paired = _paired(outcome)
    if paired < settings.min_paired_samples:
        return AgentGate(
            agent,
            "failure",
            f"only {paired} paired samples; the gate needs at least {settings.min_paired_samples} "
            "(gate.min_paired_samples): add cases or raise evals.repeat",
            "too few paired samples",
        )
    if outcome.comparison is None:
        return AgentGate(
            agent, "success", f"new agent: {paired} samples evaluated, no base to compare with", "new agent"
        )
    verdict = outcome.comparison.verdict
    if verdict.outcome == "regression":
        reason = f"regression: {verdict.reasons[0] if verdict.reasons else ''}"
        return AgentGate(agent, "failure", reason, "regression")
    if verdict.outcome == "inconclusive":
        return AgentGate(agent, settings.inconclusive, _inconclusive(outcome, paired), "inconclusive")
    return AgentGate(agent, "success", f"{verdict.outcome} on {paired} paired samples", verdict.outcome)


def _paired(outcome: EvalOutcome) -> int:
    if outcome.base is None:
        return len(outcome.head.results)
    pairs = pair_samples(outcome.base.results, outcome.head.results)
    return sum(1 for b, h in pairs if b.passed is not None and h.passed is not None)


def _inconclusive(outcome: EvalOutcome, paired: int) -> str:
    verdict = outcome.comparison.verdict  # type: ignore[union-attr]
    repeat = max(1, outcome.head.repeat)
    if verdict.needed_samples:
        cases = math.ceil(verdict.needed_samples / repeat)
        more = f"about {cases:,} more cases at {repeat} repeat{'s' if repeat != 1 else ''} would settle it"
    else:
        more = "more cases would settle it"
    return (
        f"inconclusive on {paired} paired samples: a regression larger than the margin "
        f"(decision.min_success_delta) is neither shown nor ruled out; {more}"
    )


# ---------------------------------------------------------------- what the PR changes in its own gate

# (key, direction): a change in this direction makes the gate easier to pass.
_LOOSER = {
    "decision.alpha": "lower",  # regressions must be more significant to count
    "decision.min_success_delta": "higher",  # a wider margin rules out less
    "gate.min_paired_samples": "lower",
    "evals.repeat": "lower",
}


def settings_changes(base: Config, head: Config) -> list[GateChange]:
    """What the head's `.promptops.yaml` changes in the settings that judge the PR."""
    changes = []
    for key, looser in _LOOSER.items():
        before, after = base.get(key), head.get(key)
        if before != after:
            loosens = after < before if looser == "lower" else after > before
            changes.append(GateChange(f"{key} {before} to {after}", loosens))
    before, after = base.get("gate.inconclusive"), head.get("gate.inconclusive")
    if before != after:
        changes.append(GateChange(f"gate.inconclusive {before} to {after}", after == "neutral"))
    for section in ("provider", "pricing"):
        if base.get(section) != head.get(section):
            changes.append(GateChange(f"{section} settings (the base's are used)", False))
    return changes


def case_changes(agent: str, base: Suite | None, head: Suite | None) -> list[GateChange]:
    """Cases the PR removes, edits or adds for `agent` (removing or editing loosens the gate)."""
    if base is None:
        return []
    if head is None:
        return [GateChange(f"{agent}: all {len(base.cases)} eval cases removed", True)]
    before, after = _cases(base), _cases(head)
    removed = sorted(before.keys() - after.keys())
    edited = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    added = sorted(after.keys() - before.keys())
    changes = []
    if removed:
        changes.append(GateChange(f"{agent}: eval cases removed: {', '.join(removed)}", True))
    if edited:
        changes.append(GateChange(f"{agent}: eval cases edited: {', '.join(edited)}", True))
    if added:
        changes.append(
            GateChange(f"{agent}: eval cases added: {', '.join(added)} (reported separately)", False)
        )
    if head.repeat < base.repeat:
        changes.append(GateChange(f"{agent}: cases file repeat {base.repeat} to {head.repeat}", True))
    return changes


def _cases(suite: Suite) -> dict[str, dict[str, Any]]:
    out = {}
    for case in suite.cases:
        data = asdict(case)
        data.pop("index")
        out[case.id] = data
    return out


def conclude(
    agents: list[AgentGate], changes: list[GateChange], *, approved_by: str | None = None
) -> GateResult:
    """The check's conclusion and title from every agent and every change to the gate."""
    loosening = [c for c in changes if c.loosens]
    gate_change = "failure" if loosening and approved_by is None else "success"
    conclusion = worst([a.conclusion for a in agents] + [gate_change])
    if gate_change == "failure":
        title = f"this pull request loosens its own gate; a maintainer can comment `{APPROVE_COMMAND}`"
    elif conclusion == "success":
        shown = ", ".join(f"{a.agent}: {a.short}" for a in agents)
        title = f"no regression ({shown})" if shown else "no regression"
    else:
        by_short: dict[str, list[str]] = {}
        for a in agents:
            if a.conclusion == conclusion:
                by_short.setdefault(a.short or a.conclusion, []).append(a.agent)
        title = "; ".join(f"{short} in {', '.join(names)}" for short, names in by_short.items())
    return GateResult(conclusion, title, agents, changes, approved_by)
