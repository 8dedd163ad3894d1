"""Re-runs of a PR evaluation (a push, `/promptops eval`, the re-run box): the same results
edit the sticky comment to say "unchanged since <sha>" (the table kept, folded), a changed
result replaces it, and the check is set on every new head; a comment re-run flags a stale
base; the report links the workflow run and the JSON artifact only inside Actions."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from promptops.bot.eval_comment import results_fingerprint
from promptops.bot.pr_commands import RERUN_BOX
from promptops.bot.pull_request import evaluate_pull, gate_of
from promptops.config import load_config
from tests.ci import payloads
from tests.ci.conftest import AGENT, CiRun, bodies, feature_branch, open_pull, run_event
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin

WITHOUT_REFUND = "You are a support agent. Be brief.\n"
ARTIFACT = "promptops-eval-runs"
RUN = "https://github.example/octo-org/agents/actions/runs"


def push_to_feature(repo: Path, files: dict[str, str], message: str) -> str:
    git(repo, "checkout", "-q", "feature")
    sha = commit(repo, files, message)
    git(repo, "push", "-q", "origin", "feature")
    git(repo, "checkout", "-q", "main")
    return sha


def on_push(
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    github: GitHubStandin,
    number: int,
    base: str,
    head: str,
    **env: str,
) -> CiRun:
    payload = payloads.pull_request("synchronize", number, base_sha=base, head_sha=head)
    return run_event(repo, monkeypatch, github, "pull_request", payload, **env)


def eval_command(
    repo: Path, monkeypatch: pytest.MonkeyPatch, github: GitHubStandin, number: int, **env: str
) -> CiRun:
    comment_id = github.add_comment(number, "/promptops eval", "alice")
    payload = payloads.issue_comment("/promptops eval", number=number, login="alice", comment_id=comment_id)
    return run_event(repo, monkeypatch, github, "issue_comment", payload, **env)


def eval_report(github: GitHubStandin) -> str:
    [report] = [b for b in bodies(github) if b.startswith("<!-- promptops:report eval -->")]
    return report


def normalized(text: str) -> list[str]:
    """Lines with what differs between runs (commits, fingerprint, time, the repository URL) named."""
    for pattern, name in (
        (r"fingerprint=[0-9a-f]{32}", "fingerprint=FP"),
        (r"\b[0-9a-f]{40}\b", "SHA"),
        (r"\b[0-9a-f]{10}\b", "SHA"),
        (r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "TIME"),
        (r"https://github\.(example|com)/(octo-org/agents|OWNER/REPO)", "REPO"),
    ):
        text = re.sub(pattern, name, text)
    return text.splitlines()


def assert_docs_show(first: str, unchanged: str) -> None:
    """docs/github-actions.md shows these two comments as they render: each line of its two
    examples (a `...` line skips some) appears, in order, in what the test produced."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "github-actions.md").read_text(encoding="utf-8")
    blocks = re.findall(
        r"(?:From\s+a\s+real\s+run|From\s+the\s+same\s+test).*?```markdown\n(.*?)```", docs, flags=re.S
    )
    assert len(blocks) == 2, "the two examples of docs/github-actions.md moved"
    for block, produced in zip(blocks, (first, unchanged), strict=True):
        lines = iter(normalized(produced))
        for line in normalized(block):
            if line != "...":
                assert any(line == got for got in lines), f"docs line not in the output (in order): {line}"


@pytest.fixture
def pull(agent_repo: Path, github: GitHubStandin) -> tuple[int, str, str]:
    """(number, merge base, head) of a PR whose prompt drops the refund policy (a regression)."""
    base, head = feature_branch(agent_repo, {f"{AGENT}/system.md": WITHOUT_REFUND})
    github.collaborators["alice"] = "write"
    return open_pull(github, "feature"), base, head


