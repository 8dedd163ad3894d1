"""Writing a whole agent folder at once: all of it appears, or none of it does.

Files go to a temporary folder next to the target first and are moved into place with
one rename, so an interrupted or failed run never leaves half an agent behind.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from promptops.errors import PromptopsError


def write_folder(target: Path, files: dict[str, str], *, replace: bool = False) -> None:
    """Create `target` holding `files` (relative posix paths -> text); `replace` swaps out an old one."""
    if target.is_symlink() or (target.exists() and not replace):
        raise PromptopsError(f"{target}: error: already exists; use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.new-"))
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)
