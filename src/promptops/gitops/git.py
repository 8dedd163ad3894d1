"""The git layer: every git operation promptops performs goes through this module (GitPython).

The bot's one rule about the user's checkout: it is never touched. Variants and rollbacks are
committed in a temporary worktree created from the *remote's* up-to-date default branch, pushed
with a lease on what the remote had when we looked, and the temporary worktree is always removed.
Commit metadata lives in trailers (`Promptops-Prompt`, `-Base`, `-Goal`, `-Run`) and the eval
summary in a git note under `refs/notes/promptops`, so `git log` alone tells the story.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import git

from promptops.errors import InputError, NotFoundError, PromptopsError
from promptops.repo.version import short_id, version_id

NOTES_REF = "refs/notes/promptops"
_REMOTE_NOTES = "refs/promptops/remote-notes"  # scratch ref: the remote's notes, fetched for merging
_NOTES_PUSH_ATTEMPTS = 3
_BAD_REF_CHARS = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]+")
FALLBACK_IDENTITY = {"user.name": "promptops", "user.email": "promptops@users.noreply.github.com"}


class PushRejected(PromptopsError):
    """The remote refused our push (protected branch, hook, or another run got there first)."""


@dataclass(frozen=True)
class PublishResult:
    """What a publish did: the branch, the commit on it, and whether the remote has it."""

    branch: str
    commit: str
    base_commit: str
    pushed: bool
    remote: str | None
    local_ref: str  # where the commit is kept locally, e.g. refs/heads/promptops/a/system/conciseness


# ---------------------------------------------------------------- repository and its settings


def open_repo(repo_root: Path | str) -> git.Repo:
    """The repository at `repo_root` (a working tree, not a bare repository)."""
    try:
        return git.Repo(repo_root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise InputError(f"{repo_root}: error: not a git repository (run `git init` or clone one)") from exc


def find_remote(repo: git.Repo) -> str | None:
    """`origin` if present, else the only remote, else None (a repository with no remote)."""
    names = [r.name for r in repo.remotes]
    if "origin" in names:
        return "origin"
    if len(names) == 1:
        return names[0]
    if names:
        raise PromptopsError(
            f"several git remotes ({', '.join(names)}) and none is `origin`; name one origin"
        )
    return None


def default_branch(repo: git.Repo, configured: str | None = None, remote: str | None = None) -> str:
    """Config `default_branch`, else what `<remote>/HEAD` points at, else `main` or `master`."""
    if configured:
        return configured
    if remote:
        try:
            target = repo.git.symbolic_ref(f"refs/remotes/{remote}/HEAD")
            return target.removeprefix(f"refs/remotes/{remote}/")
        except git.GitCommandError:
            pass
    for name in ("main", "master"):
        if _ref_exists(repo, f"refs/heads/{name}") or (
            remote and _ref_exists(repo, f"refs/remotes/{remote}/{name}")
        ):
            return name
    raise PromptopsError(
        "cannot tell the default branch (no origin/HEAD, no main or master); "
        "set `default_branch` in .promptops.yaml"
    )


def _ref_exists(repo: git.Repo, ref: str) -> bool:
    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
        return True
    except git.GitCommandError:
        return False


def remote_url(repo_root: Path | str, remote: str | None = None) -> str | None:
    """The fetch URL of `remote` (default: the detected one), for telling which GitHub repo this is."""
    repo = open_repo(repo_root)
    name = remote or find_remote(repo)
    return repo.remote(name).url if name else None


# ---------------------------------------------------------------- working-tree checks


def changed_paths(repo_root: Path | str, paths: list[str]) -> list[str]:
    """Those of `paths` that are modified, staged, deleted or untracked in the user's checkout."""
    if not paths:
        return []
    out = open_repo(repo_root).git.status("--porcelain", "-z", "--untracked-files=all", "--", *paths)
    entries = [e for e in out.split("\0") if e]
    changed: list[str] = []
    skip_next = False
    for entry in entries:
        if skip_next:  # the old name of a rename
            skip_next = False
            continue
        changed.append(entry[3:])
        skip_next = entry[0] in "RC"
    return sorted(set(changed))


def ensure_clean(repo_root: Path | str, paths: list[str]) -> None:
    """Refuse to go on while the files we would touch have uncommitted changes; name them."""
    dirty = changed_paths(repo_root, paths)
    if dirty:
        raise PromptopsError(
            f"uncommitted changes in {', '.join(dirty)}; commit or stash them first "
            "(promptops works from committed content)"
        )


