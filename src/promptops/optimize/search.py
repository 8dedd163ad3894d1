"""Budget-aware search: successive halving on the dev split, confirmation on the holdout.

Evaluating every candidate on every case (the seed's approach) spends most of the budget
on candidates that are visibly worse after a few cases, and picking the best mean of
several noisy candidates then overstates the winner (the winner's curse). Here:

1. all candidates and the base run on a small batch of dev cases; the better half
   (scored paired against the base on the same cases) goes on to a batch twice as large,
   and so on until one is left or the dev cases run out (successive halving,
   Jamieson & Talwalkar 2016);
2. only the winner and the base run on the holdout cases, which selection never saw,
   and `promptops.stats.compare` decides on those alone.

The search talks to an abstract `Evaluator`, so the same code runs against the eval
engine (see `promptops.optimize.evaluator`) and the simulated candidates of the benchmark.
Results are kept per (prompt, case, repeat) and never re-requested, so the base is paid
for once per case, and a candidate carried into a later round keeps its results.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

from promptops.errors import InputError
from promptops.llm.errors import BudgetExceeded
from promptops.optimize.search_records import (
    BASE,
    DevScore,
    Evaluator,
    ResultStore,
    Rung,
    SearchOutcome,
    SearchSettings,
    Spend,
)
from promptops.stats import Verdict, compare, paired_arms


class Search:
    """One optimization's search state: texts, results, budget, and the dev/holdout split."""

    def __init__(
        self,
        evaluator: Evaluator,
        base_text: str,
        dev_ids: Sequence[str],
        holdout_ids: Sequence[str],
        settings: SearchSettings,
    ) -> None:
        overlap = set(dev_ids) & set(holdout_ids)
        if overlap:
            raise ValueError(f"dev and holdout share cases: {sorted(overlap)[:5]}")
        self.evaluator = evaluator
        self.settings = settings
        self.texts: dict[str, str] = {BASE: base_text}
        self.dev_ids = _shuffled(dev_ids, settings.seed)
        self.holdout_ids = _shuffled(holdout_ids, settings.seed + 1)
        self.store = ResultStore()
        self.budget = Spend(settings)
        self.rungs: list[Rung] = []
        self.notes: list[str] = []
        self.exhausted = False

    @property
    def per_sample(self) -> int:
        return self.evaluator.calls_per_sample * self.settings.repeat

    def holdout_size(self) -> int:
        """Holdout cases the confirmation uses: all of them, unless the call budget would
        then leave too little for selection (at most `holdout_share` of it)."""
        total = len(self.holdout_ids)
        if self.settings.budget_calls is None:
            return total
        share = int(self.settings.budget_calls * self.settings.holdout_share) // (2 * self.per_sample)
        return min(total, max(share, min(self.settings.first_batch, total)))

    def confirmation_size(self) -> int:
        """The planned holdout size, or more if the budget has room left."""
        planned = self.holdout_size()
        if self.settings.budget_calls is None:
            return planned
        spare = (self.settings.budget_calls - self.budget.calls) // (2 * self.per_sample)
        return min(len(self.holdout_ids), max(planned, spare))

    def minimum_calls(self, candidates: int) -> int:
        return minimum_search_calls(
            self.per_sample, candidates, len(self.dev_ids), len(self.holdout_ids), self.settings.first_batch
        )

    def check_budget(self, candidates: int) -> None:
        """InputError when the call budget cannot pay for even the smallest search."""
        need = self.minimum_calls(candidates)
        if self.settings.budget_calls is not None and self.settings.budget_calls < need:
            raise InputError(
                f"a budget of {self.settings.budget_calls} calls is too small: evaluating the base and "
                f"{candidates} candidate(s) on a first batch of dev cases and confirming on the holdout "
                f"needs at least {need} calls; raise --budget-calls to {need} or more"
            )

    async def run_round(
        self, candidates: Mapping[str, str], round_no: int, dev_calls: int | None
    ) -> str | None:
        """Successive halving of `candidates` on the dev cases within `dev_calls` calls;
        returns the label of the round's best candidate (None if none was scored)."""
        self.texts.update(candidates)
        alive = list(candidates)
        start_calls = self.budget.calls
        batch = self._first_batch_size(len(alive), dev_calls)
        best: str | None = None
        scored = 0  # dev cases the previous rung was scored on
        while alive and not self.exhausted:
            limit = None if dev_calls is None else dev_calls - (self.budget.calls - start_calls)
            cases = await self._evaluate([BASE, *alive], self.dev_ids[:batch], limit)
            if len(cases) <= scored:
                break  # nothing new was affordable: the previous rung's choice stands
            scores = {label: self._score(label, cases) for label in alive}
            best = max(scores, key=lambda label: self._rank(scores[label]))
            last = len(alive) <= 2 or len(cases) >= len(self.dev_ids) or len(cases) < batch
            alive = [best] if last else self._better_half(scores)
            self.rungs.append(Rung(round_no, len(cases), scores, tuple(alive)))
            if last:
                break
            scored, batch = len(cases), min(len(self.dev_ids), batch * 2)
        return best

    def _first_batch_size(self, candidates: int, dev_calls: int | None) -> int:
        """The largest first batch whose whole halving schedule fits in `dev_calls` (all dev
        cases when there is no call budget)."""
        floor = min(self.settings.first_batch, len(self.dev_ids))
        if dev_calls is None:
            return len(self.dev_ids)
        for size in range(len(self.dev_ids), floor, -1):
            if _schedule_cost(candidates, size, len(self.dev_ids)) * self.per_sample <= dev_calls:
                return size
        return floor

    async def _evaluate(self, labels: Sequence[str], cases: Sequence[str], limit: int | None) -> list[str]:
        """Fill in the missing results of `labels` on `cases` as far as the budget allows;
        returns the cases every label now has (a prefix of `cases`, cut from the end so all
        labels get the same ones; empty when nothing could be afforded or the budget ran out)."""
        cases = list(cases)
        while cases:
            todo = {label: self.store.missing(label, cases, self.settings.repeat) for label in labels}
            needed = sum(len(ids) for ids in todo.values()) * self.per_sample
            if needed == 0 or self._affordable(needed, limit):
                break
            cases.pop()
        if not cases or not await self._run(todo):
            return []
        return cases

    def _affordable(self, calls: int, limit: int | None) -> bool:
        if limit is not None and calls > limit:
            return False
        reserve = 2 * self.holdout_size() * self.per_sample
        return self.budget.affords(calls, reserve)

    async def _run(self, todo: Mapping[str, Sequence[str]]) -> bool:
        # Prompts missing the same cases go in one evaluator call so it can run them together.
        groups: dict[tuple[str, ...], list[str]] = {}
        for label, ids in todo.items():
            if ids:
                groups.setdefault(tuple(ids), []).append(label)
        for ids, labels in groups.items():
            if not await self._run_chunk(labels, ids):
                return False
        return True

    async def _run_chunk(self, labels: Sequence[str], ids: Sequence[str]) -> bool:
        try:
            batch = await self.evaluator.evaluate(
                {label: self.texts[label] for label in labels}, list(ids), self.settings.repeat
            )
        except BudgetExceeded as exc:
            return self.stop_for_budget(str(exc))
        self.budget.record(batch)
        self.store.add(batch)
        if batch.stopped:
            return self.stop_for_budget(
                f"the evaluator stopped ({batch.stopped}); its partial results are kept"
            )
        return True

    def stop_for_budget(self, why: str) -> bool:
        """Mark the search as out of budget (it finishes with what it has); always False."""
        self.exhausted = True
        self.notes.append(f"budget exhausted: {why}")
        return False

    def _score(self, label: str, cases: Sequence[str]) -> DevScore:
        base = self.store.on(BASE, cases)
        cand = self.store.on(label, cases)
        base_arm, cand_arm = paired_arms(base, cand)
        pairs = [(b, c) for b, c in zip(base_arm.passed, cand_arm.passed, strict=True) if None not in (b, c)]
        n = len(pairs)
        focus = [
            int(c) - int(b)
            for b, c, tags in zip(base_arm.passed, cand_arm.passed, base_arm.tags, strict=True)
            if None not in (b, c) and self.settings.goal in tags
        ]
        return DevScore(
            samples=n,
            pass_rate=sum(c for _, c in pairs) / n if n else 0.0,
            base_pass_rate=sum(b for b, _ in pairs) / n if n else 0.0,
            tokens_ratio=_ratio(cand_arm.tokens, base_arm.tokens),
            latency_ratio=_ratio(cand_arm.latency_ms, base_arm.latency_ms),
            discordant=sum(b != c for b, c in pairs),
            focus_diff=sum(focus) / len(focus) if focus else None,
        )

    def _rank(self, score: DevScore) -> tuple[float, ...]:
        """Bigger is better. Pass-rate goals rank by the paired gain (for clarity and safety on
        the cases tagged with the goal first, as `compare` judges them; fewer tokens break ties);
        conciseness/speed rank by the metric's ratio among candidates whose pass rate is not
        clearly down (by more than min_success_delta plus one standard error: on a first batch
        of a few cases a single unlucky case must not knock out the shortest candidate), and
        put the rest after, by pass rate."""
        goal = self.settings.goal
        if goal in ("conciseness", "speed"):
            ratio = score.tokens_ratio if goal == "conciseness" else score.latency_ratio
            tolerance = self.settings.decision.min_success_delta + score.pass_diff_se
            within = score.pass_diff >= -tolerance
            return (1.0, -(ratio or 1.0)) if within else (0.0, score.pass_diff)
        focus = score.focus_diff if score.focus_diff is not None else score.pass_diff
        return (focus, score.pass_diff, -(score.tokens_ratio or 1.0))

    def _better_half(self, scores: Mapping[str, DevScore]) -> list[str]:
        ranked = sorted(scores, key=lambda label: self._rank(scores[label]), reverse=True)
        return ranked[: math.ceil(len(ranked) / 2)]

    async def confirm(self, winner: str) -> Verdict | None:
        """The winner and the base on the holdout cases only; the verdict of `compare`.

        Calls selection left unspent enlarge the confirmation (more power) up to the whole
        holdout split.
        """
        cases = self.holdout_ids[: self.confirmation_size()]
        todo = {label: self.store.missing(label, cases, self.settings.repeat) for label in (BASE, winner)}
        if self.exhausted or not await self._run(todo):
            self.notes.append("the holdout confirmation could not run: budget exhausted")
            return None
        base_arm, cand_arm = paired_arms(self.store.on(BASE, cases), self.store.on(winner, cases))
        return compare(base_arm, cand_arm, self.settings.goal, self.settings.decision)

    def outcome(self, winner: str | None, verdict: Verdict | None) -> SearchOutcome:
        return SearchOutcome(
            status="budget-exhausted" if self.exhausted else "completed",
            rungs=self.rungs,
            winner=winner,
            verdict=verdict,
            holdout_cases=len({r.case_id for r in self.store.on(BASE, self.holdout_ids)}),
            calls=self.budget.calls,
            cost_usd=self.budget.cost_usd,
            notes=self.notes,
        )

    def dev_budget(self) -> int | None:
        """Calls left for selection after the confirmation's reserve."""
        if self.settings.budget_calls is None:
            return None
        reserve = 2 * self.holdout_size() * self.per_sample
        return max(0, self.settings.budget_calls - reserve - self.budget.calls)


