"""Copy the canonical meta-prompts (prompts/promptops/) into the package (package data).

The top-level folder is what people and the promptops bot edit (it is an ordinary agent
of this repository); the package ships a byte-identical copy so an installed promptops
has its instructions without the repository. tests/repo/test_meta.py fails while the two
differ. Usage: python scripts/sync_meta_prompts.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANONICAL = ROOT / "prompts" / "promptops"
PACKAGED = ROOT / "src" / "promptops" / "prompts" / "promptops"


def main() -> None:
    if PACKAGED.exists():
        shutil.rmtree(PACKAGED)
    shutil.copytree(CANONICAL, PACKAGED, symlinks=False)
    count = sum(1 for p in PACKAGED.rglob("*") if p.is_file())
    print(f"copied {count} files from {CANONICAL.relative_to(ROOT)} to {PACKAGED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