# ---------------------------------------------------------------- commits


def resolve_commit(repo_root: Path | str, ref: str) -> str:
    """The full commit id `ref` names; NotFoundError when it names none."""
    repo = open_repo(repo_root)
    try:
        return repo.commit(ref).hexsha
    except (git.BadName, ValueError, git.GitCommandError) as exc:
        raise NotFoundError(f"git ref {ref!r} does not exist") from exc


def is_ancestor(repo_root: Path | str, ancestor: str, commit: str) -> bool:
    """Whether `ancestor` is `commit` or one of its ancestors."""
    status, _, _ = _run_raw(open_repo(repo_root), ["merge-base", "--is-ancestor", ancestor, commit])
    return status == 0


# ---------------------------------------------------------------- commit metadata


def variant_branch(agent: str, prompt: str, goal: str, prefix: str = "promptops") -> str:
    """`promptops/<agent>/<prompt>/<goal>`, with characters git forbids in ref names replaced."""
    parts = [prefix.strip("/"), agent, prompt, goal]
    return "/".join(_ref_component(p) for part in parts for p in part.split("/") if p)


def _ref_component(text: str) -> str:
    clean = _BAD_REF_CHARS.sub("-", text).replace("..", "-").replace("@{", "-")
    clean = clean.strip(".-") or "x"
    return clean[: -len(".lock")] + "-lock" if clean.endswith(".lock") else clean


def commit_message(subject: str, trailers: Mapping[str, str], body: str = "") -> str:
    """A commit message with git trailers at the end (one `Key: value` per line)."""
    lines = [subject.strip().splitlines()[0] if subject.strip() else "promptops"]
    if body.strip():
        lines += ["", body.strip()]
    lines += ["", *(f"{k}: {' '.join(str(v).split())}" for k, v in trailers.items())]
    return "\n".join(lines) + "\n"


