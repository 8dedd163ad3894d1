"""The evaluation engine: test cases, assertions, an async runner and its results.

`load_suite` reads and checks an agent's cases file; `run_eval` / `run_evals` run cases x
repeats through an LLMClient; `EvalRun` records what was measured; `compare_runs` lines
two runs up sample by sample.
"""

from promptops.evals.cases import Case, Suite, load_suite
from promptops.evals.results import AssertionResult, CaseResult, EvalRun, RunSummary
from promptops.evals.runner import PromptSet, run_eval, run_evals

__all__ = [
    "AssertionResult",
    "Case",
    "CaseResult",
    "EvalRun",
    "PromptSet",
    "RunSummary",
    "Suite",
    "load_suite",
    "run_eval",
    "run_evals",
]
