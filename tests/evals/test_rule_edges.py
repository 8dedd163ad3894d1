"""Edges of the pass rules: the judge at exactly its threshold, is-json on prose with JSON in it."""

from __future__ import annotations

from pathlib import Path

from promptops.evals.assertions import AssertionSpec, evaluate
from promptops.llm.types import Completion
from tests.evals.test_judge import judged


def test_with_a_threshold_the_score_decides_and_the_threshold_itself_passes(tmp_path: Path) -> None:
    # the "strict" case has threshold 0.9: a score of exactly 0.9 passes, whatever the judge's flag
    at, _ = judged(tmp_path / "at", {"pass": False, "score": 0.9, "reason": "borderline"})
    assert at["strict"].passed is True
    below, _ = judged(tmp_path / "below", {"pass": True, "score": 0.89, "reason": "close"})
    assert below["strict"].passed is False


def test_without_a_threshold_the_judges_own_flag_decides_not_its_score(tmp_path: Path) -> None:
    flag_no, _ = judged(tmp_path / "no", {"pass": False, "score": 1.0, "reason": "misses the policy"})
    assert flag_no["plain"].passed is False and flag_no["plain"].score == 1.0
    flag_yes, _ = judged(tmp_path / "yes", {"pass": True, "score": 0.0, "reason": "cites it"})
    assert flag_yes["plain"].passed is True


def spec(kind: str) -> AssertionSpec:
    return AssertionSpec(type=kind, negate=False, value=None, origin="cases[0].assert[0]")


def test_is_json_fails_on_prose_that_contains_json_and_contains_json_passes() -> None:
    prose = Completion(text='Sure! Here is the order: {"order_id": "A1"} Anything else?')
    assert evaluate(spec("is-json"), prose).passed is False
    assert evaluate(spec("contains-json"), prose).passed is True
    fenced = Completion(text='```json\n{"order_id": "A1"}\n```')
    assert evaluate(spec("is-json"), fenced).passed is False
    assert evaluate(spec("is-json"), Completion(text=' {"order_id": "A1"}\n')).passed is True


def test_equals_a_json_value_fails_on_output_that_is_not_json() -> None:
    """Found by mutation testing: a non-JSON output must fail, not slip through as truthy."""
    spec_ = AssertionSpec(type="equals", negate=False, value={"a": 1}, origin="cases[0].assert[0]")
    result = evaluate(spec_, Completion(text="a: 1"))
    assert result.passed is False
    assert result.reason.startswith('output is not JSON, so not equal to {"a": 1}')