def commit_trailers(repo_root: Path | str, commit: str) -> dict[str, str]:
    """The trailers of `commit` as a dict (last value wins for a repeated key)."""
    repo = open_repo(repo_root)
    out = repo.git.log("-1", "--format=%(trailers:only,unfold)", commit)
    pairs = (line.split(":", 1) for line in out.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def read_note(repo_root: Path | str, commit: str) -> dict[str, Any] | None:
    """The JSON eval summary attached to `commit` under refs/notes/promptops; None if none."""
    repo = open_repo(repo_root)
    try:
        text = repo.git.notes(f"--ref={NOTES_REF}", "show", commit)
    except git.GitCommandError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def fetch_notes(repo_root: Path | str, remote: str | None = None) -> None:
    """Bring the remote's promptops notes into the local notes ref (merging, local wins on conflict)."""
    repo = open_repo(repo_root)
    name = remote or find_remote(repo)
    if name and _fetch_remote_notes(repo, name):
        _merge_remote_notes(repo)


# ---------------------------------------------------------------- publishing


def publish_variant(
    repo_root: Path | str,
    *,
    agent: str,
    prompt: str,
    goal: str,
    files: Mapping[str, bytes | str],
    prompt_path: str,
    base_version: str,
    run_id: str,
    summary: str,
    note: Mapping[str, Any] | None = None,
    branch_prefix: str = "promptops",
    configured_default_branch: str | None = None,
    push: bool = True,
    check_clean: bool = True,
) -> PublishResult:
    """Commit a variant on `promptops/<agent>/<prompt>/<goal>` from the up-to-date default branch.

    `summary` completes the subject, e.g. "conciseness, -23% tokens, pass rate unchanged".
    `base_version` is the version id the variant was derived from; if the default branch now holds
    different content at `prompt_path`, publishing refuses (the variant would undo someone's change).
    With `check_clean`, uncommitted edits to those files in the user's checkout are refused first
    (the variant was measured against committed content, not the edit).
    """
    if check_clean:
        ensure_clean(repo_root, list(files))
    prompt_id = f"{agent}/{prompt}"
    return commit_files_on_branch(
        repo_root,
        branch=variant_branch(agent, prompt, goal, branch_prefix),
        files=files,
        message=commit_message(
            f"promptops({prompt_id}): {summary}",
            {
                "Promptops-Prompt": prompt_id,
                "Promptops-Base": base_version,
                "Promptops-Goal": goal,
                "Promptops-Run": run_id,
            },
        ),
        expected_versions={prompt_path: base_version},
        note=note,
        configured_default_branch=configured_default_branch,
        push=push,
        run_id=run_id,
    )


def commit_files_on_branch(
    repo_root: Path | str,
    *,
    branch: str,
    files: Mapping[str, bytes | str | None],
    message: str,
    expected_versions: Mapping[str, str] | None = None,
    note: Mapping[str, Any] | None = None,
    configured_default_branch: str | None = None,
    push: bool = True,
    run_id: str = "",
) -> PublishResult:
    """Write `files` (None deletes) in one commit on top of the default branch and set `branch` to it.

    Shared by publishing a variant and by rollback (`branch` may be the default branch itself
    for `rollback --direct`; the push is then a plain fast-forward guarded by the same lease).
    The user's checkout is never touched; on a rejected push the commit stays on a local ref
    named in the error and the remote is unchanged.
    """
    repo = open_repo(repo_root)
    paths = [_check_rel_path(p) for p in files]
    checked_out = _checked_out_in(repo, branch)
    if checked_out and not push:
        raise PromptopsError(
            f"branch {branch} is checked out in {checked_out}; switch to another branch first"
        )
    remote = find_remote(repo) if push else None
    if push and remote is None:
        raise PromptopsError(
            "no git remote to push to; add one (`git remote add origin URL`) or use --branch-only"
        )
    base_name = default_branch(repo, configured_default_branch, remote or find_remote(repo))
    base, lease, had_local = _prepare_base(repo, remote, base_name, branch)
    _check_expected_versions(repo, base, expected_versions or {})
    new_commit = _commit_in_temporary_worktree(repo, base, files, paths, message)
    if note is not None:
        _add_note(repo, remote, new_commit, note)
    if not push or remote is None:
        repo.git.update_ref(f"refs/heads/{branch}", new_commit)
        return PublishResult(branch, new_commit, base, False, None, f"refs/heads/{branch}")
    # The default branch (`rollback --direct`) is the user's: a rejected commit goes to a side
    # branch, and a pushed one moves the local branch only when that is a fast-forward of nothing.
    leave_local = bool(checked_out) or (branch == base_name and had_local != base)
    try:
        _push(repo, remote, branch, new_commit, lease, with_notes=note is not None)
    except PushRejected as exc:
        side_only = bool(checked_out) or branch == base_name
        kept = _keep_locally(repo, branch, new_commit, "" if side_only else had_local, run_id, side_only)
        raise PushRejected(f"{exc}; your commit {short_id(new_commit)} is kept on {kept}") from None
    if leave_local:  # e.g. `rollback --direct` to main while main is checked out: leave it for `git pull`
        return PublishResult(branch, new_commit, base, True, remote, f"refs/remotes/{remote}/{branch}")
    repo.git.update_ref(f"refs/heads/{branch}", new_commit)
    return PublishResult(branch, new_commit, base, True, remote, f"refs/heads/{branch}")


def _check_rel_path(rel: str) -> str:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or rel.startswith(".git/"):
        raise InputError(f"{rel!r}: expected a path inside the repository")
    return path.as_posix()


def _checked_out_in(repo: git.Repo, branch: str) -> str | None:
    """The worktree that has `branch` checked out, if any: we must not move it under its files."""
    listing = repo.git.worktree("list", "--porcelain")
    for block in listing.split("\n\n"):
        lines = dict(line.split(" ", 1) for line in block.splitlines() if " " in line)
        if lines.get("branch") == f"refs/heads/{branch}":
            return lines.get("worktree")
    return None


def _prepare_base(repo: git.Repo, remote: str | None, base_name: str, branch: str) -> tuple[str, str, str]:
    """(base commit, lease value for the branch on the remote, local branch value before us)."""
    had_local = _rev(repo, f"refs/heads/{branch}")
    if remote is None:
        base = _rev(repo, f"refs/heads/{base_name}")
        if not base:
            raise PromptopsError(f"default branch {base_name} does not exist locally")
        return base, "", had_local
    heads = _ls_remote(repo, remote, f"refs/heads/{base_name}", f"refs/heads/{branch}", NOTES_REF)
    if f"refs/heads/{base_name}" not in heads:
        raise PromptopsError(f"the default branch {base_name} does not exist on {remote}")
    refspecs = [f"+refs/heads/{base_name}:refs/remotes/{remote}/{base_name}"]
    if NOTES_REF in heads:  # in the same round trip, so our note can be merged with everyone else's
        refspecs.append(f"+{NOTES_REF}:{_REMOTE_NOTES}")
    _git(repo, "fetch", "fetching from " + remote, "--quiet", "--no-tags", remote, *refspecs)
    base = _rev(
        repo, f"refs/remotes/{remote}/{base_name}"
    )  # what we fetched, even if it moved since ls-remote
    lease = base if branch == base_name else heads.get(f"refs/heads/{branch}", "")
    return base, lease, had_local


def _ls_remote(repo: git.Repo, remote: str, *refs: str) -> dict[str, str]:
    out = _git(repo, "ls_remote", f"reading {remote}", remote, *refs)
    pairs = (line.split("\t") for line in out.splitlines() if "\t" in line)
    return {ref: sha for sha, ref in pairs}


def _rev(repo: git.Repo, ref: str) -> str:
    try:
        return repo.git.rev_parse("--verify", "--quiet", ref + "^{commit}")
    except git.GitCommandError:
        return ""


def _check_expected_versions(repo: git.Repo, base: str, expected: Mapping[str, str]) -> None:
    for rel, vid in expected.items():
        try:
            data: bytes | None = (repo.commit(base).tree / rel).data_stream.read()
        except KeyError:
            data = None
        actual = version_id(data) if data is not None else None
        if actual != vid:
            now = short_id(actual) if actual else "no file"
            raise PromptopsError(
                f"{rel} changed on the default branch since version {short_id(vid)} (now {now}); "
                "pull and re-run so the variant starts from the current prompt"
            )


def _commit_in_temporary_worktree(
    repo: git.Repo, base: str, files: Mapping[str, bytes | str | None], paths: list[str], message: str
) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="promptops-wt-"))
    worktree = tmp / "wt"
    try:
        _git(
            repo,
            "worktree",
            "creating a temporary worktree",
            "add",
            "--quiet",
            "--detach",
            str(worktree),
            base,
        )
        wt = git.Repo(worktree)
        for rel, path in zip(files, paths, strict=True):
            _write_or_delete(worktree / path, files[rel])
        _run(wt, ["add", "--all", "--", *paths], "staging the files")
        if not _run(wt, ["status", "--porcelain", "--", *paths], "checking the files"):
            raise PromptopsError(
                "nothing to commit: the files already have this content on the default branch"
            )
        _commit(wt, message)
        return wt.head.commit.hexsha
    finally:
        if _run_raw(repo, ["worktree", "remove", "--force", str(worktree)])[0] != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            _run_raw(repo, ["worktree", "prune"])
        shutil.rmtree(tmp, ignore_errors=True)


