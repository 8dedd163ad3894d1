"""The versions of one prompt on the default branch: `promptops history AGENT/NAME`.

`vN` counts the first-parent commits of the default branch that changed the prompt's
file (following renames), oldest = v1, so it is stable once merged and means "the Nth
deployed change". The version id is the blob id the file had after that commit.

Each version also carries what the deploying commit says about itself: the pull request
number (from GitHub's merge or squash subject), the eval summary promptops attached as a
git note (fetched from origin first), and whether it is the version deployed now.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from promptops.config import Config
from promptops.errors import NotFoundError, PromptopsError
from promptops.git.branches import resolve_default_branch
from promptops.git.log import FileChange, file_log
from promptops.git.notes import fetch_notes, notes_for
from promptops.git.tree import read_blobs
from promptops.repo.agents import Prompt, resolve_prompt_id
from promptops.repo.tokens import cached_token_counts, count_tokens_by_version


@dataclass(frozen=True)
class PromptVersion:
    """One commit that changed the prompt; `number` is None off the default branch."""

    number: int | None
    version_id: str | None
    commit: str
    date: str
    author: str
    subject: str
    path: str
    tokens: int | None
    pr_number: int | None = None
    eval: dict[str, Any] | None = None  # the git note of the commit (or of the merged PR's head)
    deployed: bool = False  # the version at the tip of the default branch

    def to_json(self) -> dict[str, Any]:
        return {"version": f"v{self.number}" if self.number else None, **asdict(self)}


@dataclass(frozen=True)
class PromptHistory:
    prompt_id: str
    path: str
    branch: str
    total: int
    versions: list[PromptVersion]

    def to_json(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt_id,
            "path": self.path,
            "branch": self.branch,
            "total": self.total,
            "versions": [v.to_json() for v in self.versions],
        }


def prompt_history(
    config: Config,
    prompt_id: str,
    *,
    all_branches: bool = False,
    limit: int | None = None,
    fetch: bool = True,
) -> PromptHistory:
    """Newest first; `all_branches` adds commits of every local and remote branch.

    `fetch` first brings origin's promptops notes in (skipped quietly when origin cannot be reached).
    """
    branch = resolve_default_branch(config.root, config)
    if branch.rev is None:
        raise NotFoundError(f"{config.root}: error: default branch {branch.name!r} has no commits yet")
    rev = branch.rev
    prompt = _find_prompt(config, prompt_id, rev)
    on_default = file_log(config.root, [rev], prompt.rel_path)
    numbers = {c.commit: len(on_default) - i for i, c in enumerate(on_default)}
    changes = _with_other_branches(config, prompt, on_default) if all_branches else on_default
    changes = changes[:limit] if limit is not None else changes
    tokens = _tokens_by_blob(config, changes)
    versions = [_version(c, numbers.get(c.commit), tokens) for c in changes]
    deployed = on_default[0].commit if on_default and on_default[0].blob else None
    versions = _annotated(config, changes, versions, deployed, fetch)
    return PromptHistory(prompt.id, prompt.rel_path, branch.name, len(on_default), versions)


def _find_prompt(config: Config, prompt_id: str, rev: str) -> Prompt:
    """The prompt in the working tree, or as on the default branch if it is gone here."""
    try:
        return resolve_prompt_id(config, prompt_id)
    except NotFoundError as first:
        try:
            return resolve_prompt_id(config, prompt_id, ref=rev)
        except NotFoundError:
            raise first from None


def _with_other_branches(config: Config, prompt: Prompt, on_default: list[FileChange]) -> list[FileChange]:
    """The default branch's changes plus every other branch's, newest first by date."""
    others = file_log(config.root, ["--branches", "--remotes"], prompt.rel_path, first_parent=False)
    seen = {c.commit for c in on_default}
    merged = on_default + [c for c in others if c.commit not in seen]
    return sorted(merged, key=lambda c: datetime.fromisoformat(c.date), reverse=True)


def _tokens_by_blob(config: Config, changes: list[FileChange]) -> dict[str, int]:
    """Token count per distinct blob; blobs are read only when their count is not cached."""
    wanted = list(dict.fromkeys(c.blob for c in changes if c.blob))
    known = cached_token_counts(wanted)
    blobs = read_blobs(config.root, [b for b in wanted if b not in known])
    texts = {blob: data.decode("utf-8", errors="replace") for blob, data in blobs.items()}
    return {**known, **count_tokens_by_version(texts)}


def _version(change: FileChange, number: int | None, tokens: dict[str, int]) -> PromptVersion:
    return PromptVersion(
        number=number,
        version_id=change.blob,
        commit=change.commit,
        date=change.date,
        author=change.author,
        subject=change.subject,
        path=change.path,
        tokens=tokens.get(change.blob) if change.blob else None,
    )


_MERGE_SUBJECT = re.compile(r"^Merge pull request #(\d+) from ")
_SQUASH_SUBJECT = re.compile(r"\(#(\d+)\)\s*$")


def pull_request_number(subject: str) -> int | None:
    """The PR a commit deployed, from GitHub's merge (`Merge pull request #N from ...`) or
    squash (`Title (#N)`) subject."""
    found = _MERGE_SUBJECT.match(subject) or _SQUASH_SUBJECT.search(subject)
    return int(found.group(1)) if found else None


def _annotated(
    config: Config,
    changes: list[FileChange],
    versions: list[PromptVersion],
    deployed: str | None,
    fetch: bool,
) -> list[PromptVersion]:
    """Versions with their PR number, eval note and deployed flag (one notes pass for all)."""
    if fetch:
        with contextlib.suppress(PromptopsError):  # offline or no access: show the notes we have
            fetch_notes(config.root)
    # a merge's note sits on the merged branch's head (its second parent)
    candidates = {c.commit: (c.commit, *c.parents[1:]) for c in changes}
    notes = notes_for(config.root, {sha for shas in candidates.values() for sha in shas})
    out = []
    for version in versions:
        note = next((notes[sha] for sha in candidates[version.commit] if sha in notes), None)
        number = pull_request_number(version.subject)
        out.append(replace(version, pr_number=number, eval=note, deployed=version.commit == deployed))
    return out
