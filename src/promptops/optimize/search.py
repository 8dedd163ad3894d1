"""Budget-aware search: successive halving on dev cases, then confirmation on every case
the budget pays for, at an alpha divided among all the candidates selection looked at.

Evaluating every candidate on every case (the seed's approach) spends most of the budget
on candidates that are visibly worse after a few cases, and picking the best mean of
several noisy candidates then overstates the winner (the winner's curse). Confirming on a
small holdout split instead (this module's first design) was safe but had almost no power:
at 600 calls on 200 cases it found a truly +10-point variant in 17% of the runs that a
single paired test on all cases would find it. Here (chosen by measurement in
`bench/optimizer_budget.py`, see docs/optimize.md):

1. selection: all candidates and the base run on a batch of **dev** cases; the better half
   (scored paired against the base on the same cases) goes on to a batch twice as large,
   and so on until one is left or the dev cases run out (successive halving, Jamieson &
   Talwalkar 2016); `promptops.optimize.search_plan.plan_selection` sizes it;
2. confirmation: the winner and the base run on every case the budget pays for (the dev
   cases selection used first, then the holdout cases, then the other dev cases; never the
   cases whose failures were shown to the variant writer), and `promptops.stats.compare`
   decides with a one-sided alpha / m in the direction of adoption (`confirmation_alpha`),
   m the number of candidates that got any evaluation. That is Holm's (and Bonferroni's)
   threshold for the first rejection among m hypotheses, valid whatever selection saw:
   "the winner is adopted" implies "its test on the confirmation cases rejects", and m
   such tests at alpha / m adopt a candidate that is no better with probability <= alpha.
   Selection never saw the holdout cases, and what it saw of the dev cases is paid for by
   the division;
3. calls left after a confirmation that does not adopt go to the next-best candidate, on
   the same cases at the same alpha (the union bound still holds), until one is adopted or
   the budget cannot pay for another.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import replace

from promptops.errors import InputError
from promptops.llm.errors import BudgetExceeded
from promptops.optimize.ranking import dev_score, rank
from promptops.optimize.search_plan import halving_schedule, minimum_search_calls, plan_selection
from promptops.optimize.search_records import (
    BASE,
    Confirmation,
    DevScore,
    EvalBatch,
    Evaluator,
    ResultLike,
    ResultStore,
    Rung,
    SearchOutcome,
    SearchSettings,
    Spend,
)
from promptops.stats import compare, paired_arms

__all__ = [
    "BASE",
    "Confirmation",
    "DevScore",
    "EvalBatch",
    "Evaluator",
    "ResultLike",
    "Rung",
    "Search",
    "SearchOutcome",
    "SearchSettings",
    "run_search",
]


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
        self.budget = Spend(settings.budget_calls, settings.budget_usd)
        self.rungs: list[Rung] = []
        self.notes: list[str] = []
        self.exhausted = False
        self.shown_to_writer: set[str] = set()  # cases whose failures a variant writer saw
        self.selection_limit: int | None = None  # the spend mark selection stops at
        self.selected_on: list[str] = []  # the dev cases selection used, fixed when confirmation starts

    @property
    def per_sample(self) -> int:
        return self.evaluator.calls_per_sample * self.settings.repeat

    def check_budget(self, candidates: int) -> None:
        """InputError when the call budget cannot pay for even the smallest search."""
        need = minimum_search_calls(
            self.per_sample, candidates, len(self.dev_ids), len(self.holdout_ids), self.settings.first_batch
        )
        if self.settings.budget_calls is not None and self.settings.budget_calls < need:
            raise InputError(
                f"a budget of {self.settings.budget_calls} calls is too small: evaluating the base and "
                f"{candidates} candidate(s) on a first batch of dev cases and confirming the winner on as "
                f"many more cases needs at least {need} calls; raise --budget-calls to {need} or more"
            )

    async def plan(self, candidates: int) -> None:
        """Fix how many calls selection may spend (all dev cases when there is no budget).

        A dollar budget is converted at the evaluation calls' own price, measured first on
        the base's first batch of dev cases (needed anyway) when the evaluator can tell it.
        """
        start = self.budget.calls
        if self.settings.budget_usd is not None and getattr(self.evaluator, "calls", 1) == 0:
            await self._evaluate([BASE], self.dev_ids[: self.settings.first_batch], None)
        left = self.calls_left()
        if left is None:
            return
        schedule = plan_selection(  # the probe's calls are part of the schedule (the base's first batch)
            left + self.budget.calls - start,
            self.per_sample,
            candidates,
            len(self.dev_ids),
            len(self.dev_ids) + len(self.holdout_ids),
            self.settings.first_batch,
            self.settings.screen_share,
        )
        self.selection_limit = start + schedule.samples * self.per_sample

    def calls_left(self) -> int | None:
        """The evaluation calls the budgets still pay for (dollars at the evaluator's price)."""
        left = []
        if self.settings.budget_calls is not None:
            left.append(self.settings.budget_calls - self.budget.calls)
        price = self._usd_per_call()
        if self.settings.budget_usd is not None and price:
            left.append(int((self.settings.budget_usd - self.budget.cost_usd) / price))
        return max(0, min(left)) if left else None

    def dev_budget(self) -> int | None:
        """Calls left for selection."""
        if self.selection_limit is None:
            return None
        return max(0, self.selection_limit - self.budget.calls)

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
                break  # nothing new was affordable or finished: the previous rung's choice stands
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
        """The largest first batch whose whole halving schedule fits in `dev_calls`."""
        floor = min(self.settings.first_batch, len(self.dev_ids))
        if dev_calls is None:
            return len(self.dev_ids)
        for size in range(len(self.dev_ids), floor, -1):
            if halving_schedule(candidates, size, len(self.dev_ids)).samples * self.per_sample <= dev_calls:
                return size
        return floor

    async def _evaluate(self, labels: Sequence[str], cases: Sequence[str], limit: int | None) -> list[str]:
        """Fill in the missing results of `labels` on `cases` as far as the budget allows;
        returns the cases every label now has (a prefix of `cases`, cut from the end so all
        labels get the same ones; empty when nothing could be afforded or the budget ran out)."""
        repeat, total, size = self.settings.repeat, 0, 0
        haves = [self.store.by_label.get(label, {}) for label in labels]
        for case in cases:
            lacking = sum(any((case, r) not in have for r in range(repeat)) for have in haves)
            calls = lacking * self.per_sample
            if calls and not self._affordable(total + calls, limit):
                break
            total, size = total + calls, size + 1
        cases = list(cases[:size])
        todo = {label: self.store.missing(label, cases, repeat) for label in labels}
        if not cases or await self._run(todo):
            return cases
        # A batch the budget cut off was paid for: keep the cases every label finished.
        return [c for c in cases if not any(self.store.missing(label, [c], repeat) for label in labels)]

    def _affordable(self, calls: int, limit: int | None) -> bool:
        if limit is not None and calls > limit:
            return False
        return self.budget.affords(calls, self._usd_per_call())

    def _usd_per_call(self) -> float | None:
        return getattr(self.evaluator, "usd_per_call", None)

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
        return dev_score(self.store, label, cases, self.settings.goal)

    def _rank(self, score: DevScore) -> tuple[float, ...]:
        return rank(score, self.settings.goal, self.settings.decision)

    def _better_half(self, scores: Mapping[str, DevScore]) -> list[str]:
        ranked = sorted(scores, key=lambda label: self._rank(scores[label]), reverse=True)
        return ranked[: math.ceil(len(ranked) / 2)]

    def ranked(self) -> list[str]:
        """Candidates best first: those that reached a later rung first, then by their rank there."""
        order: list[str] = []
        for rung in reversed(self.rungs):
            for label in sorted(rung.scores, key=lambda lab: self._rank(rung.scores[lab]), reverse=True):
                if label not in order:
                    order.append(label)
        return order

    def tested(self) -> int:
        """Candidates that got any evaluation: the family the confirmation's alpha is divided by."""
        return sum(1 for label in self.store.by_label if label != BASE)

    def selection_ids(self) -> list[str]:
        """The dev cases selection ran any candidate on."""
        used: set[str] = set()
        for label in self.store.by_label:
            if label != BASE:
                used |= self.store.cases_of(label)
        return [c for c in self.dev_ids if c in used]

    def confirmation_order(self) -> list[str]:
        """Dev cases selection used, the holdout cases, the other dev cases; none a writer saw."""
        used = self.selection_ids()
        seen = set(used)
        order = used + self.holdout_ids + [c for c in self.dev_ids if c not in seen]
        return [c for c in order if c not in self.shown_to_writer]

    async def confirm(self, ranked: Sequence[str]) -> list[Confirmation]:
        """Each candidate in `ranked` order against the base on the same confirmation cases
        (as many as the budget pays for with the first), until one is adopted."""
        self.selected_on = self.selection_ids()
        alpha = confirmation_alpha(self.settings.decision.alpha, self.tested())
        decision = replace(self.settings.decision, alpha=alpha)
        done: list[Confirmation] = []
        cases: list[str] | None = None
        for label in ranked:
            if cases is None:
                if self.exhausted:
                    break
                cases = await self._evaluate([BASE, label], self.confirmation_order(), None)
                if not cases:
                    break
            elif self.exhausted or not await self._confirm_on(label, cases):
                break
            base_arm, cand_arm = paired_arms(self.store.on(BASE, cases), self.store.on(label, cases))
            verdict = compare(base_arm, cand_arm, self.settings.goal, decision)
            done.append(Confirmation(label, tuple(cases), alpha, self.tested(), verdict))
            if verdict.outcome == "improvement":
                break
        if not done:
            self.notes.append("the confirmation could not run: budget exhausted")
        return done

    async def _confirm_on(self, label: str, cases: Sequence[str]) -> bool:
        """Run `label` on all of `cases` if affordable (a runner-up is judged on the same cases)."""
        todo = {label: self.store.missing(label, cases, self.settings.repeat)}
        needed = len(todo[label]) * self.per_sample
        if needed and not self._affordable(needed, None):
            return False
        return await self._run(todo)

    def outcome(self, confirmations: Sequence[Confirmation], fallback: str | None) -> SearchOutcome:
        chosen = next((c for c in confirmations if c.verdict.outcome == "improvement"), None)
        chosen = chosen or (confirmations[0] if confirmations else None)
        return SearchOutcome(
            status="budget-exhausted" if self.exhausted else "completed",
            rungs=self.rungs,
            winner=chosen.candidate if chosen else fallback,
            verdict=chosen.verdict if chosen else None,
            confirmations=list(confirmations),
            calls=self.budget.calls,
            cost_usd=self.budget.cost_usd,
            notes=self.notes,
        )


async def run_search(
    evaluator: Evaluator,
    base_text: str,
    candidates: Mapping[str, str],
    dev_ids: Sequence[str],
    holdout_ids: Sequence[str],
    settings: SearchSettings,
) -> SearchOutcome:
    """One round of selection on dev, then the confirmation (see the module docstring)."""
    search = Search(evaluator, base_text, dev_ids, holdout_ids, settings)
    search.check_budget(len(candidates))
    await search.plan(len(candidates))
    best = await search.run_round(candidates, 1, search.dev_budget())
    confirmations = await search.confirm(search.ranked()) if best else []
    return search.outcome(confirmations, best)


def confirmation_alpha(alpha: float, tested: int) -> float:
    """The two-sided alpha `compare` confirms at: 2 * alpha / tested.

    Only a gain adopts, so what must stay below `alpha` is the chance of adopting any of
    the `tested` candidates when none is better: a one-sided test at alpha / tested each
    (Bonferroni, Holm's first step). `compare`'s tests and intervals are two-sided, and a
    two-sided test at 2 * alpha / tested is that one-sided test in each direction.
    """
    return 2 * alpha / max(tested, 1)


def _shuffled(ids: Sequence[str], seed: int) -> list[str]:
    """A fixed random order, so a batch is a fair sample rather than the file's first cases."""
    out = list(ids)
    random.Random(seed).shuffle(out)
    return out
