"""ChatOps parity: `/promptops optimize` follows `github.not_recommended` as `optimize --open-pr`
does: a confirmed variant the verdict does not recommend becomes a draft PR labelled
`promptops:not-recommended` (default), or nothing with `skip`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci.conftest import write_config
from tests.ci.test_ci_publish import OFFLINE, VARIANT, bot_reply, command, wordy_repo  # noqa: F401 - fixture
from tests.standins.github_server import GitHubStandin

# Demands a 95% token cut: the optimizer's variant is confirmed but not recommended.
STRICT = {**OFFLINE, "decision": {"min_success_delta": 0.1, "min_token_reduction_pct": 95.0}}
ASK = "/promptops optimize support-agent/system --goal conciseness"


def test_a_variant_not_recommended_becomes_a_draft_pr_from_a_comment(
    wordy_repo: Path,  # noqa: F811 - the fixture
    github: GitHubStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(wordy_repo, STRICT)
    run = command(wordy_repo, monkeypatch, github, ASK)
    assert run.result.exit_code == 0, run.err
    [pr] = github.pulls.values()
    assert pr["draft"] is True and pr["head"] == VARIANT
    assert "promptops:not-recommended" in github.issue_labels[pr["number"]]
    assert "⚠️ Not recommended" in pr["body"]  # the evidence, so the work is not lost
    url = f"https://github.example/octo-org/agents/pull/{pr['number']}"
    assert bot_reply(github) == (
        "<!-- promptops:report reply-1000 -->\nOptimized `support-agent/system` for conciseness: "
        f"not recommended, published as draft pull request {url} with the evidence"
    )


def test_with_skip_nothing_is_published(
    wordy_repo: Path,  # noqa: F811 - the fixture
    github: GitHubStandin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_config(wordy_repo, {**STRICT, "github": {"not_recommended": "skip"}})
    run = command(wordy_repo, monkeypatch, github, ASK)
    assert run.result.exit_code == 0, run.err
    assert github.pulls == {} and github.branch_sha(VARIANT) is None  # nothing pushed either
    assert "is not recommended; nothing published (github.not\\_recommended: skip)" in bot_reply(github)
