"""One `evaluate-shard` job: shard I/N of every changed agent's suite, saved for the merge job.

It evaluates exactly what the one-job path would (head prompts against the base's, on the
base's cases and settings, and the head's own cases when the PR changes them), only
shard I of the cases. It posts nothing: a shard's verdict would judge part of a suite.
What it did goes into `.promptops/shards/shard-I-of-N/` (the workflow uploads that
folder): the run files and `manifest.json`, which names the commits, the shard, and per
agent its run files or the error one job would have reported (no model key, a bad
cases file). The merge job needs every shard's manifest; a missing one fails the gate.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from promptops.bot.context import CiContext
from promptops.bot.gate_report import NO_CREDENTIALS
from promptops.config import Config
from promptops.errors import PromptopsError
from promptops.evals.cases import load_suite_at
from promptops.evals.command import EvalOptions, run_eval_command
from promptops.evals.gate import case_changes
from promptops.evals.shards import Shard
from promptops.llm.errors import MissingAPIKey
from promptops.repo.agents import list_agents, load_agent

SHARDS_DIR = ".promptops/shards"
MANIFEST = "manifest.json"


def shard_folder(root: Path, shard: Shard) -> Path:
    return root / SHARDS_DIR / f"shard-{shard.index}-of-{shard.count}"


def run_shard(ctx: CiContext, judge: Config, base: str, head: str, agents: list[str], shard: Shard) -> Path:
    """Evaluate shard `shard` of each agent and write its folder; returns the manifest's path."""
    folder = shard_folder(ctx.root, shard)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    at_base, at_head = set(list_agents(judge, base)), set(list_agents(judge, head))
    entries: dict[str, dict[str, Any]] = {}
    for agent in agents:
        if agent not in at_head:
            continue  # removed by the PR: the merge job says so, as one job would
        entry = _evaluate(judge, agent, base, head, agent in at_base, shard, folder)
        entries[agent] = entry
        done = entry["error"] or f"{len(entry['runs'])} run files"
        ctx.report.say(f"shard {shard} of {agent}: {done}")
    manifest = {"shard": shard.index, "count": shard.count, "base": base, "head": head, "agents": entries}
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    ctx.report.say(f"shard {shard}: saved {path.relative_to(ctx.root)} for the merge job; nothing posted")
    return path


def _evaluate(
    judge: Config, agent: str, base: str, head: str, on_base: bool, shard: Shard, folder: Path
) -> dict[str, Any]:
    compare = base if on_base else None
    options = EvalOptions(agent_id=agent, ref=head, compare=compare, cases_ref=compare, shard=shard)
    runs, error = _run(judge, options, folder, f"{agent}-eval")
    entry: dict[str, Any] = {"runs": runs, "error": error, "own_runs": [], "own_error": None}
    if error is None and on_base and _changes_cases(judge, agent, base, head):
        own = EvalOptions(agent_id=agent, ref=head, cases_ref=head, shard=shard)
        entry["own_runs"], entry["own_error"] = _run(judge, own, folder, f"{agent}-own-cases")
    return entry


def _run(judge: Config, options: EvalOptions, folder: Path, stem: str) -> tuple[list[str], str | None]:
    """Run files copied into the shard folder (names relative to it), or the error as one job words it."""
    try:
        outcome = run_eval_command(judge, options)
    except MissingAPIKey as exc:
        return [], f"{NO_CREDENTIALS}: {exc}"
    except PromptopsError as exc:
        return [], str(exc)
    names = []
    for i, saved in enumerate(outcome.saved):
        name = f"{stem}-{i}.json"
        shutil.copyfile(saved, folder / name)
        names.append(name)
    return names, None


def _changes_cases(judge: Config, agent: str, base: str, head: str) -> bool:
    """Whether the PR changes this agent's cases (then one job also reports the head's own cases)."""
    try:
        base_suite = load_suite_at(load_agent(judge, agent, ref=base), judge, base)
        head_suite = load_suite_at(load_agent(judge, agent, ref=head), judge, head)
    except PromptopsError:
        return False  # the merge job reports the head's cases not loading, as a gate change
    return bool(case_changes(agent, base_suite, head_suite))
