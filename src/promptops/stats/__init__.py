"""Statistics for comparing prompts: pure functions, no I/O.

`compare(base, candidate, goal, settings) -> Verdict` is the decision the optimizer, the eval
command and PR reports use; the modules below it each hold one method (Wilson intervals,
paired McNemar and Newcombe intervals, t intervals on paired log ratios, unpaired and sequential
tests, power).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from promptops.stats.arms import Arm, arms_from_pairs, pair_samples, paired_arms
    from promptops.stats.decision import GOALS, DecisionSettings, Verdict, compare
    from promptops.stats.figures import ComparisonFigures, PassFigures

# Loaded on first use: a plain eval run needs only `intervals` (its pass rate's Wilson
# interval), and importing that module must not load the whole decision machinery.
_HOME = {
    "Arm": "arms",
    "arms_from_pairs": "arms",
    "pair_samples": "arms",
    "paired_arms": "arms",
    "GOALS": "decision",
    "DecisionSettings": "decision",
    "Verdict": "decision",
    "compare": "decision",
    "ComparisonFigures": "figures",
    "PassFigures": "figures",
}

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


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f"promptops.stats.{_HOME[name]}"), name)
    raise AttributeError(f"module 'promptops.stats' has no attribute {name!r}")
