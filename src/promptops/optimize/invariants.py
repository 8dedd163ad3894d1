"""The invariants guard: reject a candidate before it costs any evaluation.

An agent declares what its prompts must keep (`invariants` in agent.yaml). A variant
that drops a required phrase, changes the template variables, grows past the token
limit, or is the base (or another candidate) again with different spacing would only
waste eval calls, or worse, win on cases that do not exercise what it broke.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from promptops.repo.tokens import count_tokens

VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*\}\}")


class InvariantsLike(Protocol):
    """What the guard reads of `promptops.repo.agents.Invariants`."""

    must_contain: tuple[str, ...]
    variables: tuple[str, ...]
    max_tokens: int | None


@dataclass(frozen=True)
class GuardResult:
    """Whether a candidate may be evaluated, and every reason it may not."""

    ok: bool
    reasons: tuple[str, ...]
    tokens: int

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "reasons": list(self.reasons), "tokens": self.tokens}


def template_variables(text: str) -> set[str]:
    """The `{{name}}` variables a text uses (spaces inside the braces ignored)."""
    return set(VARIABLE.findall(text))


def comparable(text: str) -> str:
    """The form two texts are compared in: case-folded, whitespace runs collapsed."""
    return " ".join(text.casefold().split())


def check_candidate(
    text: str,
    base_text: str,
    invariants: InvariantsLike,
    *,
    others: Mapping[str, str] | None = None,
    required_variables: Iterable[str] = (),
    other_tokens: int = 0,
) -> GuardResult:
    """Check `text` against the invariants, the base and the already accepted candidates.

    A `must_contain` phrase is required only when the base has it (the invariant is that
    it is *kept*; an agent-wide phrase need not appear in every prompt of the agent), and
    matches exactly, as `promptops lint` checks it. `required_variables` are the declared
    variables of a user template; the candidate must use exactly the base's variables
    either way. `max_tokens` is the agent's budget for all its prompts in one request
    (as lint counts it), so `other_tokens` are those of the prompts not being changed.
    """
    reasons = [
        *_missing_phrases(text, base_text, invariants.must_contain),
        *_variable_changes(text, base_text, required_variables),
        *_sameness(text, base_text, others or {}),
    ]
    tokens = count_tokens(text)
    if invariants.max_tokens is not None and tokens + other_tokens > invariants.max_tokens:
        reasons.append(
            f"the agent's prompts would use {tokens + other_tokens} tokens ({tokens} in this one), "
            f"over invariants.max_tokens {invariants.max_tokens}"
        )
    if not text.strip():
        reasons.insert(0, "the text is empty")
    return GuardResult(ok=not reasons, reasons=tuple(reasons), tokens=tokens)


def _missing_phrases(text: str, base_text: str, phrases: Iterable[str]) -> list[str]:
    return [
        f"drops required phrase {phrase!r} (invariants.must_contain)"
        for phrase in phrases
        if phrase in base_text and phrase not in text
    ]


def _variable_changes(text: str, base_text: str, required: Iterable[str]) -> list[str]:
    used, expected = template_variables(text), template_variables(base_text) | set(required)
    reasons = []
    if missing := sorted(expected - used):
        reasons.append("drops template variable(s) " + ", ".join(f"{{{{{v}}}}}" for v in missing))
    if added := sorted(used - expected):
        reasons.append("adds template variable(s) " + ", ".join(f"{{{{{v}}}}}" for v in added))
    return reasons


def _sameness(text: str, base_text: str, others: Mapping[str, str]) -> list[str]:
    mine = comparable(text)
    if mine == comparable(base_text):
        return ["identical to the base after whitespace/case normalisation"]
    for label, other in others.items():
        if mine == comparable(other):
            return [f"identical to candidate {label} after whitespace/case normalisation"]
    return []


def guard_all(
    texts: Mapping[str, str],
    base_text: str,
    invariants: InvariantsLike,
    *,
    required_variables: Iterable[str] = (),
    accepted: Mapping[str, str] | None = None,
    other_tokens: int = 0,
) -> dict[str, GuardResult]:
    """Guard texts (by label) in order; each is compared with the earlier accepted ones.

    `accepted` holds candidates of earlier rounds that new ones must differ from too.
    """
    kept: dict[str, str] = dict(accepted or {})
    results = {}
    for label, text in texts.items():
        result = check_candidate(
            text,
            base_text,
            invariants,
            others=kept,
            required_variables=required_variables,
            other_tokens=other_tokens,
        )
        if result.ok:
            kept[label] = text
        results[label] = result
    return results
