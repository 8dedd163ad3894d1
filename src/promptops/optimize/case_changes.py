"""Which holdout cases changed outcome between the base and the confirmed candidate.

Recorded in the session (`holdout.case_changes`) so a report made later from the session
file alone (`promptops pr --session`) can list them; the statistics keep only counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from promptops.optimize.search_records import ResultLike


def holdout_case_changes(base: Sequence[ResultLike], candidate: Sequence[ResultLike]) -> list[dict[str, Any]]:
    """`{case_id, base, variant, note}` for each case whose outcome differs, in case order.

    An outcome is `pass`, `fail` or `error` when every repeat agrees, else `2/3 pass`; the
    note is why the side that got worse failed (an assertion's reason, or the error).
    """
    base_by, cand_by = _by_case(base), _by_case(candidate)
    changes = []
    for case_id in base_by:
        if case_id not in cand_by:
            continue
        before, after = _outcome(base_by[case_id]), _outcome(cand_by[case_id])
        if before != after:
            worse = (
                cand_by[case_id]
                if _passes(cand_by[case_id]) < _passes(base_by[case_id])
                else base_by[case_id]
            )
            changes.append({"case_id": case_id, "base": before, "variant": after, "note": _why(worse)})
    return changes


def _by_case(results: Sequence[ResultLike]) -> dict[str, list[ResultLike]]:
    grouped: dict[str, list[ResultLike]] = defaultdict(list)
    for result in sorted(results, key=lambda r: (r.case_id, r.repeat_index)):
        grouped[result.case_id].append(result)
    return grouped


def _passes(results: list[ResultLike]) -> int:
    return sum(r.passed is True for r in results)


def _outcome(results: list[ResultLike]) -> str:
    statuses = {"error" if r.passed is None else "pass" if r.passed else "fail" for r in results}
    if len(statuses) == 1:
        return statuses.pop()
    return f"{_passes(results)}/{len(results)} pass"


def _why(results: list[ResultLike]) -> str:
    for result in results:
        if result.passed is True:
            continue
        error = getattr(result, "error", None)
        if error:
            return str(error)
        for assertion in getattr(result, "assertions", ()):
            if assertion.passed is False:
                return f"{assertion.type}: {assertion.reason}"
    return ""
