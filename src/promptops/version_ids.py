"""Version ids: the git blob id of a prompt's content.

Computed without git so a deployed copy (or `promptops.runtime` in production) can name
its own version, and a log line tagged with it maps back to the exact commits.
"""

from __future__ import annotations


def version_id(content: bytes | str) -> str:
    """`sha1(b"blob <len>\\0" + content)`, exactly what `git hash-object` prints."""
    import hashlib  # here, not at the top: `promptops history` shows git's ids and never pays for it

    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def short_id(vid: str) -> str:
    return vid[:10]
