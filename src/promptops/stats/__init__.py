"""Statistics for comparing prompts: pure functions, no I/O.

`compare(base, candidate, goal, settings) -> Verdict` is the decision the optimizer, the eval
command and PR reports use; the modules below it each hold one method (Wilson intervals,
paired McNemar and Newcombe intervals, t intervals on paired log ratios, unpaired and sequential
tests, power).
"""

from promptops.stats.arms import Arm, arms_from_pairs, pair_samples, paired_arms
from promptops.stats.decision import GOALS, DecisionSettings, Verdict, compare
from promptops.stats.figures import ComparisonFigures, PassFigures

__all__ = [
    "GOALS",
    "Arm",
    "ComparisonFigures",
    "DecisionSettings",
    "PassFigures",
    "Verdict",
    "compare",
    "arms_from_pairs",
    "pair_samples",
    "paired_arms",
]
