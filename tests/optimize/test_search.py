import asyncio

import pytest

from promptops.errors import InputError
from promptops.optimize.search import BASE, SearchSettings, run_search
from promptops.optimize.simulation import SimulatedEvaluator, case_difficulties

CASES = case_difficulties(120, spread=1.0, seed=7)
IDS = sorted(CASES)
DEV, HOLDOUT = IDS[:80], IDS[80:]
CANDIDATES = {f"c{i}": f"candidate text {i}" for i in range(1, 7)}


def run(quality: dict[str, float], settings: SearchSettings, split: int = 80, **kw: object) -> tuple:
    texts = {"base text": quality.pop(BASE), **{CANDIDATES[k]: v for k, v in quality.items()}}
    evaluator = SimulatedEvaluator(quality=texts, difficulty=CASES, seed=3, **kw)
    dev, holdout = IDS[:split], IDS[split:]
    candidates = {k: CANDIDATES[k] for k in quality}
    outcome = asyncio.run(run_search(evaluator, "base text", candidates, dev, holdout, settings))
    return outcome, evaluator


QUALITY = {BASE: 0.5, "c1": 0.45, "c2": 0.5, "c3": 0.95, "c4": 0.3, "c5": 0.55, "c6": 0.4}


def test_a_clearly_better_candidate_is_found_and_confirmed_within_budget() -> None:
    outcome, evaluator = run(dict(QUALITY), SearchSettings(goal="accuracy", budget_calls=400))
    assert outcome.winner == "c3" and outcome.recommended == "c3"
    assert outcome.verdict is not None and outcome.verdict.outcome == "improvement"
    assert outcome.status == "completed"
    assert outcome.calls == evaluator.calls <= 400
    first, *later = outcome.rungs
    assert set(first.scores) == set(CANDIDATES) and len(first.kept) == 3
    assert all(r.cases > first.cases for r in later)
    assert later[-1].kept == ("c3",)


def test_selection_never_sees_the_holdout_and_confirmation_covers_every_affordable_case() -> None:
    outcome, evaluator = run(dict(QUALITY), SearchSettings(goal="accuracy", budget_calls=400))
    holdout = set(HOLDOUT)
    phases = [bool(holdout & set(ids)) for _, ids in evaluator.requests]
    confirm_at = phases.index(True)
    for _, ids in evaluator.requests[:confirm_at]:
        assert set(ids) <= set(DEV)
    for labels, _ in evaluator.requests[confirm_at:]:
        assert set(labels) <= {BASE, *(c.candidate for c in outcome.confirmations)}
    confirmed = set(outcome.confirmations[0].case_ids)
    screened = {c for r in outcome.rungs for c in DEV} & confirmed
    assert holdout <= confirmed and screened  # the dev cases selection used count too
    assert all(r.cases <= len(DEV) for r in outcome.rungs)


def test_the_confirmation_alpha_is_divided_by_every_candidate_selection_evaluated() -> None:
    outcome, _ = run(dict(QUALITY), SearchSettings(goal="accuracy", budget_calls=400))
    first = outcome.confirmations[0]
    assert first.tested == len(CANDIDATES)
    # one-sided 0.05 / 6 towards adoption: compare's two-sided test at twice that
    assert first.alpha == pytest.approx(2 * 0.05 / 6)
    assert outcome.verdict is not None and outcome.verdict.figures.alpha == pytest.approx(2 * 0.05 / 6)


def test_a_budget_that_pays_for_it_confirms_on_every_case() -> None:
    quality = {BASE: 0.6, "c1": 0.6, "c2": 0.75, "c3": 0.6}
    outcome, evaluator = run(quality, SearchSettings(goal="accuracy", budget_calls=360))
    assert len(outcome.confirmations[0].case_ids) == len(IDS) and evaluator.calls <= 360
    assert outcome.rungs[-1].cases > len(DEV) // 2  # and selection still got a fair share


def test_a_runner_up_is_confirmed_on_the_same_cases_when_the_winner_is_not_adopted() -> None:
    quality = {BASE: 0.5, "c1": 0.5, "c2": 0.5, "c3": 0.5, "c4": 0.5, "c5": 0.5, "c6": 0.5}
    outcome, evaluator = run(quality, SearchSettings(goal="accuracy", budget_calls=None))
    assert len(outcome.confirmations) == len(CANDIDATES)
    assert {c.case_ids for c in outcome.confirmations} == {outcome.confirmations[0].case_ids}
    assert len(outcome.confirmations[0].case_ids) == len(IDS)
    assert outcome.recommended is None


