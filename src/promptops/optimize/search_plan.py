"""How the search splits its budget between selection and confirmation.

Confirmation runs the winner and the base on every case the budget pays for (the more
cases, the more power); selection only has to rank the candidates well enough. The plan
gives selection the largest halving schedule whose calls beyond what the confirmation
would pay for anyway (the base and the winner on the same dev cases) fit in
`screen_share` of the budget, or more when the confirmation can still cover every case.
`bench/optimizer_budget.py` chose the share by measurement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Schedule:
    """A successive-halving schedule: its first batch, its last rung's cases, its samples."""

    first: int
    last: int
    samples: int  # (prompt, case) samples, the base included


@cache  # pure, and the planners ask for the same schedules again and again
def halving_schedule(candidates: int, first: int, total: int) -> Schedule:
    """The samples `Search.run_round` uses when it starts with `first` dev cases (the rung
    with two or fewer candidates left is the last)."""
    cost, have, alive, size = 0, 0, candidates, first
    while True:
        size = min(size, total)
        cost += (alive + 1) * (size - have)
        if alive <= 2 or size >= total:
            return Schedule(first, size, cost)
        have, alive, size = size, math.ceil(alive / 2), size * 2


def plan_selection(
    calls_left: int,
    per_sample: int,
    candidates: int,
    dev_cases: int,
    all_cases: int,
    first_batch: int,
    screen_share: float,
) -> Schedule:
    """The selection schedule for `calls_left` calls (see the module docstring); at least
    the smallest one, which `minimum_search_calls` checked is affordable."""
    floor = halving_schedule(candidates, min(first_batch, dev_cases), dev_cases)
    for first in range(dev_cases, floor.first, -1):
        plan = halving_schedule(candidates, first, dev_cases)
        cost = plan.samples * per_sample
        confirm_rest = 2 * (all_cases - plan.last) * per_sample
        extra = cost - 2 * plan.last * per_sample
        if cost + 2 * first_batch * per_sample > calls_left:
            continue
        if extra <= screen_share * calls_left or cost + confirm_rest <= calls_left:
            return plan
    return floor


def minimum_search_calls(
    per_sample: int, candidates: int, dev_cases: int, holdout_cases: int, first_batch: int = 4
) -> int:
    """The smallest call budget a search can work with: the base and every candidate on a
    first batch of dev cases, then the base and one candidate on as many more cases."""
    first = min(first_batch, dev_cases)
    return per_sample * ((candidates + 1) * first + 2 * min(first_batch, holdout_cases))
