"""The cache that survives CI runners: bounded in size, and one consistent file after a checkpoint."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from promptops.llm.cache import ResponseCache
from promptops.llm.types import Completion
from tests.conftest import run_cli

SRC = Path(__file__).resolve().parents[2] / "src"


def fill(cache: ResponseCache, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        cache.put(f"{i:064x}", Completion(text=f"answer {i} " + "x" * 400, provider="anthropic", model="m"))
    # one second apart, in key order, so "oldest" is unambiguous
    with sqlite3.connect(cache.path) as db:
        db.executemany(
            "UPDATE responses SET created_at = ? WHERE key = ?", [(1000 + i, f"{i:064x}") for i in range(n)]
        )


def keys_in(path: Path) -> set[str]:
    """The answers a copy of this one file holds (none when even the table is still in the WAL)."""
    with sqlite3.connect(path) as db:
        try:
            return {row[0] for row in db.execute("SELECT key FROM responses")}
        except sqlite3.OperationalError:
            return set()


def test_past_the_bound_the_oldest_answers_are_evicted(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    cache = ResponseCache(path, max_bytes=512 * 1024)
    fill(cache, 3000)
    cache.close()  # a run ends: evict, checkpoint
    kept = keys_in(path)
    assert path.stat().st_size <= 512 * 1024
    assert 400 < len(kept) < 3000
    assert kept == {f"{i:064x}" for i in range(3000 - len(kept), 3000)}  # the newest, contiguous
    small = ResponseCache(path, max_bytes=512 * 1024)
    assert small.evict() == 0  # within the bound now: nothing more goes
    small.close()


def test_an_unbounded_cache_keeps_everything(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache.sqlite")
    fill(cache, 500)
    assert cache.evict() == 0
    cache.close()
    assert len(keys_in(tmp_path / "cache.sqlite")) == 500


def test_checkpoint_makes_the_file_alone_hold_every_answer(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".promptops.yaml").write_text(yaml.safe_dump({"cache": {"max_mb": 64}}))
    path = repo / ".promptops" / "cache.sqlite"
    # A run killed before it closed the cache: its answers are still in the write-ahead log.
    writer = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from promptops.llm.cache import ResponseCache
        from promptops.llm.types import Completion
        cache = ResponseCache(Path({str(path)!r}))
        for i in range(200):
            cache.put(f"{{i:064x}}", Completion(text="answer", provider="anthropic", model="m"))
        os._exit(0)
        """
    )
    subprocess.run([sys.executable, "-c", writer], env={**os.environ, "PYTHONPATH": str(SRC)}, check=True)
    assert Path(f"{path}-wal").stat().st_size > 0
    copied = tmp_path / "copy-before.sqlite"
    shutil.copy(path, copied)  # what actions/cache would save without a checkpoint
    assert len(keys_in(copied)) == 0

    result = run_cli(repo, "cache", "checkpoint")
    assert result.exit_code == 0, result.stderr
    assert f"checkpointed {path}: 200 answers" in result.stdout
    copied = tmp_path / "copy-after.sqlite"
    shutil.copy(path, copied)
    assert len(keys_in(copied)) == 200


def test_checkpoint_without_a_cache_creates_none(tmp_path: Path) -> None:
    (tmp_path / ".promptops.yaml").write_text("cache:\n  max_mb: 10\n")
    result = run_cli(tmp_path, "cache", "checkpoint")
    assert result.exit_code == 0 and "no response cache yet" in result.stdout
    assert not (tmp_path / ".promptops").exists()


def test_max_mb_must_be_positive(tmp_path: Path) -> None:
    (tmp_path / ".promptops.yaml").write_text("cache:\n  max_mb: 0\n")
    result = run_cli(tmp_path, "cache", "checkpoint")
    assert result.exit_code == 2
    assert ".promptops.yaml:2:11: error: cache.max_mb:" in result.stderr
