"""Opening or updating the bot's pull request with its sticky comment, labels and status.

Safe to re-run after any failure: each step finds what an earlier run made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
