"""Which side of an eval note counts for which version: the dashboard's last eval and the
pass-rate chart (`history --chart`, and the dashboard's own) read one rule
(`dashboard.version_points.measured`), so they show the same figure for the same version.

The repository: v1 (never evaluated), v2 (its own note measured it as the variant: 80 %,
interval 70-88 %), v3 with the note under test on its commit. Each case says what the
dashboard's last eval row and the chart then show."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from promptops.stats.intervals import wilson_interval
from promptops.version_ids import version_id
from tests.conftest import run_cli
from tests.gitrepo import commit, git, make_repo
from tests.mermaid_parse import xycharts
from tests.repo.samples import SYSTEM as V1
from tests.repo.samples import support_agent

SYSTEM = "prompts/support-agent/system.md"
V2 = "You are a support agent. Follow the refund policy. Be brief.\n"
V3 = "You are a support agent for a shop. Follow the refund policy. Be brief and kind.\n"
ELSEWHERE = "You are a support agent. Follow the refund policy. Be brief and kind.\n"  # never committed
CASES, REPEATS = 40, 3  # 120 samples


def note(base: str, variant: str, rates: tuple[float, float], **extra: Any) -> str:
    """A note as `bot.session_report.eval_note` writes it, without the fields no reader here uses."""
    fields = {
        "schema": "promptops-eval/1",
        "base_version": version_id(base),
        "variant_version": version_id(variant),
        "pass_rate": {"base": rates[0], "variant": rates[1]},
        "cases": CASES,
        "repeats": REPEATS,
        "model": "claude-sonnet-5-5",
        "verdict": "improvement",
    }
    return json.dumps({**fields, **extra})


def wilson(rate: float) -> tuple[float, float]:
    return wilson_interval(round(rate * CASES * REPEATS), CASES * REPEATS)


@dataclass(frozen=True)
class Case:
    note: str
    v3: tuple[float, float, float] | None  # (rate, low, high) measured for v3, or None
    repeats: int = REPEATS
    # What the dashboard's last eval is then: v3's figure, else v2's own (below).


V2_FIGURE = (0.8, 0.7, 0.88)
CASES_BY_NAME = {
    # the usual note: the merged variant is v3; its interval is the one the eval measured
    "variant side only": Case(
        note(V2, V3, (0.8, 0.85), pass_interval={"low": 0.77, "high": 0.9, "confidence": 0.95}),
        (0.85, 0.77, 0.9),
    ),
    # v3 is the note's base: its base rate counts, with Wilson's interval, never the variant's
    # interval (which here lies around the base rate as well, so taking it would show)
    "base side only": Case(
        note(V3, ELSEWHERE, (0.6, 0.62), pass_interval={"low": 0.5, "high": 0.7, "confidence": 0.95}),
        (0.6, *wilson(0.6)),
    ),
    # both sides are v3's text: the variant side, with its own interval
    "both sides": Case(
        note(V3, V3, (0.7, 0.75), pass_interval={"low": 0.66, "high": 0.83, "confidence": 0.95}),
        (0.75, 0.66, 0.83),
    ),
    # a perfect score: 100 % is a rate, and an interval ending at it is around it
    "perfect score": Case(
        note(V2, V3, (0.8, 1.0), pass_interval={"low": 0.97, "high": 1.0, "confidence": 0.95}),
        (1.0, 0.97, 1.0),
    ),
    # every sample failed: 0 % is a rate, and an interval starting at it is around it
    "zero": Case(
        note(V2, V3, (0.8, 0.0), pass_interval={"low": 0.0, "high": 0.03, "confidence": 0.95}),
        (0.0, 0.0, 0.03),
    ),
    # no repeats recorded: one run of each case
    "repeats not recorded": Case(
        note(V2, V3, (0.8, 0.9), repeats=None), (0.9, *wilson_interval(36, CASES)), repeats=1
    ),
    # a note written before notes carried the interval: Wilson over cases x repeats
    "missing interval": Case(note(V2, V3, (0.8, 0.9)), (0.9, *wilson(0.9))),
    # neither side is v3's text (a person pushed after the eval): v3 not evaluated, v2 is the last eval
    "neither side": Case(note(V2, ELSEWHERE, (0.8, 0.95)), None),
    # a rate without what it was measured on is no measurement
    "no case count": Case(note(V2, V3, (0.8, 0.9), cases=0), None),
}


def build(tmp_path: Path, case_note: str) -> Path:
    repo = make_repo(tmp_path, support_agent())
    v2 = commit(repo, {SYSTEM: V2}, "Shorter system prompt (#2)", push=True)
    v2_note = note(V1, V2, (0.55, 0.8), pass_interval={"low": 0.7, "high": 0.88, "confidence": 0.95})
    git(repo, "notes", "--ref=promptops", "add", "-m", v2_note, v2)
    v3 = commit(repo, {SYSTEM: V3}, "Kinder system prompt (#3)", push=True)
    git(repo, "notes", "--ref=promptops", "add", "-m", case_note, v3)
    return repo


def pct(value: float) -> str:
    return f"{100 * value:.0f}%"


@pytest.mark.parametrize("name", list(CASES_BY_NAME))
def test_the_dashboard_and_the_chart_show_the_side_that_measured_the_version(
    tmp_path: Path, name: str
) -> None:
    case = CASES_BY_NAME[name]
    repo = build(tmp_path, case.note)

    board = run_cli(repo, "dashboard", "--json", "--no-fetch")
    markdown = run_cli(repo, "dashboard", "--markdown", "--no-fetch")
    chart = run_cli(repo, "history", "support-agent/system", "--chart", "--no-fetch")

    assert board.exit_code == markdown.exit_code == chart.exit_code == 0, board.stderr + chart.stderr
    [system] = [p for a in json.loads(board.stdout)["agents"] for p in a["prompts"] if p["path"] == SYSTEM]
    last = system["last_eval"]
    version, (rate, low, high) = ("v3", case.v3) if case.v3 else ("v2", V2_FIGURE)
    repeats = case.repeats if case.v3 else REPEATS
    assert (f"v{last['version']}", last["cases"], last["repeats"]) == (version, CASES, repeats)
    assert (last["pass_rate"], last["low"], last["high"]) == (rate, low, high)
    older = "" if version == "v3" else " (current is v3)"
    row = f"| last eval | {pct(rate)} pass (95% CI {pct(low)}–{pct(high)}) on {version}{older}, "
    assert row in markdown.stdout

    drawn = {"v2": V2_FIGURE, **({"v3": case.v3} if case.v3 else {})}
    points = {
        p["label"]: (p["pass_rate"], p["low"], p["high"])
        for p in system["points"]
        if p["pass_rate"] is not None
    }
    assert points == drawn
    [rates, _tokens] = xycharts(chart.stdout)
    assert rates["xAxis"]["categories"] == list(drawn)  # v1 (and an unmeasured v3) left off
    bar, lows, highs = ([value for _, value in plot["data"]] for plot in rates["plots"])
    assert bar == [round(100 * f[0], 1) for f in drawn.values()]
    assert (lows, highs) == (
        [round(100 * f[1], 1) for f in drawn.values()],
        [round(100 * f[2], 1) for f in drawn.values()],
    )
    assert f"Not drawn, no eval: v1{'' if case.v3 else ', v3'}." in chart.stdout
    assert chart.stdout.strip() in markdown.stdout  # the dashboard draws the same charts