def _write_or_delete(path: Path, content: bytes | str | None) -> None:
    if content is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def identity_args(repo: git.Repo) -> list[str]:
    """`-c user.name=... -c user.email=...` (the bot identity) when git has none configured, as
    on a fresh CI runner; commits, notes and notes merges all need one."""
    status, _, _ = repo.git.execute(
        ["git", "var", "GIT_COMMITTER_IDENT"], with_extended_output=True, with_exceptions=False
    )
    return [] if status == 0 else [arg for k, v in FALLBACK_IDENTITY.items() for arg in ("-c", f"{k}={v}")]


def _commit(wt: git.Repo, message: str) -> None:
    """Commit without the user's hooks (they run on the PR); fall back to a bot identity if none is set."""
    identity = identity_args(wt)
    msg_file = Path(wt.git_dir) / "PROMPTOPS_MSG"
    msg_file.write_text(message, encoding="utf-8")
    _run(wt, [*identity, "commit", "--quiet", "--no-verify", "-F", str(msg_file)], "committing")


def _add_note(repo: git.Repo, remote: str | None, commit: str, note: Mapping[str, Any]) -> None:
    if remote and _rev(repo, _REMOTE_NOTES):  # fetched by _prepare_base
        _merge_remote_notes(repo)
    payload = json.dumps(note, indent=2, sort_keys=True, default=str)
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as fh:
        fh.write(payload)
    try:
        _run(
            repo,
            [*identity_args(repo), "notes", f"--ref={NOTES_REF}", "add", "--force", "-F", fh.name, commit],
            "writing the note",
        )
    finally:
        Path(fh.name).unlink(missing_ok=True)


def _fetch_remote_notes(repo: git.Repo, remote: str) -> bool:
    if NOTES_REF not in _ls_remote(repo, remote, NOTES_REF):
        return False
    _git(repo, "fetch", "fetching notes", "--quiet", "--no-tags", remote, f"+{NOTES_REF}:{_REMOTE_NOTES}")
    return True


