"""A repository worth a dashboard, built the way promptops would have left it.

Two agents; support-agent's system prompt improved and deployed (v2, with the eval note
the PR carried and the deployment note `promptops ci` records on push); billing-agent's
system prompt in a canary rollout at its second step; support-agent's user template with
a goal declined by closing its PR (the ignore note `pr_closed` writes); and an open
optimize PR for support-agent/system, whose head carries its eval note, holding that
prompt's lock. Commit dates are fixed, so every id and date, and with them the rendered
dashboard, are the same on every run: docs/github-actions.md shows it (test_dashboard_docs).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptops.bot.ignores import Ignore, record_ignore
from promptops.bot.push import deployed_prompts, record_deployment
from promptops.config import load_config
from promptops.git.push import write_note
from promptops.version_ids import version_id
from tests.ci import payloads
from tests.ci.conftest import FAKE_GITHUB_TOKEN, REFUND_CASES, open_pull
from tests.gitrepo import commit, git, make_repo
from tests.repo.samples import support_agent
from tests.rollout.agents import rollout_yaml
from tests.standins.github_server import GitHubStandin

SUPPORT = "prompts/support-agent"
BILLING = "prompts/billing-agent"
SYSTEM_V1 = (
    "You are a support agent for an online shop. Always be polite and thorough. Follow the refund "
    "policy: refunds within 30 days, store credit after that. Answer every question in full.\n"
)
SYSTEM_V2 = "You are a support agent. Follow the refund policy: refund within 30 days, store credit after.\n"
SYSTEM_PR = "Support agent. Refund policy: refund within 30 days, else store credit.\n"
BILLING_AGENT = """\
id: billing-agent
model: claude-sonnet-5-5
params: {temperature: 0, max_tokens: 400}
prompts: {system: system.md, user_template: user.md}
evals: evals/cases.yaml
"""
BILLING_SYSTEM = "You answer billing questions. Quote the invoice number and the amount due.\n"
BILLING_CANDIDATE = "You answer billing questions. Quote invoice number and amount due. Be brief.\n"
BILLING_CASES = (
    "cases:\n  - id: invoice\n    vars: {question: 'What do I owe?'}\n"
    "    assert: [{type: icontains, value: invoice}]\n"
)
CONFIG = {
    "provider": {"name": "echo", "model": "echo-1"},
    "schedule": {"prompts": [{"prompt": "support-agent/system", "goal": "clarity"}]},
}
VARIANT = "promptops/support-agent/system/conciseness"


@dataclass
class Scenario:
    repo: Path
    github: GitHubStandin
    open_pr: int


def on_day(monkeypatch: pytest.MonkeyPatch, day: int, hour: int = 9) -> None:
    """Commits made next are dated 2026-11-DAY (author and committer)."""
    stamp = f"2026-11-{day:02d}T{hour:02d}:30:00+00:00"
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)


def eval_note(
    prompt: str, goal: str, base: str, variant: str, rates: tuple[float, float], **extra: Any
) -> dict:
    """A note shaped as `bot.session_report.eval_note` writes it."""
    return {
        "schema": "promptops-eval/1",
        "prompt": prompt,
        "goal": goal,
        "base_version": version_id(base),
        "variant_version": version_id(variant),
        "verdict": "improvement",
        "headline": f"improvement for {goal}",
        "recommended": True,
        "pass_rate": {"base": rates[0], "variant": rates[1]},
        "p_value": 0.031,
        "cases": 16,
        "repeats": 2,
        "model": "claude-sonnet-5-5",
        **extra,
    }


def build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    on_day(monkeypatch, 2)
    repo = make_repo(tmp_path)
    on_day(monkeypatch, 3)
    files = {
        **support_agent(SUPPORT),
        f"{SUPPORT}/system.md": SYSTEM_V1,
        f"{SUPPORT}/evals/cases.yaml": REFUND_CASES,
        f"{BILLING}/agent.yaml": BILLING_AGENT,
        f"{BILLING}/system.md": BILLING_SYSTEM,
        f"{BILLING}/user.md": "Question: {{question}}\n",
        f"{BILLING}/evals/cases.yaml": BILLING_CASES,
        ".promptops.yaml": yaml.safe_dump(CONFIG),
        ".gitignore": ".promptops/\n",
    }
    first = commit(repo, files, "Add support-agent and billing-agent", push=True)
    config = load_config(repo)

    on_day(monkeypatch, 9)
    deployed = commit(repo, {f"{SUPPORT}/system.md": SYSTEM_V2}, "Shorter system prompt (#3)", push=True)
    note = eval_note("support-agent/system", "conciseness", SYSTEM_V1, SYSTEM_V2, (0.8125, 0.9375))
    write_note(repo, deployed, {**note, "tokens_change_pct": -38.0})
    record_deployment(config, deployed, deployed_prompts(config, first, deployed))

    on_day(monkeypatch, 10)
    rollout = {
        f"{BILLING}/system.candidate.md": BILLING_CANDIDATE,
        f"{BILLING}/rollout.yaml": rollout_yaml(5),
    }
    commit(repo, rollout, "Start a canary rollout of billing-agent/system (#4)", push=True)
    on_day(monkeypatch, 12)
    commit(repo, {f"{BILLING}/rollout.yaml": rollout_yaml(25)}, "Advance the rollout to 25% (#5)", push=True)

    user_text = (repo / SUPPORT / "user.md").read_text(encoding="utf-8")
    declined = Ignore(
        "support-agent/user_template",
        "conciseness",
        version_id(user_text),
        6,
        "alice",
        "2026-11-13T16:05:00Z",
    )
    record_ignore(config, declined)

    on_day(monkeypatch, 14)
    git(repo, "checkout", "-q", "-b", VARIANT)
    head = commit(
        repo, {f"{SUPPORT}/system.md": SYSTEM_PR}, "promptops: support-agent/system for conciseness"
    )
    git(repo, "push", "-q", "origin", VARIANT)
    note = eval_note("support-agent/system", "conciseness", SYSTEM_V2, SYSTEM_PR, (0.9375, 0.9375))
    write_note(repo, head, {**note, "verdict": "improvement", "tokens_change_pct": -27.0})
    git(repo, "checkout", "-q", "main")

    github = GitHubStandin(bare_repo=repo.parent / "origin.git", name=payloads.NAME, token=FAKE_GITHUB_TOKEN)
    github._numbers = itertools.count(10)  # 1-9: the repository's earlier issues and PRs
    github.start()
    number = open_pull(github, VARIANT)
    github.pulls[number]["title"] = "promptops: optimize support-agent/system for conciseness"
    github.collaborators.update({"alice": "write", "mallory": "read"})
    return Scenario(repo, github, number)


@pytest.fixture
def scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scenario]:
    built = build(tmp_path, monkeypatch)
    try:
        yield built
    finally:
        built.github.stop()
    assert not built.github.violations, "GitHub schema violations:\n" + "\n".join(built.github.violations)
