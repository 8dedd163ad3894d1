"""The Mermaid charts promptops writes, read back by Mermaid's own parser: what GitHub would draw."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.charts import VersionPoint, rollout_chart, version_charts
from promptops.markdown import open_fence
from tests.mermaid_parse import parse_mermaid, values, xycharts

POINTS = [
    VersionPoint("v3", 0.8, 0.7, 0.88, 412),
    VersionPoint("v4", None, None, None, 388),  # merged without an eval
    VersionPoint("v5", 0.85, 0.76, 0.91, 301),
    VersionPoint("v6", 0.62, 0.5, 0.73, None),  # deleted at v6: no token count
]


def test_pass_rate_with_its_interval_and_tokens_leave_off_what_was_not_measured() -> None:
    markdown = version_charts("support-agent/system", POINTS)

    rates, tokens = xycharts(markdown)
    assert rates["title"] == "support-agent/system pass rate, v3-v6"
    assert rates["xAxis"]["categories"] == ["v3", "v5", "v6"]  # v4 is not drawn as 0 %
    y_axis = rates["yAxis"]
    assert (y_axis["min"], y_axis["max"], y_axis["title"]) == (0, 100, "pass rate (%)")
    assert values(rates) == [("bar", [80, 85, 62]), ("line", [70, 76, 50]), ("line", [88, 91, 73])]
    assert tokens["xAxis"]["categories"] == ["v3", "v4", "v5"]
    assert values(tokens) == [("bar", [412, 388, 301])]
    assert (tokens["yAxis"]["min"], tokens["yAxis"]["max"]) == (0, 500)  # from 0, up to a round number
    assert "Not drawn, no eval: v4." in markdown
    assert "Not drawn, file deleted: v6." in markdown


def test_no_eval_at_all_draws_no_pass_rate_chart_and_says_so() -> None:
    points = [VersionPoint(f"v{n}", None, None, None, 100 * n) for n in (1, 2)]
    markdown = version_charts("support-agent/system", points)

    (tokens,) = xycharts(markdown)
    assert values(tokens) == [("bar", [100, 200])]
    assert markdown.startswith("_No eval of support-agent/system in v1-v2: no pass-rate chart._")


def test_only_the_newest_versions_are_drawn() -> None:
    points = [VersionPoint(f"v{n}", 0.5, 0.4, 0.6, 10 * n) for n in range(1, 31)]

    rates, tokens = xycharts(version_charts("a/b", points, last=12))

    assert rates["xAxis"]["categories"] == [f"v{n}" for n in range(19, 31)]
    assert values(tokens)[0][1][-1] == 300


HOSTILE = (
    'evil"\n    bar [1]\n%%{init: {"theme": "dark"}}%%\n```\n<img src=x onerror=alert(1)> #quot; `" @octocat'
)


def test_hostile_ids_stay_text_in_the_title_and_cannot_close_the_fence() -> None:
    markdown = version_charts(HOSTILE, POINTS[:1])

    assert open_fence(markdown) is None and markdown.count("```") == 4  # two fences, each closed
    rates, tokens = xycharts(markdown)
    for chart in (rates, tokens):
        title = chart["title"]
        assert title.startswith("evil_ bar _1_ %_init: __theme_: _dark___% ___ _img src=x …")
        assert title.endswith((" pass rate, v3", " tokens, v3"))  # the id is cut, what is drawn stays
        assert not set(title) & set('"`<>#;&[]{}\n')
        assert len(chart["plots"]) == (3 if chart is rates else 1)  # nothing smuggled in
    caption = version_charts(HOSTILE, [VersionPoint("v1", None, None, None, None)])
    assert caption.count("\n") == 0 and "<img" not in caption and "@octocat" not in caption
    assert caption.startswith("_No eval of evil") and open_fence(caption) is None


def test_a_running_rollout_shows_its_plan_and_the_current_step() -> None:
    (chart,) = xycharts(rollout_chart("support-agent/system", (5, 25, 50, 100), 25, next_weight=50))

    assert chart["title"] == "support-agent/system rollout at 25% (step 2 of 4)"
    assert chart["xAxis"]["categories"] == ["1: 5%", "2: 25% now", "3: 50% next", "4: 100%"]
    assert values(chart) == [("bar", [5, 25, 0, 0]), ("line", [5, 25, 50, 100])]
    assert (chart["yAxis"]["min"], chart["yAxis"]["max"]) == (0, 100)


def test_an_aborted_rollout_has_no_bars_and_says_it_stopped() -> None:
    (chart,) = xycharts(rollout_chart("support-agent/system", (2.5, 25, 100), 0))

    assert chart["title"] == "support-agent/system rollout stopped at 0% (aborted)"
    assert chart["xAxis"]["categories"] == ["1: 2.5%", "2: 25%", "3: 100%"]
    assert values(chart) == [("bar", [0, 0, 0]), ("line", [2.5, 25, 100])]


BROKEN = [
    'xychart-beta\n    title "a"b"\n    x-axis [v1, v2]\n    bar [1, 2]',  # a quote inside a quoted title
    "xychart-beta\n    x-axis [v1, v2]\n    bar [1, , 2]",  # a missing value
    "xychart-beta\n    x-axis [v1, v2]\n    bar []",  # an empty series
    "xychart-beta\n    x-axis [v1, v2]\n    bar [1e3, 2]",  # an exponent
]


def test_the_parser_rejects_broken_charts() -> None:
    results = parse_mermaid(*BROKEN)

    assert [r["ok"] for r in results] == [False] * len(BROKEN)
    assert all("Parse error" in r["error"] for r in results)


def test_the_chart_check_fails_on_a_broken_or_lopsided_chart() -> None:
    with pytest.raises(AssertionError, match="Mermaid cannot parse"):
        xycharts(f"```mermaid\n{BROKEN[1]}\n```")
    lopsided = "xychart-beta\n    x-axis [v1, v2, v3]\n    bar [1, 2]"  # parses; v3 would have no bar
    with pytest.raises(AssertionError, match="a category without a value"):
        xycharts(f"```mermaid\n{lopsided}\n```")


def test_a_point_without_a_pass_rate_cannot_carry_an_interval() -> None:
    with pytest.raises(ValueError, match="interval without a pass rate"):
        VersionPoint("v1", None, 0.2, 0.4, 10)
    with pytest.raises(ValueError, match="low <= pass rate <= high"):
        VersionPoint("v1", 0.9, 0.2, 0.4, 10)


def test_the_charts_in_the_docs_are_what_mermaid_reads() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    text = "\n".join((docs / name).read_text("utf-8") for name in ("commands.md", "github-actions.md"))

    charts = xycharts(text)

    titles = [c["title"] for c in charts]
    assert "support-agent/system rollout at 25% (step 2 of 4)" in titles
    assert {"support-agent/system pass rate, v1-v2", "support-agent/system tokens, v1-v2"} <= set(titles)
