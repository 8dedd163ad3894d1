"""Import every promptfoo config under a folder and print how the importer fared.

For each config (promptfooconfig.yaml/.yml/.json/.js/.ts, one per suite folder) it runs
`import_promptfoo` into a fresh repository and sorts the result into: imported clean
(nothing left out; notes about changes allowed), imported with notes (something left out,
each item reported), refused (a
one-line input error) or crashed (any other exception: a bug). Then it lists the
promptfoo assertion types that were left out, by how many suites use them.

Usage: PYTHONPATH=src python bench/promptfoo_corpus.py [FOLDER]
(FOLDER defaults to tests/fixtures/promptfoo, the corpus written for the tests.)
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from promptops.config import load_config  # noqa: E402
from promptops.errors import PromptopsError  # noqa: E402
from promptops.evals.promptfoo import import_promptfoo  # noqa: E402

CONFIG_NAMES = re.compile(r"^promptfooconfig\.(ya?ml|json|js|cjs|mjs|ts)$")
OUTCOMES = ("clean", "notes", "refused", "crashed")


@dataclass
class Outcome:
    suite: str
    kind: str
    detail: str = ""
    unsupported: set[str] = field(default_factory=set)


def find_configs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if CONFIG_NAMES.match(p.name))


def import_one(config_path: Path, folder: Path) -> Outcome:
    suite = str(config_path.parent.relative_to(folder)) if config_path.parent != folder else config_path.name
    agent_id = re.sub(r"[^A-Za-z0-9._-]+", "-", suite).strip("-") or "suite"
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(Path(tmp))
        try:
            report = import_promptfoo(config, config_path, agent_id)
        except PromptopsError as exc:
            return Outcome(suite, "refused", str(exc).split(": error: ", 1)[-1])
        except Exception:  # the importer must never crash; this is what the table is for
            return Outcome(suite, "crashed", traceback.format_exc(limit=3).strip().splitlines()[-1])
    kind = "notes" if report.skipped else "clean"
    detail = (
        f"{report.cases} cases, {report.assertions} assertions, "
        f"{len(report.skipped)} left out, {len(report.notes)} notes"
    )
    return Outcome(suite, kind, detail, set(report.unsupported))


def render(outcomes: list[Outcome]) -> str:
    counts = Counter(o.kind for o in outcomes)
    lines = [f"promptfoo configs: {len(outcomes)}", "", "| outcome | configs |", "| --- | ---: |"]
    labels = {
        "clean": "imported clean",
        "notes": "imported with notes (something left out)",
        "refused": "refused",
        "crashed": "crashed",
    }
    lines += [f"| {labels[k]} | {counts.get(k, 0)} |" for k in OUTCOMES]
    usage = Counter(t for o in outcomes for t in o.unsupported)
    lines += ["", "| assertion type left out | suites |", "| --- | ---: |"]
    lines += [f"| {t} | {n} |" for t, n in sorted(usage.items(), key=lambda kv: (-kv[1], kv[0]))] or [
        "| (none) | 0 |"
    ]
    lines += ["", "| suite | outcome | detail |", "| --- | --- | --- |"]
    lines += [f"| {o.suite} | {labels[o.kind]} | {o.detail} |" for o in outcomes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "tests" / "fixtures" / "promptfoo")
    args = parser.parse_args(argv)
    configs = find_configs(args.folder)
    if not configs:
        print(f"no promptfooconfig.* under {args.folder}", file=sys.stderr)
        return 2
    outcomes = [import_one(path, args.folder) for path in configs]
    print(render(outcomes))
    return 1 if any(o.kind == "crashed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
