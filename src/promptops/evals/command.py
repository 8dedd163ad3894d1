"""`promptops eval` as a plain function: load, check, run, save, compare.

The CLI parses options into EvalOptions, calls `run_eval_command`, and prints the
outcome. Everything is checked (agent, prompt files, cases, template vars, provider key)
before the first model call. Runs are saved even when stopped early, so an interrupted
or budget-stopped run leaves its finished samples on disk and in the response cache.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from promptops.config import GOALS, Config
from promptops.errors import InputError
from promptops.evals.cases import Suite, check_template_vars, load_suite, load_suite_at
from promptops.evals.results import EvalRun, save_run
from promptops.evals.runner import Progress, PromptSet, run_evals
from promptops.evals.shards import Shard, load_shard_runs, merge_shards
from promptops.files import read_text
from promptops.llm.budget import Budget
from promptops.llm.client import LLMClient, client_from_config
from promptops.llm.usage import UsageLedger
from promptops.repo.agents import EMPTY_PROMPT, Agent, load_agent

if TYPE_CHECKING:
    from promptops.evals.compare import RunComparison
    from promptops.llm.batches import ProgressCallback

SPLIT_CHOICES = ("dev", "holdout", "all")


@dataclass(frozen=True)
class EvalOptions:
    agent_id: str
    prompt_files: Sequence[tuple[str, Path]] = ()  # --prompt NAME=FILE, applied to the head prompts
    ref: str | None = None  # evaluate the prompts as committed at REF instead of the working tree
    compare: str | None = None  # also evaluate the prompts at this base ref, on the same samples
    repeat: int | None = None  # None: evals.repeat from the config
    split: str = "all"
    filter_text: str | None = None
    no_cache: bool = False
    provider: str | None = None
    model: str | None = None
    budget: Budget | None = None
    goal: str = "accuracy"  # what the --compare verdict judges (any significant drop is a regression)
    batch: bool | None = None  # --batch / --no-batch; None: provider.batch
    waiting_ok: bool = False  # the caller can wait for batch results (provider.batch: auto)
    cases_ref: str | None = None  # read the cases as committed here (a PR is judged on its base's cases)
    head_texts: Mapping[str, str] = field(default_factory=dict)  # prompt texts replacing the head's
    shard: Shard | None = None  # --shard I/N: run only this shard's cases, for eval-merge


@dataclass
class EvalOutcome:
    head: EvalRun
    base: EvalRun | None
    comparison: RunComparison | None
    saved: list[Path]
    usage: UsageLedger = field(default_factory=UsageLedger)

    @property
    def runs(self) -> list[EvalRun]:
        return [r for r in (self.base, self.head) if r is not None]

    @property
    def stopped(self) -> str | None:
        return self.head.stopped


def with_provider(config: Config, provider: str | None, model: str | None) -> Config:
    """The config with `--provider` / `--model` applied to its `provider:` section."""
    if provider is None and model is None:
        return config
    data = copy.deepcopy(config.data)
    if provider is not None:
        data["provider"]["name"] = provider
    if model is not None:
        data["provider"]["model"] = model
    return replace(config, data=data)


def head_agent(config: Config, options: EvalOptions) -> Agent:
    """The agent to evaluate: at --ref or in the working tree, with any --prompt files applied."""
    agent = load_agent(config, options.agent_id, ref=options.ref)
    texts = {}
    for name, path in options.prompt_files:
        agent.prompt(name)  # NotFoundError listing the agent's prompt names
        if not path.is_file():
            raise InputError(f"{path}: error: file not found (given as --prompt {name}={path})")
        texts[name] = read_text(path)
        if not texts[name].strip():
            raise InputError(f"{path}:1:1: error: {EMPTY_PROMPT} (given as --prompt {name}={path})")
    return agent.with_texts(texts) if texts else agent


def prepare(config: Config, options: EvalOptions) -> tuple[list[PromptSet], Suite]:
    """Prompt sets (base first when comparing) and the suite, all checked before any call."""
    if options.goal not in GOALS:
        raise InputError(f"--goal must be one of {', '.join(GOALS)}, got {options.goal!r}")
    if options.split not in SPLIT_CHOICES:
        raise InputError(f"--split must be one of {', '.join(SPLIT_CHOICES)}, got {options.split!r}")
    head = head_agent(config, options)
    if options.head_texts:
        head = head.with_texts(dict(options.head_texts))
    suite = load_suite_at(head, config, options.cases_ref) if options.cases_ref else load_suite(head, config)
    sets = [PromptSet("head", head, options.ref)]
    if options.compare:
        base = load_agent(config, options.agent_id, ref=options.compare)
        check_template_vars(suite, base)
        sets.insert(0, PromptSet("base", base, options.compare))
    if not suite.select(options.split, text=options.filter_text):
        where = f" with --split {options.split}" if options.split != "all" else ""
        where += f" matching --filter {options.filter_text!r}" if options.filter_text else ""
        raise InputError(f"{suite.path}: error: no cases to run{where}")
    return sets, suite


def run_eval_command(
    config: Config,
    options: EvalOptions,
    progress: Progress | None = None,
    on_batch: ProgressCallback | None = None,
) -> EvalOutcome:
    """Evaluate (and compare), save every run under .promptops/runs/, return what happened."""
    config = with_provider(config, options.provider, options.model)
    sets, suite = prepare(config, options)
    client = client_from_config(
        config,
        no_cache=options.no_cache,
        budget=options.budget,
        batch=options.batch,
        waiting_ok=options.waiting_ok,
        on_batch=on_batch,
    )
    repeat = options.repeat if options.repeat is not None else suite.repeat
    runs = asyncio.run(_run(client, sets, suite, repeat, options, progress))
    saved = [save_run(run, config.root) for run in runs]
    base, head = (runs[0], runs[1]) if options.compare else (None, runs[0])
    comparison = None
    if base is not None and options.shard is None:  # a shard's verdict would judge part of the suite
        comparison = _compare(config, base, head, options.goal)
    return EvalOutcome(head=head, base=base, comparison=comparison, saved=saved, usage=client.ledger)


def run_merge_command(config: Config, paths: Sequence[Path], goal: str = "accuracy") -> EvalOutcome:
    """Merge shard run files into one run per label, save them, compare base and head if both are there."""
    if goal not in GOALS:
        raise InputError(f"--goal must be one of {', '.join(GOALS)}, got {goal!r}")
    if not paths:
        raise InputError("eval-merge needs the shards' run files (.promptops/runs/*.json)")
    runs = merge_shards(load_shard_runs(paths))
    labels = [run.label for run in runs]
    if len(runs) > 2 or (len(runs) == 2 and labels != ["base", "head"]):
        raise InputError(f"{paths[0]}: error: the files hold runs labelled {', '.join(labels)}; "
                         "merge one run (or one base and one head) at a time")  # fmt: skip
    saved = [save_run(run, config.root) for run in runs]
    base, head = (runs[0], runs[1]) if len(runs) == 2 else (None, runs[0])
    comparison = _compare(config, base, head, goal) if base is not None else None
    return EvalOutcome(head=head, base=base, comparison=comparison, saved=saved)


def _compare(config: Config, base: EvalRun, head: EvalRun, goal: str) -> RunComparison:
    """The verdict on base vs head; the statistics load only for a comparison (not a plain run)."""
    from promptops.evals.compare import compare_runs
    from promptops.stats import DecisionSettings

    return compare_runs(base, head, goal=goal, settings=DecisionSettings.from_config(config))


async def _run(
    client: LLMClient,
    sets: list[PromptSet],
    suite: Suite,
    repeat: int,
    options: EvalOptions,
    progress: Progress | None,
) -> list[EvalRun]:
    try:
        return await run_evals(
            client,
            sets,
            suite,
            repeat=repeat,
            split=options.split,
            progress=progress,
            model=options.model,
            filter_text=options.filter_text,
            shard=options.shard,
        )
    finally:
        await client.aclose()
