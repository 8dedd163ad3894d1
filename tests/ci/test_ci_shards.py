"""A pull request evaluated by the reusable workflow's shard jobs, step by step as Actions runs them.

Each job is `promptops ci` on a fresh runner (no `.promptops/` left by another job) with
the environment the workflow file gives it: the job's `env:` read from
.github/workflows/promptops.yml and expanded with the contexts Actions would pass
(matrix, needs), its step outputs read back through action.yml's `outputs:`, and its
artifacts moved as upload-/download-artifact would. The sharded verdict, figures, comment,
check and status must be the ones the one-job path gives the same pull request.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci import payloads
from tests.ci.conftest import AGENT, CiRun, bodies, feature_branch, open_pull, run_event
from tests.gitrepo import commit
from tests.standins.github_server import GitHubStandin
from tests.workflow_lint import PROJECT

WORKFLOW = yaml.safe_load((PROJECT / ".github/workflows/promptops.yml").read_text())
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text())
STEP_VARIABLES = ("PROMPTOPS_SHARD_PLAN", "PROMPTOPS_SHARD", "PROMPTOPS_SHARD_RUNS", "GITHUB_OUTPUT")
WITHOUT_REFUND = "You are a support agent. Be brief.\n"
ECHO = {"name": "echo", "model": "echo-1"}
# The anthropic provider with a key variable nobody sets: a run without model credentials.
NO_KEY = {"name": "anthropic", "model": "claude-sonnet-5-5", "api_key_env": "PROMPTOPS_TEST_UNSET_KEY"}
_EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")


def expand(text: str, contexts: dict[str, Any]) -> str:
    """`${{ a.b.c }}` replaced from `contexts` (the only expressions the jobs' env and outputs use);
    a property nobody set is empty, as in Actions."""

    def lookup(found: re.Match[str]) -> str:
        value: Any = contexts
        for part in found.group(1).split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return str(value)

    return _EXPRESSION.sub(lookup, text)


class Actions:
    """Runs the workflow's pull-request jobs in one repository, a fresh runner for each job."""

    def __init__(
        self, repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin, payload: dict
    ) -> None:
        self.repo, self.monkeypatch, self.github, self.payload = repo, monkeypatch, github, payload
        self.workspace = repo.parent  # github.workspace: the checkout and the downloads sit in it
        self.artifacts = self.workspace / "shard-runs"

    def job(self, name: str | None, **contexts: Any) -> tuple[CiRun, dict[str, str]]:
        """`promptops ci` as job `name` runs it (None: the caller workflow's one job); its outputs."""
        shutil.rmtree(self.repo / ".promptops", ignore_errors=True)
        for variable in STEP_VARIABLES:
            self.monkeypatch.delenv(variable, raising=False)
        contexts = {"github": {"workspace": str(self.workspace)}, **contexts}
        env = {
            k: expand(str(v), contexts)
            for k, v in (WORKFLOW["jobs"][name].get("env", {}) if name else {}).items()
        }
        output = self.workspace / "github-output"
        output.write_text("", encoding="utf-8")
        run = run_event(
            self.repo,
            self.monkeypatch,
            self.github,
            "pull_request",
            self.payload,
            GITHUB_OUTPUT=str(output),
            **env,
        )
        step = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
        action = {
            k: expand(v["value"], {"steps": {"promptops": {"outputs": step}}})
            for k, v in ACTION["outputs"].items()
        }
        if name is None:
            return run, action
        declared = WORKFLOW["jobs"][name].get("outputs", {})
        return run, {k: expand(v, {"steps": {"promptops": {"outputs": action}}}) for k, v in declared.items()}

    def shard_jobs(self, plan: dict[str, str]) -> list[CiRun]:
        """One evaluate-shard job per matrix entry, each uploading .promptops/shards/ as its artifact."""
        runs = []
        for shard in json.loads(plan["matrix"]):
            run, _ = self.job(
                "evaluate-shard", matrix={"shard": shard}, needs={"evaluate": {"outputs": plan}}
            )
            uploaded = self.repo / ".promptops" / "shards"
            assert any(uploaded.iterdir()), run.out  # if-no-files-found: error
            shutil.copytree(uploaded, self.artifacts / f"promptops-shard-{shard}")
            runs.append(run)
        return runs

    def gate(self, head: str) -> tuple[Any, ...]:
        check = self.github.latest_check_runs(head)["promptops/eval"]
        status = self.github.latest_statuses(head)["promptops/eval"]
        return (
            check["conclusion"],
            check["output"]["title"],
            check["output"]["summary"],
            status["state"],
            status["description"],
        )

    def forget(self) -> None:
        self.github.comments.clear()
        self.github.statuses.clear()
        self.github.check_runs.clear()


def pull(repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin, provider: dict, **payload: Any):
    """A PR removing "refund" from the prompt, on a base whose settings ask for 4 shard jobs."""
    settings = {"provider": provider, "evals": {"shards": 4}}
    commit(repo, {".promptops.yaml": yaml.safe_dump(settings)}, "shard PR evaluations", push=True)
    base, head = feature_branch(repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    event = payloads.pull_request("opened", number, base_sha=base, head_sha=head, **payload)
    return Actions(repo, monkeypatch, github, event), head


@pytest.mark.parametrize("provider", [ECHO, NO_KEY], ids=["echo", "no-model-key"])
def test_plan_four_shards_and_merge_give_what_one_job_gives(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, provider: dict
) -> None:
    actions, head = pull(agent_repo, monkeypatch, github, provider)
    one_job, outputs = actions.job(None)  # the caller workflow `init --github` writes: one job
    assert one_job.result.exit_code == 0, one_job.err
    assert outputs == {"shards": "", "matrix": ""}
    [single] = bodies(github)
    expected = actions.gate(head)
    actions.forget()

    plan, planned = actions.job("evaluate")
    assert plan.result.exit_code == 0, plan.err
    assert planned == {"shards": "4", "matrix": "[1, 2, 3, 4]"}
    assert "support-agent evaluated in 4 shard jobs" in plan.out
    assert bodies(github) == [] and github.check_runs == {}
    assert github.latest_statuses(head)["promptops/eval"]["state"] == "pending"
    for i, shard in enumerate(actions.shard_jobs(planned), start=1):
        assert shard.result.exit_code == 0, shard.err
        assert f"shard {i}/4: saved .promptops/shards/shard-{i}-of-4/manifest.json" in shard.out
    assert bodies(github) == [] and github.check_runs == {}  # shard jobs post nothing

    merged, _ = actions.job("evaluate-merge", needs={"evaluate": {"outputs": planned}})

    assert merged.result.exit_code == 0, merged.err + merged.out
    [comment] = bodies(github)
    assert comment == single
    assert actions.gate(head) == expected
    if provider is ECHO:
        assert "### support-agent: **regression**" in comment
        assert "Measured on 8 samples (8 cases, repeat 1" in comment
        assert expected[0] == "failure" and expected[1] == "regression in support-agent"
    else:
        assert "could not be evaluated: no model credentials in this run" in comment
        assert expected[:2] == ("failure", "could not evaluate in support-agent")


@pytest.mark.parametrize("damage", ["missing", "other-cases"])
def test_a_missing_or_foreign_shard_fails_the_gate_with_the_rerun_command(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    actions, head = pull(agent_repo, monkeypatch, github, ECHO)
    _, planned = actions.job("evaluate")
    actions.shard_jobs(planned)
    shard2 = actions.artifacts / "promptops-shard-2"
    if damage == "missing":
        shutil.rmtree(shard2)  # the job failed or was cancelled: nothing uploaded
    else:  # a run file answering other cases (another cases file) in place of shard 2's
        for path in shard2.rglob("support-agent-eval-*.json"):
            run = json.loads(path.read_text(encoding="utf-8"))
            run["suite_digest"] = "0" * 64
            path.write_text(json.dumps(run), encoding="utf-8")

    merged, _ = actions.job("evaluate-merge", needs={"evaluate": {"outputs": planned}})

    conclusion, title, summary, state, _ = actions.gate(head)
    assert (conclusion, title, state) == ("failure", "could not evaluate in support-agent", "failure")
    [comment] = bodies(github)
    assert "gh run rerun 4242 --failed --repo octo-org/agents" in comment
    if damage == "missing":
        assert "shard(s) 2 of 4 did not report support-agent" in comment
    else:
        assert "suite\\_digest is '" + "0" * 64 + "', but " in comment
        assert "shards of one run need the same prompts, cases and settings" in comment
    assert merged.result.exit_code == 1  # a red job, so "re-run failed jobs" takes it too
    assert "a shard did not report or was refused" in merged.err


def test_shards_of_another_head_are_not_merged(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions, head = pull(agent_repo, monkeypatch, github, ECHO)
    _, planned = actions.job("evaluate")
    actions.shard_jobs(planned)
    for path in actions.artifacts.rglob("manifest.json"):
        manifest = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**manifest, "head": "f" * 40}), encoding="utf-8")

    merged, _ = actions.job("evaluate-merge", needs={"evaluate": {"outputs": planned}})

    assert merged.result.exit_code == 1
    assert actions.gate(head)[0] == "failure"
    [comment] = bodies(github)
    assert "shard(s) 1, 2, 3, 4 of 4 did not report support-agent" in comment
    assert f"not of this evaluation (4 shards of {head[:10]}" in comment


def test_a_fork_pr_gets_what_the_one_job_path_gives(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    fork = payloads.repository("mallory/agents", fork=True)
    actions, head = pull(agent_repo, monkeypatch, github, ECHO, head_repo=fork)
    actions.job(None)
    [single] = bodies(github)
    expected = actions.gate(head)
    actions.forget()

    plan, planned = actions.job("evaluate")

    assert plan.result.exit_code == 0, plan.err
    assert planned == {"shards": "1", "matrix": "[1]"}  # no shard jobs, no merge job
    assert bodies(github) == [single]
    assert actions.gate(head) == expected
    assert expected[0] == "action_required" and expected[3] == "pending"
    # and a shard job handed a fork's PR anyway refuses it
    refused, _ = actions.job(
        "evaluate-shard", matrix={"shard": 1}, needs={"evaluate": {"outputs": {"shards": "4"}}}
    )
    assert refused.result.exit_code != 0
    assert "a shard job never evaluates a fork's pull request" in refused.err


def test_one_shard_keeps_the_one_job_path(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    number = open_pull(github, "feature")
    actions = Actions(
        agent_repo, monkeypatch, github, payloads.pull_request("opened", number, base_sha=base, head_sha=head)
    )

    plan, planned = actions.job("evaluate")

    assert plan.result.exit_code == 0, plan.err
    assert planned == {"shards": "1", "matrix": "[1]"}
    assert actions.gate(head)[:2] == ("failure", "regression in support-agent")
    assert "### support-agent: **regression**" in bodies(github)[0]


def test_the_pr_cannot_choose_its_shard_count(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count is the base's: a PR asking for 4 shard jobs is still judged in one."""
    files = {
        f"{AGENT}/system.md": WITHOUT_REFUND,
        ".promptops.yaml": yaml.safe_dump({"provider": ECHO, "evals": {"shards": 4}}),
    }
    base, head = feature_branch(agent_repo, files)
    number = open_pull(github, "feature")
    actions = Actions(
        agent_repo, monkeypatch, github, payloads.pull_request("opened", number, base_sha=base, head_sha=head)
    )

    _, planned = actions.job("evaluate")

    assert planned["shards"] == "1"
    assert actions.gate(head)[0] == "failure"
