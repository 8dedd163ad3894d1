"""Benchmark: which optimizer design finds a truly better variant, at what risk?

Every design spends the same call budget on the same simulated worlds: a base and 3
candidates with hidden true pass rates, 200 cases with a shared difficulty, and outcomes
that are a function of (world, prompt, case) (`promptops.optimize.simulation`), so all
designs and the oracle see the same samples. Worlds:

- one-better: the base at 0.5, 0.65 or 0.8, one candidate 10 points better, two equal;
- all-equal: the base and the candidates at the same rate;
- random: the base uniform in 0.55-0.85, candidates around it (mostly no better, as LLM
  rewrites usually are, now and then a real gain or loss).

Designs:

- split-30 (the previous `promptops optimize`): successive halving on the 70% dev split,
  the winner against the base on the 30% holdout (at most half the budget), alpha;
- adaptive-holdout: selection on as few dev cases as half the budget pays for, the winner
  on every other case the rest pays for, alpha;
- sequential: as adaptive-holdout, but the confirmation looks at half and all of its cases,
  stops a candidate early for success or futility and spends what is left on the next
  candidate, at alpha / (3 candidates x 2 looks);
- cross-fit: the cases in two halves; select on one half, confirm that winner on the other,
  and swap; adopt when either confirmation has p < alpha / 2;
- all-cases/holm 1/3 (and 1/2: the selection's share of the budget): the code `promptops
  optimize` runs (`promptops.optimize.search`): halving on dev, the winner confirmed on
  every case the budget pays for (the dev cases selection used included) by a one-sided
  test at alpha / m in the direction of adoption, m the candidates selection evaluated;
  the runner-up on the same cases with what is left;
- all-cases/two-sided: the same with a two-sided alpha / m (a gain adopts at alpha / 2m);
- all-cases/uncorrected: the same at a one-sided alpha (no division): what the division is for;
- never: never recommends (the target must fail for it).

The oracle: `compare`'s paired test (exact McNemar, two-sided alpha) of the truly better
candidate against the base on all 200 cases (400 calls, knowing which candidate to test).
Power is the share of one-better worlds whose better candidate is recommended; the table
gives it as a ratio to the oracle's power on the same worlds.
Targets for the design `promptops optimize` uses, at every budget: truly worse recommended
in <= 5% of random worlds, any adoption in all-equal worlds <= alpha; and at 600 calls a
power >= 0.8 of the oracle's.

    PYTHONPATH=src python bench/optimizer_budget.py [--quick] [--trials N]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # runnable without installing

from promptops.optimize.search import BASE, SearchSettings, run_search  # noqa: E402
from promptops.optimize.search_plan import halving_schedule  # noqa: E402
from promptops.optimize.simulation import SimulatedEvaluator, case_difficulties, sample_passes  # noqa: E402
from promptops.stats import DecisionSettings  # noqa: E402
from promptops.stats.paired import mcnemar_exact_p, paired_counts  # noqa: E402

BUDGETS = (150, 300, 600)
CASES = 200
HOLDOUT_FRACTION = 0.3  # the default evals.holdout_fraction
CANDIDATES = ("c1", "c2", "c3")
ALPHA = 0.05
GAIN = 0.10
CHOSEN = "all-cases/holm 1/3"  # the design `promptops optimize` uses (SearchSettings' default share)
KINDS = ("one-better", "all-equal", "random")


@dataclass
class World:
    """Hidden pass rates, case difficulties, and the sampled outcomes (drawn on demand)."""

    kind: str
    seed: int
    truth: dict[str, float]
    difficulty: dict[str, float]
    ids: list[str]
    _outcomes: dict[tuple[str, str], bool] = field(default_factory=dict)

    def passed(self, label: str, case: str) -> bool:
        key = (label, case)
        if key not in self._outcomes:
            self._outcomes[key] = sample_passes(
                self.truth[label], self.difficulty[case], (self.seed, f"text of {label}", case, 0)
            )
        return self._outcomes[key]

    @property
    def better(self) -> str | None:
        best = max(CANDIDATES, key=self.truth.__getitem__)
        return best if self.truth[best] >= self.truth[BASE] + GAIN - 1e-9 else None


def draw_world(kind: str, trial: int) -> World:
    rng = random.Random(f"{kind}-{trial}")
    difficulty = case_difficulties(CASES, spread=1.0, seed=trial)
    ids = sorted(difficulty)
    rng.shuffle(ids)
    if kind == "random":
        base = rng.uniform(0.55, 0.85)
        truth = {BASE: base, **{c: min(0.98, max(0.05, base + rng.gauss(-0.02, 0.08))) for c in CANDIDATES}}
    else:
        base = (0.5, 0.65, 0.8)[trial % 3]
        truth = {BASE: base, **{c: base for c in CANDIDATES}}
        if kind == "one-better":
            truth[rng.choice(CANDIDATES)] = base + GAIN
    return World(kind, trial, truth, difficulty, ids)


class Cells:
    """A design's view of a world: outcomes it asked for, counted as calls."""

    def __init__(self, world: World, budget: int) -> None:
        self.world, self.budget, self.seen = world, budget, set[tuple[str, str]]()

    @property
    def calls(self) -> int:
        return len(self.seen)

    def cost(self, labels: Sequence[str], cases: Sequence[str]) -> int:
        return sum((label, c) not in self.seen for label in labels for c in cases)

    def get(self, label: str, cases: Sequence[str]) -> list[bool]:
        self.seen.update((label, c) for c in cases)
        assert self.calls <= self.budget, "a design overspent its budget"
        return [self.world.passed(label, c) for c in cases]

    def affordable_prefix(
        self, labels: Sequence[str], cases: Sequence[str], budget: int | None = None
    ) -> list[str]:
        """The longest prefix of `cases` whose missing outcomes fit in `budget` (the whole budget)."""
        room, size = (self.budget if budget is None else budget) - self.calls, 0
        for case in cases:
            room -= self.cost(labels, [case])
            if room < 0:
                break
            size += 1
        return list(cases[:size])

    def gain_p(self, label: str, cases: Sequence[str]) -> tuple[float, float]:
        """(McNemar p, pass-rate gain) of `label` over the base on `cases`."""
        counts = paired_counts(self.get(BASE, cases), self.get(label, cases))
        return mcnemar_exact_p(counts), (counts.only_candidate - counts.only_base) / max(len(cases), 1)


