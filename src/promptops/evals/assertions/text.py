"""Assertions on the output's text: equality, substrings, regexes, word and character counts."""

from __future__ import annotations

import json
import re
from typing import Any

from promptops.evals.assertions.base import AssertionKind, Check, any_value, count, no_value, regex, show
from promptops.evals.assertions.base import string as _string
from promptops.evals.assertions.base import string_list as _string_list
from promptops.llm.types import Completion


def check_equals(value: Any, out: Completion) -> Check:
    if isinstance(value, dict | list):
        try:
            parsed = json.loads(out.text)
        except ValueError:
            return Check(False, f"output is not JSON, so not equal to {json.dumps(value)}")
        return Check(
            parsed == value,
            "output JSON equals the expected value"
            if parsed == value
            else "output JSON differs from the expected value",
        )
    expected = _string(value)
    ok = out.text.strip() == expected.strip()
    return Check(
        ok, f"output {'equals' if ok else 'is not'} {expected!r}" + ("" if ok else f": {show(out.text)}")
    )


def _contains(value: Any, out: Completion, fold: bool) -> Check:
    needle, text = _string(value), out.text
    found = needle.casefold() in text.casefold() if fold else needle in text
    return Check(found, f"{'found' if found else 'did not find'} {needle!r} in the output")


def _contains_many(value: tuple[str, ...], out: Completion, fold: bool, need_all: bool) -> Check:
    text = out.text.casefold() if fold else out.text
    found = [v for v in value if (v.casefold() if fold else v) in text]
    missing = [v for v in value if v not in found]
    if need_all:
        return Check(not missing, "found all of them" if not missing else f"missing {missing}")
    return Check(bool(found), f"found {found}" if found else f"found none of {list(value)}")


def check_starts_with(value: Any, out: Completion) -> Check:
    prefix = _string(value)
    ok = out.text.lstrip().startswith(prefix)
    return Check(ok, f"output {'starts' if ok else 'does not start'} with {prefix!r}")


def check_regex(value: re.Pattern[str], out: Completion) -> Check:
    match = value.search(out.text)
    if match:
        return Check(True, f"/{value.pattern}/ matched {match.group(0)!r}")
    return Check(False, f"/{value.pattern}/ did not match {show(out.text)}")


def word_bounds(value: Any) -> tuple[int | None, int | None]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, dict) and value and set(value) <= {"min", "max"}:
        low, high = value.get("min"), value.get("max")
        for bound in (low, high):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int) or bound < 0):
                raise ValueError(f"word-count bounds must be non-negative integers, got {bound!r}")
        if low is not None and high is not None and low > high:
            raise ValueError(f"word-count min {low} is greater than max {high}")
        return low, high
    raise ValueError(f"value must be a number of words or {{min: N, max: M}}, got {value!r}")


def check_word_count(value: tuple[int | None, int | None], out: Completion) -> Check:
    low, high = value
    words = len(out.text.split())
    ok = (low is None or words >= low) and (high is None or words <= high)
    bounds = (
        f"{low}" if low == high else f"[{low if low is not None else 0}, {high if high is not None else '∞'}]"
    )
    return Check(ok, f"{words} words, expected {bounds}")


def check_not_empty(value: None, out: Completion) -> Check:
    ok = bool(out.text.strip())
    return Check(ok, "output has text" if ok else "output is empty or only whitespace")


def check_min_length(value: int, out: Completion) -> Check:
    n = len(out.text)
    return Check(n >= value, f"{n} characters, expected at least {value}")


def check_max_length(value: int, out: Completion) -> Check:
    n = len(out.text)
    return Check(n <= value, f"{n} characters, expected at most {value}")


KINDS = (
    AssertionKind("equals", any_value, check_equals),
    AssertionKind("contains", _string, lambda v, o: _contains(v, o, fold=False)),
    AssertionKind("icontains", _string, lambda v, o: _contains(v, o, fold=True)),
    AssertionKind("contains-any", _string_list, lambda v, o: _contains_many(v, o, False, False)),
    AssertionKind("contains-all", _string_list, lambda v, o: _contains_many(v, o, False, True)),
    AssertionKind("icontains-any", _string_list, lambda v, o: _contains_many(v, o, True, False)),
    AssertionKind("icontains-all", _string_list, lambda v, o: _contains_many(v, o, True, True)),
    AssertionKind("starts-with", _string, check_starts_with),
    AssertionKind("regex", regex, check_regex),
    AssertionKind("word-count", word_bounds, check_word_count),
    AssertionKind("not-empty", no_value, check_not_empty),
    AssertionKind("min-length", lambda v: count(v, "min-length (characters)"), check_min_length),
    AssertionKind("max-length", lambda v: count(v, "max-length (characters)"), check_max_length),
)
