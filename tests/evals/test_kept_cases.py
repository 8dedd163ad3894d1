"""A large cases file's checked data is kept between runs (promptops.files.parsed_cache), and
only ever used for exactly the text it was parsed from.

A re-run on unchanged cases reads the kept JSON instead of parsing and schema-checking the
YAML; an edited file, a damaged kept file, or a file whose data JSON cannot give back (a
date) is parsed again, and a file that fails its checks is never kept. The kept files live
in the git directory, never in the working tree.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import promptops.files
from promptops.config import load_config
from promptops.evals.cases import Suite, load_suite
from promptops.files.parsed_cache import KEEP_FROM_CHARS
from tests.conftest import run_cli
from tests.evals.support import AGENT_DIR, agent_at, agent_repo


def cases_text(count: int, *, extra: str = "") -> str:
    lines = ["defaults:", "  assert: [{type: not-icontains, value: 'as an AI'}]", "cases:"]
    for i in range(count):
        lines += [
            f"  - id: order-{i:04d}",
            f"    vars: {{customer_message: 'Where is order {i}?', channel: email}}",
            f"    assert: [{{type: contains, value: 'order {i}'}}]",
        ]
    return "\n".join(lines) + "\n" + extra


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cases texts the YAML reader was asked to parse (agent.yaml and the config are small)."""
    calls: list[str] = []
    real = promptops.files.load_values

    def counting(text: str) -> object:
        if "\ncases:\n" in text:
            calls.append(text)
        return real(text)

    monkeypatch.setattr(promptops.files, "load_values", counting)
    return calls


def load(repo: Path) -> Suite:
    return load_suite(agent_at(repo), load_config(repo))


def kept_files(repo: Path) -> list[Path]:
    return sorted((repo / ".git" / "promptops" / "parsed").glob("*.json"))


def test_an_unchanged_suite_is_read_back_without_parsing_and_an_edited_one_is_parsed_again(
    tmp_path: Path, parses: list[str]
) -> None:
    repo = agent_repo(tmp_path, cases_text(400), {".gitignore": ".promptops/\n"})
    cases_file = repo / AGENT_DIR / "evals" / "cases.yaml"
    assert len(cases_file.read_text()) > KEEP_FROM_CHARS

    first = load(repo)
    assert len(parses) == 1 and len(kept_files(repo)) == 1
    again = load(repo)
    assert len(parses) == 1  # read back, not parsed
    assert again == first and again.cases == first.cases and len(again.cases) == 400
    assert [a.label for a in again.cases[7].assertions] == ["not-icontains", "contains"]
    assert again.cases[7].vars == {"customer_message": "Where is order 7?", "channel": "email"}

    cases_file.write_text(cases_text(400).replace("Where is order 7?", "Where is parcel 7?"))
    edited = load(repo)
    assert len(parses) == 2 and edited.cases[7].vars["customer_message"] == "Where is parcel 7?"
    assert load(repo).cases == edited.cases and len(parses) == 2  # the edit is what is kept now
    assert len(kept_files(repo)) == 1  # one file per cases file, replaced
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True)
    assert status.stdout == " M prompts/support-agent/evals/cases.yaml\n"  # nothing new in the tree


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut off
        lambda text: "",
        lambda text: text.replace('"format": 1', '"format": 99'),
        lambda text: text.replace('"order-0007"', '"order-0007","extra":true'),  # stamp intact, data not
    ],
)
def test_a_damaged_kept_file_is_never_used(tmp_path: Path, parses: list[str], damage) -> None:
    repo = agent_repo(tmp_path, cases_text(400))
    first = load(repo)
    (kept,) = kept_files(repo)
    kept.write_text(damage(kept.read_text()))
    again = load(repo)
    assert len(parses) == 2 and again == first  # parsed again, never the damaged data
    assert load(repo) == first and len(parses) == 2  # and kept anew


def test_data_json_cannot_give_back_is_parsed_every_time(tmp_path: Path, parses: list[str]) -> None:
    dated = cases_text(400).replace("channel: email}", "channel: email, since: 2026-11-03}", 1)
    repo = agent_repo(tmp_path, dated)
    assert load(repo).cases[0].vars["since"].isoformat() == "2026-11-03"
    assert load(repo).cases[0].vars["since"].isoformat() == "2026-11-03"
    assert len(parses) == 2 and kept_files(repo) == []


def test_a_suite_that_fails_its_checks_is_not_kept_and_still_fails(tmp_path: Path, parses: list[str]) -> None:
    bad = cases_text(400).replace("  - id: order-0399\n", "  - id: order-0399\n    repeat: many\n")
    repo = agent_repo(tmp_path, bad)
    for _ in range(2):
        result = run_cli(repo, "eval", "support-agent", "--provider", "echo")
        assert result.exit_code == 2
        assert "cases[399].repeat" in result.stderr and result.stderr.count("\n") == 1
    assert len(parses) == 2 and kept_files(repo) == []


def test_a_small_suite_is_not_kept(tmp_path: Path, parses: list[str]) -> None:
    repo = agent_repo(tmp_path, cases_text(3))
    load(repo)
    load(repo)
    assert len(parses) == 2 and kept_files(repo) == []


def test_a_worktree_keeps_its_data_in_the_common_git_directory(tmp_path: Path) -> None:
    repo = agent_repo(tmp_path / "main", cases_text(400))
    worktree = tmp_path / "wt"
    subprocess.run(["git", "worktree", "add", "-q", str(worktree)], cwd=repo, check=True)
    git_dir = (repo / ".git").resolve()
    result = run_cli(worktree, "eval", "support-agent", "--provider", "echo", "--min-pass-rate", "0")
    assert result.exit_code == 0, result.stderr
    assert len(list((Path(git_dir) / "promptops" / "parsed").glob("*.json"))) == 1
    assert not (git_dir / "worktrees" / "wt" / "promptops").exists()  # not per worktree
    status = subprocess.run(["git", "status", "--porcelain"], cwd=worktree, capture_output=True, text=True)
    assert status.stdout == "?? .promptops/\n"  # the run's own output, and nothing kept beside it:
    assert not list(worktree.rglob("parsed")) and not list(worktree.rglob("*.json.tmp"))
