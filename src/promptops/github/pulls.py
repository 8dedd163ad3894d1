"""Opening or updating the bot's pull request with its sticky comment, labels and status.

Safe to re-run after any failure: each step finds what an earlier run made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from promptops.github.repository import GitHubRepo
from promptops.github.retries import OpenPullLimitReached


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
    draft: bool = False,
) -> PullRequestResult:
    """Open (or update) the PR for `branch`, its sticky comment, labels and `promptops/eval` status.

    Safe to re-run after any failure: each step finds what an earlier run made. Round trips
    are what a publish costs on a real network (~0.3 s each), so one listing of open PRs
    both finds ours and counts them, and once the PR's number is known the steps that do not
    depend on each other (PR edit, comment, labels, status) go out concurrently: 3-4 round
    trips one after the other instead of 8-9.
    """
    if max_open_prs is not None:
        existing, open_count = gh.find_open_pull_and_count(branch, branch_prefix)
        if existing is None and open_count >= max_open_prs:
            raise OpenPullLimitReached(
                f"{open_count} promptops pull requests are open (github.max_open_prs = {max_open_prs}); "
                f"opened none - merge or close some, or raise the limit (branch {branch} is pushed)"
            )
    else:
        existing = gh.find_open_pull(branch)
    if existing is None:
        pr, created = gh.create_pull(branch=branch, base=base, title=title, body=body, draft=draft)
    else:
        pr, created = existing, False

    def edit_pull() -> None:
        if existing is not None:
            gh.update_pull(existing, title=title, body=body)

    def set_status() -> None:
        if status_state:
            gh.set_commit_status(head_sha, status_state, status_description, target_url or pr.html_url)

    _, (comment, comment_created), now_labels, _ = concurrently(
        edit_pull,
        lambda: gh.upsert_sticky_comment(pr, comment_key, comment_body),
        lambda: gh.add_labels(pr, labels),
        set_status,
    )
    return PullRequestResult(
        pr.number, pr.html_url, created, comment.id, comment_created, now_labels, status_state
    )


def concurrently(*steps: Callable[[], Any]) -> list[Any]:
    """Run independent GitHub steps at once; every step finishes before the first error is raised."""
    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        futures = [pool.submit(step) for step in steps]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise errors[0]
    return [f.result() for f in futures]
