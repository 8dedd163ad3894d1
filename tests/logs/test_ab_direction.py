"""A significantly worse candidate reads "regression", never "improvement"."""

from __future__ import annotations

from pathlib import Path

from promptops.logs.ab import run_ab
from tests.logs.logfiles import write_ab_logs


def test_a_worse_candidate_is_a_regression(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 6000, 0.88, 0.80)
    report = run_ab([logs.path], "support-agent/system", logs.base.version_id, logs.cand.version_id)
    assert report.difference.diff < 0 and report.sequential.p_value < 0.05
    assert report.outcome == "regression"
    assert "significantly lower" in report.reasons[1]
    assert "improvement" not in " ".join(report.reasons)


def test_a_better_candidate_is_an_improvement_and_the_sides_matter(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 6000, 0.80, 0.88)
    better = run_ab([logs.path], "support-agent/system", logs.base.version_id, logs.cand.version_id)
    assert better.outcome == "improvement" and "significantly higher" in better.reasons[1]
    swapped = run_ab([logs.path], "support-agent/system", logs.cand.version_id, logs.base.version_id)
    assert swapped.outcome == "regression"


def test_no_significant_difference_is_inconclusive(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 600, 0.80, 0.80, seed=5)
    report = run_ab([logs.path], "support-agent/system", logs.base.version_id, logs.cand.version_id)
    assert report.sequential.p_value >= 0.05 and report.outcome == "inconclusive"
