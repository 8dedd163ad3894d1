"""Version ids of non-ASCII prompt text equal `git hash-object`: the blob header counts bytes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from promptops.runtime import PromptStore
from promptops.version_ids import version_id

TEXTS = {
    "curly-quotes": "You are \u201chelpful\u201d and don\u2019t guess.\n",
    "em-dash": "Answer briefly \u2014 one line \u2013 no more.\n",
    "cjk": "\u4f60\u662f\u5ba2\u670d\u52a9\u624b\u3002\u8bf7\u7b80\u6d01\u56de\u7b54\u3002\n",
    "emoji-and-accents": "R\u00e9ponds en fran\u00e7ais \U0001f600\n",
}


def hash_object(path: Path) -> str:
    return subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_version_id_of_non_ascii_text_is_the_git_blob_id(tmp_path: Path, name: str) -> None:
    text = TEXTS[name]
    assert len(text.encode("utf-8")) > len(text)  # the edge: characters are not bytes
    agent = tmp_path / "prompts" / "support-agent"
    agent.mkdir(parents=True)
    (agent / "agent.yaml").write_text("prompts: {system: system.md}\n", encoding="utf-8")
    (agent / "system.md").write_bytes(text.encode("utf-8"))
    expected = hash_object(agent / "system.md")
    assert version_id(text) == expected
    assert version_id(text.encode("utf-8")) == expected
    deployed = PromptStore(tmp_path / "prompts").get("support-agent/system")
    assert deployed.version_id == expected and deployed.text == text
