"""`promptops optimize` and `promptops analyze` with the optimizer model, against the Messages-API stand-in.

One stand-in serves both models: structured calls (the forced `analysis` / `variant`
tools) get scripted JSON, chosen by the variation hint the shipped meta-prompts gave the
request; every other call is the agent under test, which thanks the customer only when
its system prompt tells it to. The cases check for the thanks, so the variant that adds
it is truly better and the others are not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from promptops.config import load_config
from promptops.evals import load_suite
from promptops.repo.agents import load_agent
from promptops.repo.meta import meta_prompt
from promptops.schemas import schema_errors
from tests.conftest import run_cli
from tests.optimize.prompts import SUPPORT_SYSTEM
from tests.optimize.repo import optimize_repo, sessions
from tests.standins.anthropic_server import last_user_text
from tests.standins.base import Reply
from tests.standins.fixtures import anthropic_provider_config

ANALYSIS = {
    "overall_quality": 6,
    "summary": "Polite but never thanks the customer; some filler.",
    "strengths": ["clear tool use"],
    "weaknesses": ["no thanks", "filler phrases"],
    "opportunities": [
        {
            "area": "tone",
            "description": "customers are not thanked",
            "impact": "high",
            "suggested_change": "Always thank the customer.",
        }
    ],
    "token_reduction": ["drop 'Please note that'"],
    "safety_concerns": [],
    "recommended_priority": "accuracy",
}
GOOD = SUPPORT_SYSTEM.replace("Rules:", "Always thank the customer first.\n\nRules:")
NO_POLICY = GOOD.replace("refund policy", "rules")
# The first three variation hints of prompts/promptops/variation_hints.md, in order.
HINT_GOOD, HINT_NO_POLICY, HINT_JUNK = "Restructure", "Tighten", "Consolidate"


def variant(text: str, summary: str) -> dict[str, Any]:
    return {
        "text": text,
        "change_summary": summary,
        "hypothesis": f"{summary} helps",
        "expected_effect": "more passes",
    }


def system_text(request: dict[str, Any]) -> str:
    system = request.get("system") or ""
    return system if isinstance(system, str) else " ".join(b.get("text", "") for b in system)


def user_text(request: dict[str, Any]) -> str:
    content = request["messages"][0]["content"]
    return content if isinstance(content, str) else " ".join(b.get("text", "") for b in content)


def tool_names(request: dict[str, Any]) -> set[str]:
    return {t["name"] for t in request.get("tools") or []}


def hint_of(request: dict[str, Any]) -> str:
    return re.search(r"Variation hint for this variant: (\w+)", user_text(request)).group(1)


def reply(request: dict[str, Any]) -> Reply | str:
    tools = tool_names(request)
    if "analysis" in tools:
        return Reply.tool("analysis", ANALYSIS)
    if "variant" in tools:
        hint = hint_of(request)
        if hint == HINT_GOOD:
            return Reply.tool("variant", variant(GOOD, "thank the customer"))
        if hint == HINT_NO_POLICY:
            return Reply.tool("variant", variant(NO_POLICY, "shorter rules"))
        return Reply.tool("variant", {"txt": 42})  # junk, every time it is asked
    if "thank the customer" in system_text(request):
        return "Thanks for writing to Acme Shop! Let me check that."
    return "Let me check that."


@pytest.fixture
def llm_repo(tmp_path: Path, anthropic_standin) -> Path:
    anthropic_standin.reply = reply
    config = {
        "provider": anthropic_provider_config(anthropic_standin),
        "optimizer": {"provider": anthropic_provider_config(anthropic_standin, model="claude-opus-5-5")},
        "evals": {"holdout_fraction": 0.5},
    }
    return optimize_repo(tmp_path, config, cases=50, contains="thanks")


def test_optimize_analyzes_generates_guards_searches_and_confirms(llm_repo: Path, anthropic_standin) -> None:
    result = run_cli(
        llm_repo,
        "optimize",
        "support-agent/system",
        "--goal",
        "accuracy",
        "--variants",
        "3",
        "--budget-calls",
        "300",
        "--write",
        str(llm_repo / "winner.md"),
    )
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(llm_repo)
    assert schema_errors(session, "session") == []
    assert session["status"] == "completed" and session["analysis"] == ANALYSIS
    by_id = {c["id"]: c for c in session["candidates"]}
    assert set(by_id) == {"v1", "v2"}  # the junk variant never became a candidate
    assert by_id["v1"]["invariants"]["ok"] and by_id["v1"]["variation_hint"].startswith(HINT_GOOD)
    assert by_id["v2"]["invariants"]["reasons"] == [
        "drops required phrase 'refund policy' (invariants.must_contain)"
    ]
    assert by_id["v2"]["dev_scores"] == []  # rejected before costing any evaluation
    (dropped,) = session["dropped"]
    assert dropped["variation_hint"].startswith(HINT_JUNK) and dropped["reason"].startswith("unusable reply:")
    assert session["holdout"]["candidate"] == "v1"
    assert session["holdout"]["verdict"]["outcome"] == "improvement"
    assert session["recommendation"]["action"] == "adopt" and session["recommendation"]["candidate"] == "v1"
    assert session["usage"]["calls"] <= 300 and session["search"]["calls"] <= 300
    assert (llm_repo / "winner.md").read_text() == GOOD
    assert "+Always thank the customer first." in result.stdout
    assert "dropped (llm, round 1): unusable reply" in result.stdout
    # The shipped meta-prompts were the instructions; the analysis saw the prompt's type and size.
    analysis_request = next(r for r in anthropic_standin.requests if "analysis" in tool_names(r))
    assert system_text(analysis_request) == meta_prompt("analysis")
    assert "Prompt type: system" in user_text(analysis_request) and "Token count: " in user_text(
        analysis_request
    )
    variant_request = next(r for r in anthropic_standin.requests if "variant" in tool_names(r))
    assert meta_prompt("variant") in system_text(variant_request)
    assert meta_prompt("goal_accuracy").strip() in system_text(variant_request)


def test_when_every_variant_is_junk_the_session_fails(llm_repo: Path, anthropic_standin) -> None:
    anthropic_standin.reply = lambda r: (
        Reply.tool("variant", {"txt": 1}) if "variant" in tool_names(r) else reply(r)
    )
    result = run_cli(llm_repo, "optimize", "support-agent/system", "--goal", "accuracy", "--variants", "2")
    assert result.exit_code == 1
    assert "the optimizer model returned no usable variant (2 of 2 dropped" in result.stderr
    (session,) = sessions(llm_repo)
    assert session["status"] == "failed" and session["candidates"] == [] and len(session["dropped"]) == 2


def test_analyze_prints_the_validated_analysis(llm_repo: Path) -> None:
    result = run_cli(llm_repo, "analyze", "support-agent/system", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == ANALYSIS
    text = run_cli(llm_repo, "analyze", "support-agent/system").stdout
    assert text.startswith("support-agent/system: quality 6/10; work on accuracy first")
    assert "  - [high] tone: customers are not thanked" in text


BETTER = GOOD.replace(
    "Always thank the customer first.", "Always thank the customer first, even when they cancel."
)


def reflective_reply(request: dict[str, Any]) -> Reply | str:
    """v1 thanks everyone but cancelling customers; reflection on its failures fixes that."""
    if system_text(request).startswith(meta_prompt("reflect")):
        return Reply.tool("variant", variant(BETTER, "thank cancelling customers too"))
    if {"analysis", "variant"} & tool_names(request):
        return reply(request)
    system, message = system_text(request), json.dumps(request["messages"])
    if "even when they cancel" in system or ("thank the customer" in system and "Cancel" not in message):
        return "Thanks for writing!"
    return "Let me check that."


def test_a_second_round_reflects_on_the_best_candidates_failures(llm_repo: Path, anthropic_standin) -> None:
    anthropic_standin.reply = reflective_reply
    result = run_cli(
        llm_repo,
        "optimize",
        "support-agent/system",
        "--goal",
        "accuracy",
        "--variants",
        "1",
        "--rounds",
        "2",
        "--budget-calls",
        "300",
    )
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(llm_repo)
    by_id = {c["id"]: c for c in session["candidates"]}
    assert by_id["r2-1"]["origin"] == "reflection" and by_id["r2-1"]["text"] == BETTER
    assert [s["round"] for s in by_id["r2-1"]["dev_scores"]] == [2]
    assert by_id["r2-1"]["dev_scores"][0]["pass_rate"] == 1.0 > by_id["v1"]["dev_scores"][0]["pass_rate"]
    assert session["holdout"]["candidate"] == "r2-1" and session["recommendation"]["candidate"] == "r2-1"
    reflection = next(
        r for r in anthropic_standin.requests if system_text(r).startswith(meta_prompt("reflect"))
    )
    shown = user_text(reflection)
    assert "Always thank the customer first." in shown and "Dev cases it still fails" in shown
    assert re.search(r"- case-\d{3}: icontains", shown)  # a failing case with its assertion's reason
    # The cases the reflection saw fail are never confirmed on: a variant may be fitted to them.
    seen = set(session["search"]["shown_to_writer"])
    assert seen and all(case in shown for case in seen)
    assert not seen & set(session["holdout"]["case_ids"])
    assert session["usage"]["calls"] <= 300


def test_a_dollar_budget_that_runs_out_finishes_with_what_was_evaluated(
    tmp_path: Path, anthropic_standin
) -> None:
    anthropic_standin.reply = lambda request: "Thanks, and see our refund policy."
    config = {"provider": anthropic_provider_config(anthropic_standin), "evals": {"holdout_fraction": 0.5}}
    repo = optimize_repo(tmp_path, config)
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", "conciseness", "--budget-usd", "0.1")
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(repo)
    assert session["status"] == "budget-exhausted"
    assert session["recommendation"]["action"] == "keep-base"
    assert any("budget exhausted" in note for note in session["search"]["notes"])
    assert session["usage"]["cost_usd"] <= 0.1
    # Planned at the evaluation calls' own price (measured on the base's first calls), the
    # dollars paid for a real selection and a confirmation; the batch the budget cut off
    # kept the cases every prompt finished, and the verdict was drawn on them.
    plan = session["search"]["dollar_plan"]
    assert plan["calls"] > 100 and f"buys about {plan['calls']} evaluation calls" in result.stdout
    assert len(session["search"]["rungs"]) > 1
    assert 0 < session["holdout"]["cases"] < 90 and session["holdout"]["verdict"]["outcome"] != "improvement"
    assert "no candidate could be evaluated" not in result.stdout
    assert "budget" in result.stdout


def test_analyze_sees_the_latest_eval_run_and_production_failure_groups(
    llm_repo: Path, anthropic_standin
) -> None:
    assert run_cli(llm_repo, "eval", "support-agent").exit_code in (
        0,
        1,
    )  # saves a run; the base fails its cases
    log = llm_repo / "support.jsonl"
    line = {
        "agent": "support-agent",
        "prompt_id": "support-agent/system",
        "version_id": "abcd1234",
        "latency_ms": 900,
        "input_tokens": 100,
        "output_tokens": 0,
        "status": "failed",
        "error_type": "Timeout",
    }
    log.write_text(
        "".join(
            json.dumps(
                {
                    **line,
                    "timestamp": f"2026-11-25T10:0{i}:00Z",
                    "error_message": f"order {4000 + i} timed out",
                }
            )
            + "\n"
            for i in range(3)
        )
    )
    result = run_cli(llm_repo, "analyze", "support-agent/system", "--logs", str(log), "--json")
    assert result.exit_code == 0, result.stderr
    request = [r for r in anthropic_standin.requests if "analysis" in tool_names(r)][-1]
    shown = user_text(request)
    assert re.search(
        r"Latest evaluation: run \S+ \(head, model claude-sonnet-5-5, split all\): pass rate 0\.0%", shown
    )
    assert re.search(r"Failing eval cases:\n- case-\d{3}: icontains", shown)
    assert (
        "Most frequent production failures (from execution logs):\n- 3x Timeout: order <n> timed out" in shown
    )


def test_a_missing_api_key_stops_before_anything_is_written(
    llm_repo: Path, monkeypatch: pytest.MonkeyPatch, anthropic_standin
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    result = run_cli(llm_repo, "optimize", "support-agent/system", "--goal", "accuracy")
    assert result.exit_code == 2 and "ANTHROPIC_API_KEY" in result.stderr
    assert not (llm_repo / ".promptops" / "sessions").exists()
    assert anthropic_standin.requests == []


def test_analyze_without_an_optimizer_model_says_what_to_configure(tmp_path: Path, anthropic_standin) -> None:
    repo = optimize_repo(tmp_path, {"provider": anthropic_provider_config(anthropic_standin)})
    result = run_cli(repo, "analyze", "support-agent/system")
    assert result.exit_code == 2
    assert "optimizer.provider is not set in .promptops.yaml" in result.stderr


def test_only_the_base_and_confirmed_candidates_ever_see_a_holdout_case(
    llm_repo: Path, anthropic_standin
) -> None:
    result = run_cli(
        llm_repo,
        "optimize",
        "support-agent/system",
        "--goal",
        "conciseness",
        "--variants",
        "1",
        "--budget-calls",
        "400",
    )
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(llm_repo)
    accepted = {c["id"]: c["text"] for c in session["candidates"] if c["invariants"]["ok"]}
    assert {c["origin"] for c in session["candidates"]} == {"llm", "edit"}  # conciseness adds the edits
    confirmed = {c["candidate"] for c in session["search"]["confirmations"]}
    assert session["holdout"]["candidate"] in confirmed
    suite = load_suite(load_agent(load_config(llm_repo), "support-agent"), load_config(llm_repo))
    holdout = {c.vars["customer_message"] for c in suite.cases if c.split == "holdout"}
    seen: dict[str, set[str]] = {}
    for request in anthropic_standin.requests:
        if tool_names(request) & {"analysis", "variant"}:
            continue
        text = system_text(request)
        label = next((cid for cid, t in accepted.items() if t.strip() == text.strip()), None)
        label = label or ("base" if text.strip() == SUPPORT_SYSTEM.strip() else "?")
        seen.setdefault(label, set()).add(last_user_text(request).removeprefix("Customer says: ").strip())
    assert "?" not in seen and len(seen) > 2
    for label, messages in seen.items():
        if label == "base" or label in confirmed:
            assert messages & holdout
        else:
            assert not messages & holdout, label


def test_an_unusable_analysis_is_dropped_and_the_variants_are_still_written(
    llm_repo: Path, anthropic_standin
) -> None:
    anthropic_standin.reply = lambda r: (
        Reply.tool("analysis", {"quality": "meh"}) if "analysis" in tool_names(r) else reply(r)
    )
    result = run_cli(llm_repo, "optimize", "support-agent/system", "--goal", "accuracy", "--variants", "1")
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(llm_repo)
    assert session["analysis"] is None and session["status"] == "completed"
    (dropped,) = session["dropped"]
    assert dropped["origin"] == "analysis" and dropped["reason"].startswith("unusable analysis")
    assert "(no analysis)" in user_text(
        next(r for r in anthropic_standin.requests if "variant" in tool_names(r))
    )
    assert session["recommendation"]["candidate"] == "v1"


def test_a_dollar_budget_is_planned_in_evaluation_calls_at_their_own_price(
    llm_repo: Path, anthropic_standin
) -> None:
    # The optimizer model (opus) writes the variants; the cheaper model under test (sonnet)
    # is evaluated. The dollars left after writing are planned at sonnet's price.
    result = run_cli(
        llm_repo,
        "optimize",
        "support-agent/system",
        "--goal",
        "accuracy",
        "--variants",
        "3",
        "--budget-usd",
        "0.5",
    )
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(llm_repo)
    assert schema_errors(session, "session") == []
    plan = session["search"]["dollar_plan"]
    left = 0.5 - plan["spent_usd"]
    assert plan["calls"] == int(left / plan["usd_per_call"]) > 0
    assert f"buys about {plan['calls']} evaluation calls" in result.stdout
    # It evaluated and confirmed within the dollars: every case, as the spend ran below the plan.
    assert session["search"]["rungs"] and session["holdout"]["cases"] == 50
    assert session["recommendation"]["action"] == "adopt"
    assert session["usage"]["cost_usd"] <= 0.5


def test_optimize_batch_evaluates_in_batches_and_writes_variants_directly(
    tmp_path: Path, anthropic_standin
) -> None:
    anthropic_standin.reply = reply
    config = {
        "provider": anthropic_provider_config(anthropic_standin),
        "optimizer": {"provider": anthropic_provider_config(anthropic_standin, model="claude-opus-5-5")},
        "evals": {"holdout_fraction": 0.5},
        "batch": {"poll_seconds": 0.05},
    }
    repo = optimize_repo(tmp_path, config, cases=50, contains="thanks")
    result = run_cli(
        repo, "optimize", "support-agent/system", "--goal", "accuracy", "--variants", "3", "--batch"
    )
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(repo)
    assert session["status"] == "completed" and session["holdout"]["candidate"] == "v1"
    assert session["recommendation"]["action"] == "adopt"
    # every sample of the model under test came from a batch; only the optimizer model was called directly
    assert anthropic_standin.batches.paid == session["usage"]["batched_calls"] > 0
    assert anthropic_standin.requests and all(
        tool_names(r) & {"analysis", "variant"} for r in anthropic_standin.requests
    )
    assert schema_errors(session, "session") == []