def _merge_remote_notes(repo: git.Repo) -> None:
    """Other runs note other commits; merging keeps theirs and ours (ours wins on the same commit)."""
    if not _rev(repo, NOTES_REF):
        repo.git.update_ref(NOTES_REF, _REMOTE_NOTES)
        return
    _run(
        repo,
        [
            *identity_args(repo),
            "notes",
            f"--ref={NOTES_REF}",
            "merge",
            "--quiet",
            "-s",
            "ours",
            _REMOTE_NOTES,
        ],
        "merging notes",
    )


def _push(repo: git.Repo, remote: str, branch: str, commit: str, lease: str, *, with_notes: bool) -> None:
    """Atomic push of the branch (leased on what the remote had) and the notes ref.

    force-with-lease, not force: a re-run may replace its own earlier commit, but if another run
    moved the branch since we looked, the remote refuses and nobody's commit is lost.
    """
    target = f"refs/heads/{branch}"
    for _attempt in range(_NOTES_PUSH_ATTEMPTS):
        args = [
            "push",
            "--porcelain",
            "--atomic",
            f"--force-with-lease={target}:{lease}",
            remote,
            f"{commit}:{target}",
        ]
        if with_notes:
            args.append(f"{NOTES_REF}:{NOTES_REF}")
        status, out, err = _run_raw(repo, args)
        if status == 0:
            return
        rejected = _rejected_refs(out)
        if with_notes and set(rejected) == {NOTES_REF}:  # only the notes moved: merge theirs, retry
            _fetch_remote_notes(repo, remote)
            _merge_remote_notes(repo)
            continue
        raise PushRejected(_rejection_message(remote, branch, rejected.get(target), err))
    raise PushRejected(f"{remote} kept rejecting {NOTES_REF} (other runs are writing notes); re-run")


def _rejected_refs(porcelain: str) -> dict[str, str]:
    """ref -> reason from `git push --porcelain` lines like `!\tsrc:dst\t[rejected] (stale info)`."""
    out: dict[str, str] = {}
    for line in porcelain.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] == "!" and "atomic push failed" not in parts[2]:
            out[parts[1].split(":")[-1]] = parts[2]
    return out


_RACE_REASONS = (
    "stale info",
    "atomic transaction failed",
    "failed to update ref",
    "cannot lock ref",
    "fetch first",
)


def _rejection_message(remote: str, branch: str, reason: str | None, stderr: str) -> str:
    """Tell a lost race (another run moved the branch) apart from a refusal (protection, hooks)."""
    if reason and any(r in reason for r in _RACE_REASONS):
        return (
            f"{remote} refused {branch}: another run updated it since we fetched ({reason}); "
            "re-run to publish on top"
        )
    said = [
        ln.strip()[len("remote:") :].strip() for ln in stderr.splitlines() if ln.strip().startswith("remote:")
    ]
    detail = "; ".join(x for x in [reason or "", *said] if x) or _last_lines(stderr)
    return f"{remote} refused the push of {branch}: {detail}"


def _keep_locally(
    repo: git.Repo, branch: str, commit: str, had_local: str, run_id: str, side_only: bool = False
) -> str:
    """Keep the commit on the local branch, unless it is checked out or something else moved it
    meanwhile (another run in this clone): then on a side branch named after the run."""
    try:
        if side_only:
            raise git.GitCommandError("update-ref", 1)
        repo.git.update_ref(f"refs/heads/{branch}", commit, had_local or "0" * 40)
        return branch
    except git.GitCommandError:
        side = f"{branch}-{_ref_component(run_id) or short_id(commit)}"
        repo.git.update_ref(f"refs/heads/{side}", commit)
        return side


def _git(repo: git.Repo, command: str, doing: str, *args: str) -> str:
    return _run(repo, [command.replace("_", "-"), *args], doing)


def _run(repo: git.Repo, args: list[str], doing: str) -> str:
    """Run git in `repo`; a failure becomes one readable line naming what we were doing."""
    status, out, err = _run_raw(repo, args)
    if status != 0:
        raise PromptopsError(
            f"git failed while {doing}: {_last_lines(err or out) or f'exit status {status}'}"
        )
    return out


def _run_raw(repo: git.Repo, args: list[str]) -> tuple[int, str, str]:
    status, out, err = repo.git.execute(["git", *args], with_extended_output=True, with_exceptions=False)
    return int(status or 0), str(out), str(err)


def _last_lines(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("hint:")]
    return "; ".join(lines[-3:])