def test_a_rerun_with_the_same_results_says_unchanged_since_and_still_sets_the_check(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: tuple[int, str, str]
) -> None:
    number, base, head = pull
    run = on_push(agent_repo, monkeypatch, github, number, base, head, PROMPTOPS_RUNS_ARTIFACT=ARTIFACT)
    assert run.result.exit_code == 0, run.err
    first = eval_report(github)
    assert "| pass rate | 100.0% | 0.0% | -100.0 pts |" in first and "unchanged" not in first
    listings = len(github.calls("issues/list-comments"))

    # a push that changes no prompt (a docs file): the same results, so no second table
    head2 = push_to_feature(agent_repo, {"NOTES.md": "why the prompt is shorter\n"}, "notes")
    run = on_push(
        agent_repo,
        monkeypatch,
        github,
        number,
        base,
        head2,
        GITHUB_RUN_ID="4243",
        PROMPTOPS_RUNS_ARTIFACT=ARTIFACT,
    )
    assert run.result.exit_code == 0, run.err
    assert f"results unchanged since {head[:10]}" in run.out
    edited = eval_report(github)
    assert len(bodies(github)) == 1 and len(github.calls("issues/update-comment")) == 1
    # two listings of the PR's comments, as on the first run: one for a recorded approval of a
    # gate change, one in which the earlier eval comment is both read and edited
    assert len(github.calls("issues/list-comments")) - listings == listings == 2
    assert edited.startswith("<!-- promptops:report eval -->\n<!-- promptops:results fingerprint=")
    assert (
        f"## promptops evaluation: unchanged since `{head[:10]}`\n\n**promptops/eval: failure** ❌" in edited
    )
    stamp = re.search(
        rf"Re-evaluated at `{head2[:10]}` on (\d{{4}}-\d\d-\d\d \d\d:\d\d) UTC: the verdict", edited
    )
    assert stamp is not None, edited
    assert f"the same as at `{head[:10]}` (vs merge base `{base[:10]}`)" in edited
    assert f"Produced by [this workflow run]({RUN}/4243). Its eval run" in edited  # the re-run's own run
    # the results are kept, folded, exactly as first posted (with the first run's link)
    folded = edited.split(f"<summary>Results (unchanged since {head[:10]})</summary>", 1)[1]
    assert first.split("\n", 2)[2].strip() in folded
    assert f"[this workflow run]({RUN}/4242)." in folded
    # the gate is judged and set on the new head as on any run (a required check on each commit)
    check = github.latest_check_runs(head2)["promptops/eval"]
    assert (check["conclusion"], check["output"]["title"]) == ("failure", "regression in support-agent")
    assert "| pass rate | 100.0% | 0.0% | -100.0 pts |" in check["output"]["summary"]
    assert github.latest_statuses(head2)["promptops/eval"]["state"] == "failure"

    assert_docs_show(first, edited)

    # `/promptops eval` on the same head: still unchanged since the FIRST commit, folded once
    run = eval_command(agent_repo, monkeypatch, github, number)
    assert run.result.exit_code == 0, run.err
    again = eval_report(github)
    assert f"unchanged since `{head[:10]}`" in again and f"Re-evaluated at `{head2[:10]}`" in again
    assert again.count("### support-agent: **regression**") == 1
    assert again.count("<summary>Results (unchanged since") == 1


def test_a_rerun_with_a_changed_case_replaces_the_table(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: tuple[int, str, str]
) -> None:
    number, base, head = pull
    on_push(agent_repo, monkeypatch, github, number, base, head)
    head2 = push_to_feature(agent_repo, {"NOTES.md": "notes\n"}, "notes")
    on_push(agent_repo, monkeypatch, github, number, base, head2)
    assert "unchanged since" in eval_report(github)

    # the refund policy is back: every case's outcome changes, so the table is replaced
    head3 = push_to_feature(
        agent_repo, {f"{AGENT}/system.md": "Follow the refund policy. Be brief.\n"}, "fix"
    )
    run = on_push(agent_repo, monkeypatch, github, number, base, head3)
    assert run.result.exit_code == 0, run.err
    replaced = eval_report(github)
    assert "unchanged" not in replaced and "<summary>Results (" not in replaced
    assert f"## promptops evaluation: `{head3[:10]}` vs merge base `{base[:10]}`" in replaced
    assert "| pass rate | 100.0% | 100.0% | +0.0 pts |" in replaced
    assert "### support-agent: **regression**" not in replaced
    assert re.search(rf"<!-- promptops:results fingerprint=[0-9a-f]{{32}} since={head3} -->", replaced)
    assert github.latest_check_runs(head3)["promptops/eval"]["conclusion"] != "failure"


def test_a_marker_copied_into_someone_elses_comment_is_not_trusted(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: tuple[int, str, str]
) -> None:
    number, base, head = pull
    on_push(agent_repo, monkeypatch, github, number, base, head)
    [(comment_id, posted)] = [(i, c["body"]) for i, c in github.comments.items()]
    # the bot's comment is gone; mallory posts a copy (the right fingerprint) with made-up results
    del github.comments[comment_id]
    forged = (
        posted.split("## promptops evaluation", 1)[0] + "## promptops evaluation: all green, merge away\n"
    )
    forged_id = github.add_comment(number, forged, "mallory")
    head2 = push_to_feature(agent_repo, {"NOTES.md": "notes\n"}, "notes")
    run = on_push(agent_repo, monkeypatch, github, number, base, head2)
    assert run.result.exit_code == 0, run.err
    assert github.comments[forged_id]["body"] == forged  # never edited, never believed
    [ours] = [c["body"] for c in github.comments.values() if c["login"] == github.login]
    assert "unchanged" not in ours and "all green" not in ours
    assert "| pass rate | 100.0% | 0.0% | -100.0 pts |" in ours


