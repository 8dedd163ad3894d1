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
from tests.ci.conftest import AGENT, REFUND_CASES, CiRun, bodies, feature_branch, open_pull, run_event
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


def pull(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    github: GitHubStandin,
    provider: dict,
    evals: dict | None = None,
    files: dict[str, str] | None = None,
    **payload: Any,
) -> tuple[Actions, str]:
    """A PR removing "refund" from the prompt (and `files`), on a base whose settings shard (`evals`)."""
    settings = {"provider": provider, "evals": evals or {"shards": 4}}
    commit(repo, {".promptops.yaml": yaml.safe_dump(settings)}, "shard PR evaluations", push=True)
    base, head = feature_branch(repo, {f"{AGENT}/system.md": WITHOUT_REFUND, **(files or {})})
    number = open_pull(github, "feature")
    event = payloads.pull_request("opened", number, base_sha=base, head_sha=head, **payload)
    return Actions(repo, monkeypatch, github, event), head


# The PR's own cases: two more, which the report states beside the verdict (never judged).
MORE_CASES = REFUND_CASES + "".join(
    f"  - id: extra-{i}\n    vars: {{customer_message: 'extra {i}'}}\n"
    "    assert: [{type: icontains, value: refund}]\n"
    for i in range(2)
)


@pytest.mark.parametrize(
    ("provider", "files"),
    [(ECHO, {}), (NO_KEY, {}), (ECHO, {f"{AGENT}/evals/cases.yaml": MORE_CASES})],
    ids=["echo", "no-model-key", "pr-changes-cases"],
)
def test_plan_four_shards_and_merge_give_what_one_job_gives(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, provider: dict, files: dict
) -> None:
    actions, head = pull(agent_repo, monkeypatch, github, provider, files=files)
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
    if files:  # the shard jobs ran the PR's own cases too, so the merge job needs no model key
        assert len(list(actions.artifacts.rglob("support-agent-own-cases-*.json"))) == 4
        assert "On this pull request's own cases (reported separately, not judged): pass rate 0.0%" in comment
        assert "on 10 samples of 10 cases" in comment
    if provider is ECHO:
        assert "### support-agent: **regression**" in comment
        assert "Measured on 8 samples (8 cases, repeat 1" in comment
        assert expected[0] == "failure" and expected[1] == "regression in support-agent"
    else:
        assert "could not be evaluated: no model credentials in this run" in comment
        assert expected[:2] == ("failure", "could not evaluate in support-agent")


@pytest.mark.parametrize("damage", ["missing", "run-file-missing", "other-cases"])
def test_a_missing_or_foreign_shard_fails_the_gate_with_the_rerun_command(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    actions, head = pull(agent_repo, monkeypatch, github, ECHO)
    _, planned = actions.job("evaluate")
    actions.shard_jobs(planned)
    shard2 = actions.artifacts / "promptops-shard-2"
    if damage == "missing":
        shutil.rmtree(shard2)  # the job failed or was cancelled: nothing uploaded
    elif damage == "run-file-missing":
        next(shard2.rglob("support-agent-eval-0.json")).unlink()
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
    elif damage == "run-file-missing":
        assert "support-agent-eval-0.json: error: file not found" in comment
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


@pytest.mark.parametrize(("per_job", "most", "expected"), [(3, 8, 3), (3, 2, 2), (100, 8, 1)])
def test_shard_samples_sizes_the_matrix_from_the_base_cases(
    agent_repo: Path,
    github: GitHubStandin,
    monkeypatch: pytest.MonkeyPatch,
    per_job: int,
    most: int,
    expected: int,
) -> None:
    """8 cases x repeat 1 on the base: ceil(8 / shard_samples) jobs, at most max_shards; the PR's
    40 extra cases count for nothing."""
    many = REFUND_CASES + "".join(f"  - id: more-{i}\n    vars: {{customer_message: m}}\n" for i in range(40))
    evals = {"shard_samples": per_job, "max_shards": most}
    actions, _ = pull(agent_repo, monkeypatch, github, ECHO, evals, {f"{AGENT}/evals/cases.yaml": many})

    plan, planned = actions.job("evaluate")

    assert plan.result.exit_code == 0, plan.err
    assert planned == {"shards": str(expected), "matrix": json.dumps(list(range(1, expected + 1)))}


def test_the_workflow_fans_out_from_the_plan_and_merges_after_any_shard() -> None:
    jobs = WORKFLOW["jobs"]
    plan, shard, merge = jobs["evaluate"], jobs["evaluate-shard"], jobs["evaluate-merge"]
    # the plan is the evaluate job; its outputs are the action's, from the promptops step
    assert plan["env"] == {"PROMPTOPS_SHARD_PLAN": "true"}
    assert plan["outputs"] == {
        "shards": "${{ steps.promptops.outputs.shards }}",
        "matrix": "${{ steps.promptops.outputs.matrix }}",
    }
    assert [s.get("id") for s in plan["steps"] if s.get("uses") == "./promptops-action"] == ["promptops"]
    assert ACTION["outputs"]["shards"]["value"] == "${{ steps.promptops.outputs.shards }}"
    # shard jobs: a matrix from the plan, read-only, each cancelled only by its own successor
    assert shard["needs"] == "evaluate"
    assert "needs.evaluate.outputs.shards" in shard["if"] and "always()" not in shard["if"]
    assert shard["strategy"] == {
        "fail-fast": False,
        "matrix": {"shard": "${{ fromJSON(needs.evaluate.outputs.matrix) }}"},
    }
    assert shard["env"] == {"PROMPTOPS_SHARD": "${{ matrix.shard }}/${{ needs.evaluate.outputs.shards }}"}
    assert shard["permissions"] == {"contents": "read"}
    assert shard["concurrency"]["cancel-in-progress"] is True
    assert (
        "pull_request.number" in shard["concurrency"]["group"]
        and "matrix.shard" in shard["concurrency"]["group"]
    )
    [upload] = [s for s in shard["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "repository/.promptops/shards/"
    assert upload["with"]["if-no-files-found"] == "error"
    # the merge: after every shard, also a failed or cancelled one; never without the plan
    assert merge["needs"] == ["evaluate", "evaluate-shard"]
    assert merge["if"].startswith("always() && needs.evaluate.result == 'success' && ")
    assert "needs.evaluate.outputs.shards" in merge["if"]
    assert merge["permissions"] == plan["permissions"]  # what the one-job path may write, no more
    assert merge["concurrency"]["cancel-in-progress"] is True
    [download] = [
        s for s in merge["steps"] if str(s.get("uses", "")).startswith("actions/download-artifact@")
    ]
    assert download["with"] == {"pattern": "promptops-shard-*", "path": "shard-runs"}
    assert upload["with"]["name"] == "promptops-shard-${{ matrix.shard }}"
    assert merge["env"] == {"PROMPTOPS_SHARD_RUNS": "${{ github.workspace }}/shard-runs"}
    assert "anthropic-api-key" not in merge["steps"][-1]["with"]  # it merges; it calls no model
    for job in (shard, merge):
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    text = (PROJECT / ".github/workflows/promptops.yml").read_text()
    assert "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02  # v4.6.2" in text
    assert "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093  # v4.3.0" in text
