"""Canary rollouts as files in git: `prompts/<agent>/rollout.yaml` beside `agent.yaml`.

The rollout lives in its own file because the bot rewrites it at every step (advance,
promote, abort) and must never rewrite what a person wrote in agent.yaml. Its history is
the history of that file on the default branch, so the commit that set the current weight
says when the current step began, and `git log` shows every step.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from promptops.config import Config
from promptops.errors import InputError, NotFoundError
from promptops.files import Document, decode_text, parse_document
from promptops.git.log import FileChange, file_log
from promptops.git.tree import read_blobs
from promptops.repo.agents import AgentLoader, Prompt, check_agent_id, split_prompt_id
from promptops.repo.pull_requests import pull_request_number
from promptops.repo.sources import ROLLOUT_FILE, open_source
from promptops.schemas import validate_document
from promptops.version_ids import version_id

METRICS = ("success_rate", "latency_ms", "total_tokens", "score")
DEFAULT_STEPS = (5, 25, 50, 100)
DEFAULT_MIN_SAMPLES = 400
DEFAULT_ALPHA = 0.05
# Higher is better for these; lower is better for the others.
HIGHER_IS_BETTER = frozenset({"success_rate", "score"})
_FIELD_ORDER = (
    "prompt",
    "candidate",
    "steps",
    "weight",
    "key",
    "analysis",
    "on_regression",
    "auto_advance",
    "abort_via",
)


@dataclass(frozen=True)
class Margin:
    """How much worse the candidate may be on one metric: absolute, or a share of the stable mean."""

    amount: float
    relative: bool = False

    def absolute(self, stable_mean: float) -> float:
        return self.amount * abs(stable_mean) if self.relative else self.amount

    def describe(self) -> str:
        return f"{self.amount * 100:g}%" if self.relative else f"{self.amount:g}"


@dataclass(frozen=True)
class RolloutAnalysis:
    """When a step may decide, on which metrics, and what counts as a regression."""

    min_samples: int = DEFAULT_MIN_SAMPLES
    metrics: tuple[str, ...] = ("success_rate",)
    alpha: float = DEFAULT_ALPHA
    max_regression: dict[str, Margin] = field(default_factory=dict)

    def margin(self, metric: str) -> Margin:
        return self.max_regression.get(metric, Margin(0.0))


@dataclass(frozen=True)
class Rollout:
    """A running rollout, with both texts and their version ids."""

    agent: str
    prompt: Prompt  # the stable prompt (what agent.yaml points at)
    candidate_rel: str  # repository-relative path of the candidate file
    candidate_text: str
    candidate_version: str  # the git blob id of the candidate file as stored (what the runtime logs)
    steps: tuple[float, ...]
    weight: float
    key: str | None
    analysis: RolloutAnalysis
    on_regression: str = "abort"
    auto_advance: bool = False
    abort_via: str = "commit"
    rel_path: str = ""  # repository-relative path of rollout.yaml

    @property
    def prompt_id(self) -> str:
        return self.prompt.id

    @property
    def stable_version(self) -> str:
        return self.prompt.version_id

    def next_step(self) -> float | None:
        """The next weight after the current one, or None at 100% (or after an abort)."""
        if self.weight <= 0:
            return None
        return next((s for s in self.steps if s > self.weight), None)


@dataclass(frozen=True)
class StepStart:
    """The commit of the default branch that set the current weight, and when."""

    commit: str
    timestamp: str  # ISO 8601 committer date
    subject: str


def load_rollout(config: Config, prompt_id: str, ref: str | None = None) -> Rollout | None:
    """The rollout of `prompt_id` (None when the agent has no rollout.yaml or it is for another prompt)."""
    agent_id, name = split_prompt_id(prompt_id)
    rollout = load_agent_rollout(config, agent_id, ref)
    if rollout is None or rollout.prompt.name != name:
        return None
    return rollout


def load_agent_rollout(config: Config, agent_id: str, ref: str | None = None) -> Rollout | None:
    """The agent's rollout.yaml, checked against its schema and the agent, or None."""
    check_agent_id(agent_id)
    with open_source(config, ref) as source:
        loader = AgentLoader(source, ref)
        rel = posixpath.join(loader.folder_rel(agent_id), ROLLOUT_FILE)
        raw = source.read_bytes(rel)
        if raw is None:
            return None
        doc = parse_document(decode_text(raw, source.display(rel)), source.display(rel))
        validate_document(doc, "rollout")
        agent = loader.load(agent_id)
        return _rollout(doc, agent_id, agent.prompts, loader, rel)


