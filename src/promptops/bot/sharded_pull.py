"""A pull request's evaluation split across CI jobs: `evals.shards` > 1.

The reusable workflow runs `promptops ci` in N `eval-shard` jobs with PROMPTOPS_SHARD=I/N
(each evaluates its shard of every changed agent's cases, base and head, and uploads the
run files) and once in an `eval-merge` job with PROMPTOPS_MERGE_RUNS=DIR (the downloaded
run files), which merges them per agent and posts the one comment and status a single
job would. A plain `promptops ci` run leaves such a pull request to those jobs, so the
suite is never paid for twice; the status stays unset until the merge job sets it (a
required check never passes without it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from promptops.config import Config
from promptops.errors import PromptopsError
from promptops.evals.shards import Shard, parse_shard

ENV_SHARD = "PROMPTOPS_SHARD"
ENV_MERGE_RUNS = "PROMPTOPS_MERGE_RUNS"
NO_CREDENTIALS_FILE = "no-model-credentials.txt"  # a shard job had no model key (a fork's PR)


@dataclass(frozen=True)
class ShardMode:
    shard: Shard | None = None  # this job evaluates one shard
    merge_dir: Path | None = None  # this job merges the shards' run files found here


def shard_mode(config: Config, env: Mapping[str, str]) -> ShardMode | None:
    """What this `promptops ci` run does for a pull request when the suite is sharded; None: all of it."""
    if env.get(ENV_SHARD):
        return ShardMode(shard=parse_shard(env[ENV_SHARD]))
    if env.get(ENV_MERGE_RUNS):
        return ShardMode(merge_dir=Path(env[ENV_MERGE_RUNS]))
    if int(config.get("evals.shards")) > 1:
        return ShardMode()
    return None


def shard_files_by_agent(folder: Path) -> dict[str, list[Path]]:
    """The run files under `folder` (any depth), by the agent they evaluated."""
    if not folder.is_dir():
        raise PromptopsError(f"{ENV_MERGE_RUNS}={folder}: no such folder (did the eval-shard jobs upload?)")
    out: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*.json")):
        try:
            agent = json.loads(path.read_text(encoding="utf-8"))["agent"]
        except (ValueError, KeyError, TypeError):
            continue  # not a run file
        out.setdefault(str(agent), []).append(path)
    return out
