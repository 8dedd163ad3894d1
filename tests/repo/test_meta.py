from pathlib import Path

import pytest

from promptops.config import GOALS
from promptops.errors import NotFoundError
from promptops.repo.meta import meta_agent, meta_prompt, package_root
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
CANONICAL = ROOT / "prompts" / "promptops"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_packaged_meta_prompts_are_identical_to_the_canonical_ones() -> None:
    packaged = package_root() / "prompts" / "promptops"
    assert tree(packaged) == tree(CANONICAL), "run: python scripts/sync_meta_prompts.py"


def test_every_meta_prompt_the_optimizer_reads_exists() -> None:
    names = ["analysis", "analyze", "variant", "write_variant", "reflect", "variation_hints", "hints"]
    for name in names + [f"goal_{goal}" for goal in GOALS]:
        assert len(meta_prompt(name)) > 100, name
    assert meta_prompt("analysis") == (CANONICAL / "analysis.md").read_text()
    hints = [line for line in meta_prompt("hints").splitlines() if line.startswith("- ")]
    assert len(hints) >= 5
    assert meta_agent().prompt("goal_speed").id == "promptops/goal_speed"


def test_unknown_meta_prompt_lists_closest() -> None:
    with pytest.raises(
        NotFoundError, match="unknown prompt promptops/goal_concise; closest: goal_conciseness"
    ):
        meta_prompt("goal_concise")


def test_this_repository_lints_clean() -> None:
    result = run_cli(ROOT, "lint", "prompts/", "--strict")
    assert (result.exit_code, result.stdout) == (0, "")
