"""The settings a verdict is made with come from .promptops.yaml; the verdict's JSON is complete."""

from __future__ import annotations

import json
from pathlib import Path

from promptops.config import load_config
from promptops.stats import DecisionSettings, compare
from tests.stats.test_decision import arms


def test_settings_come_from_the_repositorys_decision_section(tmp_path: Path) -> None:
    (tmp_path / ".promptops.yaml").write_text(
        "decision: {alpha: 0.01, min_success_delta: 0.03, min_token_reduction_pct: 20,"
        " min_latency_reduction_pct: 7.5}\n",
        encoding="utf-8",
    )
    settings = DecisionSettings.from_config(load_config(tmp_path))
    assert settings == DecisionSettings(
        alpha=0.01, min_success_delta=0.03, min_token_reduction_pct=20.0, min_latency_reduction_pct=7.5
    )
    assert settings.confidence == 0.99
    assert DecisionSettings.from_config(load_config(tmp_path / "none")) == DecisionSettings()


def test_verdict_json_carries_outcome_headline_and_reasons() -> None:
    verdict = compare(*arms(14, 1, 3, 2), "accuracy", DecisionSettings())
    data = json.loads(json.dumps(verdict.to_dict(), allow_nan=False))
    assert set(data) == {
        "outcome",
        "headline",
        "goal",
        "needed_samples",
        "needed_open_ended",
        "reasons",
        "figures",
    }
    assert data["outcome"] == "inconclusive" and data["goal"] == "accuracy"
    assert data["headline"] == verdict.headline and data["needed_samples"] == verdict.needed_samples > 0
    assert data["needed_open_ended"] is False
    assert data["reasons"] == verdict.reasons and data["reasons"][0].startswith("pass rate")
    assert data["figures"]["all_cases"]["counts"] == {
        "both_pass": 14, "both_fail": 2, "only_base": 1, "only_candidate": 3,
    }  # fmt: skip
