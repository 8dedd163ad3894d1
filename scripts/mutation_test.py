"""Mutation testing of the decision code: which small changes to it leave every test green?

Runs `mutmut` (configured in pyproject.toml's [tool.mutmut]: src/promptops/stats/ and
src/promptops/evals/assertions.py, against tests/stats and the assertion tests), then prints
the surviving mutants with their diffs. Each survivor is either a missing test or an
equivalent change; docs/statistics.md lists the ones judged equivalent, and why.

Not in CI: the whole set is about 2,500 mutants (30-40 minutes on one core). Pass module
names to run a subset, e.g. the decision rule and the sequential test:

    python scripts/mutation_test.py promptops.stats.decision promptops.stats.sequential

One worker: with several, mutmut 3.8 reported mutants as surviving that a single-worker run
kills (seen here on the assertion module). Results are kept in mutants/ (git-ignored), so a
second run only tests what changed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = [sys.executable, "-m", "mutmut"]


def run_mutants(modules: list[str]) -> int:
    """All configured mutants, or those of `modules` (mutmut names: promptops.stats.decision.x_...)."""
    patterns = [f"{module}.*" for module in modules]
    return subprocess.run([*MUTMUT, "run", "--max-children", "1", *patterns], cwd=ROOT).returncode


def survivors(modules: list[str]) -> list[str]:
    listing = subprocess.run(
        [*MUTMUT, "results"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    names = []
    for line in listing.splitlines():
        name, _, status = line.strip().partition(": ")
        if status in ("survived", "no tests") and (not modules or name.startswith(tuple(modules))):
            names.append(f"{name} ({status})")
    return names


def show(name: str) -> str:
    mutant = name.split(" ")[0]
    return subprocess.run([*MUTMUT, "show", mutant], cwd=ROOT, capture_output=True, text=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="module names to mutate (default: all configured)")
    parser.add_argument("--no-run", action="store_true", help="only list the survivors of earlier runs")
    args = parser.parse_args()
    if not args.no_run:
        run_mutants(args.modules)
    left = survivors(args.modules)
    for name in left:
        print(f"=== {name}\n{show(name)}")
    print(f"{len(left)} surviving mutant(s)")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