def _rollout(
    doc: Document, agent_id: str, prompts: dict[str, Prompt], loader: AgentLoader, rel: str
) -> Rollout:
    data: dict[str, Any] = doc.data
    name = data["prompt"]
    if name not in prompts:
        raise doc.error(["prompt"], f"expected a prompt of agent {agent_id} ({', '.join(sorted(prompts))})")
    steps = tuple(float(s) for s in data["steps"])
    if list(steps) != sorted(steps) or steps[-1] != 100:
        raise doc.error(["steps"], f"expected increasing percents ending at 100, got {list(data['steps'])}")
    weight = float(data["weight"])
    if weight != 0 and weight not in steps:
        raise doc.error(
            ["weight"], f"expected 0 or one of the steps {list(data['steps'])}, got {data['weight']}"
        )
    folder = loader.folder_rel(agent_id)
    candidate = data["candidate"]
    candidate_rel = posixpath.normpath(posixpath.join(folder, candidate))
    if posixpath.isabs(candidate) or ".." in candidate.split("/"):
        raise doc.error(["candidate"], f"expected a file inside the agent folder, got {candidate!r}")
    if candidate_rel == prompts[name].rel_path:
        raise doc.error(["candidate"], "the candidate must be another file than the stable prompt")
    raw = loader.read_bytes(doc, candidate_rel, ["candidate"])
    candidate_text = decode_text(raw, loader.source.display(candidate_rel))
    if not candidate_text.strip():
        raise doc.error(["candidate"], f"the candidate file {candidate_rel} is empty")
    return Rollout(
        agent=agent_id,
        prompt=prompts[name],
        candidate_rel=candidate_rel,
        candidate_text=candidate_text,
        candidate_version=version_id(raw),
        steps=steps,
        weight=weight,
        key=data.get("key"),
        analysis=_analysis(data.get("analysis") or {}),
        on_regression=data.get("on_regression", "abort"),
        auto_advance=bool(data.get("auto_advance", False)),
        abort_via=data.get("abort_via", "commit"),
        rel_path=rel,
    )


def _analysis(data: dict[str, Any]) -> RolloutAnalysis:
    margins = {metric: parse_margin(value) for metric, value in (data.get("max_regression") or {}).items()}
    return RolloutAnalysis(
        min_samples=int(data.get("min_samples", DEFAULT_MIN_SAMPLES)),
        metrics=tuple(data.get("metrics", ("success_rate",))),
        alpha=float(data.get("alpha", DEFAULT_ALPHA)),
        max_regression=margins,
    )


def parse_margin(value: float | str) -> Margin:
    """`0.02` (absolute) or `"20%"` (of the stable arm's mean)."""
    if isinstance(value, str):
        return Margin(float(value.rstrip("%")) / 100.0, relative=True)
    return Margin(float(value))


def render_rollout(fields: dict[str, Any]) -> str:
    """rollout.yaml as the bot writes it: a fixed key order and a header saying who owns it."""
    import yaml  # yaml.dump only when writing

    ordered = {k: fields[k] for k in _FIELD_ORDER if fields.get(k) is not None}
    body = yaml.safe_dump(ordered, sort_keys=False, default_flow_style=None, allow_unicode=True)
    return (
        "# A canary rollout, moved step by step by `promptops rollout check --apply`.\n"
        "# Edit by pull request; see docs/production.md#rollouts.\n" + body
    )


