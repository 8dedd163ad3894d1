"""The GitHub layer: every GitHub call promptops makes goes through this module (PyGithub).

A well-behaved bot keeps one PR per prompt and goal and one sticky comment per PR: a re-run
finds the open PR for its head branch (or recovers from GitHub's 422 "already exists" when two
runs race) and edits the comment carrying its hidden marker. Transient failures (5xx, rate
limits) are retried here with backoff that honours `retry-after` / `x-ratelimit-reset`; PyGithub's
own retry and request throttling are switched off so there is exactly one policy, this one.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest
from github.Repository import Repository

from promptops.errors import ConfigError, PromptopsError
from promptops.markdown import COMMENT_LIMIT, report_marker, truncate_to_limit

DEFAULT_BASE_URL = "https://api.github.com"
STATUS_CONTEXT = "promptops/eval"
WRITE_PERMISSIONS = frozenset({"write", "maintain", "admin"})
_STATUS_DESCRIPTION_LIMIT = 140
T = TypeVar("T")


class GitHubError(PromptopsError):
    """GitHub refused or kept failing; the message says what was being done and what to do."""


class MissingToken(GitHubError):
    """No token: the caller keeps the pushed branch and tells the user how to open the PR."""


class OpenPullLimitReached(GitHubError):
    """`github.max_open_prs` promptops PRs are already open; none was opened."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up. Tests pass a tiny `max_wait_s`."""

    attempts: int = 4
    base_delay_s: float = 1.0
    max_wait_s: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)


@dataclass(frozen=True)
class PullRequestResult:
    """What publishing did on GitHub."""

    number: int
    url: str
    created: bool
    comment_id: int
    comment_created: bool
    labels: tuple[str, ...]
    status_state: str | None


# ---------------------------------------------------------------- where to connect


def parse_remote_url(url: str) -> str | None:
    """`owner/name` from an https or ssh remote URL (`git@host:o/n.git`, `ssh://git@host/o/n`)."""
    patterns = (
        r"^(?:https?|ssh|git)://(?:[^@/]+@)?[^/]+/(?P<path>.+?)/?$",
        r"^(?:[^@/]+@)?[^/:]+:(?P<path>[^/].*?)/?$",
    )
    for pattern in patterns:
        found = re.match(pattern, url.strip())
        if found:
            parts = found.group("path").removesuffix(".git").split("/")
            if len(parts) >= 2 and all(parts[-2:]):
                return "/".join(parts[-2:])
    return None


def resolve_repository(repository: str | None, remote_url: str | None, env: Mapping[str, str]) -> str:
    """The argument, else `GITHUB_REPOSITORY`, else parsed from the remote URL."""
    name = (
        repository or env.get("GITHUB_REPOSITORY") or (parse_remote_url(remote_url) if remote_url else None)
    )
    if not name or not re.fullmatch(r"[\w.-]+/[\w.-]+", name):
        shown = f" from remote URL {remote_url!r}" if remote_url else ""
        raise ConfigError(f"cannot tell the GitHub repository{shown}; set GITHUB_REPOSITORY=owner/name")
    return name


def manual_pr_hint(remote_url: str | None, base: str, branch: str) -> str:
    """What to tell a user who has no token: a compare link for github.com remotes, else `gh pr create`."""
    name = parse_remote_url(remote_url) if remote_url else None
    if remote_url and name and "github.com" in remote_url:
        return f"https://github.com/{name}/compare/{base}...{branch}?expand=1"
    return f"gh pr create --base {base} --head {branch}"


def connect(
    *,
    token: str | None = None,
    repository: str | None = None,
    base_url: str | None = None,
    remote_url: str | None = None,
    retry: RetryPolicy | None = None,
    env: Mapping[str, str] | None = None,
) -> GitHubRepo:
    """A handle on one repository. Token: argument or `GITHUB_TOKEN`; base URL: argument
    (config `github.base_url`, for Enterprise) or api.github.com."""
    env = os.environ if env is None else env
    token = token or env.get("GITHUB_TOKEN")
    if not token:
        raise MissingToken("no GitHub token: set GITHUB_TOKEN or pass --token")
    full_name = resolve_repository(repository, remote_url, env)
    client = Github(
        auth=Auth.Token(token),
        base_url=(base_url or DEFAULT_BASE_URL).rstrip("/"),
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
        timeout=30,
    )
    handle = GitHubRepo(client, full_name, retry or RetryPolicy())
    handle.repo  # noqa: B018 - fail early on a wrong name, URL or token
    return handle


# ---------------------------------------------------------------- the repository handle


