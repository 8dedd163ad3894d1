"""`promptops demo`: the whole loop in a throwaway folder, offline, in a few seconds.

It creates a prompt repository (the `promptops init` example agent, with a wordier system
prompt and more eval cases) with a local bare `origin`, then: evaluates it, optimizes the
system prompt for conciseness with the edit-based generator, commits the variant on its
branch with the eval note (branch only: there is no GitHub), writes the pull request body
to a file, merges the branch as GitHub's merge button would and records the deployment,
shows the history, and rolls the prompt back to v1 on a rollback branch.

Without `ANTHROPIC_API_KEY` every evaluation uses the echo provider (the "answer" is the
rendered prompt: free and deterministic, but it says nothing about quality); with it,
evaluations call the real model.

Each step is yielded as it finishes, so the CLI prints progress while later steps run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from promptops.config import load_config
from promptops.errors import InputError

if TYPE_CHECKING:
    from promptops.bot.publish import PublishOutcome
    from promptops.repo.history import PromptVersion

AGENT = "support-agent"
PROMPT = f"{AGENT}/system"
PR_NUMBER = 1
# Offline, 200 cases let the paired test show the shorter prompt costs no accuracy (about 100
# holdout cases); with a real model, 30 keep the cost to a few hundred calls.
CASES_OFFLINE, CASES_WITH_MODEL = 200, 30

SYSTEM = """\
You are the customer support assistant of an online shop.

