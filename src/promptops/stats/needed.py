"""How many more paired samples would settle an inconclusive verdict, bounded and honest.

The estimates scale the current interval: n_needed = n (z se / distance)^2. Near the margin
the distance goes to zero and the estimate explodes ("need about 84,956 more samples" at
+4.6 points observed against a 5-point margin): the variance it extrapolates was measured on
a tenth of that and the true effect may sit right on the margin, where no n settles it. So an
estimate above ten times the current samples (and at least 1,000) is reported as a floor:
"more than N; the difference may be inside the margin".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from promptops.stats.figures import PassFigures
from promptops.stats.power import plan_paired
from promptops.stats.ratios import RatioEstimate

CAP_FACTOR = 10
CAP_FLOOR = 1000


@dataclass(frozen=True)
class Needed:
    """More samples to settle it; `open_ended` when it is only a floor ("more than")."""

    samples: int
    open_ended: bool = False


def bounded(total_needed: float, current: int) -> Needed:
    """More samples beyond `current`, capped at max(10 x current, 1,000) in total."""
    cap = max(CAP_FACTOR * current, CAP_FLOOR)
    if not math.isfinite(total_needed) or total_needed > cap:
        return Needed(cap - current, open_ended=True)
    return Needed(max(math.ceil(total_needed) - current, 1))


def _z(p: float) -> float:
    return NormalDist().inv_cdf(p)


def for_pass_gain(fig: PassFigures, alpha: float, power: float, margin: float) -> Needed:
    """So that a gain of max(observed, margin) is found with `power` by the two-sided test,
    or, when the observed change is inside the margin, so its interval fits inside it."""
    diff, n = abs(fig.difference.diff), fig.samples
    discordance = fig.counts.discordant / n if fig.counts.discordant else None
    target: float = (
        plan_paired(
            max(diff, margin),
            fig.base.rate or 0.0,
            discordance=discordance,
            alpha=alpha,
            power=power,
            repeats=fig.repeats or 1,
        ).samples
        * fig.design_effect
    )
    if diff < margin:
        half_width = (fig.difference.high - fig.difference.low) / 2
        target = max(target, n * (half_width / (margin - diff)) ** 2)
    return bounded(target, n)


def for_ratio(est: RatioEstimate, threshold: float, alpha: float, power: float) -> Needed:
    """So that a one-sided test finds a log-ratio change of max(observed, minimum)."""
    effect = max(abs(math.log(est.ratio)), abs(math.log(threshold)))
    if effect == 0:  # no change observed and none required: no sample size finds it
        return bounded(math.inf, est.n)
    sd = est.log_se * math.sqrt(est.n)
    return bounded(((_z(1 - alpha) + _z(power)) * sd / effect) ** 2, est.n)


def for_non_inferiority(fig: PassFigures, alpha: float, power: float, margin: float) -> Needed:
    """So that the one-sided lower bound of the difference would clear -margin."""
    se = (fig.difference.high - fig.difference.low) / (2 * _z(1 - alpha / 2))
    distance = fig.difference.diff + margin
    if distance <= 0 or se <= 0:
        return bounded(math.inf, fig.samples)
    return bounded(fig.samples * ((_z(1 - alpha) + _z(power)) * se / distance) ** 2, fig.samples)
