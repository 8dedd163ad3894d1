"""Production A/B of two versions of one prompt, read from execution logs.

Each version's calls are independent requests, so the comparison is unpaired: a Wilson interval
per success rate, Newcombe's interval for the difference, and the always-valid mixture SPRT,
updated after every log line, so the bot may re-run `ab` as often as it likes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from promptops.errors import InputError, NotFoundError
from promptops.logs.reader import ReadSummary, read_logs
from promptops.logs.records import LogRecord
from promptops.stats.intervals import RateEstimate, rate_estimate
from promptops.stats.quantiles import StreamingQuantiles
from promptops.stats.sequential import DEFAULT_TAU, SequentialState, SequentialTest
from promptops.stats.unpaired import TwoProportions, compare_proportions
from promptops.stats.wording import p_value, percent, points


@dataclass
class _Tally:
    """Running totals for one version while the logs stream past."""

    version_id: str
    successes: int = 0
    latency: StreamingQuantiles = field(default_factory=StreamingQuantiles)
    input_tokens: int = 0
    output_tokens: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @property
    def n(self) -> int:
        return self.latency.count

    def add(self, record: LogRecord) -> None:
        self.successes += record.status == "success"
        self.latency.add(record.latency_ms)
        self.input_tokens += record.input_tokens
        self.output_tokens += record.output_tokens
        if self.first_seen is None or record.timestamp < self.first_seen:
            self.first_seen = record.timestamp
        if self.last_seen is None or record.timestamp > self.last_seen:
            self.last_seen = record.timestamp


@dataclass(frozen=True)
class VersionMetrics:
    version_id: str
    n: int
    success: RateEstimate
    latency_mean_ms: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    input_tokens_mean: float | None
    output_tokens_mean: float | None
    first_seen: str | None
    last_seen: str | None


@dataclass(frozen=True)
class ABReport:
    """Everything `promptops ab` prints; `to_dict()` for `--json`."""

    prompt_id: str
    outcome: str  # improvement | regression | inconclusive
    reasons: list[str]
    baseline: VersionMetrics
    candidate: VersionMetrics
    difference: TwoProportions
    sequential: SequentialState
    alpha: float
    tau: float
    read: ReadSummary

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_ab(
    paths: Sequence[Path],
    prompt_id: str,
    baseline: str,
    candidate: str,
    *,
    since: datetime | None = None,
    strict: bool = False,
    alpha: float = 0.05,
    tau: float = DEFAULT_TAU,
) -> ABReport:
    """Read the logs once and compare the two versions (ids or unique prefixes of them)."""
    baseline, candidate = baseline.lower(), candidate.lower()
    if baseline.startswith(candidate) or candidate.startswith(baseline):
        raise InputError(f"--baseline {baseline} and --candidate {candidate} name the same version")
    summary = ReadSummary()
    tallies: dict[str, _Tally] = {}
    seen: Counter[str] = Counter()
    test = SequentialTest(tau=tau)
    arms: dict[str, _Tally] = {}  # {prefix: tally} once each prefix names exactly one version
    for record in read_logs(paths, summary, since=since, strict=strict):
        if record.prompt_id != prompt_id:
            continue
        vid = record.version_id
        seen[vid] += 1
        if vid not in tallies:
            if not (vid.startswith(baseline) or vid.startswith(candidate)):
                continue
            tallies[vid] = _Tally(vid)
            arms = _pairs(tallies, baseline, candidate)
        tallies[vid].add(record)
        if arms:
            base_tally, cand_tally = arms[baseline], arms[candidate]
            test.look(base_tally.successes, base_tally.n, cand_tally.successes, cand_tally.n)
    base = _resolve(baseline, "--baseline", tallies, seen, prompt_id, summary)
    cand = _resolve(candidate, "--candidate", tallies, seen, prompt_id, summary)
    return _report(prompt_id, base, cand, test, alpha, tau, summary)


def _pairs(tallies: dict[str, _Tally], baseline: str, candidate: str) -> dict[str, _Tally]:
    """{prefix: tally} while each prefix matches exactly one version seen so far; else empty."""
    base = [t for v, t in tallies.items() if v.startswith(baseline)]
    cand = [t for v, t in tallies.items() if v.startswith(candidate)]
    if len(base) == 1 and len(cand) == 1:
        return {baseline: base[0], candidate: cand[0]}
    return {}


def _resolve(
    prefix: str,
    option: str,
    tallies: dict[str, _Tally],
    seen: Counter[str],
    prompt_id: str,
    summary: ReadSummary,
) -> _Tally:
    matches = [t for v, t in tallies.items() if v.startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(sorted(t.version_id[:12] for t in matches))
        raise InputError(f"{option} {prefix} matches several versions ({ids}); give more of the id")
    listing = ", ".join(f"{v[:12]} ({n:,} lines)" for v, n in seen.most_common()) or "none"
    raise NotFoundError(
        f"{option} {prefix}: no log lines for this version of {prompt_id} in "
        f"{summary.records:,} usable lines; versions seen: {listing}"
    )


def _metrics(tally: _Tally, confidence: float) -> VersionMetrics:
    n = tally.latency.count
    return VersionMetrics(
        version_id=tally.version_id,
        n=n,
        success=rate_estimate(tally.successes, n, confidence),
        latency_mean_ms=tally.latency.mean,
        latency_p50_ms=tally.latency.quantile(0.5),
        latency_p95_ms=tally.latency.quantile(0.95),
        input_tokens_mean=tally.input_tokens / n if n else None,
        output_tokens_mean=tally.output_tokens / n if n else None,
        first_seen=tally.first_seen.isoformat() if tally.first_seen else None,
        last_seen=tally.last_seen.isoformat() if tally.last_seen else None,
    )


def _report(
    prompt_id: str,
    base: _Tally,
    cand: _Tally,
    test: SequentialTest,
    alpha: float,
    tau: float,
    summary: ReadSummary,
) -> ABReport:
    conf = 1 - alpha
    b, c = _metrics(base, conf), _metrics(cand, conf)
    diff = compare_proportions(base.successes, b.n, cand.successes, c.n, conf)
    state = test.state()
    outcome = _outcome(state.p_value, diff.diff, alpha)
    reasons = [_success_sentence(b, c, diff, state, tau), _decision_sentence(outcome, state, alpha)]
    reasons += _usage_sentences(b, c)
    note = summary.bad_line_note()
    if note:
        reasons.append(note)
    return ABReport(prompt_id, outcome, reasons, b, c, diff, state, alpha, tau, summary)


def _outcome(p: float, diff: float, alpha: float) -> str:
    if p >= alpha:
        return "inconclusive"
    return "improvement" if diff > 0 else "regression"


def _success_sentence(
    b: VersionMetrics, c: VersionMetrics, diff: TwoProportions, state: SequentialState, tau: float
) -> str:
    level = round(diff.confidence * 100)
    return (
        f"success rate {percent(b.success.rate)} -> {percent(c.success.rate)} ({points(diff.diff)} pts, "
        f"{level}% CI {points(diff.low)} to {points(diff.high)}), always-valid {p_value(state.p_value)} "
        f"(mixture SPRT, tau={tau:g}, {state.looks:,} looks) on {b.n:,} + {c.n:,} calls"
    )


def _decision_sentence(outcome: str, state: SequentialState, alpha: float) -> str:
    if outcome == "inconclusive":
        return (
            f"no significant difference yet (always-valid p >= alpha = {alpha:g}); keep collecting logs "
            "and re-run: the p-value stays valid however often it is checked"
        )
    direction = "higher" if outcome == "improvement" else "lower"
    return f"the candidate's success rate is significantly {direction} (always-valid p < alpha = {alpha:g})"


def _usage_sentences(b: VersionMetrics, c: VersionMetrics) -> list[str]:
    if not b.n or not c.n:
        return []
    return [
        f"latency mean {b.latency_mean_ms:,.0f} -> {c.latency_mean_ms:,.0f} ms, "
        f"p95 {b.latency_p95_ms:,.0f} -> {c.latency_p95_ms:,.0f} ms",
        f"tokens per call in {b.input_tokens_mean:,.0f} -> {c.input_tokens_mean:,.0f}, "
        f"out {b.output_tokens_mean:,.0f} -> {c.output_tokens_mean:,.0f}",
    ]
