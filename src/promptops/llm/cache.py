"""The response cache: a re-run of the same evaluation makes zero provider calls.

SQLite in WAL mode, one connection per thread, a busy timeout so concurrent writers
(threads, or several promptops processes on one repository) wait instead of failing.
The key is the sha256 of the canonical JSON of everything that determines an answer
(provider, model, base URL, system, messages, tools, params, sample index); the table
keeps only that hash, the provider and model names and the answer, never the request
text or any key. Schema changes go through the MIGRATIONS registry (names recorded in
`_migrations`), the pattern simonw/llm uses for its log database.

The file is meant to be carried between CI runners (actions/cache), so it is bounded and
self-contained: past `cache.max_mb` the oldest answers are evicted, and `checkpoint()`
(`promptops cache checkpoint`, run before the file is saved) folds the write-ahead log
into the main file, so a copy of `cache.sqlite` alone holds every answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from promptops.config import Config
from promptops.errors import ConfigError
from promptops.files.json_text import compact_encoder
from promptops.llm.types import Completion, CompletionRequest, ToolCall

ENV_CACHE_PATH = "PROMPTOPS_CACHE"
BUSY_TIMEOUT_MS = 30_000
MIB = 1024 * 1024
EVICT_TO = 0.9  # evict down to 90% of the bound, so the next run does not evict again at once
ROW_OVERHEAD = 320  # bytes a row takes beyond its text: the key in the table and its index, b-tree cells


def _m001_responses(db: sqlite3.Connection) -> None:
    db.execute(
        "CREATE TABLE responses (key TEXT PRIMARY KEY, provider TEXT NOT NULL, model TEXT NOT NULL,"
        " completion TEXT NOT NULL, created_at REAL NOT NULL)"
    )
    db.execute("CREATE INDEX responses_created_at ON responses (created_at)")


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("m001_responses", _m001_responses),
]


def cache_path(config: Config) -> Path:
    """PROMPTOPS_CACHE if set, else `cache.path` relative to the repository root."""
    raw = os.environ.get(ENV_CACHE_PATH) or config.get("cache.path")
    path = Path(raw).expanduser()
    return path if path.is_absolute() else config.root / path


def cache_key(provider: str, base_url: str | None, request: CompletionRequest) -> str:
    """sha256 of the canonical JSON of everything that decides the answer."""
    material = {
        "provider": provider,
        "base_url": base_url,
        "model": request.model,
        "system": request.system,
        "messages": request.messages,
        "tools": [asdict(tool) for tool in request.tools],
        "params": request.params,
        "sample": request.sample,
    }
    return hashlib.sha256(_canonical_json(material).encode("utf-8")).hexdigest()


# Every key of a cached run is hashed from this text (files.json_text: built once, same text).
_canonical_json = compact_encoder(sort_keys=True, default=str)


@dataclass(frozen=True)
class CheckpointResult:
    path: str
    entries: int
    evicted: int
    size_bytes: int  # of the database file, with the write-ahead log folded in


@dataclass(frozen=True)
class CacheStats:
    path: str
    entries: int
    size_bytes: int
    oldest: float | None
    newest: float | None
    by_model: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class ResponseCache:
    """Successful completions by cache key; safe to share between threads and processes."""

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._local = threading.local()
        self._migrate()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"{self.path}: error: cannot open the response cache ({exc}); "
                f"set cache.path or {ENV_CACHE_PATH} to a writable file"
            ) from exc
        return db

    def _migrate(self) -> None:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it done
        try:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL)")
            applied = {row[0] for row in db.execute("SELECT name FROM _migrations")}
            for name, migrate in MIGRATIONS:
                if name not in applied:
                    migrate(db)
                    db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, time.time()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def get(self, key: str) -> Completion | None:
        """The answer stored for `key`; None when there is none, or when the stored row is not
        an answer (corrupt, or written by an incompatible version): the caller then asks the
        provider again and `put` replaces the row. A damaged row is never read as a pass."""
        row = self._db().execute("SELECT completion FROM responses WHERE key = ?", (key,)).fetchone()
        return _decode(row[0]) if row else None

    def put(self, key: str, completion: Completion) -> None:
        self._db().execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)",
            (key, completion.provider, completion.model, _encode(completion), time.time()),
        )

    def put_many(self, items: list[tuple[str, Completion]]) -> None:
        """Store many answers in one transaction (a batch's results: one commit, not thousands)."""
        now = time.time()
        rows = [(key, c.provider, c.model, _encode(c), now) for key, c in items]
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def stats(self) -> CacheStats:
        db = self._db()
        entries, oldest, newest = db.execute(
            "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM responses"
        ).fetchone()
        rows = db.execute("SELECT provider || '/' || model, COUNT(*) FROM responses GROUP BY 1 ORDER BY 1")
        size = sum(p.stat().st_size for p in self._files())
        return CacheStats(str(self.path), entries, size, oldest, newest, dict(rows.fetchall()))

    def clear(self, older_than_days: float | None = None) -> int:
        """Delete entries (all, or those older than the given age); returns how many."""
        cutoff = time.time() - older_than_days * 86400 if older_than_days is not None else None
        db = self._db()
        if cutoff is None:
            removed = db.execute("DELETE FROM responses").rowcount
        else:
            removed = db.execute("DELETE FROM responses WHERE created_at < ?", (cutoff,)).rowcount
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    def evict(self) -> int:
        """Delete the oldest answers until the cache is within `max_bytes` (down to 90% of it,
        so the next run does not evict again at once), then compact the file; returns how many.
        Cheap when within the bound: the file size is looked at first."""
        if self.max_bytes is None or sum(p.stat().st_size for p in self._files()) <= self.max_bytes:
            return 0
        db = self._db()
        size = "LENGTH(completion) + LENGTH(provider) + LENGTH(model) + ?"
        total = db.execute(f"SELECT COALESCE(SUM({size}), 0) FROM responses", (ROW_OVERHEAD,)).fetchone()[0]
        if total <= self.max_bytes:
            return 0
        excess, freed, doomed = total - self.max_bytes * EVICT_TO, 0, []
        for key, row_bytes in db.execute(
            f"SELECT key, {size} FROM responses ORDER BY created_at", (ROW_OVERHEAD,)
        ):
            if freed >= excess:
                break
            doomed.append((key,))
            freed += row_bytes
        db.execute("BEGIN IMMEDIATE")
        db.executemany("DELETE FROM responses WHERE key = ?", doomed)
        db.execute("COMMIT")
        db.execute("VACUUM")  # give the space back: the file is what CI uploads
        return len(doomed)

    def checkpoint(self) -> CheckpointResult:
        """Evict past the bound and fold the write-ahead log into the file: afterwards
        `cache.sqlite` alone is the whole, consistent cache, safe to copy or upload."""
        evicted = self.evict()
        db = self._db()
        busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            raise ConfigError(
                f"{self.path}: error: another process is writing the response cache, so it cannot be "
                "checkpointed now; run `promptops cache checkpoint` again when it has finished"
            )
        entries = db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
        return CheckpointResult(str(self.path), entries, evicted, self.path.stat().st_size)

    def _files(self) -> list[Path]:
        candidates = [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]
        return [p for p in candidates if p.exists()]

    def close(self) -> None:
        """Evict past the bound and checkpoint (best effort: another process may be writing)."""
        db = getattr(self._local, "db", None)
        if db is None:
            return
        try:
            self.evict()
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # busy: the last connection to close checkpoints, or `cache checkpoint` will
        db.close()
        self._local.db = None


def _encode(completion: Completion) -> str:
    data = asdict(replace(completion, cached=False))
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


_COMPLETION_FIELDS = frozenset(f.name for f in fields(Completion))


_scan = json.JSONDecoder().scan_once  # what json.loads ends in, without its checks and regexes
# What the usage ledger adds up: a damaged row must not reach it (or a report) as a number.
_NUMBERS = (
    ("input_tokens", int),
    ("output_tokens", int),
    ("latency_ms", (int, float)),
    ("cost_usd", (int, float)),
)


def _decode(text: str) -> Completion | None:
    """A stored answer, or None when `text` is not one; fields a newer promptops wrote and
    this one does not know are dropped. (Half the cost of a cached sample once was
    rebuilding the field set per row.)"""
    try:
        data, end = _scan(text, 0)  # rows are compact JSON: the value must end the text
        if end != len(text):
            return None
        if not _COMPLETION_FIELDS.issuperset(data):
            data = {k: v for k, v in data.items() if k in _COMPLETION_FIELDS}
        if type(data.get("text")) is not str:
            return None
        for name, kind in _NUMBERS:
            if not isinstance(data.get(name, 0), kind):
                return None
        calls = data.get("tool_calls")
        data["tool_calls"] = tuple(ToolCall(**call) for call in calls) if calls else ()
        data["cached"] = True
        return Completion(**data)
    except (StopIteration, ValueError, TypeError, AttributeError):  # not JSON, not an object, unknown shape
        return None


def cache_bound(config: Config) -> int:
    """`cache.max_mb` in bytes."""
    return int(float(config.get("cache.max_mb")) * MIB)


def open_cache(config: Config) -> ResponseCache:
    """The repository's response cache, bounded by `cache.max_mb`."""
    return ResponseCache(cache_path(config), cache_bound(config))


def checkpoint_cache(config: Config) -> CheckpointResult | None:
    """Make the cache file safe to copy (CI saves it); None when there is no cache yet."""
    path = cache_path(config)
    if not path.exists():
        return None
    cache = open_cache(config)
    try:
        return cache.checkpoint()
    finally:
        cache.close()


def cache_stats(config: Config) -> CacheStats:
    """What the repository's cache holds; an absent cache is reported empty, not created."""
    path = cache_path(config)
    if not path.exists():
        return CacheStats(str(path), 0, 0, None, None, {})
    cache = ResponseCache(path)
    try:
        return cache.stats()
    finally:
        cache.close()


def clear_cache(config: Config, older_than_days: float | None = None) -> int:
    """Delete cached responses (all, or older than the given days); returns how many."""
    path = cache_path(config)
    if not path.exists():
        return 0
    cache = ResponseCache(path)
    try:
        return cache.clear(older_than_days)
    finally:
        cache.close()
