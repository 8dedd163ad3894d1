"""llm-rubric: the judge's structured verdict decides pass, score and reason; a judge failure is an error."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from promptops.config import load_config
from promptops.evals import load_suite, run_eval
from promptops.llm.types import CompletionRequest
from tests.evals.support import agent_at, agent_repo, scripted_client

CASES = """\
defaults: {vars: {customer_message: "I want a refund"}}
cases:
  - id: plain
    assert: [{type: llm-rubric, value: "Mentions the refund policy"}]
  - id: strict
    assert: [{type: llm-rubric, value: "Mentions the refund policy", threshold: 0.9}]
  - id: negated
    assert: [{type: not-llm-rubric, value: "Is rude to the customer", provider: judge-small}]
"""


def judged(tmp_path: Path, verdict: object):
    repo = agent_repo(tmp_path, CASES)
    agent = agent_at(repo)
    suite = load_suite(agent, load_config(repo))

    def reply(request: CompletionRequest) -> str:
        text = str(request.messages[-1]["content"])
        if "You are grading one reply" in text:
            return verdict if isinstance(verdict, str) else json.dumps(verdict)
        return "Per our refund policy you get your money back."

    client, provider = scripted_client(reply)
    run = asyncio.run(run_eval(client, agent, suite))
    return {r.case_id: r for r in run.results}, provider


def test_judge_verdicts_pass_fail_threshold_and_negation(tmp_path: Path) -> None:
    results, provider = judged(tmp_path, {"pass": True, "score": 0.8, "reason": "cites the policy"})
    assert results["plain"].passed is True and results["plain"].score == 0.8
    assert results["plain"].assertions[0].reason == "judge score 0.80: cites the policy"
    assert results["strict"].passed is False  # threshold 0.9 beats the judge's own pass
    assert results["negated"].passed is False and results["negated"].score == pytest.approx(0.2)
    judge_requests = [r for r in provider.requests if "You are grading" in str(r.messages[-1]["content"])]
    assert sorted(r.model for r in judge_requests) == [
        "claude-sonnet-4-5",
        "claude-sonnet-4-5",
        "judge-small",
    ]
    prompt = str(judge_requests[0].messages[-1]["content"])
    assert "<rubric>\nMentions the refund policy\n</rubric>" in prompt
    assert "Per our refund policy you get your money back." in prompt
    assert "Customer says: I want a refund" in prompt


def test_failing_judge_verdict(tmp_path: Path) -> None:
    results, _ = judged(tmp_path, {"pass": False, "score": 0.1, "reason": "no policy"})
    assert results["plain"].passed is False and results["plain"].status == "fail"
    assert results["negated"].passed is True


def test_a_judge_that_never_answers_in_shape_is_an_error(tmp_path: Path) -> None:
    results, provider = judged(tmp_path, "I think it is fine")
    for result in results.values():
        assert result.passed is None and result.status == "error"
        assert (
            "judge" in result.assertions[0].reason
            and "did not match its schema" in result.assertions[0].reason
        )
        assert result.output == "Per our refund policy you get your money back."