def rollout_fields(rollout: Rollout, **changes: Any) -> dict[str, Any]:
    """The fields of `rollout` as written in rollout.yaml, with `changes` applied (e.g. weight)."""
    analysis = rollout.analysis
    fields: dict[str, Any] = {
        "prompt": rollout.prompt.name,
        "candidate": posixpath.relpath(rollout.candidate_rel, posixpath.dirname(rollout.rel_path)),
        "steps": [yaml_number(s) for s in rollout.steps],
        "weight": yaml_number(rollout.weight),
        "key": rollout.key,
        "analysis": {
            "min_samples": analysis.min_samples,
            "metrics": list(analysis.metrics),
            "alpha": analysis.alpha,
            "max_regression": {
                m: (f"{g.amount * 100:g}%" if g.relative else yaml_number(g.amount))
                for m, g in analysis.max_regression.items()
            }
            or None,
        },
        "on_regression": rollout.on_regression,
        "auto_advance": rollout.auto_advance or None,
        "abort_via": None if rollout.abort_via == "commit" else rollout.abort_via,
    }
    fields["analysis"] = {k: v for k, v in fields["analysis"].items() if v is not None}
    fields.update(changes)
    return fields


def yaml_number(value: float) -> int | float:
    """`25.0` as `25` in rollout.yaml, `2.5` as it is."""
    return int(value) if float(value).is_integer() else value


def step_started(
    config: Config, rollout: Rollout, branch_rev: str, log: list[FileChange] | None = None
) -> StepStart:
    """The first-parent commit of `branch_rev` from which rollout.yaml has had the current weight.

    Walks the file's history newest first and stops at the first commit whose parent had a
    different weight, another candidate, or no rollout at all. `log`: that history, when the
    caller walked it already (`PromptHistory.rollout_log`: the dashboard reads every prompt's
    history in one `git log`); else it is walked here.
    """
    changes = file_log(config.root, [branch_rev], rollout.rel_path) if log is None else log
    if not changes:
        raise NotFoundError(
            f"{rollout.rel_path} is not committed on the default branch; merge the rollout before checking it"
        )
    blobs = read_blobs(config.root, [c.blob for c in changes if c.blob])
    start = None
    for change in changes:
        state = _state(blobs.get(change.blob or "", b""))
        if state != (rollout.weight, rollout.candidate_rel.rsplit("/", 1)[-1]):
            break
        start = change
    if start is None:
        raise InputError(
            f"{rollout.rel_path}: the working tree's weight {rollout.weight:g} is not the committed one; "
            "commit it (or check the committed rollout)"
        )
    return StepStart(start.commit, start.date, start.subject)


def _state(raw: bytes) -> tuple[float, str] | None:
    """(weight, candidate file name) of a committed rollout.yaml, or None when unreadable."""
    data = _data(raw)
    weight = _weight(data)
    if data is None or weight is None or "candidate" not in data:
        return None
    return weight, posixpath.basename(str(data["candidate"]))


@dataclass(frozen=True)
class RolloutStep:
    """One change of a rollout on the default branch, oldest first."""

    commit: str
    date: str
    subject: str
    weight: float | None  # None once the rollout file is gone (promoted or removed)
    outcome: str  # start | advance | abort | end
    pr_number: int | None


def steps_from_log(config: Config, name: str, log: list[FileChange]) -> list[RolloutStep]:
    """The rollout steps of prompt `name` in its agent's rollout.yaml log (newest first, as
    `file_log` gives it): `history` reads that log in the same `git log` as the prompt's."""
    changes = list(reversed(log))
    blobs = read_blobs(config.root, [c.blob for c in changes if c.blob])
    steps: list[RolloutStep] = []
    previous: float | None = None
    for change in changes:
        data = _data(blobs.get(change.blob or "", b""))
        if data is not None and data.get("prompt") != name:
            previous = None
            continue
        weight = _weight(data)
        if weight is None and previous is None:
            continue
        if weight is None:
            outcome = "end"
        elif previous is None:
            outcome = "start"
        else:
            outcome = "abort" if weight == 0 else "advance"
        steps.append(
            RolloutStep(
                change.commit,
                change.date,
                change.subject,
                weight,
                outcome,
                pull_request_number(change.subject),
            )
        )
        previous = weight
    return steps


def _data(raw: bytes) -> dict[str, Any] | None:
    import yaml

    try:
        data = yaml.safe_load(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _weight(data: dict[str, Any] | None) -> float | None:
    value = (data or {}).get("weight")
    return float(value) if isinstance(value, int | float) else None
