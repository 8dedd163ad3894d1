"""Eval results as records, and their JSON files under `.promptops/runs/`.

An EvalRun says exactly what was measured: which prompt versions (git blob ids), which
model, params and provider, on which cases and repeats, and per sample the output, each
assertion's verdict and reason, latency, tokens, cost or the error. The JSON shape is
`schemas/eval_run.schema.json`; PR reports and git notes carry these files.
"""

from __future__ import annotations

import copy
import json
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from promptops.evals.summary import RunSummary, consistency, summarize
from promptops.files.json_text import compact_encoder

RUNS_DIR = ".promptops/runs"
SCHEMA_VERSION = 1


# slots: a 10,000-case run holds one CaseResult per sample and one AssertionResult per
# assertion; without a __dict__ each is about half the size.
@dataclass(frozen=True, slots=True)
class AssertionResult:
    type: str  # as written, e.g. "not-contains"
    passed: bool | None  # None: it could not run (error)
    score: float
    weight: float
    reason: str
    origin: str = ""  # "cases[3].assert[1]" or "defaults.assert[0]"


@dataclass(frozen=True, slots=True)
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

    def to_dict(self) -> dict[str, Any]:
        """As dataclasses.asdict, written out: asdict's deep copy was most of saving a run."""
        data = {name: getattr(self, name) for name in _CASE_FIELDS}
        data["tags"] = list(self.tags)
        data["assertions"] = [{name: getattr(a, name) for name in _ASSERTION_FIELDS} for a in self.assertions]
        data["tool_calls"] = [dict(call) for call in self.tool_calls]
        return data


_CASE_FIELDS = tuple(f.name for f in fields(CaseResult))
_ASSERTION_FIELDS = tuple(f.name for f in fields(AssertionResult))


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
    # Not in repr: asyncio.run formats the main task's result (these runs) when it restores
    # the SIGINT handler, and 2,000 results made that a 1.2 MB string, ~60 ms at the run's end.
    results: list[CaseResult] = field(repr=False)
    summary: RunSummary
    judge_model: str | None = None
    stopped: str | None = None  # "interrupted" or "budget" when the run did not finish
    usage: dict[str, Any] = field(
        default_factory=dict
    )  # the client's ledger: calls, cached calls, judge calls
    suite_digest: str = ""  # sha256 of the cases file's text: which cases these samples answer
    shard: dict[str, Any] | None = None  # with --shard I/N: index, count, filter, [case id, place]
    merged_from: list[str] = field(default_factory=list)  # run ids of the shards merged into this run

    def to_dict(self) -> dict[str, Any]:
        data = self.header_dict()
        data["results"] = [r.to_dict() for r in self.results]
        return data

    def header_dict(self) -> dict[str, Any]:
        """Everything but the results (the run file streams those one by one)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("results", "summary")}
        data = copy.deepcopy(data)  # small: ids, params, usage
        data["summary"] = asdict(self.summary)
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
    # Compact, and written RESULTS_PER_WRITE results at a time: a 10,000-case run file is read
    # by programs (reports, merge, notes), not people, and its dicts never all exist at once.
    dumps = _compact_json
    results = run.results
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(dumps(run.header_dict())[:-1] + ',"results":[')
        for start in range(0, len(results), RESULTS_PER_WRITE):
            chunk = [r.to_dict() for r in results[start : start + RESULTS_PER_WRITE]]
            fh.write(("," if start else "") + dumps(chunk)[1:-1])
        fh.write("]}\n")
    tmp.replace(path)


RESULTS_PER_WRITE = 256


_compact_json = compact_encoder()  # files.json_text: json.dumps's text, its encoder built once


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
