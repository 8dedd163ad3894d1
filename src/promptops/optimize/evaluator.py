"""The search's Evaluator, backed by the eval engine.

Each candidate is the agent with one prompt's text replaced (`Agent.with_texts`); all
texts of a batch go through `run_evals` together, so they share the client's
concurrency limit, response cache and budget. Calls are counted from the client's
ledger (cache hits are free), which is what the budget counts too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from promptops.evals import CaseResult, PromptSet, Suite, run_evals
from promptops.evals.assertions import REGISTRY
from promptops.llm.client import LLMClient
from promptops.optimize.search_records import EvalBatch
from promptops.repo.agents import Agent


@dataclass
class SuiteEvaluator:
    """Runs prompt texts for `prompt_name` of `agent` on the suite's cases."""

    client: LLMClient
    agent: Agent
    prompt_name: str
    suite: Suite

    @property
    def calls_per_sample(self) -> int:
        return calls_per_sample(self.suite)

    async def evaluate(
        self, prompt_texts: Mapping[str, str], case_ids: Sequence[str], repeat: int
    ) -> EvalBatch:
        sets = [
            PromptSet(label, self.agent.with_texts({self.prompt_name: text}))
            for label, text in prompt_texts.items()
        ]
        calls_before = self._provider_calls()
        cost_before = self.client.ledger.cost_usd
        runs = await run_evals(self.client, sets, self.suite, repeat=repeat, case_ids=list(case_ids))
        stopped = next((run.stopped for run in runs if run.stopped), None)
        return EvalBatch(
            results={run.label: run.results for run in runs},
            calls=self._provider_calls() - calls_before,
            cost_usd=self.client.ledger.cost_usd - cost_before,
            stopped=stopped,
        )

    def _provider_calls(self) -> int:
        ledger = self.client.ledger
        return ledger.calls - ledger.cached_calls + ledger.errors


def calls_per_sample(suite: Suite) -> int:
    """One model call per sample, plus one per judge-graded assertion of the worst case."""
    graded = [sum(REGISTRY[a.type].graded for a in case.assertions) for case in suite.cases]
    return 1 + max(graded, default=0)


def failure_reasons(result: CaseResult) -> list[str]:
    """Why a sample failed, in words: the failed assertions' reasons, or the error."""
    if result.error:
        return [result.error]
    return [f"{a.type}: {a.reason}" for a in result.assertions if a.passed is False and a.weight > 0]
