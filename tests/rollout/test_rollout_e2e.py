"""A whole rollout driven by `promptops rollout check --apply` on logs written by the real
runtime, in a real repository with a bare origin and the GitHub stand-in: a good candidate
goes 5 -> 25 -> 50 -> promoted by pull requests; a bad one is aborted by a direct commit at
the first step where the evidence is in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from promptops.git.local_repo import merge_pull_request
from promptops.git.notes import read_note
from promptops.git.refs import commit_trailers
from tests.conftest import run_cli
from tests.gitrepo import commit, git
from tests.mermaid_parse import values, xycharts
from tests.repo.samples import support_agent
from tests.rollout.traffic_sim import serve
from tests.standins.github_server import GitHubStandin, github_standin  # noqa: F401 - pytest fixture

SYSTEM = "prompts/support-agent/system.md"
ROLLOUT = "prompts/support-agent/rollout.yaml"
CANDIDATE_TEXT = "You are a terse support agent for ACME. Follow the refund policy.\n"


@pytest.fixture
def rollout_repo(repo: Path, github_standin: GitHubStandin, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    files = support_agent()
    files[".promptops.yaml"] = yaml.safe_dump({"github": {"base_url": github_standin.url}})
    commit(repo, files, "add support-agent", push=True)
    monkeypatch.setenv("GITHUB_TOKEN", github_standin.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo-org/prompts")
    (repo.parent / "candidate.md").write_text(CANDIDATE_TEXT)
    return repo


def merge(repo: Path, standin: GitHubStandin, number: int) -> None:
    """What a reviewer's merge does: GitHub merges the PR's branch and closes the PR."""
    branch = standin.pulls[number]["head"]
    git(repo, "fetch", "-q", "origin", branch)
    merge_pull_request(repo, f"origin/{branch}", number)
    standin.pulls[number].update(state="closed", merged=True)


def step(repo: Path, logs: Path, calls: int, success: dict[str, float], seed: int) -> tuple[dict, str]:
    """Serve `calls` production calls from the deployed (merged) folder, then check and apply."""
    start = datetime.now(UTC) + timedelta(seconds=1)
    serve(repo / "prompts", logs, calls, start=start, success=success, seed=seed)
    result = run_cli(
        repo, "rollout", "check", "support-agent/system", "--logs", str(logs), "--apply", "--json"
    )
    assert result.stdout, result.stderr
    return json.loads(result.stdout), result.stderr


def weight_on_origin(repo: Path) -> float | None:
    git(repo, "fetch", "-q", "origin")
    try:
        return yaml.safe_load(git(repo, "show", f"origin/main:{ROLLOUT}"))["weight"]
    except Exception:
        return None


def test_a_good_candidate_advances_step_by_step_and_is_promoted(
    rollout_repo: Path,
    github_standin: GitHubStandin,  # noqa: F811
    tmp_path: Path,
) -> None:
    repo = rollout_repo
    started = run_cli(
        repo, "rollout", "start", "support-agent/system", "--file", "../candidate.md", "--min-samples", "600"
    )
    assert started.exit_code == 0, started.output
    assert "opened pull request #1" in started.stdout
    assert (
        git(repo, "show", f"origin/promptops/support-agent/system/rollout:{ROLLOUT}").count("weight: 5") == 1
    )
    merge(repo, github_standin, 1)
    assert (repo / "prompts/support-agent/system.candidate.md").read_text() == CANDIDATE_TEXT

    outcomes, weights, calls = [], [], {5: 14_000, 25: 3_500, 50: 2_000}
    for number, weight in ((2, 5), (3, 25), (4, 50)):
        weights.append(weight_on_origin(repo))
        out, _ = step(
            repo,
            tmp_path / f"calls-{weight}.jsonl",
            calls[weight],
            {"stable": 0.9, "candidate": 0.9},
            seed=weight,
        )
        outcomes.append(out["check"]["outcome"])
        assert out["applied"]["pr_number"] == number, out
        pr = github_standin.pulls[number]
        assert pr["head"] == "promptops/support-agent/system/rollout" and "no regression" in pr["body"]
        merge(repo, github_standin, number)
    assert weights == [5, 25, 50]
    assert outcomes == ["advance", "advance", "promote"]
    # each report shows the traffic steps (Mermaid's parser reads them back), the current one marked
    charts = xycharts("\n".join(github_standin.pulls[n]["body"] for n in (2, 3, 4)))
    assert [c["xAxis"]["categories"] for c in charts] == [
        ["1: 5% now", "2: 25% next", "3: 50%", "4: 100%"],
        ["1: 5%", "2: 25% now", "3: 50% next", "4: 100%"],
        ["1: 5%", "2: 25%", "3: 50% now", "4: 100%"],
    ]
    assert values(charts[1]) == [("bar", [5, 25, 0, 0]), ("line", [5, 25, 50, 100])]
    assert (repo / SYSTEM).read_text() == CANDIDATE_TEXT
    assert not (repo / ROLLOUT).exists() and not (repo / "prompts/support-agent/system.candidate.md").exists()
    promoted = git(repo, "rev-parse", "origin/promptops/support-agent/system/rollout")
    assert commit_trailers(repo, promoted)["Promptops-Rollout-Outcome"] == "promote"
    assert read_note(repo, promoted)["rollout"]["weight"] == 50
    history = run_cli(repo, "history", "support-agent/system", "--no-fetch").stdout
    assert "Merge pull request #4" in history
    steps = history.split("rollout steps of support-agent/system on main:")[1].splitlines()[2:]
    assert [(row.split()[2], row.split()[3], row.split()[4]) for row in steps] == [
        ("5%", "start", "#1"),
        ("25%", "advance", "#2"),
        ("50%", "advance", "#3"),
        ("-", "end", "#4"),
    ]


def test_a_worse_candidate_is_aborted_by_a_direct_commit_before_reaching_50_percent(
    rollout_repo: Path,
    github_standin: GitHubStandin,  # noqa: F811
    tmp_path: Path,
) -> None:
    repo = rollout_repo
    assert (
        run_cli(
            repo,
            "rollout",
            "start",
            "support-agent/system",
            "--file",
            "../candidate.md",
            "--min-samples",
            "1000",
        ).exit_code
        == 0
    )
    merge(repo, github_standin, 1)
    seen_weights = []
    for round_ in range(3):
        seen_weights.append(weight_on_origin(repo))
        out, _ = step(
            repo, tmp_path / f"calls-{round_}.jsonl", 22_000, {"stable": 0.95, "candidate": 0.90}, seed=round_
        )
        if out["check"]["outcome"] == "abort":
            break
        merge(repo, github_standin, out["applied"]["pr_number"])
    assert out["check"]["outcome"] == "abort"
    assert max(seen_weights) < 50
    assert weight_on_origin(repo) == 0  # on the default branch at once, no review
    aborted = git(repo, "rev-parse", "origin/main")
    trailers = commit_trailers(repo, aborted)
    assert trailers.pop("Promptops-Run").startswith("rollout-")  # marks the commit as the bot's own
    assert trailers == {
        "Promptops-Prompt": "support-agent/system",
        "Promptops-Base": out["check"]["stable_version"],
        "Promptops-Rollout": "support-agent/system",
        "Promptops-Rollout-Step": "0",
        "Promptops-Rollout-Outcome": "abort",
    }
    note = read_note(repo, aborted)
    assert note["verdict"] == "abort" and note["rollout"]["metrics"][0]["regression"] is True
    [comment] = [c for c in github_standin.comments.values() if "rollout: abort" in c["body"]]
    # on the PR whose merge began the step: #1 (the start) at 5%, #2 (the first advance) at 25%
    assert comment["issue"] == len(seen_weights) and "regressed: candidate" in comment["body"]
    # production picks it up: no user is served the candidate any more
    git(repo, "pull", "-q", "origin", "main")
    history = run_cli(repo, "history", "support-agent/system", "--no-fetch").stdout
    assert [row.split()[2:4] for row in history.split("on main:")[-1].splitlines()[2:]][-1] == ["0%", "abort"]
    from promptops.runtime import PromptStore

    store = PromptStore(repo / "prompts")
    assert {store.get("support-agent/system", key=f"u{i}").arm for i in range(500)} == {"stable"}
