"""`promptops rollback AGENT/NAME --to ...`: restore an earlier version of one prompt.

A rollback is a new commit, never a rewrite of history: it writes the content the prompt
had at the target version to the prompt's *current* path (it may have been renamed since),
and nothing else, so rolling back one prompt of a merge that changed several leaves the
others as they are. The commit goes on `promptops/<agent>/<prompt>/rollback` and into a pull
request labelled `rollback`, or, with `--direct` (an emergency the user asks for by name),
straight onto the default branch.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from promptops.bot.pr_commands import rollback_commands
from promptops.config import Config
from promptops.errors import InputError, NotFoundError
from promptops.git.commits import ROLLBACK_GOAL, commit_files_on_branch, commit_message, variant_branch
from promptops.git.refs import is_ancestor, resolve_commit
from promptops.git.status import ensure_clean
from promptops.git.tree import read_blobs
from promptops.github.connection import connect_for, no_token_message
from promptops.github.retries import MissingToken
from promptops.markdown import escape_text, inline_code
from promptops.repo.agents import split_prompt_id
from promptops.repo.history import PromptHistory, PromptVersion, prompt_history
from promptops.version_ids import short_id

ROLLBACK_LABELS = ("rollback", "promptops")
_VN = re.compile(r"^v(\d+)$")
_HEX = re.compile(r"^[0-9a-f]{4,40}$")


@dataclass(frozen=True)
class RollbackOutcome:
    """What a rollback did; `message` is the sentence for the user."""

    prompt_id: str
    path: str
    from_version: PromptVersion
    to_version: PromptVersion
    branch: str
    commit: str
    pushed: bool
    direct: bool
    pr_number: int | None
    pr_url: str | None
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "prompt": self.prompt_id,
            "path": self.path,
            "from": self.from_version.to_json(),
            "to": self.to_version.to_json(),
            "branch": self.branch,
            "commit": self.commit,
            "pushed": self.pushed,
            "direct": self.direct,
            "pr_number": self.pr_number,
            "pr_url": self.pr_url,
            "message": self.message,
        }


def rollback_prompt(
    config: Config,
    prompt_id: str,
    target: str,
    *,
    direct: bool = False,
    open_pr: bool = True,
    token: str | None = None,
    github_base_url: str | None = None,
) -> RollbackOutcome:
    """Commit `target`'s content of `prompt_id` and publish it (PR, or the default branch if `direct`).

    `open_pr=False` (`--branch-only`) keeps the commit on a local branch and talks to nobody.
    """
    if direct and not open_pr:
        raise InputError("--direct pushes to the default branch; it cannot be combined with --branch-only")
    history = prompt_history(config, prompt_id)
    current = _current(history)
    wanted = resolve_target(config, history, target)
    content = _content(config, wanted)
    run_id = _run_id()
    agent, name = split_prompt_id(history.prompt_id)
    branch = history.branch if direct else rollback_branch(config, agent, name)
    ensure_clean(config.root, [current.path])
    result = commit_files_on_branch(
        config.root,
        branch=branch,
        files={current.path: content},
        message=_message(history.prompt_id, current, wanted, run_id),
        expected_versions={current.path: current.version_id or ""},
        configured_default_branch=config.get("default_branch"),
        push=open_pr,
        run_id=run_id,
    )
    outcome = RollbackOutcome(
        history.prompt_id,
        current.path,
        current,
        wanted,
        branch,
        result.commit,
        result.pushed,
        direct,
        None,
        None,
        "",
    )
    if direct or not open_pr:
        return replace(outcome, message=_local_or_direct_message(outcome, history.branch))
    return _open_pull(config, outcome, history.branch, token, github_base_url)


def rollback_branch(config: Config, agent: str, name: str) -> str:
    return variant_branch(agent, name, ROLLBACK_GOAL, config.get("github.branch_prefix"))


# ---------------------------------------------------------------- which version


def _current(history: PromptHistory) -> PromptVersion:
    if not history.versions or history.versions[0].version_id is None:
        raise NotFoundError(f"{history.prompt_id} has no version on {history.branch} to roll back from")
    return history.versions[0]


def resolve_target(config: Config, history: PromptHistory, target: str) -> PromptVersion:
    """The version `target` names: `vN`, a version id (prefix), or a commit (prefix or ref)."""
    wanted = _find_target(config, history, target.strip())
    current = history.versions[0]
    if wanted.version_id is None:
        raise InputError(f"{_label(wanted)} of {history.prompt_id} deleted the file; pick another version")
    if wanted.version_id == current.version_id:
        raise InputError(
            f"{history.prompt_id} already has the content of {_label(wanted)} "
            f"(version {short_id(wanted.version_id)}, current {_label(current)}); nothing to roll back"
        )
    return wanted


def _find_target(config: Config, history: PromptHistory, target: str) -> PromptVersion:
    versions = history.versions
    number = _VN.match(target)
    if number:
        found = next((v for v in versions if v.number == int(number.group(1))), None)
        if found is None:
            raise NotFoundError(
                f"{history.prompt_id} has no {target} on {history.branch}: "
                f"versions are v1 to v{history.total}"
            )
        return found
    if not _HEX.match(target.lower()):
        # Only names, never git revision syntax: `HEAD:../../x`, `@{-1}` or `main~3` are refused here.
        raise InputError(
            f"--to {target!r}: expected vN (1 to {history.total}), a version id, or a commit id of "
            f"{history.branch} (4 to 40 hex digits; see `promptops history {history.prompt_id}`)"
        )
    by_version = _unique_prefix(history, target.lower(), lambda v: v.version_id or "", "version id")
    if by_version is not None:
        return by_version
    return _by_commit(config, history, target.lower())


def _unique_prefix(
    history: PromptHistory, prefix: str, key: Callable[[PromptVersion], str], what: str
) -> PromptVersion | None:
    """The newest version whose `key` starts with `prefix`; an error if the prefix is ambiguous."""
    matches = [v for v in history.versions if key(v).startswith(prefix)]
    distinct = sorted({key(v) for v in matches})
    if len(distinct) > 1:
        raise InputError(
            f"{what} prefix {prefix!r} is ambiguous "
            f"({', '.join(short_id(d) for d in distinct)}); give more digits"
        )
    return matches[0] if matches else None


def _by_commit(config: Config, history: PromptHistory, target: str) -> PromptVersion:
    """The version a commit holds: the newest change at or before it on the default branch."""
    try:
        commit = resolve_commit(config.root, target)
    except NotFoundError:
        raise NotFoundError(
            f"--to {target!r} names no version of {history.prompt_id}: give vN (1 to {history.total}), "
            "a version id or a commit (see `promptops history`)"
        ) from None
    if not _on_branch(config, history, commit):
        raise InputError(f"--to {target!r}: commit {short_id(commit)} is not on {history.branch}")
    for version in history.versions:
        if version.commit == commit or is_ancestor(config.root, version.commit, commit):
            return version
    raise NotFoundError(f"commit {short_id(commit)} is older than {history.prompt_id}'s first version")


def _on_branch(config: Config, history: PromptHistory, commit: str) -> bool:
    """Whether `commit` is on the default branch (a rollback restores what was deployed, nothing else)."""
    try:
        tip = resolve_commit(config.root, history.branch)
    except NotFoundError:
        return True  # no tip to check against: the history itself is the check below
    return is_ancestor(config.root, commit, tip)


def _content(config: Config, version: PromptVersion) -> bytes:
    assert version.version_id is not None
    return read_blobs(config.root, [version.version_id])[version.version_id]


# ---------------------------------------------------------------- the commit and its PR


def _label(version: PromptVersion) -> str:
    return f"v{version.number}" if version.number else f"commit {version.commit[:10]}"


def _run_id() -> str:
    return f"rollback-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def _describe(version: PromptVersion) -> str:
    return (
        f"{_label(version)} (version {short_id(version.version_id or '')}, "
        f"commit {version.commit[:10]} of {version.date[:10]}: {version.subject})"
    )


def _message(prompt_id: str, current: PromptVersion, wanted: PromptVersion, run_id: str) -> str:
    body = f"Restores {prompt_id} to {_describe(wanted)},\nreplacing {_describe(current)}."
    return commit_message(
        f"Revert {prompt_id} to {_label(wanted)}",
        {
            "Promptops-Prompt": prompt_id,
            "Promptops-Rollback-From": f"{_label(current)} {current.version_id}",
            "Promptops-Rollback-To": f"{_label(wanted)} {wanted.version_id}",
            "Promptops-Run": run_id,
        },
        body,
    )


def pull_request_body(outcome: RollbackOutcome) -> str:
    """The rollback PR's body: from which version to which, when each was made, and why."""
    rows = [
        "| | version | version id | commit | date | subject |",
        "| --- | --- | --- | --- | --- | --- |",
        _row("from (deployed now)", outcome.from_version),
        _row("to (restored)", outcome.to_version),
    ]
    return (
        f"## Rollback of {inline_code(outcome.prompt_id)}\n\n"
        f"Restores the content of {_label(outcome.to_version)} in {inline_code(outcome.path)}, "
        f"replacing {_label(outcome.from_version)}. Only this file changes.\n\n"
        + "\n".join(rows)
        + "\n\nWhy: a rollback asked for with `promptops rollback "
        + f"{outcome.prompt_id} --to {_label(outcome.to_version)}`; merging this pull request deploys it.\n\n"
        + rollback_commands(outcome.prompt_id, _label(outcome.to_version))
    )


