"""python and javascript assertions: promptfoo's inputs, results, time limit, node, fork PRs."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from promptops.config import load_config
from promptops.evals import load_suite, run_eval
from tests.evals.support import AGENT_DIR, agent_at, agent_repo, scripted_client

CHECK_PY = """\
def get_assert(output, context):
    return {"pass": "refund" in output, "score": 0.9, "reason": "saw " + context["vars"]["customer_message"]}

def short(output, context):
    return len(output) < 10
"""
CHECK_JS = "module.exports = (output, context) => output.includes(context.vars.customer_message);\n"

CASES = """\
defaults: {vars: {customer_message: refund}}
cases:
  - id: expression
    assert: [{type: python, value: "'refund' in output and context['prompt'].startswith('Customer says')"}]
  - id: body
    assert:
      - type: python
        value: |
          words = output.split()
          return len(words) / 10
        threshold: 0.3
  - id: file
    assert: [{type: python, value: file://check.py}, {type: not-python, value: "file://check.py:short"}]
  - id: raises
    assert: [{type: python, value: "1 / 0"}]
  - id: wrong-shape
    assert: [{type: python, value: "'yes'"}]
  - id: slow
    assert:
      - type: python
        value: |
          import time
          time.sleep(5)
          return True
  - id: js
    assert:
      - {type: javascript, value: "output.includes('refund')"}
      - {type: javascript, value: file://check.js}
      - type: javascript
        value: |
          const n = output.split(' ').length;
          return {pass: n > 2, score: n / 10, reason: `${n} words`};
"""


def run(tmp_path: Path, config: dict | None = None, ids: list[str] | None = None) -> dict:
    extra = {f"{AGENT_DIR}/evals/check.py": CHECK_PY, f"{AGENT_DIR}/evals/check.js": CHECK_JS}
    if config:
        extra[".promptops.yaml"] = yaml.safe_dump(config)
    repo = agent_repo(tmp_path, CASES, extra)
    agent = agent_at(repo)
    suite = load_suite(agent, load_config(repo))
    client, _ = scripted_client(lambda r: "Your refund is on its way")
    result = asyncio.run(run_eval(client, agent, suite, case_ids=ids))
    return {r.case_id: r.assertions for r in result.results}


FAST = {"evals": {"code_timeout_s": 1.5}}


def test_python_inputs_results_and_errors(tmp_path: Path) -> None:
    out = run(tmp_path, FAST, ["expression", "body", "file", "raises", "wrong-shape", "slow"])
    assert (out["expression"][0].passed, out["expression"][0].reason) == (True, "python returned true")
    assert out["body"][0].passed is True and out["body"][0].score == pytest.approx(0.6)
    assert (out["file"][0].passed, out["file"][0].score, out["file"][0].reason) == (True, 0.9, "saw refund")
    assert out["file"][1].passed is True  # not-python: short() is false for this 26-character output
    assert out["raises"][0].passed is None
    assert out["raises"][0].reason == "could not run: python raised ZeroDivisionError: division by zero"
    assert (
        out["wrong-shape"][0].passed is None
        and "expected a boolean, a number or" in out["wrong-shape"][0].reason
    )
    assert out["slow"][0].passed is None
    assert out["slow"][0].reason == "could not run: python assertion took longer than 1.5 s"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node on PATH")
def test_javascript_runs_with_node(tmp_path: Path) -> None:
    (inline, from_file, body) = run(tmp_path, ids=["js"])["js"]
    assert (inline.passed, from_file.passed) == (True, True)
    assert (body.passed, body.score, body.reason) == (True, pytest.approx(0.6), "6 words")


def test_javascript_without_node_is_an_error_per_assertion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin-without-node"  # git only: the test repository still needs it
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git") or "git")
    monkeypatch.setenv("PATH", str(bin_dir))
    results = run(tmp_path, ids=["js"])["js"]
    assert [(a.passed, a.reason) for a in results] == [
        (None, "needs node: javascript assertions run with Node.js, which is not on PATH")
    ] * 3


def pull_request_event(tmp_path: Path, head_repo: str) -> Path:
    path = tmp_path / "event.json"
    payload = {
        "pull_request": {
            "head": {"repo": {"full_name": head_repo}},
            "base": {"repo": {"full_name": "acme/shop"}},
        }
    }
    path.write_text(json.dumps(payload))
    return path


@pytest.mark.parametrize(
    ("head_repo", "setting", "runs"),
    [
        ("stranger/shop", "auto", False),
        ("acme/shop", "auto", True),
        ("stranger/shop", "on", True),
        ("acme/shop", "off", False),
    ],
)
def test_code_assertions_are_off_for_fork_pull_requests_in_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head_repo: str, setting: str, runs: bool
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(pull_request_event(tmp_path, head_repo)))
    (outcome,) = run(tmp_path, {"evals": {"code_assertions": setting}}, ["expression"])["expression"]
    if runs:
        assert outcome.passed is True
    else:
        assert outcome.passed is None and outcome.reason.startswith("not run: ")
        assert ("fork" in outcome.reason) == (setting == "auto")
    assert os.environ["GITHUB_ACTIONS"] == "true"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node on PATH")
def test_a_reply_of_only_tool_calls_reaches_code_as_promptfoo_passes_it(tmp_path: Path) -> None:
    from promptops.llm.types import Completion, ToolCall

    cases = """\
cases:
  - id: routed
    vars: {customer_message: where is 4411}
    assert:
      - {type: javascript, value: "output[0].function.name === 'lookup_order'"}
      - type: python
        value: |
          import json
          return json.loads(output[0]["function"]["arguments"])["order_id"] == "4411"
"""
    repo = agent_repo(tmp_path, cases)
    agent = agent_at(repo)
    suite = load_suite(agent, load_config(repo))
    client, _ = scripted_client(
        lambda r: Completion(text="", tool_calls=(ToolCall("lookup_order", {"order_id": "4411"}, "c1"),))
    )
    (result,) = asyncio.run(run_eval(client, agent, suite)).results
    assert [(a.type, a.passed) for a in result.assertions] == [("javascript", True), ("python", True)]
