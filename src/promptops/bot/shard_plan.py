"""A pull request's evaluation split across the reusable workflow's jobs (`evals.shards`).

A large suite is one runner's rate limit for hours; the reusable workflow can fan it out.
Each step is `promptops ci` with one variable the workflow sets:

- `PROMPTOPS_SHARD_PLAN=true` (the `evaluate` job): decides N from the base commit's
  settings and cases, never the PR's. N = 1 evaluates in this job, as ever. N > 1 writes
  the step outputs `shards` and `matrix`, sets the `promptops/eval` status pending and
  evaluates nothing;
- `PROMPTOPS_SHARD=I/N` (one `evaluate-shard` job each, `bot/shard_job.py`): shard I of
  every changed agent's cases, base and head, saved for the merge; posts nothing;
- `PROMPTOPS_SHARD_RUNS=DIR` (the `evaluate-merge` job, `bot/shard_merge.py`): merges the
  shards' runs and publishes the check, status and comment one job would have.

Without them (the caller workflow `promptops init --github` writes, a laptop) a pull
request is evaluated in one job whatever `evals.shards` says, so nothing goes unjudged.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from promptops.config import Config
from promptops.errors import InputError, PromptopsError
from promptops.evals.cases import load_suite_at
from promptops.evals.shards import Shard, parse_shard
from promptops.repo.agents import list_agents, load_agent

ENV_PLAN = "PROMPTOPS_SHARD_PLAN"
ENV_SHARD = "PROMPTOPS_SHARD"
ENV_RUNS = "PROMPTOPS_SHARD_RUNS"


@dataclass(frozen=True)
class ShardStep:
    """Which step of a sharded evaluation this `promptops ci` run is (one field is set)."""

    plan: bool = False
    shard: Shard | None = None
    runs: Path | None = None


def shard_step(env: Mapping[str, str]) -> ShardStep | None:
    """The step the workflow asked for; None: evaluate the pull request in this job."""
    named = [name for name in (ENV_PLAN, ENV_SHARD, ENV_RUNS) if env.get(name)]
    if len(named) > 1:
        raise InputError(f"{' and '.join(named)} are both set; a job is one step of a sharded evaluation")
    if env.get(ENV_PLAN):
        if env[ENV_PLAN] != "true":
            raise InputError(f"{ENV_PLAN} expects true, got {env[ENV_PLAN]!r}")
        return ShardStep(plan=True)
    if env.get(ENV_SHARD):
        try:
            return ShardStep(shard=parse_shard(env[ENV_SHARD]))
        except InputError:
            raise InputError(
                f"{ENV_SHARD} expects I/N with 1 <= I <= N (e.g. 2/4), got {env[ENV_SHARD]!r}"
            ) from None
    if env.get(ENV_RUNS):
        return ShardStep(runs=Path(env[ENV_RUNS]))
    return None


def planned_samples(judge: Config, base: str, agents: list[str]) -> int:
    """Samples per run (cases x repeat) of the changed agents, counted on the base commit's cases.

    An agent the base does not have (new in the PR), or whose cases do not load there,
    counts nothing: what the PR's own files say never sizes its evaluation."""
    at_base = set(list_agents(judge, base))
    total = 0
    for agent in agents:
        if agent not in at_base:
            continue
        try:
            suite = load_suite_at(load_agent(judge, agent, ref=base), judge, base)
        except PromptopsError:
            continue  # the job that evaluates it reports the error
        total += len(suite.cases) * suite.repeat
    return total


def shard_count(judge: Config, base: str, agents: list[str]) -> int:
    """N: `evals.shards`, or with `evals.shard_samples` one job per that many samples (at
    most `evals.max_shards`). One when nothing changed under the prompts folder."""
    if not agents:
        return 1
    per_job = judge.get("evals.shard_samples")
    if per_job is None:
        return int(judge.get("evals.shards"))
    wanted = math.ceil(planned_samples(judge, base, agents) / int(per_job))
    return max(1, min(int(judge.get("evals.max_shards")), wanted))


def plan_outputs(count: int) -> dict[str, str]:
    """The evaluate job's outputs: the shard count and the matrix of shard indices (1..N)."""
    return {"shards": str(count), "matrix": json.dumps(list(range(1, count + 1)))}
