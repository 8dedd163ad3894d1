"""Issues the bot keeps (the prompt dashboard): found by marker AND authorship, created once,
edited in place.

An issue belongs to the bot when the bot's own identity opened it and its body starts with
the marker: it is looked up among the issues that identity created, so an issue anyone
else opened with the same marker is never edited, never read for actions, and is listed
in `forged` (found among the open issues carrying the bot's label) for the job summary.
Pull requests are issues too on GitHub's API; they are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from github.Issue import Issue

from promptops.github.repository import GitHubRepo
from promptops.markdown import COMMENT_LIMIT, truncate_to_limit


@dataclass
class OwnIssue:
    """The bot's issue carrying a marker (None if it has none yet) and the forgeries seen."""

    issue: Issue | None
    forged: list[str] = field(default_factory=list)  # "URL (by LOGIN)"


def _starts_with(issue: Issue, marker: str) -> bool:
    return issue.pull_request is None and (issue.body or "").lstrip().startswith(marker)


def find_own_issue(gh: GitHubRepo, marker: str, label: str | None = None) -> OwnIssue:
    """The newest issue (open or closed) this identity opened with `marker`; with `label`, the
    open issues carrying it are also searched for forgeries."""
    me = gh.identity

    def scan() -> OwnIssue:
        mine = next((i for i in gh.repo.get_issues(state="all", creator=me) if _starts_with(i, marker)), None)
        forged = []
        if label:
            for issue in gh.repo.get_issues(state="open", labels=[label]):
                author = issue.user.login if issue.user else "unknown"
                if _starts_with(issue, marker) and author != me:
                    forged.append(f"{issue.html_url} (by {author})")
        return OwnIssue(mine, forged)

    return gh.call("looking for promptops' dashboard issue", scan)


def create_issue(gh: GitHubRepo, title: str, body: str, labels: list[str]) -> Issue:
    body = truncate_to_limit(body, COMMENT_LIMIT)
    return gh.call(f"opening issue {title!r}", gh.repo.create_issue, title=title, body=body, labels=labels)


def edit_issue_body(gh: GitHubRepo, issue: Issue, body: str) -> None:
    body = truncate_to_limit(body, COMMENT_LIMIT)
    gh.call(f"editing issue #{issue.number}", issue.edit, body=body)


def get_issue(gh: GitHubRepo, number: int) -> Issue:
    """Issue `number` as GitHub has it now (its body and author)."""
    return gh.call(f"reading issue #{number}", gh.repo.get_issue, number)
