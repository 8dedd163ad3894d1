"""The open pull requests of a repository, as plain records (number, link, head branch and
commit, title, draft).

A separate module rather than another method on `GitHubRepo`, so the prompt lock reads
GitHub through the same retried `call` without widening the class others are changing.
"""

from __future__ import annotations

from dataclasses import dataclass

from promptops.github.repository import GitHubRepo


@dataclass(frozen=True)
class OpenPull:
    number: int
    url: str
    head: str
    head_sha: str = ""
    title: str = ""
    draft: bool = False


def open_pulls(gh: GitHubRepo) -> list[OpenPull]:
    """Every open pull request (all pages), newest first as GitHub lists them."""

    def listing() -> list[OpenPull]:
        return [
            OpenPull(pr.number, pr.html_url, pr.head.ref, pr.head.sha, pr.title, bool(pr.draft))
            for pr in gh.repo.get_pulls(state="open")
        ]

    return gh.call("listing open pull requests", listing)
