"""The versions of one prompt on the default branch: `promptops history AGENT/NAME`.

`vN` counts the first-parent commits of the default branch that changed the prompt's
file (following renames), oldest = v1, so it is stable once merged and means "the Nth
deployed change". The version id is the blob id the file had after that commit.

Each version also carries what the deploying commit says about itself: the pull request
number (from GitHub's merge or squash subject), the eval summary promptops attached as a
git note (read in the same `git log` process; origin's notes are fetched only when the
last fetch is older than `history.notes_max_age_minutes`, or when asked), and whether it
is the version deployed now. The same `git log` walk reads the agent's rollout.yaml, so
the rollout steps cost no second walk of a long history, and the walk's result is kept in
the git directory until the branch or the notes move (`git.log_cache`).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from promptops.config import Config
from promptops.errors import InputError, NotFoundError, PromptopsError
from promptops.git.branches import DefaultBranch, no_commits_yet, resolve_default_branch
from promptops.git.log import FileChange, file_log
from promptops.git.log_cache import KeptLogs, start_cached_files_log
from promptops.git.note_reading import NOTES_REF, notes_fetched_within, notes_for, parse_note
from promptops.git.process import read_blobs
from promptops.git.shallow import refuse_shallow, require_full_history
from promptops.repo.agents import Prompt, resolve_prompt_id
from promptops.repo.prompt_lookup import find_prompt
from promptops.repo.pull_requests import pull_request_number
from promptops.repo.sources import ROLLOUT_FILE, prompts_rel
from promptops.repo.tokens import cached_token_counts, count_tokens_by_version, load_encoding

if TYPE_CHECKING:
    from promptops.repo.rollouts import RolloutStep


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
    rollout_steps: list[RolloutStep] = field(default_factory=list)  # oldest first; not in to_json
    rollout_log: list[FileChange] = field(default_factory=list)  # what they came from, newest first

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
    fetch: bool | None = None,
) -> PromptHistory:
    """Newest first; `all_branches` adds commits of every local and remote branch.

    `fetch` brings origin's promptops notes in first: True always, False never, None when
    the last fetch is older than `history.notes_max_age_minutes`. An unreachable origin is
    skipped quietly: the notes we have are shown. The `git log` walk is started first and
    the tokenizer, when counts will be missing, loads while git walks on the other core.
    """
    branch = checked_default_branch(config, also=[NOTES_REF])
    assert branch.rev is not None  # checked_default_branch raised otherwise
    prompt = _find_prompt(config, prompt_id, branch.rev)
    fetched = fetch_notes_if_due(config, fetch)
    notes = None if fetched else branch.also.get(NOTES_REF, "")  # fetched: the ref is read again
    started = _start_logs(config, [prompt], branch, notes)
    if started.walking:  # only `result()` keeps a walk: a failure here leaves nothing half-kept
        _load_tokenizer_if_counts_are_missing(prompt)
    logs = started.result()
    on_default = logs[prompt.rel_path]
    shown = _shown(config, prompt, on_default, all_branches, limit)
    return _history(
        config,
        branch.name,
        prompt,
        on_default,
        shown,
        logs[_rollout_file(config, prompt)],
        _tokens_by_blob(config, shown),
        _notes(config, shown),
    )


def prompt_histories(
    config: Config,
    prompts: Sequence[Prompt],
    *,
    branch: DefaultBranch | None = None,
    all_branches: bool = False,
    limit: int | None = None,
) -> dict[str, PromptHistory]:
    """The histories of `prompts` (by id) from one `git log` walk for all of them: the
    dashboard shows every prompt, and a walk per prompt would read the history that often.
    `branch`: the default branch as `checked_default_branch` gave it (else resolved here)."""
    branch = branch or checked_default_branch(config)
    logs = _start_logs(config, prompts, branch, None).result()
    shown = {p.id: _shown(config, p, logs[p.rel_path], all_branches, limit) for p in prompts}
    every = [change for changes in shown.values() for change in changes]
    # One token-cache read and blob read, one notes lookup, for all the prompts' versions.
    tokens, notes = _tokens_by_blob(config, every), _notes(config, every)
    return {
        p.id: _history(
            config,
            branch.name,
            p,
            logs[p.rel_path],
            shown[p.id],
            logs[_rollout_file(config, p)],
            tokens,
            notes,
        )
        for p in prompts
    }


def _rollout_file(config: Config, prompt: Prompt) -> str:
    return posixpath.join(prompts_rel(config), prompt.agent, ROLLOUT_FILE)


def _start_logs(
    config: Config, prompts: Sequence[Prompt], branch: DefaultBranch, notes: str | None
) -> KeptLogs:
    """The walk of the prompts' files and their agents' rollout.yaml, in one `git log`."""
    assert branch.commit is not None  # resolved with the revision
    paths = list(
        dict.fromkeys([*(p.rel_path for p in prompts), *(_rollout_file(config, p) for p in prompts)])
    )
    return start_cached_files_log(config.root, branch.commit, paths, notes_ref=NOTES_REF, notes=notes)


def _load_tokenizer_if_counts_are_missing(prompt: Prompt) -> None:
    """Load the tokenizer now, while git walks, when the versions will need counting: when the
    current text's count is not cached, the older versions' counts are most likely not either
    (a first look at the prompt). A wrong guess costs time only: the counts come out the same."""
    if prompt.version_id not in cached_token_counts([prompt.version_id]):
        load_encoding()


def checked_default_branch(config: Config, also: Sequence[str] = ()) -> DefaultBranch:
    """The default branch of a full clone with commits (else the error that says so)."""
    branch = resolve_default_branch(config.root, config, also)
    if branch.rev is None:
        raise no_commits_yet(config.root, branch.name)
    refuse_shallow(config.root, "version numbers")  # a cut history numbers every version wrong
    return branch


def _shown(
    config: Config, prompt: Prompt, on_default: list[FileChange], all_branches: bool, limit: int | None
) -> list[FileChange]:
    """The changes a history shows: the default branch's (plus every branch's), newest first."""
    changes = _with_other_branches(config, prompt, on_default) if all_branches else on_default
    return changes[:limit] if limit is not None else changes


def _history(
    config: Config,
    branch: str,
    prompt: Prompt,
    on_default: list[FileChange],
    changes: list[FileChange],
    rollout_log: list[FileChange],
    tokens: dict[str, int],
    notes: dict[str, dict[str, Any]],
) -> PromptHistory:
    """`changes` (see `_shown`) as versions numbered along `on_default`; `tokens` by blob and
    `notes` by commit hold at least what `changes` need."""
    numbers = {c.commit: len(on_default) - i for i, c in enumerate(on_default)}
    deployed = on_default[0].commit if on_default and on_default[0].blob else None
    versions = [_version(c, numbers.get(c.commit), tokens, notes, deployed) for c in changes]
    steps = _rollout_steps(config, prompt.name, rollout_log)
    return PromptHistory(prompt.id, prompt.rel_path, branch, len(on_default), versions, steps, rollout_log)


def _rollout_steps(config: Config, name: str, log: list[FileChange]) -> list[RolloutStep]:
    """The prompt's rollout steps from its agent's rollout.yaml log (most prompts never had one)."""
    if not log:
        return []
    from promptops.repo.rollouts import steps_from_log  # only then: it is a large module

    return steps_from_log(config, name, log)


def _find_prompt(config: Config, prompt_id: str, rev: str) -> Prompt:
    """The prompt in the working tree, or as on the default branch if it is gone here."""
    try:
        return find_prompt(config, prompt_id)
    except NotFoundError as first:
        try:
            return resolve_prompt_id(config, prompt_id, ref=rev)
        except NotFoundError:
            raise first from None


def _with_other_branches(config: Config, prompt: Prompt, on_default: list[FileChange]) -> list[FileChange]:
    """The default branch's changes plus every other branch's, newest first by date."""
    others = file_log(
        config.root, ["--branches", "--remotes"], prompt.rel_path, first_parent=False, notes_ref=NOTES_REF
    )
    seen = {c.commit for c in on_default}
    merged = on_default + [c for c in others if c.commit not in seen]
    return sorted(merged, key=lambda c: datetime.fromisoformat(c.date), reverse=True)


def _tokens_by_blob(config: Config, changes: list[FileChange]) -> dict[str, int]:
    """Token count per distinct blob; blobs are read only when their count is not cached."""
    wanted = list(dict.fromkeys(c.blob for c in changes if c.blob))
    known = cached_token_counts(wanted)
    blobs = read_blobs(config.root, [b for b in wanted if b not in known])
    texts = {blob: data.decode("utf-8", errors="replace") for blob, data in blobs.items()}
    return {**known, **count_tokens_by_version(texts, known={})} if texts else known


def _version(
    change: FileChange,
    number: int | None,
    tokens: dict[str, int],
    notes: dict[str, dict[str, Any]],
    deployed: str | None,
) -> PromptVersion:
    """One version with its PR number, its eval note (a merge without its own: the merged
    branch head's) and whether it is the deployed one."""
    note = next((notes[sha] for sha in (change.commit, *change.parents[1:]) if sha in notes), None)
    return PromptVersion(
        number=number,
        version_id=change.blob,
        commit=change.commit,
        date=change.date,
        author=change.author,
        subject=change.subject,
        path=change.path,
        tokens=tokens.get(change.blob) if change.blob else None,
        pr_number=pull_request_number(change.subject),
        eval=note,
        deployed=change.commit == deployed,
    )


def fetch_notes_if_due(config: Config, fetch: bool | None) -> bool:
    """Fetch origin's notes: `fetch` True always, False never, None when the last fetch is older
    than history.notes_max_age_minutes; the fetch is stamped, so the next look need not. True
    when fetched (so the notes ref may have moved); offline or no access: False, the notes we
    have are shown."""
    if fetch is False:
        return False
    max_age_s = 0.0 if fetch else float(config.get("history.notes_max_age_minutes")) * 60
    if notes_fetched_within(config.root, max_age_s):  # the usual case: no GitPython, no network
        return False
    from promptops.git.notes import fetch_notes

    try:
        return fetch_notes(config.root)
    except PromptopsError:  # offline or no access: show the notes we have
        return False


def _notes(config: Config, changes: list[FileChange]) -> dict[str, dict[str, Any]]:
    """The eval notes of the changes' commits, and of merged branch heads where needed.

    Notes came with the log; a merge without its own note takes the merged branch head's
    (second parent's), which needs one more lookup, only when there is such a merge.
    """
    own = {c.commit: parse_note(c.note) for c in changes}
    merged_heads = {p for c in changes if own[c.commit] is None for p in c.parents[1:]}
    return {**notes_for(config.root, merged_heads), **{k: v for k, v in own.items() if v is not None}}


def complete_history(config: Config) -> str | None:
    """Deepen a shallow clone before version numbers are counted; a note when it was deepened.

    Nothing to do outside a git repository (`list` then shows no vN at all).
    """
    try:
        return require_full_history(config.root, "version numbers")
    except InputError:  # not a git repository
        return None
