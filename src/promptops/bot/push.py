"""Pushes to the default branch: record which prompt versions were deployed, then deploy.

Merging a promptops PR is the deployment. For each prompt whose file the push changed
(first-parent commits `before..after`), the pushed commit gets a `deployment` entry in
its git note under refs/notes/promptops: version id, `vN`, the PR number read from the
merge commit's subject, and the eval summary from the PR commit's own note when there is
one. Existing note content (a promptops commit's eval note) is kept. The notes ref is
pushed, so every clone can see what was deployed when.

Then the user's `deploy.command` runs (in a shell, at the repository root) with
`PROMPTOPS_CHANGED_PROMPTS` (space-separated prompt ids) and `PROMPTOPS_DEPLOY_COMMIT`;
its failure fails the job. Last, the dashboard issue is refreshed (`dashboard_issue`).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from typing import Any

from promptops.bot.context import CiContext
from promptops.bot.events import PushEvent
from promptops.config import Config
from promptops.errors import PromptopsError
from promptops.git.change_counts import change_counts
from promptops.git.notes import read_note
from promptops.git.push import write_note
from promptops.git.refs import changed_in_commit, commit_parents, commit_subject, first_parent_commits
from promptops.git.shallow import require_full_history
from promptops.markdown import fence
from promptops.repo.agents import load_all_agents

# GitHub's merge subject ("Merge pull request #12 from ...") or squash subject ("Title (#12)").
_PR_NUMBER = re.compile(r"^Merge pull request #(\d+) from |\(#(\d+)\)\s*$")
_OUTPUT_TAIL = 2000


class DeployCommandFailed(PromptopsError):
    """`deploy.command` exited non-zero; the job fails with its output's last lines."""


@dataclass(frozen=True)
class DeployedPrompt:
    prompt_id: str
    path: str
    version_id: str
    version: str  # vN
    commit: str  # the first-parent commit that changed it
    pr: int | None
    eval: dict[str, Any] | None

    def to_note(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt_id,
            "path": self.path,
            "version_id": self.version_id,
            "version": self.version,
            "commit": self.commit,
            "pr": self.pr,
            "eval": self.eval,
        }


def deployed_prompts(config: Config, before: str | None, after: str) -> list[DeployedPrompt]:
    """The prompts whose files the first-parent commits `before..after` changed, as of `after`."""
    prompts_rel = config.data["prompts_dir"].strip("/")
    changed_by: dict[str, str] = {}
    for commit in first_parent_commits(config.root, before, after):
        for path in changed_in_commit(config.root, commit, prompts_rel):
            changed_by[path] = commit
    if not changed_by:
        return []
    counts = change_counts(config.root, after, prompts_rel)
    deployed = []
    for agent in load_all_agents(config, after):
        for prompt in agent.prompts.values():
            commit = changed_by.get(prompt.rel_path)
            if commit is None:
                continue
            deployed.append(
                DeployedPrompt(
                    prompt_id=prompt.id,
                    path=prompt.rel_path,
                    version_id=prompt.version_id,  # the blob id, BOM and all
                    version=f"v{counts.get(prompt.rel_path, 0)}",
                    commit=commit,
                    pr=_pr_number(config, commit),
                    eval=_pr_eval(config, commit),
                )
            )
    return deployed


def _pr_number(config: Config, commit: str) -> int | None:
    found = _PR_NUMBER.search(commit_subject(config.root, commit))
    return int(found.group(1) or found.group(2)) if found else None


def _pr_eval(config: Config, commit: str) -> dict[str, Any] | None:
    """The eval note of the PR's commit: on the commit itself (fast-forward, rebase) or on the
    merge commit's second parent (the PR head)."""
    for candidate in [commit, *commit_parents(config.root, commit)[1:]]:
        note = read_note(config.root, candidate)
        if note:
            return {k: v for k, v in note.items() if k != "deployment"}
    return None


def record_deployment(
    config: Config, after: str, deployed: list[DeployedPrompt], *, push: bool = True
) -> bool:
    """Add the `deployment` entry to `after`'s note and push the notes ref.

    What the note held is kept; a merge commit's note also takes the PR's eval fields at the
    top level, because `promptops history` reads a merge's own note before its PR head's.
    """
    pr_eval = next((d.eval for d in deployed if d.eval), None) or {}
    note = {**pr_eval, **(read_note(config.root, after) or {})}
    note["deployment"] = {"commit": after, "prompts": [d.to_note() for d in deployed]}
    return write_note(config.root, after, note, push=push)


def run_deploy_command(config: Config, command: str, deployed: list[DeployedPrompt], commit: str) -> str:
    """Run `deploy.command`; its combined output (tail) on success, DeployCommandFailed otherwise."""
    env = {
        **os.environ,
        "PROMPTOPS_CHANGED_PROMPTS": " ".join(d.prompt_id for d in deployed),
        "PROMPTOPS_DEPLOY_COMMIT": commit,
    }
    done = subprocess.run(
        command, shell=True, cwd=config.root, env=env, capture_output=True, text=True, check=False
    )
    output = (done.stdout + done.stderr)[-_OUTPUT_TAIL:]
    if done.returncode != 0:
        raise DeployCommandFailed(
            f"deploy.command exited with status {done.returncode} for {commit[:10]}: "
            + ("; ".join(output.strip().splitlines()[-3:]) or "no output")
        )
    return output


def handle_push(ctx: CiContext, event: PushEvent) -> None:
    deepened = require_full_history(ctx.config.root, "version numbers")
    if deepened:
        ctx.report.say(deepened)
    deployed = deployed_prompts(ctx.config, event.before, event.after)
    if not deployed:
        ctx.report.say(f"push to {event.branch} changed no prompt; nothing deployed")
        return
    pushed = record_deployment(ctx.config, event.after, deployed)
    for d in deployed:
        pr = f" (PR #{d.pr})" if d.pr else ""
        ctx.report.say(
            f"deployed {d.prompt_id} {d.version} {d.version_id[:12]}{pr}",
            f"- deployed `{d.prompt_id}` {d.version} `{d.version_id[:12]}`{pr}",
        )
    where = "pushed to the remote" if pushed else "kept locally (no remote)"
    ctx.report.say(f"deployment recorded in refs/notes/promptops on {event.after[:10]}, {where}")
    command = ctx.config.get("deploy.command")
    if command:
        output = run_deploy_command(ctx.config, command, deployed, event.after)
        ctx.report.say(
            "deploy.command succeeded", "deploy.command succeeded:\n\n" + fence(output or "(no output)")
        )
        ctx.report.lines.extend(output.splitlines())
    from promptops.bot.dashboard_issue import refresh_dashboard

    refresh_dashboard(ctx)  # after the deploy: the dashboard shows the new version as deployed
