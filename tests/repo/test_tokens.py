import sqlite3
from pathlib import Path

import pytest

from promptops.repo.tokens import count_tokens, count_tokens_by_version, token_cache_path
from promptops.version_ids import version_id

TEXTS = ["You are a support agent.\n", "Follow the refund policy. " * 20]


def test_counts_are_cached_by_version_id() -> None:
    wanted = {version_id(t): t for t in TEXTS}
    first = count_tokens_by_version(wanted)
    assert first == {vid: count_tokens(t) for vid, t in wanted.items()}
    with sqlite3.connect(token_cache_path()) as db:
        rows = dict(db.execute("SELECT version_id, tokens FROM tokens").fetchall())
    assert rows == first
    assert count_tokens_by_version(wanted) == first


def test_an_unusable_cache_is_skipped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert count_tokens_by_version({version_id(TEXTS[0]): TEXTS[0]}) == {
        version_id(TEXTS[0]): count_tokens(TEXTS[0])
    }
