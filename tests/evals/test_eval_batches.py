"""`promptops eval --batch` end to end: the real SDK, the stand-in's batch endpoints, a killed run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from promptops.evals.results import load_run
from tests.conftest import run_cli
from tests.evals.support import agent_repo
from tests.evals.test_standin_e2e import CASES, model_reply
from tests.standins.anthropic_server import AnthropicStandin
from tests.standins.fixtures import anthropic_provider_config

SRC = Path(__file__).resolve().parents[2] / "src"


def batch_repo(tmp_path: Path, standin: AnthropicStandin, cases: str = CASES, **provider: object) -> Path:
    config = {"provider": anthropic_provider_config(standin, **provider), "batch": {"poll_seconds": 0.05}}
    return agent_repo(
        tmp_path, cases, {".promptops.yaml": yaml.safe_dump(config), ".gitignore": ".promptops/\n"}
    )


def many_cases(n: int) -> str:
    case = "  - {{id: c{i}, vars: {{customer_message: 'order {i}'}}, "
    case += "assert: [{{type: contains, value: order}}]}}"
    return "cases:\n" + "".join(case.format(i=i) + "\n" for i in range(n))


def pending_batches(repo: Path) -> list[Path]:
    return sorted((repo / ".promptops" / "batches").glob("*.json"))


def test_eval_batch_runs_cases_then_judge_in_batches(
    tmp_path: Path, anthropic_standin: AnthropicStandin
) -> None:
    anthropic_standin.reply = model_reply
    repo = batch_repo(tmp_path, anthropic_standin)
    result = run_cli(repo, "eval", "support-agent", "--batch")
    assert result.exit_code == 0, result.stderr
    assert "pass rate 100.0% (95% CI 43.9-100.0%), 3 passed, 0 failed, 0 errors" in result.stdout
    # cases first, then the llm-rubric judge once the answer it grades is in: two batches, no direct call
    assert anthropic_standin.batches.creates == 2 and anthropic_standin.batches.paid == 4
    assert anthropic_standin.request_count == 0
    assert "4 by Message Batches at half price" in result.stdout
    assert "message batch msgbatch_standin_0001: 3 requests; 3 succeeded" in result.stderr
    run = load_run(next((repo / ".promptops" / "runs").glob("*.json")))
    polite = next(r for r in run.results if r.case_id == "polite")
    assert polite.assertions[1].reason == "judge score 0.90: thanks the customer"
    again = run_cli(repo, "eval", "support-agent", "--batch", "--markdown", str(tmp_path / "summary.md"))
    assert again.exit_code == 0 and anthropic_standin.batches.creates == 2
    assert "3 from the response cache" in (tmp_path / "summary.md").read_text()


def test_killed_mid_poll_then_resumed_pays_nothing_twice(
    tmp_path: Path, anthropic_standin: AnthropicStandin
) -> None:
    anthropic_standin.batches.delay_s = 600.0  # still processing when the run is killed
    repo = batch_repo(tmp_path, anthropic_standin, many_cases(40))
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "promptops", "eval", "support-agent", "--batch"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not pending_batches(repo) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    time.sleep(0.2)  # a few polls
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=20)
    assert proc.returncode == -signal.SIGKILL
    assert len(pending_batches(repo)) == 1
    assert anthropic_standin.batches.creates == 1 and anthropic_standin.batches.paid == 0

    anthropic_standin.batches.delay_s = 0.0  # the batch ends while nobody watches
    resumed = run_cli(repo, "eval", "support-agent", "--batch")
    assert resumed.exit_code == 0, resumed.stderr
    assert "pass rate 100.0%" in resumed.stdout and "40 passed" in resumed.stdout
    assert "40 resumed from an earlier run" in resumed.stderr
    assert anthropic_standin.batches.creates == 1  # the same batch, collected
    assert anthropic_standin.batches.paid == 40 and anthropic_standin.request_count == 0
    assert pending_batches(repo) == []


def test_batch_with_a_provider_without_batches_is_bad_input(tmp_path: Path, openai_standin) -> None:
    repo = agent_repo(
        tmp_path,
        many_cases(2),
        {
            ".promptops.yaml": yaml.safe_dump(
                {"provider": {"name": "openai", "base_url": openai_standin.base_url}}
            )
        },
    )
    result = run_cli(repo, "eval", "support-agent", "--batch")
    assert result.exit_code == 2
    assert "Message Batches need provider.name anthropic; provider.name is 'openai'" in result.stderr
    assert openai_standin.request_count == 0 and not (repo / ".promptops" / "runs").exists()


def test_echo_dry_run_ignores_batch(tmp_path: Path) -> None:
    repo = agent_repo(
        tmp_path, many_cases(2), {".promptops.yaml": yaml.safe_dump({"provider": {"batch": "always"}})}
    )
    result = run_cli(repo, "eval", "support-agent", "--provider", "echo", "--min-pass-rate", "0")
    assert result.exit_code == 0, result.stderr
