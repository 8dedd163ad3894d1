"""Sharded evaluation: one suite split across machines, and the shards merged back into one run.

`promptops eval AGENT --shard I/N` runs only the cases whose id hashes to shard I of N,
so N CI jobs share a large suite; all repeats of a case stay in its shard, which keeps
every case's samples (and so the paired comparison) whole. Each shard's run file records
the shard, the cases it ran (with their place in the file) and a digest of the cases
file. `promptops eval-merge` puts the shards back together and refuses, naming the file,
any set that is not exactly shards 1..N of one agent, one prompt version, one cases file
and one set of settings: a merged run must be the run one machine would have made.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from promptops.errors import InputError
from promptops.evals.cases import Case
from promptops.evals.results import EvalRun, new_run_id, now_iso, run_from_dict, summarize_results

_SHARD = re.compile(r"^(\d+)/(\d+)$")
# What must be equal in every shard of one run (the settings the samples were made with).
SAME_IN_EVERY_SHARD = (
    "agent",
    "label",
    "ref",
    "prompt_versions",
    "model",
    "params",
    "provider",
    "suite_path",
    "suite_digest",
    "split",
    "repeat",
    "judge_model",
)


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """`2/4` -> Shard(2, 4); anything else is a one-line InputError."""
    found = _SHARD.match(text.strip())
    if not found or not 1 <= int(found.group(1)) <= int(found.group(2)):
        raise InputError(f"--shard expects I/N with 1 <= I <= N (e.g. 2/4), got {text!r}")
    return Shard(int(found.group(1)), int(found.group(2)))


def shard_of(case_id: str, count: int) -> int:
    """The 1-based shard of a case: a hash of its id, so the split is the same on every machine."""
    digest = hashlib.sha256(case_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(cases: Sequence[Case], shard: Shard) -> list[Case]:
    return [c for c in cases if shard_of(c.id, shard.count) == shard.index]


def shard_record(shard: Shard, cases: Sequence[Case], filter_text: str | None) -> dict[str, Any]:
    """What a shard's run file says about the shard: which one, which cases (id, place in the file)."""
    return {
        "index": shard.index,
        "count": shard.count,
        "filter": filter_text,
        "cases": [[c.id, c.index] for c in cases],
    }


def load_shard_runs(paths: Sequence[Path]) -> list[tuple[Path, EvalRun]]:
    """Every run in the files: a run file, or a `--json` export of a comparison (base and head)."""
    out = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found = [data["base"], data["head"]] if "head" in data else [data]
            out += [(path, run_from_dict(run)) for run in found]
        except FileNotFoundError:
            raise InputError(f"{path}: error: file not found") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: error: not a promptops run file ({exc})") from None
    return out


def merge_shards(runs: Sequence[tuple[Path, EvalRun]]) -> list[EvalRun]:
    """One run per label (base first), each the union of shards 1..N; InputError otherwise."""
    by_label: dict[str, list[tuple[Path, EvalRun]]] = {}
    for path, run in runs:
        if run.shard is None:
            raise InputError(f"{path}: error: run {run.run_id} is not a shard (run it with --shard I/N)")
        by_label.setdefault(run.label, []).append((path, run))
    merged = [_merge_label(label, group) for label, group in by_label.items()]
    return sorted(merged, key=lambda r: r.label != "base")


def _merge_label(label: str, group: list[tuple[Path, EvalRun]]) -> EvalRun:
    first_path, first = group[0]
    count = first.shard["count"] if first.shard else 0
    seen: dict[int, Path] = {}
    for path, run in group:
        _check_same(first_path, first, path, run)
        assert run.shard is not None
        index = run.shard["index"]
        if index in seen:
            raise InputError(f"{path}: error: shard {index}/{count} of {label} is also in {seen[index]}")
        seen[index] = path
    missing = [str(i) for i in range(1, count + 1) if i not in seen]
    if missing:
        raise InputError(
            f"{first_path}: error: {label} run is missing shard(s) {', '.join(missing)} of {count}; "
            "a merged run must hold every shard"
        )
    return _combined(label, [run for _, run in group])


def _check_same(first_path: Path, first: EvalRun, path: Path, run: EvalRun) -> None:
    for name in SAME_IN_EVERY_SHARD:
        if getattr(run, name) != getattr(first, name):
            raise InputError(
                f"{path}: error: {name} is {getattr(run, name)!r}, but {first_path} has "
                f"{getattr(first, name)!r}; shards of one run need the same prompts, cases and settings"
            )
    for key in ("count", "filter"):
        mine, theirs = (run.shard or {}).get(key), (first.shard or {}).get(key)
        if mine != theirs:
            raise InputError(
                f"{path}: error: shard {key} is {mine!r}, but {first_path} has {theirs!r}; "
                "shards of one run are made with the same --shard N and --filter"
            )


def _combined(label: str, shards: list[EvalRun]) -> EvalRun:
    """The shards' samples in cases-file order, as one run would hold them, with one summary."""
    place = {case_id: index for run in shards for case_id, index in (run.shard or {}).get("cases", [])}
    results = sorted(
        (r for run in shards for r in run.results), key=lambda r: (place.get(r.case_id, 0), r.repeat_index)
    )
    planned = sum(run.summary.planned for run in shards)
    first = shards[0]
    stopped = next((run.stopped for run in shards if run.stopped), None)
    usage = {key: sum(int(run.usage.get(key, 0)) for run in shards) for key in first.usage}
    return replace(
        first,
        run_id=new_run_id(first.agent, label),
        created_at=now_iso(),
        results=results,
        summary=summarize_results(results, planned),
        stopped=stopped,
        usage=usage,
        shard=None,
        merged_from=[run.run_id for run in sorted(shards, key=lambda r: (r.shard or {}).get("index", 0))],
    )