async def successive_halving(
    evaluator: Evaluator,
    base_text: str,
    candidates: Mapping[str, str],
    dev_ids: Sequence[str],
    holdout_ids: Sequence[str],
    settings: SearchSettings,
) -> SearchOutcome:
    """One round of selection on dev, then the holdout confirmation of the winner."""
    search = Search(evaluator, base_text, dev_ids, holdout_ids, settings)
    search.check_budget(len(candidates))
    winner = await search.run_round(candidates, 1, search.dev_budget())
    verdict = await search.confirm(winner) if winner else None
    return search.outcome(winner, verdict)


def minimum_search_calls(
    per_sample: int, candidates: int, dev_cases: int, holdout_cases: int, first_batch: int = 4
) -> int:
    """The smallest call budget a search can work with: the base and every candidate on a
    first batch of dev cases, then the base and one candidate on as many holdout cases."""
    first = min(first_batch, dev_cases)
    return per_sample * ((candidates + 1) * first + 2 * min(first_batch, holdout_cases))


def _schedule_cost(candidates: int, first: int, total: int) -> int:
    """Samples `run_round`'s halving schedule uses when it starts with `first` dev cases
    (the base included; the rung with two or fewer candidates is the last)."""
    cost, have, alive, size = 0, 0, candidates, first
    while True:
        size = min(size, total)
        cost += (alive + 1) * (size - have)
        if alive <= 2 or size >= total:
            return cost
        have, alive, size = size, math.ceil(alive / 2), size * 2


def _ratio(candidate: Sequence[float], base: Sequence[float]) -> float | None:
    total = sum(base)
    return sum(candidate) / total if candidate and total else None


def _shuffled(ids: Sequence[str], seed: int) -> list[str]:
    """A fixed random order, so a batch is a fair sample rather than the file's first cases."""
    out = list(ids)
    random.Random(seed).shuffle(out)
    return out