def test_a_comment_rerun_and_the_rerun_box_flag_a_stale_base(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: tuple[int, str, str]
) -> None:
    number, base, head = pull
    # main changes the same agent after the PR was opened (the PR's base.sha is still the old tip)
    tip = commit(agent_repo, {f"{AGENT}/user.md": "Customer: {{customer_message}}\n"}, "reword", push=True)
    assert github.pulls[number]["base_sha"] == base

    run = eval_command(agent_repo, monkeypatch, github, number)
    assert run.result.exit_code == 0, run.err
    stale = eval_report(github)
    assert "> [!WARNING]\n> **Stale comparison.** This report compares against merge base " in stale
    assert f"`{base[:10]}`, but `main` has moved on to `{tip[:10]}` and changed support-agent since" in stale
    assert "`git merge origin/main` and push" in stale and "`/promptops eval support-agent`" in stale

    # the re-run box: the same results, so "unchanged", and the warning stays in view (not folded)
    github.pulls[number]["body"] = f"Drops the refund policy.\n\n{RERUN_BOX}"
    before = github.pulls[number]["body"]
    github.pulls[number]["body"] = before.replace("- [ ]", "- [x]", 1)
    payload = payloads.pull_request(
        "edited", number, base_sha=base, head_sha=head, body=github.pulls[number]["body"]
    )
    payload["changes"] = {"body": {"from": before}}
    payload["sender"] = payloads.user("alice")
    run = run_event(agent_repo, monkeypatch, github, "pull_request", payload)
    assert run.result.exit_code == 0, run.err
    rerun = eval_report(github)
    assert f"unchanged since `{head[:10]}`" in rerun
    header = rerun.split("<details>", 1)[0]
    assert f"`main` has moved on to `{tip[:10]}` and changed support-agent since" in header


def test_the_report_links_the_run_and_the_json_artifact_only_inside_actions(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, pull: tuple[int, str, str]
) -> None:
    number, base, head = pull
    run = on_push(agent_repo, monkeypatch, github, number, base, head, PROMPTOPS_RUNS_ARTIFACT=ARTIFACT)
    assert run.result.exit_code == 0, run.err
    linked = eval_report(github)
    assert (
        f"Produced by [this workflow run]({RUN}/4242). Its eval run files (JSON) are the artifact "
        f"[`{ARTIFACT}`]({RUN}/4242#artifacts)."
    ) in linked
    runs = sorted(p.name for p in (agent_repo / ".promptops" / "runs").glob("*.json"))
    assert len(runs) == 2  # base and head: what the workflow uploads under that name

    # outside Actions (no server URL or run id): no link at all, rather than a broken one
    head2 = push_to_feature(agent_repo, {f"{AGENT}/system.md": "Follow the refund policy.\n"}, "fix")
    on_push(
        agent_repo,
        monkeypatch,
        github,
        number,
        base,
        head2,
        GITHUB_SERVER_URL="",
        GITHUB_RUN_ID="",
        PROMPTOPS_RUNS_ARTIFACT=ARTIFACT,
    )
    bare = eval_report(github)
    assert "| pass rate | 100.0% | 100.0% | +0.0 pts |" in bare
    assert "workflow run" not in bare and "artifact" not in bare and "None" not in bare
    assert github.latest_statuses(head2)["promptops/eval"]["target_url"] is None


def test_the_same_means_the_same_as_displayed(agent_repo: Path, pull: tuple[int, str, str]) -> None:
    """Figures equal at the tables' precision are the same; one case's outcome is not."""
    _, base, head = pull
    evaluation = evaluate_pull(load_config(agent_repo), base, head, ["support-agent"])
    evaluation.gate = gate_of(evaluation, load_config(agent_repo), None)
    first = results_fingerprint(evaluation)
    outcome = evaluation.agents[0].outcome
    assert outcome is not None and outcome.comparison is not None
    cmp = outcome.comparison

    def with_comparison(**changes: object) -> str:
        evaluation.agents[0].outcome = replace(outcome, comparison=replace(cmp, **changes))
        return results_fingerprint(evaluation)

    tokens = cmp.head.mean_tokens
    assert with_comparison(head=replace(cmp.head, mean_tokens=tokens + 0.001)) == first  # 80.0 (-4.8%)
    assert with_comparison(head=replace(cmp.head, mean_tokens=tokens + 0.1)) != first  # 80.1
    flipped = [replace(cmp.cases[0], head="pass", head_passed=1), *cmp.cases[1:]]
    assert with_comparison(cases=flipped) != first
    assert with_comparison() == first
    evaluation.head = "0" * 40  # another head commit with the same results: still the same
    assert results_fingerprint(evaluation) == first
