"""Eval results as records, and their JSON files under `.promptops/runs/`.

An EvalRun says exactly what was measured: which prompt versions (git blob ids), which
model, params and provider, on which cases and repeats, and per sample the output, each
assertion's verdict and reason, latency, tokens, cost or the error. The JSON shape is
`schemas/eval_run.schema.json`; PR reports and git notes carry these files.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from promptops.evals.summary import RunSummary, consistency, summarize

RUNS_DIR = ".promptops/runs"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class AssertionResult:
    type: str  # as written, e.g. "not-contains"
    passed: bool | None  # None: it could not run (error)
    score: float
    weight: float
    reason: str
    origin: str = ""  # "cases[3].assert[1]" or "defaults.assert[0]"


@dataclass(frozen=True)
class CaseResult:
    case_id: str
    repeat_index: int
    split: str
    tags: tuple[str, ...]
    output: str | None
    passed: bool | None  # None: error (the call or an assertion could not run)
    score: float | None
    assertions: tuple[AssertionResult, ...]
    latency_ms: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    error: str | None = None
    cached: bool = False
    stop_reason: str | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()

    @property
    def status(self) -> str:
        return "error" if self.passed is None else "pass" if self.passed else "fail"


@dataclass
class EvalRun:
    run_id: str
    agent: str
    label: str  # "head", "base", or a variant's name
    created_at: str
    ref: str | None  # git ref the prompts were read from; None = working tree
    prompt_versions: dict[str, str]  # prompt name -> version id (git blob id)
    prompt_files: dict[str, str]  # prompt name -> path relative to the repository root
    model: str
    params: dict[str, Any]
    provider: str
    suite_path: str
    split: str
    repeat: int
    results: list[CaseResult]
    summary: RunSummary
    judge_model: str | None = None
    stopped: str | None = None  # "interrupted" or "budget" when the run did not finish
    usage: dict[str, Any] = field(
        default_factory=dict
    )  # the client's ledger: calls, cached calls, judge calls

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["schema_version"] = SCHEMA_VERSION
        return data


def score_case(
    assertions: tuple[AssertionResult, ...], threshold: float | None
) -> tuple[bool | None, float | None]:
    """(passed, weighted score): all counting assertions pass, or the score reaches `threshold`.

    Weight-0 assertions are reported but do not count. Any counting assertion that could
    not run makes the whole sample an error rather than a fail.
    """
    counting = [a for a in assertions if a.weight > 0]
    if any(a.passed is None for a in counting):
        return None, None
    total = sum(a.weight for a in counting)
    score = sum(a.weight * a.score for a in counting) / total if total else 1.0
    if threshold is not None:
        return score >= threshold, score
    return all(a.passed for a in counting), score


def new_run_id(agent: str, label: str) -> str:
    """Sortable by time, unique across parallel runs: `20261125T142400Z-support-agent-head-1a2b3c`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{agent}-{label}-{secrets.token_hex(3)}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def summarize_results(results: list[CaseResult], planned: int) -> RunSummary:
    answered = [r for r in results if r.output is not None]
    return summarize(
        [r.passed for r in results],
        [r.latency_ms for r in answered],
        sum(r.input_tokens for r in results),
        sum(r.output_tokens for r in results),
        sum(r.cost_usd for r in results),
        cases=len({r.case_id for r in results}),
        planned=planned,
        repeats=consistency((r.case_id, r.passed) for r in results),
    )


def save_run(run: EvalRun, root: Path) -> Path:
    """Write `.promptops/runs/<run-id>.json` under the repository root; returns its path."""
    folder = root / RUNS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.run_id}.json"
    write_run_json(run, path)
    return path


def write_run_json(run: EvalRun, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(run.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def run_from_dict(data: dict[str, Any]) -> EvalRun:
    """The inverse of EvalRun.to_dict (for reports that read stored runs)."""
    fields = {k: v for k, v in data.items() if k != "schema_version"}
    fields["summary"] = RunSummary(**fields["summary"])
    fields["results"] = [
        CaseResult(
            **{
                **r,
                "tags": tuple(r["tags"]),
                "tool_calls": tuple(r["tool_calls"]),
                "assertions": tuple(AssertionResult(**a) for a in r["assertions"]),
            }
        )
        for r in fields["results"]
    ]
    return EvalRun(**fields)


def load_run(path: Path) -> EvalRun:
    return run_from_dict(json.loads(path.read_text(encoding="utf-8")))