Please note that you should always answer in a friendly, plain tone and keep replies under 120 words.
It is important to always quote the order number the customer gave you.
In order to help a customer who asks for money back, explain the refund policy: unused items can be
returned within 30 days for a full refund.
Make sure to never promise a delivery date; say that the tracking page shows the latest estimate.
Basically, if you need order details, use the lookup_order tool instead of guessing.
Always quote the order number the customer gave you.
"""

MESSAGES = (
    "I want my money back for order {n}, the mug arrived broken.",
    "Where is order {n}? It has been a week.",
    "Can you guarantee order {n} arrives tomorrow?",
    "Order {n} shows the wrong address.",
    "I was charged twice for order {n}.",
    "Can I return the shoes from order {n}? They are too small.",
)


@dataclass
class DemoStep:
    """One step: a title, what happened, and where to look."""

    title: str
    lines: list[str] = field(default_factory=list)
    look: list[str] = field(default_factory=list)


def demo_cases(count: int) -> str:
    """Eval cases: every reply must quote the order number and name the refund policy."""
    cases = []
    for i in range(count):
        number = str(1000 + 37 * i)
        cases.append(
            {
                "id": f"message-{i:02d}",
                "vars": {"customer_message": MESSAGES[i % len(MESSAGES)].format(n=number)},
                "assert": [
                    {"type": "contains", "value": number},
                    {"type": "icontains", "value": "refund policy"},
                ],
            }
        )
    return yaml.safe_dump({"cases": cases}, sort_keys=False, width=200)


def demo_config(use_model: bool) -> dict:
    provider = {"name": "anthropic"} if use_model else {"name": "echo", "model": "echo"}
    return {
        "provider": provider,
        "optimizer": {"provider": None, "budget": {"calls": 2000, "usd": 2.0}},
        "evals": {"holdout_fraction": 0.5},
        "decision": {"min_success_delta": 0.1},
    }


def check_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder}: error: folder exists and is not empty; name a new or empty folder")


def run_demo(folder: Path, env: Mapping[str, str] | None = None) -> Iterator[DemoStep]:
    """Run the demo in `folder` (new or empty), yielding each step as it is done."""
    env = os.environ if env is None else env
    folder = folder.resolve()
    check_folder(folder)
    use_model = bool(env.get("ANTHROPIC_API_KEY", "").strip())
    work, origin = folder / "repo", folder / "origin.git"
    yield _create(work, origin, use_model)
    yield _evaluate(work)
    session_path, step = _optimize(work)
    yield step
    publish, step = _publish(work, session_path)
    yield step
    yield _pull_request_body(folder, publish)
    yield _merge_and_deploy(work, publish.branch, publish.recommended)
    yield _history(work)
    yield _rollback(work)


def _create(work: Path, origin: Path, use_model: bool) -> DemoStep:
    from promptops.git.local_repo import commit_all, create_with_origin
    from promptops.repo.scaffold import init_repository

    create_with_origin(work, origin)
    init_repository(work)
    agent = work / "prompts" / AGENT
    (agent / "system.md").write_text(SYSTEM, encoding="utf-8")
    cases = CASES_WITH_MODEL if use_model else CASES_OFFLINE
    (agent / "evals" / "cases.yaml").write_text(demo_cases(cases), encoding="utf-8")
    (work / ".promptops.yaml").write_text(yaml.safe_dump(demo_config(use_model), sort_keys=False), "utf-8")
    commit_all(work, "Add the support agent and its eval cases")
    model = "the real model (ANTHROPIC_API_KEY is set)" if use_model else "the echo provider (offline)"
    return DemoStep(
        "1. A prompt repository with a local bare origin",
        [
            f"agent {AGENT}: system prompt, user template, a tool, few-shot examples, {cases} eval cases",
            f"evaluations use {model}",
        ],
        [f"{work}/prompts/{AGENT}/", f"{work}/.promptops.yaml", f"origin: {origin}"],
    )


def _evaluate(work: Path) -> DemoStep:
    from promptops.evals.command import EvalOptions, run_eval_command
    from promptops.evals.report import measured_on

    outcome = run_eval_command(load_config(work), EvalOptions(agent_id=AGENT))
    s = outcome.head.summary
    return DemoStep(
        f"2. promptops eval {AGENT}",
        [
            f"pass rate {s.pass_rate:.0%} ({s.passed} passed, {s.failed} failed)",
            f"measured on {measured_on(outcome.head)}",
        ],
        [str(p.relative_to(work)) for p in outcome.saved],
    )


def _optimize(work: Path) -> tuple[Path, DemoStep]:
    from promptops.optimize.optimizer import run_optimization
    from promptops.optimize.run import OptimizeOptions

    config = load_config(work)
    options = OptimizeOptions(goal="conciseness", budget_calls=config.get("optimizer.budget.calls"))
    result = run_optimization(config, PROMPT, options)
    session = result.session
    lines = [f"{len(session.candidates)} candidates from the edit-based generator"]
    if session.holdout:
        lines.append(f"holdout ({session.holdout['cases']} cases): {session.holdout['verdict']['headline']}")
    lines.append(f"recommendation: {(session.recommendation or {}).get('summary', session.status)}")
    return session.path, DemoStep(
        f"3. promptops optimize {PROMPT} --goal conciseness", lines, [str(session.path.relative_to(work))]
    )


def _publish(work: Path, session_path: Path) -> tuple[PublishOutcome, DemoStep]:
    from promptops.bot.publish import publish_session
    from promptops.git.notes import read_note

    outcome = publish_session(load_config(work), session_path, open_pr=False, token=None)
    note = read_note(work, outcome.commit) or {}
    lines = [outcome.message, f"git note on {outcome.commit[:10]}: verdict {note.get('verdict', '?')}"]
    return outcome, DemoStep(
        f"4. promptops pr {PROMPT} --branch-only: the variant on its branch, with its eval note",
        lines,
        [
            f"git -C {work} log -1 {outcome.branch}",
            f"git -C {work} notes --ref=promptops show {outcome.branch}",
        ],
    )


def _pull_request_body(folder: Path, outcome: PublishOutcome) -> DemoStep:
    body = folder / "pull-request.md"
    body.write_text(outcome.report.rstrip("\n") + "\n", encoding="utf-8")
    return DemoStep(
        "5. The pull request body promptops would post",
        [f"{len(outcome.report.splitlines())} lines of markdown: verdict, figures, diff, per-case changes"],
        [str(body)],
    )


def _merge_and_deploy(work: Path, branch: str, recommended: bool) -> DemoStep:
    from promptops.bot.push import deployed_prompts, record_deployment
    from promptops.git.local_repo import head_commit, merge_pull_request

    config = load_config(work)
    before = head_commit(work)
    after = merge_pull_request(work, branch, PR_NUMBER)
    deployed = deployed_prompts(config, before, after)
    record_deployment(config, after, deployed)
    lines = [f"merged {branch} as pull request #{PR_NUMBER} (what the merge button does)"]
    if not recommended:
        lines.append(
            "(merged to show the loop; a reviewer would not merge a variant that is not recommended)"
        )
    lines += [f"deployed {d.prompt_id} {d.version} ({d.version_id[:12]})" for d in deployed]
    return DemoStep(
        "6. Merge = deploy: what `promptops ci` records on a push to main",
        lines,
        [f"git -C {work} notes --ref=promptops show main"],
    )


def _history(work: Path) -> DemoStep:
    from promptops.repo.history import prompt_history

    history = prompt_history(load_config(work), PROMPT)
    lines = [_version_line(v) for v in history.versions]
    return DemoStep(f"7. promptops history {PROMPT}", lines, [f"git -C {work} log --first-parent main"])


def _version_line(version: PromptVersion) -> str:
    from promptops.repo.eval_notes import describe_note

    extra = [f"PR #{version.pr_number}"] if version.pr_number else []
    extra += [describe_note(version.eval)] if version.eval else []
    extra += ["deployed"] if version.deployed else []
    tags = f"  [{', '.join(extra)}]" if extra else ""
    vid = (version.version_id or "")[:12]
    return f"v{version.number} {vid} {version.tokens} tokens  {version.subject}{tags}"


def _rollback(work: Path) -> DemoStep:
    from promptops.bot.rollback import rollback_prompt

    outcome = rollback_prompt(load_config(work), PROMPT, "v1", open_pr=False, token=None)
    return DemoStep(
        f"8. promptops rollback {PROMPT} --to v1 --branch-only",
        [outcome.message],
        [f"git -C {work} show {outcome.branch}"],
    )
