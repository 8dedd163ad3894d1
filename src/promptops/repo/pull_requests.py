"""Which pull request deployed a commit, read from the subject GitHub gives it.

`history` shows it beside each version and a rollout's steps beside each step; both read
it from the same `git log`, so no GitHub call is needed.
"""

from __future__ import annotations

import re

_MERGE_SUBJECT = re.compile(r"^Merge pull request #(\d+) from ")
_SQUASH_SUBJECT = re.compile(r"\(#(\d+)\)\s*$")


def pull_request_number(subject: str) -> int | None:
    """The PR a commit deployed, from GitHub's merge (`Merge pull request #N from ...`) or
    squash (`Title (#N)`) subject."""
    found = _MERGE_SUBJECT.match(subject) or _SQUASH_SUBJECT.search(subject)
    return int(found.group(1)) if found else None