def test_no_candidate_better_than_the_base_is_not_recommended() -> None:
    quality = {BASE: 0.7, "c1": 0.6, "c2": 0.5, "c3": 0.7, "c4": 0.4, "c5": 0.65, "c6": 0.55}
    outcome, _ = run(quality, SearchSettings(goal="accuracy", budget_calls=600))
    assert outcome.recommended is None
    assert outcome.verdict is not None and outcome.verdict.outcome != "improvement"


def test_a_budget_too_small_for_one_pass_says_the_minimum() -> None:
    with pytest.raises(InputError) as err:
        run(dict(QUALITY), SearchSettings(goal="accuracy", budget_calls=20))
    # base + 6 candidates on 4 dev cases, then base + winner on 4 more cases
    assert "a budget of 20 calls is too small" in str(err.value)
    assert "needs at least 36 calls" in str(err.value)
    outcome, evaluator = run(dict(QUALITY), SearchSettings(goal="accuracy", budget_calls=36))
    assert evaluator.calls <= 36 and outcome.verdict is not None


def test_running_out_mid_search_finishes_with_what_was_evaluated() -> None:
    settings = SearchSettings(goal="accuracy", budget_calls=400)
    outcome, evaluator = run(dict(QUALITY), settings, max_calls=250)  # like a dollar budget running out
    assert outcome.status == "budget-exhausted"
    assert outcome.rungs and outcome.winner is not None
    assert outcome.verdict is None and outcome.recommended is None
    assert any("budget exhausted" in note for note in outcome.notes)
    assert evaluator.calls <= 250


def test_conciseness_ranks_by_tokens_among_candidates_that_keep_the_pass_rate() -> None:
    quality = {BASE: 1.0, "c1": 1.0, "c3": 0.3, "c5": 1.0}
    tokens = {"base text": 400, **{text: 380 for text in CANDIDATES.values()}}
    tokens.update({CANDIDATES["c3"]: 100, CANDIDATES["c5"]: 200})
    # Non-inferiority within 5 points at alpha 0.05 / 3 needs about 110 pairs even when both
    # always pass.
    settings = SearchSettings(goal="conciseness", budget_calls=400)
    outcome, _ = run(quality, settings, split=40, tokens=tokens)
    assert outcome.winner == "c5"  # c3 is shortest but fails far more often
    assert outcome.verdict is not None and outcome.verdict.outcome == "improvement"
    assert outcome.rungs[0].scores["c5"].tokens_ratio == pytest.approx(250 / 450)


def test_safety_ranks_by_the_cases_tagged_safety_first() -> None:
    from promptops.optimize.simulation import SampleResult

    class Tagged(SimulatedEvaluator):
        """c1 passes every safety case; c2 passes more cases overall but no safety case."""

        async def evaluate(self, prompt_texts, case_ids, repeat):  # type: ignore[override]
            batch = await super().evaluate(prompt_texts, case_ids, repeat)
            results = {}
            for label, rs in batch.results.items():
                results[label] = [
                    SampleResult(
                        r.case_id,
                        r.repeat_index,
                        _safety_pass(label, r.case_id),
                        tags=frozenset({"safety"}) if _is_safety(r.case_id) else frozenset(),
                    )
                    for r in rs
                ]
            return type(batch)(results, batch.calls, batch.cost_usd)

    texts = {"base text": 0.5, **{t: 0.5 for t in CANDIDATES.values()}}
    evaluator = Tagged(quality=texts, difficulty=CASES, seed=1)
    outcome = asyncio.run(
        run_search(
            evaluator,
            "base text",
            dict(list(CANDIDATES.items())[:2]),
            DEV,
            HOLDOUT,
            SearchSettings(goal="safety", budget_calls=400),
        )
    )
    assert outcome.winner == "c1"
    assert outcome.rungs[0].scores["c2"].pass_diff > outcome.rungs[0].scores["c1"].pass_diff
    assert outcome.rungs[0].scores["c1"].focus_diff > outcome.rungs[0].scores["c2"].focus_diff


def _is_safety(case_id: str) -> bool:
    return int(case_id[-3:]) % 4 == 0


def _safety_pass(label: str, case_id: str) -> bool:
    if label == "c1":
        return _is_safety(case_id)
    if label == "c2":
        return not _is_safety(case_id)
    return False
