"""One repository on GitHub through PyGithub: pull requests, comments, labels, checks, statuses,
permissions.

Comments belong to their authors: the bot finds and edits only comments its own identity
wrote (the token's user; `github-actions[bot]` for an Actions token, which cannot read
`/user`), resolved once. A comment by anyone else that carries the bot's marker is a
forgery: never edited, and listed in `forged` for the job summary.

Every call goes through `GitHubRepo.call`, so each is retried under one policy and a
failure is one line naming what was being done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import requests
from github import Github, GithubException
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest
from github.Repository import Repository

from promptops.github.retries import GitHubError, RetryPolicy, describe_failure, retry_wait
from promptops.markdown import COMMENT_LIMIT, report_marker, truncate_to_limit

STATUS_CONTEXT = "promptops/eval"
CHECK_NAME = "promptops/eval"
ACTIONS_BOT = "github-actions[bot]"
_CHECK_TEXT_LIMIT = 65535


WRITE_PERMISSIONS = frozenset({"write", "maintain", "admin"})


_STATUS_DESCRIPTION_LIMIT = 140


T = TypeVar("T")


class GitHubRepo:
    """One repository on GitHub, with every call retried under one policy."""

    def __init__(
        self,
        client: Github,
        full_name: str,
        retry: RetryPolicy,
        *,
        bot_login: str | None = None,
        in_actions: bool = False,
    ) -> None:
        self.client = client
        self.full_name = full_name
        self.retry = retry
        self._repo: Repository | None = None
        self._identity = bot_login or None
        self._in_actions = in_actions
        self.forged: list[str] = []  # "URL (by LOGIN)" of comments carrying our marker, not ours

    @property
    def identity(self) -> str:
        """The login this token acts as, resolved once: the given bot login, else `/user`, else
        (an Actions or App installation token, which `/user` refuses) `github-actions[bot]`."""
        if self._identity is None:
            try:
                self._identity = self.call("reading the token's user", lambda: self.client.get_user().login)
            except GitHubError:
                if not self._in_actions:
                    raise
                self._identity = ACTIONS_BOT
        return self._identity

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
                wait = retry_wait(exc, attempt, self.retry)
                if wait is None or attempt == self.retry.attempts:
                    raise GitHubError(describe_failure(exc, doing, self.full_name)) from None
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

    def find_open_pull_and_count(
        self, branch: str, branch_prefix: str, label: str = "promptops"
    ) -> tuple[PullRequest | None, int]:
        """(the open PR of `branch`, how many open PRs are ours) from one listing of open PRs:
        one round trip (per 100 open PRs) instead of a lookup and a count."""
        owner = self.full_name.split("/")[0]
        prefix = branch_prefix.rstrip("/") + "/"

        def scan() -> tuple[PullRequest | None, int]:
            mine, count = None, 0
            for pr in self.repo.get_pulls(state="open"):
                if pr.head.ref == branch and (pr.head.repo is None or pr.head.repo.owner.login == owner):
                    mine = pr
                if pr.head.ref.startswith(prefix) or any(lb.name == label for lb in pr.labels):
                    count += 1
            return mine, count

        return self.call(f"looking for the pull request of {branch}", scan)

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
        self, *, branch: str, base: str, title: str, body: str, draft: bool = False
    ) -> tuple[PullRequest, bool]:
        """(the PR for `branch`, whether it was created)."""
        existing = self.find_open_pull(branch)
        if existing is None:
            return self.create_pull(branch=branch, base=base, title=title, body=body, draft=draft)
        self.update_pull(existing, title=title, body=body)
        return existing, False

    def create_pull(
        self, *, branch: str, base: str, title: str, body: str, draft: bool = False
    ) -> tuple[PullRequest, bool]:
        """Open the PR for `branch`, which the caller found missing. A 422 "already exists" means
        another run (or an earlier attempt whose reply was lost) created it: look it up and update it."""
        body = truncate_to_limit(body, COMMENT_LIMIT)
        try:
            created = self.call(
                f"opening a pull request for {branch}",
                self.repo.create_pull,
                base=base,
                head=branch,
                title=title,
                body=body,
                draft=draft,
            )
            return created, True
        except GitHubError as exc:
            if "already exists" not in str(exc):
                raise
        existing = self.find_open_pull(branch)
        if existing is None:
            raise GitHubError(f"GitHub says a pull request for {branch} exists but none is open; re-run")
        self.update_pull(existing, title=title, body=body)
        return existing, False

    def update_pull(self, pr: PullRequest, *, title: str, body: str) -> None:
        body = truncate_to_limit(body, COMMENT_LIMIT)
        self.call(f"updating pull request #{pr.number}", pr.edit, title=title, body=body)

    # ------------------------------------------------------------ sticky comment, labels, status

    def upsert_sticky_comment(self, pr: PullRequest, key: str, body: str) -> tuple[IssueComment, bool]:
        """Edit the comment carrying `<!-- promptops:report KEY -->` in place, or create it once.

        The marker is put first in the body if the caller did not; a body over GitHub's limit is
        cut (saying so) rather than failing the run.
        """
        return self.upsert_issue_comment(pr.number, key, body)

    def _own_comment(self, comments: Iterable[IssueComment], marker: str) -> IssueComment | None:
        """The first comment with `marker` that this identity wrote; others with it are recorded as forged."""
        me = self.identity
        mine = None
        for comment in comments:
            if not (comment.body or "").lstrip().startswith(marker):
                continue
            author = comment.user.login if comment.user else "unknown"
            if author == me:
                mine = mine or comment
            else:
                forged = f"{comment.html_url} (by {author})"
                if forged not in self.forged:
                    self.forged.append(forged)
        return mine

    def own_comments_with(self, issue_number: int, marker: str) -> list[IssueComment]:
        """Every comment on the issue or PR that this identity wrote and that carries `marker`."""
        issue = self._lazy_repo.get_issue(issue_number)
        me = self.identity

        def mine() -> list[IssueComment]:
            return [
                c
                for c in issue.get_comments()
                if (c.body or "").lstrip().startswith(marker) and c.user and c.user.login == me
            ]

        return self.call(f"reading the comments of #{issue_number}", mine)

    def add_labels(self, pr: PullRequest, labels: Sequence[str]) -> tuple[str, ...]:
        """Add `labels` (GitHub creates missing ones); returns all labels the PR now has."""
        if not labels:
            return tuple(label.name for label in pr.labels)
        self.call(f"labelling #{pr.number}", pr.add_to_labels, *labels)
        # the PR object came with its labels: adding cannot remove any, so no second request
        return tuple(dict.fromkeys([*(label.name for label in pr.labels), *labels]))

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

    def create_check_run(
        self, sha: str, conclusion: str, title: str, summary: str, details_url: str | None = None
    ) -> bool:
        """A completed `promptops/eval` check run on `sha`; False when the token may not write checks
        (a 403: the caller keeps the commit status, which such tokens can write)."""
        kwargs: dict[str, Any] = {
            "name": CHECK_NAME,
            "head_sha": sha,
            "status": "completed",
            "conclusion": conclusion,
            "output": {"title": title[:1000], "summary": truncate_to_limit(summary, _CHECK_TEXT_LIMIT)},
        }
        if details_url:
            kwargs["details_url"] = details_url
        try:
            self.call(f"creating check run {CHECK_NAME} on {sha[:10]}", self.repo.create_check_run, **kwargs)
        except GitHubError as exc:
            if "answered 403" in str(exc):
                return False
            raise
        return True

    def pull(self, number: int) -> PullRequest:
        """Pull request `number` (its head and base as GitHub sees them now)."""
        return self.call(f"reading pull request #{number}", self.repo.get_pull, number)

    def upsert_issue_comment(
        self, issue_number: int, key: str, body: str | Callable[[str | None], str]
    ) -> tuple[IssueComment, bool]:
        """Like `upsert_sticky_comment`, on any issue or pull request by number: edit the comment
        carrying the marker for `key`, or create it. Re-running a job never posts a second reply.
        `body` may be a function of the bot's own earlier comment's text (None when there is
        none), for a comment that depends on what it said before, in the same one listing."""
        marker = report_marker(key)
        issue = self._lazy_repo.get_issue(issue_number)

        def text(previous: str | None) -> str:
            written = body(previous) if callable(body) else body
            if not written.lstrip().startswith(marker):
                written = f"{marker}\n{written}"
            return truncate_to_limit(written, COMMENT_LIMIT)

        def find_then_write() -> tuple[IssueComment, bool]:
            found = self._own_comment(issue.get_comments(), marker)
            if found is None:
                return issue.create_comment(text(None)), True
            found.edit(text(found.body or ""))
            return found, False

        return self.call(f"writing the promptops comment on #{issue_number}", find_then_write)

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
