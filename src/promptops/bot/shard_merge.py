"""The `evaluate-merge` job: the shards' runs put back together into one pull request evaluation.

It reads every `manifest.json` the shard jobs uploaded (downloaded under
`PROMPTOPS_SHARD_RUNS`), merges each agent's shard runs with `eval-merge`'s checks, and
returns the PullEvaluation one job would have made, so the check, status and comment that
follow are the one-job path's own code. Fails closed: a shard that did not report (failed,
cancelled, its artifact missing), a manifest of another head, base or shard count, or run
files of other cases make that agent's result an error, with the command to re-run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.bot.context import CiContext
from promptops.bot.gate_report import NEW_AGENT, REMOVED, AgentResult, PullEvaluation, own_cases_summary
from promptops.bot.shard_job import MANIFEST
from promptops.bot.shard_plan import ENV_RUNS
from promptops.config import Config
from promptops.errors import PromptopsError
from promptops.evals.command import EvalOptions, EvalOutcome, prepare, run_merge_command
from promptops.markdown import escape_text
from promptops.repo.agents import list_agents


@dataclass
class ShardReports:
    """The manifests found, by shard index, and what was wrong with the others."""

    count: int
    by_index: dict[int, tuple[Path, dict[str, Any]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # agents whose shard runs would not merge

    def lacking(self, agent: str) -> list[int]:
        """Shards with no result for `agent`: no manifest, or a manifest without the agent."""
        found = {i for i, (_, data) in self.by_index.items() if agent in data["agents"]}
        return [i for i in range(1, self.count + 1) if i not in found]

    @property
    def incomplete(self) -> bool:
        """A shard did not report, or its runs were refused: the merge job fails too (re-run it)."""
        return bool(self.problems or self.refused) or len(self.by_index) < self.count


def read_reports(folder: Path, base: str, head: str, count: int) -> ShardReports:
    """Every shard manifest under `folder` that belongs to this evaluation (base, head, N)."""
    found = ShardReports(count)
    if not folder.is_dir():
        found.problems.append(f"{ENV_RUNS}={folder} is not a folder (no shard artifact was downloaded)")
        return found
    for path in sorted(folder.rglob(MANIFEST)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            index, of = int(data["shard"]), int(data["count"])
            mine = (data["base"], data["head"], of) == (base, head, count)
            data["agents"] = dict(data["agents"])
        except (ValueError, KeyError, TypeError) as exc:
            found.problems.append(f"{path}: not a shard manifest ({exc})")
            continue
        if not mine:
            found.problems.append(
                f"{path}: shard {index}/{of} of {str(data['head'])[:10]} vs {str(data['base'])[:10]}, "
                f"not of this evaluation ({count} shards of {head[:10]} vs {base[:10]})"
            )
        elif index in found.by_index:
            found.problems.append(f"{path}: shard {index}/{of} is also in {found.by_index[index][0]}")
        else:
            found.by_index[index] = (path, data)
    return found


def rerun_hint(ctx: CiContext) -> str:
    run_id, repository = ctx.process_env.get("GITHUB_RUN_ID"), ctx.env.repository
    if run_id and repository:
        return f"`gh run rerun {run_id} --failed --repo {repository}` (Re-run failed jobs on the run's page)"
    return "Re-run failed jobs on the workflow run's page"


def merged_evaluation(
    ctx: CiContext, judge: Config, base: str, head: str, agents: list[str], reports: ShardReports
) -> PullEvaluation:
    """What one job's `evaluate_pull` would have returned, from the shards' runs."""
    result = PullEvaluation(base, head)
    at_base, at_head = set(list_agents(judge, base)), set(list_agents(judge, head))
    for agent in agents:
        if agent not in at_head:
            result.agents.append(AgentResult(agent, note=REMOVED))
        else:
            result.agents.append(_merged_agent(ctx, judge, agent, base, head, agent in at_base, reports))
    return result


def _merged_agent(
    ctx: CiContext, judge: Config, agent: str, base: str, head: str, on_base: bool, reports: ShardReports
) -> AgentResult:
    lacking = reports.lacking(agent)
    if lacking:
        why = "; ".join(reports.problems) or "the job failed or was cancelled, or its artifact is missing"
        note = (
            f"shard(s) {', '.join(map(str, lacking))} of {reports.count} did not report {agent} ({why}); "
            f"re-run them: {rerun_hint(ctx)}"
        )
        return AgentResult(agent, note=note, failed=True)
    entries = [(path.parent, data["agents"][agent]) for _, (path, data) in sorted(reports.by_index.items())]
    errors = [entry["error"] for _, entry in entries if entry.get("error")]
    if errors:
        return AgentResult(agent, note=errors[0], failed=True)  # as one job words it
    try:
        files = [_inside(folder, name) for folder, entry in entries for name in entry["runs"]]
        outcome = run_merge_command(judge, files)
        _check_what_was_run(judge, agent, base, head, on_base, outcome)
    except PromptopsError as exc:
        reports.refused.append(agent)
        return AgentResult(agent, note=f"{exc}; re-run: {rerun_hint(ctx)}", failed=True)
    merged = AgentResult(agent, outcome, "" if on_base else NEW_AGENT)
    merged.own_cases = _own_cases(judge, entries)
    return merged


def _inside(folder: Path, name: str) -> Path:
    """A run file a manifest names: a plain file name in the manifest's own folder."""
    if not isinstance(name, str) or Path(name).name != name or name in ("", ".", ".."):
        raise PromptopsError(f"{folder / MANIFEST}: run file {name!r} is not a file name in its folder")
    return folder / name


def _check_what_was_run(
    judge: Config, agent: str, base: str, head: str, on_base: bool, outcome: EvalOutcome
) -> None:
    """The merged runs are of these commits and of the cases one job would have run."""
    compare = base if on_base else None
    _, suite = prepare(judge, EvalOptions(agent_id=agent, ref=head, compare=compare, cases_ref=compare))
    expected = {"head": head, **({"base": base} if on_base else {})}
    runs = {run.label: run for run in outcome.runs}
    if set(runs) != set(expected):
        found, wanted = ", ".join(runs), ", ".join(expected)
        raise PromptopsError(f"{agent}: the shards hold {found} runs, expected {wanted}")
    for label, run in runs.items():
        if run.ref != expected[label] or run.suite_digest != suite.digest:
            raise PromptopsError(
                f"{agent}: the {label} run's files are of {str(run.ref)[:10]} on other cases "
                f"than {expected[label][:10]} on {suite.rel_path or suite.path}"
            )


def _own_cases(judge: Config, entries: list[tuple[Path, dict[str, Any]]]) -> str:
    """The head prompts on the PR's own cases, merged from the shards ("" when not run)."""
    errors = [entry["own_error"] for _, entry in entries if entry.get("own_error")]
    if errors:
        return f"could not run them: {escape_text(errors[0])}"
    names = [(folder, name) for folder, entry in entries for name in entry.get("own_runs", [])]
    if not names:
        return ""
    try:
        return own_cases_summary(run_merge_command(judge, [_inside(f, n) for f, n in names]).head)
    except PromptopsError as exc:
        return f"could not run them: {escape_text(str(exc))}"