def _row(what: str, v: PromptVersion) -> str:
    cells = [
        what,
        _label(v),
        inline_code(short_id(v.version_id or "")),
        inline_code(v.commit[:10]),
        v.date[:10],
        escape_text(v.subject),
    ]
    return "| " + " | ".join(cells) + " |"


def _open_pull(
    config: Config, outcome: RollbackOutcome, base: str, token: str | None, base_url: str | None
) -> RollbackOutcome:
    try:
        gh = connect_for(config, token, base_url)
    except MissingToken:
        return replace(
            outcome,
            message=f"pushed {outcome.branch}; " + no_token_message(config.root, base, outcome.branch),
        )
    title = f"Revert {outcome.prompt_id} to {_label(outcome.to_version)}"
    pr, created = gh.open_or_update_pull(
        branch=outcome.branch, base=base, title=title, body=pull_request_body(outcome)
    )
    gh.add_labels(pr, [*ROLLBACK_LABELS, *(config.get("github.labels") or [])])
    verb = "opened" if created else "updated"
    message = (
        f"{verb} pull request #{pr.number} ({pr.html_url}) to roll {outcome.prompt_id} "
        f"back to {_label(outcome.to_version)}"
    )
    return replace(outcome, message=message, pr_number=pr.number, pr_url=pr.html_url)


def _local_or_direct_message(outcome: RollbackOutcome, base: str) -> str:
    what = f"{outcome.prompt_id} rolled back to {_label(outcome.to_version)} in commit {outcome.commit[:10]}"
    if outcome.direct:
        return f"{what}, pushed to {base} (no pull request: --direct)"
    return f"{what} on local branch {outcome.branch} (not pushed: --branch-only)"
