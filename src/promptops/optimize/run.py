"""The state one `promptops optimize` run carries from step to step."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from promptops.config import Config
from promptops.evals import Suite
from promptops.llm.client import LLMClient
from promptops.llm.usage import UsageLedger
from promptops.optimize.meta import MetaPrompts
from promptops.optimize.session import CandidateRecord, Session
from promptops.repo.agents import Agent, Prompt

STRUCTURED_CALLS = 3  # a structured reply may take two repair requests


@dataclass(frozen=True)
class OptimizeOptions:
    goal: str
    variants: int = 3
    rounds: int = 1
    budget_calls: int | None = None
    budget_usd: float | None = None
    logs: tuple[Path, ...] = ()
    no_cache: bool = False
    batch: bool | None = None  # --batch / --no-batch for the model under test; None: provider.batch
    waiting_ok: bool = False  # a scheduled run can wait for batch results (provider.batch: auto)


@dataclass
class OptimizeResult:
    session: Session
    base_text: str
    chosen: CandidateRecord | None  # the recommended (or, unevaluated, the proposed) candidate


@dataclass
class Run:
    """One optimization in progress: the prompt, its cases, clients and the session."""

    config: Config
    prompt: Prompt
    agent: Agent
    options: OptimizeOptions
    session: Session
    suite: Suite | None
    meta: MetaPrompts | None
    ledger: UsageLedger
    model_client: LLMClient | None  # the model under test (None: nothing to evaluate)
    optimizer: LLMClient | None  # the optimizer model (None: the edit generator)

    @property
    def provider_calls(self) -> int:
        return self.ledger.calls - self.ledger.cached_calls + self.ledger.errors

    def save(self) -> None:
        self.session.usage = self.ledger.as_dict()
        self.session.save()

    async def aclose(self) -> None:
        for client in (self.model_client, self.optimizer):
            if client is not None:
                await client.aclose()


def case_ids(suite: Suite, split: str) -> list[str]:
    return [case.id for case in suite.select(split)]
