"""Model-graded types through the real anthropic SDK and its stand-in; `similar` through the
OpenAI-compatible stand-in's /embeddings; assert-set, weight and threshold scoring."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml

from promptops.config import load_config
from promptops.evals import load_suite, run_eval
from promptops.llm.client import client_from_config
from tests.evals.support import agent_at, agent_repo
from tests.standins.anthropic_server import AnthropicStandin, last_user_text
from tests.standins.base import Reply
from tests.standins.fixtures import anthropic_provider_config, openai_provider_config
from tests.standins.openai_server import OpenAIStandin

GRADED = """\
defaults: {vars: {customer_message: "How long do I have to return a mug?"}}
cases:
  - id: graded
    assert:
      - {type: factuality, value: "Items can be returned within 30 days."}
      - {type: model-graded-closedqa, value: "Mentions a number of days"}
      - {type: g-eval, value: [Concise, Polite]}
      - {type: answer-relevance, provider: claude-haiku-4-5}
      - type: llm-rubric
        value: Friendly
        rubricPrompt:
          - {role: system, content: "You grade replies for {{customer_message}}."}
          - {role: user, content: "Rubric: {{rubric}}\\nReply: {{output}}\\nAnswer with pass."}
  - id: set
    assert:
      - type: assert-set
        threshold: 0.5
        weight: 2
        assert:
          - {type: icontains, value: "30 days"}
          - {type: icontains, value: "receipt"}
      - {type: contains, value: "nope", weight: 0}
"""

VERDICTS = {
    "<reference>": {"pass": True, "score": 1.0, "reason": "agrees with the reference"},
    "<criterion>": {"pass": False, "score": 0.0, "reason": "no number of days"},
    "<criteria>": {"pass": True, "score": 0.65, "reason": "a little long"},
    "relevant to the question": {"pass": True, "score": 0.9, "reason": "on point"},
}


def judge(request: dict[str, Any]) -> Reply | str:
    if not any(t.get("name") == "grade" for t in request.get("tools", [])):
        return "You can return it within 30 days of delivery."
    text = last_user_text(request)
    if text.startswith("Rubric: Friendly"):
        return Reply.tool("grade", {"pass": True})
    verdict = next(v for marker, v in VERDICTS.items() if marker in text)
    return Reply.tool("grade", verdict)


def test_model_graded_types_through_the_anthropic_sdk(
    tmp_path: Path, anthropic_standin: AnthropicStandin
) -> None:
    anthropic_standin.reply = judge
    repo = agent_repo(
        tmp_path,
        GRADED,
        {".promptops.yaml": yaml.safe_dump({"provider": anthropic_provider_config(anthropic_standin)})},
    )
    config = load_config(repo)
    agent = agent_at(repo)
    run = asyncio.run(run_eval(client_from_config(config, no_cache=True), agent, load_suite(agent, config)))
    graded, assert_set = sorted(run.results, key=lambda r: r.case_id)
    outcomes = {a.type: a for a in graded.assertions}
    assert (outcomes["factuality"].passed, outcomes["factuality"].reason) == (
        True,
        "judge score 1.00: agrees with the reference",
    )
    assert outcomes["model-graded-closedqa"].passed is False
    assert outcomes["g-eval"].passed is False  # 0.65 is under g-eval's default threshold 0.7
    assert outcomes["answer-relevance"].passed is True and outcomes["answer-relevance"].score == 0.9
    assert outcomes["llm-rubric"].passed is True and outcomes["llm-rubric"].score == 1.0
    judge_calls = [
        r for r in anthropic_standin.requests if r.get("tools") and r["tools"][0]["name"] == "grade"
    ]
    factuality = next(r for r in judge_calls if "<reference>" in last_user_text(r))
    assert "Items can be returned within 30 days." in last_user_text(factuality)
    assert "You can return it within 30 days of delivery." in last_user_text(factuality)
    assert "How long do I have to return a mug?" in last_user_text(factuality)
    assert sorted(r["model"] for r in judge_calls) == ["claude-haiku-4-5", *["claude-sonnet-5-5"] * 4]
    custom = next(r for r in judge_calls if last_user_text(r).startswith("Rubric: Friendly"))
    assert (
        last_user_text(custom)
        == "Rubric: Friendly\nReply: You can return it within 30 days of delivery.\nAnswer with pass."
    )
    assert "You grade replies for How long do I have to return a mug?" in str(custom["system"])
    # assert-set: 1 of 2 passes, score 0.5 reaches its threshold; the weight-0 failure does not count
    (set_result, ignored) = assert_set.assertions
    assert set_result.passed is True and set_result.score == 0.5 and ignored.passed is False
    assert assert_set.passed is True and assert_set.score == 0.5  # the case score is the set's


SIMILAR = """\
defaults: {vars: {customer_message: "return window?"}}
cases:
  - id: close
    assert:
      - {type: similar, value: "You can return items within 30 days for a refund.", threshold: 0.6}
      - {type: not-similar, value: "Our shop sells garden furniture and barbecues."}
      - {type: similar, value: ["Garden furniture.", "Return items within 30 days."], threshold: 0.5}
"""


def similar_repo(tmp_path: Path, provider: dict[str, Any], embeddings: dict[str, Any] | None = None) -> Path:
    config = {"provider": provider, "evals": {"embeddings": embeddings or {"model": "nomic-embed-text"}}}
    return agent_repo(tmp_path, SIMILAR, {".promptops.yaml": yaml.safe_dump(config)})


def similar_run(repo: Path) -> list:
    config = load_config(repo)
    agent = agent_at(repo)
    run = asyncio.run(run_eval(client_from_config(config, no_cache=True), agent, load_suite(agent, config)))
    return list(run.results[0].assertions)


def test_similar_through_the_embeddings_endpoint(tmp_path: Path, openai_standin: OpenAIStandin) -> None:
    openai_standin.reply = lambda r: "You can return items within 30 days and get a refund."
    close, unrelated, one_of = similar_run(similar_repo(tmp_path, openai_provider_config(openai_standin)))
    assert close.passed is True and close.reason.startswith("cosine similarity 0.") and close.score > 0.6
    assert unrelated.passed is True and unrelated.reason.startswith("as required, cosine similarity")
    assert one_of.passed is True and "'Return items within 30 days.'" in one_of.reason
    (request, *_) = openai_standin.embedding_requests
    assert request["model"] == "nomic-embed-text"
    assert request["input"][0] == "You can return items within 30 days and get a refund."
    # each distinct text is embedded once
    sent = [t for r in openai_standin.embedding_requests for t in r["input"]]
    assert len(sent) == len(set(sent)) == 5


def test_similar_is_an_error_without_an_embeddings_endpoint(
    tmp_path: Path, anthropic_standin: AnthropicStandin
) -> None:
    anthropic_standin.reply = lambda r: "You can return items within 30 days."
    results = similar_run(similar_repo(tmp_path, anthropic_provider_config(anthropic_standin)))
    assert all(a.passed is None for a in results)
    assert "provider 'anthropic' has none configured: set evals.embeddings.base_url" in results[0].reason


def test_similar_is_an_error_when_the_server_has_no_embeddings(tmp_path: Path) -> None:
    server = OpenAIStandin(lambda r: "You can return items within 30 days.", embeddings=False).start()
    try:
        results = similar_run(similar_repo(tmp_path, openai_provider_config(server)))
    finally:
        server.stop()
    assert all(a.passed is None for a in results)
    assert "has no /embeddings endpoint or does not know the model (HTTP 404)" in results[0].reason
