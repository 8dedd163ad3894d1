"""`promptops eval` through the real anthropic SDK against the Messages-API stand-in."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from promptops.evals.results import load_run
from tests.conftest import run_cli
from tests.evals.support import agent_repo
from tests.standins.anthropic_server import AnthropicStandin, last_user_text
from tests.standins.base import Reply
from tests.standins.fixtures import anthropic_provider_config

CASES = """\
cases:
  - id: refund
    vars: {customer_message: "I want a refund for order A1"}
    assert:
      - {type: tool-call, value: {name: lookup_order, arguments: {required: [order_id]}}}
      - {type: finish-reason, value: tool_use}
  - id: polite
    vars: {customer_message: "thanks!"}
    assert:
      - {type: icontains, value: "you're welcome"}
      - {type: llm-rubric, value: "Is polite", threshold: 0.5}
      - {type: cost, value: 0.01}
      - {type: latency, value: 30000}
  - id: follow-up
    vars: {customer_message: "and my other order?"}
    messages:
      - {role: user, content: "Where is order A1?"}
      - {role: assistant, content: "It ships tomorrow."}
    assert: [{type: contains, value: "A1"}]
"""


def model_reply(request: dict[str, Any]) -> Reply | str:
    if any(t.get("name") == "grade" for t in request.get("tools", [])):
        return Reply.tool("grade", {"pass": True, "score": 0.9, "reason": "thanks the customer"})
    text = last_user_text(request)
    if "refund" in text:
        return Reply.tool("lookup_order", {"order_id": "A1"}, text="Let me check.")
    if "thanks" in text:
        return "You're welcome!"
    return "Order A1 shipped; I will look up the other one."


def standin_repo(tmp_path: Path, standin: AnthropicStandin, cases: str = CASES) -> Path:
    config = {"provider": anthropic_provider_config(standin)}
    return agent_repo(
        tmp_path, cases, {".promptops.yaml": yaml.safe_dump(config), ".gitignore": ".promptops/\n"}
    )


def test_eval_through_the_anthropic_sdk(tmp_path: Path, anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.reply = model_reply
    repo = standin_repo(tmp_path, anthropic_standin)
    result = run_cli(repo, "eval", "support-agent", "--json", str(tmp_path / "run.json"))
    assert result.exit_code == 0, result.stderr
    assert "pass rate 100.0% (95% CI 43.9-100.0%), 3 passed, 0 failed, 0 errors" in result.stdout
    run = load_run(next((repo / ".promptops" / "runs").glob("*.json")))
    assert run.provider == "anthropic" and run.model == "claude-sonnet-4-5"
    by_id = {r.case_id: r for r in run.results}
    assert by_id["refund"].tool_calls[0]["arguments"] == {"order_id": "A1"}
    assert by_id["polite"].assertions[1].reason == "judge score 0.90: thanks the customer"
    assert by_id["polite"].cost_usd > 0 and by_id["polite"].input_tokens > 0
    # the request the model saw: system prompt, tool, few-shot turns, prior turns, rendered template
    follow_up = next(r for r in anthropic_standin.requests if "other order" in json.dumps(r))
    assert "Follow the refund policy" in json.dumps(follow_up["system"])
    assert [t["name"] for t in follow_up["tools"]] == ["lookup_order"]
    texts = [
        m["content"] if isinstance(m["content"], str) else m["content"][0]["text"]
        for m in follow_up["messages"]
    ]
    assert texts == [
        "Where is my order?",
        "Let me look it up.",
        "Where is order A1?",
        "It ships tomorrow.",
        "Customer says: and my other order?\n",
    ]
    assert follow_up["temperature"] == 0 and follow_up["max_tokens"] == 512


def test_budget_stop_then_resume_from_the_cache(tmp_path: Path, anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.reply = model_reply
    repo = standin_repo(tmp_path, anthropic_standin)
    stopped = run_cli(repo, "eval", "support-agent", "--budget-calls", "2")
    assert stopped.exit_code == 1
    assert "budget reached after" in stopped.stderr and "re-run" in stopped.stderr
    first_calls = anthropic_standin.request_count
    assert first_calls == 2
    resumed = run_cli(repo, "eval", "support-agent")
    assert resumed.exit_code == 0, resumed.stderr
    # 3 cases + 1 judge call = 4 calls in all; the 2 made before the stop came from the cache
    assert anthropic_standin.request_count - first_calls == 2
    again = run_cli(repo, "eval", "support-agent")
    assert again.exit_code == 0 and anthropic_standin.request_count == 4
    runs = sorted((repo / ".promptops" / "runs").glob("*.json"))
    assert [load_run(p).stopped for p in runs].count("budget") == 1


def test_provider_failure_is_an_error_not_a_fail(tmp_path: Path, anthropic_standin: AnthropicStandin) -> None:
    anthropic_standin.reply = lambda request: Reply.server_error()
    repo = standin_repo(tmp_path, anthropic_standin)
    result = run_cli(repo, "eval", "support-agent", "--junit", str(tmp_path / "junit.xml"))
    assert result.exit_code == 1
    assert "0 passed, 0 failed, 3 errors (error rate 100.0%)" in result.stdout
    assert "(0 failed, 3 errors)" in result.stderr
    assert (tmp_path / "junit.xml").read_text().count("<error ") == 3


def cached_answers(repo: Path) -> int:
    path = repo / ".promptops" / "cache.sqlite"
    if not path.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as db:
            return db.execute("SELECT count(*) FROM responses").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_ctrl_c_keeps_finished_samples_and_the_rerun_resumes(
    tmp_path: Path, anthropic_standin: AnthropicStandin
) -> None:
    cases = "cases:\n" + "".join(f"  - {{id: c{i}, vars: {{customer_message: m{i}}}}}\n" for i in range(6))
    repo = standin_repo(tmp_path, anthropic_standin, cases)
    anthropic_standin.reply = lambda request: Reply.slow(30) if "m5" in last_user_text(request) else "fine"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "promptops", "eval", "support-agent"],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    # Wait until the slow call is in flight and the five quick answers are recorded (the client
    # stores each answer in the response cache in the same step as the runner records it).
    while (anthropic_standin.request_count < 6 or cached_answers(repo) < 5) and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert "interrupted after 5 of 6 samples; re-run the same command to resume" in err
    (saved,) = (repo / ".promptops" / "runs").glob("*.json")
    run = load_run(saved)
    assert run.stopped == "interrupted" and sorted(r.case_id for r in run.results) == [
        f"c{i}" for i in range(5)
    ]
    anthropic_standin.reply = lambda request: "fine"
    resumed = run_cli(repo, "eval", "support-agent")
    assert resumed.exit_code == 0, resumed.stderr
    assert anthropic_standin.request_count == 7  # only c5 was asked again
