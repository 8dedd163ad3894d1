"""The response cache: a re-run of the same evaluation makes zero provider calls.

SQLite in WAL mode, one connection per thread, a busy timeout so concurrent writers
(threads, or several promptops processes on one repository) wait instead of failing.
The key is the sha256 of the canonical JSON of everything that determines an answer
(provider, model, base URL, system, messages, tools, params, sample index); the table
keeps only that hash, the provider and model names and the answer, never the request
text or any key. Schema changes go through the MIGRATIONS registry (names recorded in
`_migrations`), the pattern simonw/llm uses for its log database.
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
from promptops.llm.types import Completion, CompletionRequest, ToolCall

ENV_CACHE_PATH = "PROMPTOPS_CACHE"
BUSY_TIMEOUT_MS = 30_000


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
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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

    def __init__(self, path: Path) -> None:
        self.path = path
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
        row = self._db().execute("SELECT completion FROM responses WHERE key = ?", (key,)).fetchone()
        return _decode(row[0]) if row else None

    def put(self, key: str, completion: Completion) -> None:
        self._db().execute(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?)",
            (key, completion.provider, completion.model, _encode(completion), time.time()),
        )

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

    def _files(self) -> list[Path]:
        candidates = [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]
        return [p for p in candidates if p.exists()]

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _encode(completion: Completion) -> str:
    data = asdict(replace(completion, cached=False))
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _decode(text: str) -> Completion:
    known = {f.name for f in fields(Completion)}
    data = {k: v for k, v in json.loads(text).items() if k in known}
    data["tool_calls"] = tuple(ToolCall(**call) for call in data["tool_calls"])
    data["cached"] = True
    return Completion(**data)


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
