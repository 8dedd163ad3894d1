"""rollout.yaml: schema and agent checks with line:col errors, lint PO108, and margins."""

from __future__ import annotations

from pathlib import Path

import pytest

from promptops.config import load_config
from promptops.repo.rollouts import load_rollout, parse_margin, render_rollout, rollout_fields
from tests.conftest import run_cli
from tests.gitrepo import commit
from tests.repo.samples import support_agent
from tests.rollout.agents import CANDIDATE, rollout_yaml

AGENT = "prompts/support-agent"


@pytest.fixture
def agent_repo(repo: Path) -> Path:
    files = support_agent()
    files[f"{AGENT}/system.candidate.md"] = CANDIDATE
    commit(repo, files, "agent", push=True)
    return repo


def write(repo: Path, text: str) -> None:
    (repo / AGENT / "rollout.yaml").write_text(text)


def test_a_valid_rollout_loads_with_both_versions(agent_repo: Path) -> None:
    write(
        agent_repo, rollout_yaml(25, analysis={"min_samples": 500, "max_regression": {"latency_ms": "20%"}})
    )
    rollout = load_rollout(load_config(agent_repo), "support-agent/system")
    assert rollout is not None and rollout.weight == 25 and rollout.next_step() == 50
    assert rollout.candidate_text == CANDIDATE and rollout.candidate_version != rollout.stable_version
    assert rollout.analysis.margin("latency_ms").absolute(800) == pytest.approx(160)
    assert load_rollout(load_config(agent_repo), "support-agent/user") is None
    again = render_rollout(rollout_fields(rollout))
    assert "weight: 25" in again and "latency_ms: 20%" in again
    assert run_cli(agent_repo, "lint").exit_code == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            rollout_yaml(30),
            "rollout.yaml:8:9: PO108 weight: expected 0 or one of the steps [5, 25, 50, 100], got 30",
        ),
        (rollout_yaml(5, steps=[5, 50, 25, 100]), "steps: expected increasing percents ending at 100"),
        (rollout_yaml(5, prompt="planner"), "prompt: expected a prompt of agent support-agent"),
        (
            rollout_yaml(5, candidate="missing.md"),
            "candidate: file prompts/support-agent/missing.md does not exist",
        ),
        (rollout_yaml(5, candidate="system.md"), "candidate: the candidate must be another file"),
        (rollout_yaml(5, analysis={"alpha": 2}), "analysis.alpha"),
        (rollout_yaml(5, extra_key=1), "extra_key"),
    ],
)
def test_lint_reports_a_bad_rollout_at_its_place(agent_repo: Path, text: str, expected: str) -> None:
    write(agent_repo, text)
    result = run_cli(agent_repo, "lint")
    assert result.exit_code != 0
    assert "PO108" in result.stdout and expected in result.stdout


def test_margins_are_absolute_or_a_share_of_the_stable_mean() -> None:
    assert parse_margin(0.02).absolute(0.9) == 0.02
    assert parse_margin("20%").absolute(500) == pytest.approx(100)
    assert parse_margin("20%").describe() == "20%"
