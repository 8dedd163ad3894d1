"""The step start of a running rollout is the same whether `step_started` walks rollout.yaml
itself (`rollout check`) or is given the walk `prompt_histories` already made (the
dashboard): checked after every commit of a rollout's life, merges of PRs included."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.config import load_config
from promptops.git.branches import resolve_default_branch
from promptops.repo.history import prompt_histories
from promptops.repo.rollouts import StepStart, load_rollout, step_started
from tests.gitrepo import commit, git, make_repo
from tests.repo.samples import support_agent
from tests.rollout.agents import CANDIDATE, rollout_yaml

AGENT = "prompts/support-agent"
ROLLOUT = f"{AGENT}/rollout.yaml"
OTHER_CANDIDATE = "You are a brief support agent. Follow the refund policy.\n"


def on_day(monkeypatch: pytest.MonkeyPatch, day: int) -> None:
    stamp = f"2026-11-{day:02d}T09:30:00+00:00"
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)


def merged(repo: Path, files: dict[str, str | bytes], pr: int) -> None:
    """`files` changed on a branch and merged as pull request #`pr` (a merge commit)."""
    git(repo, "checkout", "-q", "-b", f"pr-{pr}")
    commit(repo, files, f"change for #{pr}")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", f"pr-{pr}", "-m", f"Merge pull request #{pr}")


def both_ways(repo: Path) -> tuple[StepStart | None, StepStart | None]:
    """(walked by step_started, from the history's walk), or None where there is no rollout."""
    config = load_config(repo)
    branch = resolve_default_branch(repo, config)
    assert branch.rev is not None
    rollout = load_rollout(config, "support-agent/system", ref=branch.rev)
    if rollout is None:
        return None, None
    history = prompt_histories(config, [rollout.prompt])[rollout.prompt.id]
    return step_started(config, rollout, branch.rev), step_started(
        config, rollout, branch.rev, history.rollout_log
    )


def test_the_step_start_from_the_history_walk_is_the_one_walked_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_day(monkeypatch, 1)
    repo = make_repo(tmp_path, support_agent(AGENT))
    life: list[tuple[str, dict[str, str | bytes], int | None]] = [
        ("start at 5%", {f"{AGENT}/system.candidate.md": CANDIDATE, ROLLOUT: rollout_yaml(5)}, 1),
        ("advance to 25%", {ROLLOUT: rollout_yaml(25)}, 2),
        ("an edit at the same weight", {ROLLOUT: rollout_yaml(25, analysis={"min_samples": 500})}, None),
        (
            "another candidate, same weight",
            {f"{AGENT}/other.md": OTHER_CANDIDATE, ROLLOUT: rollout_yaml(25, candidate="other.md")},
            3,
        ),
        ("aborted: weight 0", {ROLLOUT: rollout_yaml(0, candidate="other.md")}, None),
        ("restarted at 5%", {ROLLOUT: rollout_yaml(5)}, 4),
    ]
    starts: dict[str, str] = {}
    for day, (what, files, pr) in enumerate(life, start=2):
        on_day(monkeypatch, day)
        if pr is None:
            commit(repo, files, what)
        else:
            merged(repo, files, pr)
        walked, from_history = both_ways(repo)
        assert walked is not None and from_history == walked, what
        starts[what] = walked.timestamp[:10]

    assert starts == {  # the step begins where the weight (or the candidate) last changed
        "start at 5%": "2026-11-02",
        "advance to 25%": "2026-11-03",
        "an edit at the same weight": "2026-11-03",
        "another candidate, same weight": "2026-11-05",
        "aborted: weight 0": "2026-11-06",
        "restarted at 5%": "2026-11-07",
    }
