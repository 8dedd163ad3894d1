"""Invariants with several `must_contain` phrases: every phrase is checked, each one named."""

from __future__ import annotations

from promptops.optimize.invariants import check_candidate
from tests.optimize.prompts import Invariants

BASE = "Follow the refund policy. Never share card numbers. Escalate legal threats to a human.\n"
PHRASES = ("refund policy", "Never share card numbers", "Escalate legal threats")
INV = Invariants(must_contain=PHRASES, variables=(), max_tokens=None)


def test_keeping_every_phrase_passes() -> None:
    text = "Be brief. Follow the refund policy. Never share card numbers. Escalate legal threats.\n"
    assert check_candidate(text, BASE, INV).ok


def test_dropping_any_one_phrase_is_rejected_whichever_it_is() -> None:
    for dropped in PHRASES:
        text = BASE.replace(dropped, "do your best")
        result = check_candidate(text, BASE, INV)
        assert not result.ok, dropped
        assert result.reasons == (f"drops required phrase {dropped!r} (invariants.must_contain)",)


def test_dropping_several_names_each_in_order() -> None:
    text = "Follow the refund policy. Be kind.\n"
    assert check_candidate(text, BASE, INV).reasons == (
        "drops required phrase 'Never share card numbers' (invariants.must_contain)",
        "drops required phrase 'Escalate legal threats' (invariants.must_contain)",
    )


def test_only_the_phrases_the_base_has_are_required() -> None:
    base = "Follow the refund policy.\n"
    assert check_candidate("Follow the refund policy, briefly.\n", base, INV).ok
    assert not check_candidate("Be brief.\n", base, INV).ok
