"""The gate's judgement of real evaluations (anthropic SDK against the stand-in).

Fail closed: errored samples and too few paired samples are failures; the cases and the
settings that judge a change are the base commit's; removing or editing cases, or loosening
settings, needs a maintainer's approval.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from promptops.config import load_config
from promptops.evals.cases import load_suite_at
from promptops.evals.command import EvalOptions, run_eval_command
from promptops.evals.gate import GateSettings, case_changes, conclude, judge_agent, settings_changes
from promptops.repo.agents import load_agent, prompt_texts_at
from promptops.repo.sources import config_at
from tests.evals.support import AGENT_DIR, agent_repo
from tests.gitrepo import commit, git
from tests.standins.anthropic_server import AnthropicStandin, last_user_text
from tests.standins.base import Reply
from tests.standins.fixtures import anthropic_provider_config

CASES = "cases:\n" + "".join(
    f"  - id: c{i}\n    vars: {{customer_message: 'order {i}'}}\n"
    f"    assert: [{{type: contains, value: 'order {i}'}}]\n"
    for i in range(8)
)


def answer(request: dict[str, Any]) -> Reply | str:
    if "BROKEN" in str(request.get("system")):
        return Reply(status=400, error_type="invalid_request_error")
    return f"About {last_user_text(request).split('says: ')[-1].strip()}: on its way."


def repo_with(tmp_path: Path, standin: AnthropicStandin, **settings: Any) -> tuple[Path, str]:
    config = {"provider": anthropic_provider_config(standin, max_retries=1), **settings}
    repo = agent_repo(
        tmp_path, CASES, {".promptops.yaml": yaml.safe_dump(config), ".gitignore": ".promptops/\n"}
    )
    return repo, git(repo, "rev-parse", "HEAD")


def evaluate(repo: Path, base: str, head: str):
    config = config_at(repo, base)
    options = EvalOptions(agent_id="support-agent", ref=head, compare=base, cases_ref=base, no_cache=True)
    return run_eval_command(config, options)


def test_a_prompt_that_makes_every_call_fail_is_a_failure(tmp_path, anthropic_standin):
    anthropic_standin.reply = answer
    repo, base = repo_with(tmp_path, anthropic_standin)
    head = commit(repo, {f"{AGENT_DIR}/system.md": "BROKEN. Follow the refund policy.\n"}, "break it")
    outcome = evaluate(repo, base, head)
    assert outcome.comparison.verdict.outcome != "regression"  # the paired test alone sees no drop
    gate = judge_agent("support-agent", outcome, GateSettings())
    assert gate.conclusion == "failure"
    assert "8 of 16 samples errored after retries" in gate.reason
    assert "/promptops eval" in gate.reason
    assert conclude([gate], []).status_state == "failure"


def test_too_few_paired_samples_is_a_failure(tmp_path, anthropic_standin):
    anthropic_standin.reply = answer
    repo, base = repo_with(tmp_path, anthropic_standin, gate={"min_paired_samples": 20})
    head = commit(repo, {f"{AGENT_DIR}/system.md": "Be brief. Follow the refund policy.\n"}, "edit")
    gate = judge_agent(
        "support-agent", evaluate(repo, base, head), GateSettings.from_config(config_at(repo, base))
    )
    assert gate.conclusion == "failure"
    assert "only 8 paired samples; the gate needs at least 20 (gate.min_paired_samples)" in gate.reason


def test_inconclusive_follows_the_setting(tmp_path, anthropic_standin):
    anthropic_standin.reply = answer
    repo, base = repo_with(tmp_path, anthropic_standin)
    head = commit(repo, {f"{AGENT_DIR}/system.md": "Be brief. Follow the refund policy.\n"}, "edit")
    outcome = evaluate(repo, base, head)
    assert outcome.comparison.verdict.outcome == "inconclusive"  # 8 identical pairs rule little out
    neutral = judge_agent("support-agent", outcome, GateSettings())
    strict = judge_agent("support-agent", outcome, GateSettings(inconclusive="failure"))
    assert (neutral.conclusion, strict.conclusion) == ("neutral", "failure")
    assert "more cases at 1 repeat would settle it" in neutral.reason
    assert conclude([neutral], []).status_state == "success"


def test_the_pr_is_judged_on_the_base_cases_and_settings(tmp_path, anthropic_standin):
    anthropic_standin.reply = answer
    repo, base = repo_with(tmp_path, anthropic_standin)
    fewer = (
        "cases:\n  - id: c0\n    vars: {customer_message: 'order 0'}\n"
        "    assert: [{type: contains, value: x}]\n"
    )
    loose = {"provider": anthropic_provider_config(anthropic_standin), "decision": {"alpha": 1e-12}}
    head = commit(
        repo,
        {f"{AGENT_DIR}/evals/cases.yaml": fewer, ".promptops.yaml": yaml.safe_dump(loose)},
        "weaken the gate",
    )
    outcome = evaluate(repo, base, head)
    assert {r.case_id for r in outcome.head.results} == {f"c{i}" for i in range(8)}
    config = load_config(repo)
    assert config.get("decision.alpha") == 1e-12 and config_at(repo, base).get("decision.alpha") == 0.05
    agent = load_agent(config, "support-agent")
    changes = settings_changes(config_at(repo, base), config) + case_changes(
        "support-agent", load_suite_at(agent, config, base), load_suite_at(agent, config, head)
    )
    descriptions = [c.description for c in changes if c.loosens]
    assert "decision.alpha 0.05 to 1e-12" in descriptions
    assert "support-agent: eval cases removed: c1, c2, c3, c4, c5, c6, c7" in descriptions
    assert "support-agent: eval cases edited: c0" in descriptions
    gate = conclude([judge_agent("support-agent", outcome, GateSettings())], changes)
    assert gate.conclusion == "failure" and "/promptops approve-gate-change" in gate.title
    approved = conclude(gate.agents, changes, approved_by="maintainer")
    assert gate.agents[0].conclusion == "neutral" and approved.conclusion == "neutral"


def test_a_fork_contributes_its_prompt_files_only(tmp_path, anthropic_standin):
    repo, base = repo_with(tmp_path, anthropic_standin)
    head = commit(
        repo,
        {
            f"{AGENT_DIR}/system.md": "Forked system prompt. Follow the refund policy.\n",
            f"{AGENT_DIR}/agent.yaml": "id: support-agent\nprompts: {system: /etc/passwd}\n",
        },
        "fork edits",
    )
    config = load_config(repo)
    agent = load_agent(config_at(repo, base), "support-agent", ref=base)
    texts = prompt_texts_at(config, agent, head)
    assert texts["system"] == "Forked system prompt. Follow the refund policy.\n"
    assert texts["user_template"] == agent.prompt("user_template").text