def halving(cells: Cells, cases: Sequence[str], allowance: int) -> list[str]:
    """Successive halving of the candidates on `cases` within `allowance` calls, ranked best first."""
    k, total = len(CANDIDATES), len(cases)
    fits = [n for n in range(total, 1, -1) if halving_schedule(k, n, total).samples <= allowance]
    first = fits[0] if fits else min(4, len(cases))
    alive, size, ranked = list(CANDIDATES), first, []
    while True:
        size = min(size, len(cases))
        batch = cells.affordable_prefix([BASE, *alive], cases[:size])
        gains = {c: cells.gain_p(c, batch)[1] if batch else 0.0 for c in alive}
        order = sorted(alive, key=gains.__getitem__, reverse=True)
        if len(alive) <= 2 or size >= len(cases) or len(batch) < size:
            return order + [c for c in ranked if c not in order]
        keep = math.ceil(len(alive) / 2)
        alive, ranked, size = order[:keep], order[keep:] + ranked, size * 2


def adopt(cells: Cells, label: str, cases: Sequence[str], alpha: float) -> bool:
    if not cases:
        return False
    p, gain = cells.gain_p(label, cases)
    return p < alpha and gain > 0


Choice = str | None


def split_30(world: World, budget: int) -> Choice:
    cells = Cells(world, budget)
    cut = int(CASES * (1 - HOLDOUT_FRACTION))
    dev, holdout = world.ids[:cut], world.ids[cut:]
    planned = min(len(holdout), max(budget // 4, 4))
    ranked = halving(cells, dev, budget - 2 * planned)
    best = ranked[0]
    return best if adopt(cells, best, cells.affordable_prefix([BASE, best], holdout), ALPHA) else None


def _selection_then_fresh_cases(world: World, budget: int) -> tuple[Cells, list[str], list[str]]:
    """Half the budget for selection on as many cases as it buys; the other cases are fresh."""
    cells = Cells(world, budget)
    k = len(CANDIDATES)
    fits = [n for n in range(2, CASES) if halving_schedule(k, n, CASES).samples <= budget // 2]
    first = max(fits, default=2)
    screened = world.ids[: halving_schedule(k, first, CASES).last]
    ranked = halving(cells, screened, budget // 2)
    return cells, ranked, [c for c in world.ids if c not in set(screened)]


def adaptive_holdout(world: World, budget: int) -> Choice:
    cells, ranked, fresh = _selection_then_fresh_cases(world, budget)
    cases = cells.affordable_prefix([BASE, ranked[0]], fresh)
    return ranked[0] if adopt(cells, ranked[0], cases, ALPHA) else None


def sequential(world: World, budget: int) -> Choice:
    cells, ranked, fresh = _selection_then_fresh_cases(world, budget)
    alpha = ALPHA / (len(CANDIDATES) * 2)
    for label in ranked:
        cases = cells.affordable_prefix([BASE, label], fresh)
        if len(cases) < 8:
            return None
        half = cases[: len(cases) // 2]
        p, gain = cells.gain_p(label, half)
        if p < alpha and gain > 0:
            return label
        if gain <= 0:
            continue  # futility: the saved calls go to the next candidate
        if adopt(cells, label, cases, alpha):
            return label
    return None


def cross_fit(world: World, budget: int) -> Choice:
    cells = Cells(world, budget)
    halves = (world.ids[: CASES // 2], world.ids[CASES // 2 :])
    found = []
    for fold in (0, 1):
        mark = budget * (fold + 1) // 2  # each fold spends half the budget
        winner = halving(cells, halves[fold], (mark - cells.calls) // 2)[0]
        cases = cells.affordable_prefix([BASE, winner], halves[1 - fold], mark)
        p, gain = cells.gain_p(winner, cases) if cases else (1.0, 0.0)
        if p < ALPHA / 2 and gain > 0:
            found.append((p, winner))
    return min(found)[1] if found else None


def all_cases(share: float, alpha_scale: float = 1.0) -> Callable[[World, int], Choice]:
    """The real search; `alpha_scale` multiplies the alpha it divides among the candidates."""

    def design(world: World, budget: int) -> Choice:
        settings = SearchSettings(
            goal="accuracy",
            budget_calls=budget,
            seed=world.seed,
            screen_share=share,
            decision=DecisionSettings(alpha=ALPHA * alpha_scale),
        )
        evaluator = SimulatedEvaluator(
            quality={f"text of {k}": v for k, v in world.truth.items()},
            difficulty=world.difficulty,
            seed=world.seed,
        )
        cut = int(CASES * (1 - HOLDOUT_FRACTION))
        candidates = {c: f"text of {c}" for c in CANDIDATES}
        outcome = asyncio.run(
            run_search(evaluator, f"text of {BASE}", candidates, world.ids[:cut], world.ids[cut:], settings)
        )
        assert evaluator.calls <= budget, "the search overspent its budget"
        return outcome.recommended

    return design


def never(world: World, budget: int) -> Choice:
    return None


def oracle(world: World) -> bool:
    better = world.better
    return better is not None and adopt(Cells(world, 10 * CASES), better, world.ids, ALPHA)


DESIGNS: dict[str, Callable[[World, int], Choice]] = {
    "split-30": split_30,
    "adaptive-holdout": adaptive_holdout,
    "sequential": sequential,
    "cross-fit": cross_fit,
    CHOSEN: all_cases(1 / 3),
    "all-cases/holm 1/2": all_cases(1 / 2),
    "all-cases/two-sided": all_cases(1 / 3, alpha_scale=0.5),
    "all-cases/uncorrected": all_cases(1 / 3, alpha_scale=len(CANDIDATES)),
    "never": never,
}


@dataclass
class Tally:
    found: int = 0  # one-better worlds whose better candidate was recommended
    adopted_null: int = 0  # all-equal worlds with any adoption
    worse: int = 0  # random worlds with a truly worse recommendation


def run(trials: int) -> tuple[dict[tuple[int, str], Tally], int]:
    tallies = {(b, name): Tally() for b in BUDGETS for name in DESIGNS}
    oracle_found = 0
    for trial in range(trials):
        for kind in KINDS:
            world = draw_world(kind, trial)
            oracle_found += kind == "one-better" and oracle(world)
            for budget in BUDGETS:
                for name, design in DESIGNS.items():
                    pick, tally = design(world, budget), tallies[(budget, name)]
                    if kind == "one-better":
                        tally.found += pick is not None and pick == world.better
                    elif kind == "all-equal":
                        tally.adopted_null += pick is not None
                    else:
                        tally.worse += pick is not None and world.truth[pick] < world.truth[BASE]
    return tallies, oracle_found


def report(tallies: dict[tuple[int, str], Tally], oracle_found: int, trials: int, seconds: float) -> bool:
    oracle_power = oracle_found / trials
    print(
        f"optimizer design benchmark: {trials} worlds of each kind, {CASES} cases, base + {len(CANDIDATES)} "
        f"candidates, accuracy goal, alpha {ALPHA}, {seconds:.0f} s"
    )
    print(f"oracle (compare's test of the +10-pt candidate on all {CASES} cases): power {oracle_power:.3f}")
    header = (
        f"{'budget':>6}  {'design':<22} {'power':>6} {'/oracle':>8} {'worse (random)':>15} "
        f"{'any adoption (equal)':>21}"
    )
    print(header)
    print("-" * len(header))
    ok_by_design = {name: True for name in DESIGNS}
    safe = {name: True for name in DESIGNS}  # the constraints alone, at every budget
    for budget in BUDGETS:
        for name in DESIGNS:
            t = tallies[(budget, name)]
            power, worse, null = t.found / trials, t.worse / trials, t.adopted_null / trials
            ratio = power / oracle_power if oracle_power else 0.0
            safe[name] &= worse <= 0.05 and null <= ALPHA
            ok_by_design[name] &= worse <= 0.05 and null <= ALPHA and (budget != 600 or ratio >= 0.8)
            mark = " <- promptops optimize" if name == CHOSEN else ""
            print(f"{budget:>6}  {name:<22} {power:>6.3f} {ratio:>8.2f} {worse:>15.3f} {null:>21.3f}{mark}")
    best = max((n for n in DESIGNS if safe[n]), key=lambda n: tallies[(600, n)].found)
    print(f"most power at 600 calls among the designs within the constraints at every budget: {best}")
    print("targets (worse <= 0.05 and any adoption <= alpha at every budget, power >= 0.8 x oracle at 600):")
    for name, ok in ok_by_design.items():
        print(f"  {name:<22} {'met' if ok else 'NOT met'}")
    return ok_by_design[CHOSEN]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 worlds of each kind instead of 1000")
    parser.add_argument("--trials", type=int, help="worlds of each kind")
    args = parser.parse_args()
    trials = args.trials or (150 if args.quick else 1000)
    started = time.perf_counter()
    tallies, oracle_found = run(trials)
    return 0 if report(tallies, oracle_found, trials, time.perf_counter() - started) else 1


if __name__ == "__main__":
    sys.exit(main())
