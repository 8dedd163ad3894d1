"""`promptops optimize` with no optimizer model: the edit generator, evaluated with the echo provider."""

import hashlib
import json
from pathlib import Path

import pytest

from promptops.schemas import schema_errors
from tests.conftest import run_cli
from tests.optimize.repo import optimize_repo, sessions

# The echo provider answers with the rendered prompt, so every case passes for every
# variant that keeps "refund policy", and output tokens shrink with the prompt.
OFFLINE = {
    "provider": {"name": "echo"},
    "evals": {"holdout_fraction": 0.5},
    "decision": {"min_success_delta": 0.1},
}


def test_edits_are_searched_on_dev_confirmed_on_holdout_and_the_winner_written(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE)
    out_file = tmp_path / "winner.md"
    result = run_cli(
        repo,
        "optimize",
        "support-agent/system",
        "--goal",
        "conciseness",
        "--budget-calls",
        "400",
        "--write",
        str(out_file),
        "--json",
        str(tmp_path / "s.json"),
    )
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(repo)
    assert schema_errors(session, "session") == []
    assert session["status"] == "completed" and session["settings"]["generator"] == "edit"
    assert json.loads((tmp_path / "s.json").read_text())["id"] == session["id"]
    by_id = {c["id"]: c for c in session["candidates"]}
    assert {c["origin"] for c in by_id.values()} == {"edit"}
    rejected = [c for c in by_id.values() if not c["invariants"]["ok"]]
    assert any("identical to the base" in r for c in rejected for r in c["invariants"]["reasons"])
    assert session["holdout"]["verdict"]["outcome"] == "improvement"
    winner = by_id[session["recommendation"]["candidate"]]
    assert session["recommendation"]["action"] == "adopt"
    assert winner["tokens"] < session["prompt"]["base_tokens"] and "refund policy" in winner["text"]
    assert winner["dev_scores"] and all(s["pass_rate"] == 1.0 for s in winner["dev_scores"])
    cases = session["cases"]
    assert len(cases["dev_ids"]) + len(cases["holdout_ids"]) == 90
    assert cases["sha256"] == hashlib.sha256((repo / cases["path"]).read_bytes()).hexdigest()
    # Selection saw dev cases only; the confirmation covers every case the budget paid for.
    selection = session["search"]["selection_ids"]
    assert selection and set(selection) <= set(cases["dev_ids"])
    confirmed = session["holdout"]["case_ids"]
    assert set(cases["holdout_ids"]) <= set(confirmed) and len(confirmed) == session["holdout"]["cases"]
    # adopting: a one-sided test at alpha / tested, i.e. compare at a two-sided 2 * alpha / tested
    assert session["holdout"]["alpha"] == pytest.approx(2 * 0.05 / session["holdout"]["tested"])
    assert session["search"]["calls"] <= 400 and session["usage"]["calls"] <= 400
    assert out_file.read_text() == winner["text"]
    assert f"recommendation: adopt {winner['id']}" in result.stdout
    assert "-Please note that you must always be polite and professional." in result.stdout
    assert f"wrote {winner['id']} to {out_file}" in result.stdout


def test_without_cases_conciseness_proposes_an_unevaluated_edit(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE, cases=None)
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", "conciseness")
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(repo)
    assert session["recommendation"]["action"] == "unevaluated"
    assert "UNEVALUATED" in result.stdout and session["holdout"] is None
    assert session["usage"]["calls"] == 0


def test_without_cases_other_goals_say_how_to_add_them_and_write_nothing(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE, cases=None)
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", "accuracy")
    assert result.exit_code == 2
    assert "support-agent/system has no eval cases" in result.stderr
    assert "add `evals: evals/cases.yaml`" in result.stderr
    assert sessions(repo) == []


def test_an_unknown_goal_lists_the_five(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE)
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", "brevity")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "promptops: unknown goal 'brevity'; expected one of: accuracy, conciseness, clarity, safety, speed"
    )
    assert sessions(repo) == []


def test_a_budget_too_small_says_the_minimum_before_any_call(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE)
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", "conciseness", "--budget-calls", "5")
    assert result.exit_code == 2
    assert "a budget of 5 calls is too small" in result.stderr
    # 5 accepted edit candidates: (5 + 1) x 4 dev cases + 2 x 4 holdout cases
    assert "evaluating the base and 5 candidate(s)" in result.stderr
    assert "raise --budget-calls to at least 32" in result.stderr
    assert sessions(repo) == []


def test_a_prompt_the_edits_cannot_shorten_fails_clearly(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE, system="Follow the refund policy.\n")
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", "conciseness")
    assert result.exit_code == 1
    assert "the edit generator found nothing to change in support-agent/system" in result.stderr
    (session,) = sessions(repo)
    assert session["status"] == "failed" and session["error"].startswith("the edit generator found nothing")


def test_when_every_edit_breaks_an_invariant_the_session_fails(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE, system="Please note that the refund policy applies.\n")
    agent_yaml = repo / "prompts/support-agent/agent.yaml"
    agent_yaml.write_text(
        agent_yaml.read_text().replace(
            'must_contain: ["refund policy"]', 'must_contain: ["Please note that the refund"]'
        )
    )
    result = run_cli(repo, "optimize", "support-agent/system", "--goal", "conciseness")
    assert result.exit_code == 1
    assert "no candidate passed the invariants guard" in result.stderr
    (session,) = sessions(repo)
    assert session["status"] == "failed" and session["candidates"]


def test_few_shot_variants_must_stay_valid_examples(tmp_path: Path) -> None:
    repo = optimize_repo(tmp_path, OFFLINE, cases=None)
    examples = (
        "- user: Where is my order?\n  assistant: Please note that I will look it up.\n"
        "- user: Where is my parcel?\n  assistant: Please note that I will look it up.\n"
    )
    (repo / "prompts/support-agent/examples.yaml").write_text(examples)
    result = run_cli(repo, "optimize", "support-agent/few_shot", "--goal", "conciseness")
    assert result.exit_code == 0, result.stderr
    (session,) = sessions(repo)
    by_edits = {tuple(c["edits"]): c for c in session["candidates"]}
    broken = by_edits[("drop-duplicate-sentences",)]  # drops the second example's answer line
    assert broken["invariants"]["reasons"][0].startswith("not a valid few-shot examples file: <candidate ")
    kept = by_edits[("remove-filler-phrases",)]
    assert kept["invariants"]["ok"] and "assistant: I will look it up." in kept["text"]
    assert session["recommendation"]["candidate"] == kept["id"]