class GitHubRepo:
    """One repository on GitHub, with every call retried under one policy."""

    def __init__(self, client: Github, full_name: str, retry: RetryPolicy) -> None:
        self.client = client
        self.full_name = full_name
        self.retry = retry
        self._repo: Repository | None = None

    @property
    def repo(self) -> Repository:
        if self._repo is None:
            self._repo = self.call(
                f"reading repository {self.full_name}", self.client.get_repo, self.full_name
            )
        return self._repo

    @property
    def _lazy_repo(self) -> Repository:
        """A repository object that makes no request until used (commits, comments by id)."""
        return self.client.withLazy(True).get_repo(self.full_name)

    def call(self, doing: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args)`, retried on 5xx, rate limits and dropped connections; then a clear GitHubError."""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                return fn(*args, **kwargs)
            except GithubException as exc:
                wait = _retry_wait(exc, attempt, self.retry)
                if wait is None or attempt == self.retry.attempts:
                    raise GitHubError(_describe(exc, doing, self.full_name)) from None
            except requests.RequestException as exc:
                wait = min(self.retry.base_delay_s * 2 ** (attempt - 1), self.retry.max_wait_s)
                if attempt == self.retry.attempts:
                    raise GitHubError(f"cannot reach GitHub while {doing}: {exc}") from None
            self.retry.sleep(wait)
        raise AssertionError("unreachable")

    # ------------------------------------------------------------ pull requests

    def find_open_pull(self, branch: str) -> PullRequest | None:
        """The open PR whose head is `branch` of this repository, if any."""
        owner = self.full_name.split("/")[0]

        def first() -> PullRequest | None:
            return next(iter(self.repo.get_pulls(state="open", head=f"{owner}:{branch}")), None)

        return self.call(f"looking for the pull request of {branch}", first)

    def count_open_promptops_pulls(self, branch_prefix: str, label: str = "promptops") -> int:
        """Open PRs that are ours: labelled `label` or with a head branch under `branch_prefix/`."""

        def count() -> int:
            return sum(
                1
                for pr in self.repo.get_pulls(state="open")
                if pr.head.ref.startswith(branch_prefix.rstrip("/") + "/")
                or any(lb.name == label for lb in pr.labels)
            )

        return self.call("counting open promptops pull requests", count)

    def open_or_update_pull(
        self, *, branch: str, base: str, title: str, body: str
    ) -> tuple[PullRequest, bool]:
        """(the PR for `branch`, whether it was created). A 422 "already exists" means another run
        (or an earlier attempt whose reply was lost) created it: look it up and update it."""
        body = truncate_to_limit(body, COMMENT_LIMIT)
        existing = self.find_open_pull(branch)
        if existing is None:
            try:
                created = self.call(
                    f"opening a pull request for {branch}",
                    self.repo.create_pull,
                    base=base,
                    head=branch,
                    title=title,
                    body=body,
                )
                return created, True
            except GitHubError as exc:
                if "already exists" not in str(exc):
                    raise
            existing = self.find_open_pull(branch)
            if existing is None:
                raise GitHubError(f"GitHub says a pull request for {branch} exists but none is open; re-run")
        self.call(f"updating pull request #{existing.number}", existing.edit, title=title, body=body)
        return existing, False

    # ------------------------------------------------------------ sticky comment, labels, status

    def upsert_sticky_comment(self, pr: PullRequest, key: str, body: str) -> tuple[IssueComment, bool]:
        """Edit the comment carrying `<!-- promptops:report KEY -->` in place, or create it once.

        The marker is put first in the body if the caller did not; a body over GitHub's limit is
        cut (saying so) rather than failing the run.
        """
        marker = report_marker(key)
        if not body.lstrip().startswith(marker):
            body = f"{marker}\n{body}"
        body = truncate_to_limit(body, COMMENT_LIMIT)

        def find_then_write() -> tuple[IssueComment, bool]:
            # one unit under retry: if a create's reply was lost, the retry finds the comment
            # instead of posting a second one
            found = next((c for c in pr.get_issue_comments() if c.body.lstrip().startswith(marker)), None)
            if found is None:
                return pr.create_issue_comment(body), True
            found.edit(body)
            return found, False

        return self.call(f"writing the promptops comment on #{pr.number}", find_then_write)

    def add_labels(self, pr: PullRequest, labels: Sequence[str]) -> tuple[str, ...]:
        """Add `labels` (GitHub creates missing ones); returns all labels the PR now has."""
        if not labels:
            return tuple(label.name for label in pr.labels)
        self.call(f"labelling #{pr.number}", pr.add_to_labels, *labels)
        names = self.call(f"reading labels of #{pr.number}", lambda: [lb.name for lb in pr.get_labels()])
        return tuple(names)

    def set_commit_status(
        self, sha: str, state: str, description: str, target_url: str | None = None
    ) -> None:
        """The `promptops/eval` status on `sha` (state: success, failure, pending or error)."""
        kwargs: dict[str, Any] = {
            "state": state,
            "description": description[:_STATUS_DESCRIPTION_LIMIT],
            "context": STATUS_CONTEXT,
        }
        if target_url:
            kwargs["target_url"] = target_url
        commit = self._lazy_repo.get_commit(sha)
        self.call(f"setting status {STATUS_CONTEXT} on {sha[:10]}", commit.create_status, **kwargs)

    def permission(self, login: str) -> str:
        """`admin`, `write`, `read` or `none` (GitHub reports maintain as write)."""
        return self.call(f"checking {login}'s permission", self.repo.get_collaborator_permission, login)

    def can_write(self, login: str) -> bool:
        """The ChatOps gate: only commenters with write access or more may run commands."""
        return self.permission(login) in WRITE_PERMISSIONS

    def react(self, issue_number: int, comment_id: int, content: str = "eyes") -> None:
        """Acknowledge a command comment on issue/PR `issue_number` (👀 by default)."""
        comment = self._lazy_repo.get_issue(issue_number).get_comment(comment_id)
        self.call(f"reacting to comment {comment_id}", comment.create_reaction, content)


def report_labels(goal: str, recommended: bool, extra: Sequence[str] = ()) -> list[str]:
    """`promptops`, `goal:<goal>`, the verdict label, then config `github.labels`, without repeats."""
    verdict = "promptops:recommended" if recommended else "promptops:not-recommended"
    return list(dict.fromkeys(["promptops", f"goal:{goal}", verdict, *extra]))


def publish_pull_request(
    gh: GitHubRepo,
    *,
    branch: str,
    base: str,
    title: str,
    body: str,
    comment_key: str,
    comment_body: str,
    labels: Sequence[str],
    head_sha: str,
    status_state: str | None,
    status_description: str = "",
    max_open_prs: int | None = None,
    branch_prefix: str = "promptops",
    target_url: str | None = None,
) -> PullRequestResult:
    """Open (or update) the PR for `branch`, its sticky comment, labels and `promptops/eval` status.

    Safe to re-run after any failure: each step finds what an earlier run made.
    """
    if max_open_prs is not None and gh.find_open_pull(branch) is None:
        open_count = gh.count_open_promptops_pulls(branch_prefix)
        if open_count >= max_open_prs:
            raise OpenPullLimitReached(
                f"{open_count} promptops pull requests are open (github.max_open_prs = {max_open_prs}); "
                f"opened none - merge or close some, or raise the limit (branch {branch} is pushed)"
            )
    pr, created = gh.open_or_update_pull(branch=branch, base=base, title=title, body=body)
    comment, comment_created = gh.upsert_sticky_comment(pr, comment_key, comment_body)
    now_labels = gh.add_labels(pr, labels)
    if status_state:
        gh.set_commit_status(head_sha, status_state, status_description, target_url or pr.html_url)
    return PullRequestResult(
        pr.number, pr.html_url, created, comment.id, comment_created, now_labels, status_state
    )


# ---------------------------------------------------------------- errors and waiting


def _retry_wait(exc: GithubException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying `exc`, or None when retrying cannot help."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    limited = exc.status in (403, 429) and (
        headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
    )
    if not (limited or exc.status >= 500):
        return None
    if headers.get("retry-after", "").strip().isdigit():
        wanted = float(headers["retry-after"])
    elif headers.get("x-ratelimit-reset", "").strip().isdigit():
        wanted = float(headers["x-ratelimit-reset"]) - time.time() + 1
    else:
        wanted = policy.base_delay_s * 2 ** (attempt - 1)
    return max(0.0, min(wanted, policy.max_wait_s))


def _describe(exc: GithubException, doing: str, full_name: str) -> str:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or exc)
    details = "; ".join(
        str(e.get("message") or f"{e.get('field')} {e.get('code')}")
        for e in data.get("errors", [])
        if isinstance(e, dict)
    )
    text = f"GitHub answered {exc.status} while {doing}: {message}" + (f" ({details})" if details else "")
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if exc.status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        when = time.strftime("%H:%M:%S UTC", time.gmtime(float(reset))) if reset.isdigit() else "later"
        return f"{text}; the rate limit resets at {when}, re-run then"
    if exc.status == 401:
        return f"{text}; check the token (GITHUB_TOKEN or --token)"
    if exc.status == 404:
        return f"{text}; check that {full_name} exists and the token can access it"
    if exc.status >= 500:
        return f"{text}; GitHub kept failing, re-run later (it picks up where it stopped)"
    return text
