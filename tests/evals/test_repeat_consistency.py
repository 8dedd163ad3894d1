"""Per-case flakiness and pass^k: what a pass rate over repeats hides."""

from promptops.evals.summary import consistency


def test_flaky_cases_and_pass_all_repeats() -> None:
    outcomes = [
        ("steady-pass", True), ("steady-pass", True), ("steady-pass", True),
        ("flaky", True), ("flaky", False), ("flaky", True),
        ("steady-fail", False), ("steady-fail", False), ("steady-fail", False),
        ("errored-once", True), ("errored-once", None), ("errored-once", True),
    ]  # fmt: skip
    result = consistency(outcomes)
    assert result.repeats == 3
    # an error is not a pass: the case passed some repeats and not others
    assert result.flaky_cases == 2
    assert result.pass_all_repeats == 1 / 4


def test_one_repeat_has_no_pass_k() -> None:
    result = consistency([("a", True), ("b", False)])
    assert (result.repeats, result.flaky_cases, result.pass_all_repeats) == (1, 0, None)
