"""Benchmark: rendering the PR report of a long rewritten prompt (word diff + fitting GitHub's limit).

Each prompt has N lines and the variant rewrites every line (the worst case for a diff). Side by
side in one run: the word diff over the whole text at once (how `word_diff` worked before: one
SequenceMatcher over every word, skipped above `--whole-max` lines because it grows steeply),
`word_diff` as it is (lines matched first, words only inside changed lines), and the whole
`render_report` (diff, 40 per-case rows, fitting to 65,536 characters) with its output size.

Usage: PYTHONPATH=src python bench/report_fit.py [--quick] [--whole-max 200]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]  # runnable from a checkout without installing

from promptops.bot.pr_report import ArmFigures, CaseChange, ReportData, render_report  # noqa: E402
from promptops.markdown import word_diff, words_changed  # noqa: E402


def whole_text_word_diff(old: str, new: str) -> str:
    """The previous algorithm, kept as the reference: one word-level diff of everything, uncapped."""
    return words_changed(old, new, max_pairs=math.inf)


def texts(lines: int) -> tuple[str, str]:
    base = "".join(
        f"Rule {i}: answer in the customer's language, politely and in full.\n" for i in range(lines)
    )
    variant = "".join(f"Rule {i}: answer briefly, in the customer's language.\n" for i in range(lines))
    return base, variant


def report(base: str, variant: str) -> ReportData:
    return ReportData(
        key="support-agent/system/conciseness",
        prompt_id="support-agent/system",
        goal="conciseness",
        verdict="Not recommended: 10 regressions",
        recommended=False,
        base=ArmFigures(0.85, (0.78, 0.90), 412, 1234, 0.0123),
        variant=ArmFigures(0.80, (0.72, 0.86), 318, 1100, 0.0101),
        p_value=0.04,
        cases=40,
        repeats=3,
        model="claude-sonnet-5-5",
        base_text=base,
        variant_text=variant,
        case_changes=tuple(
            CaseChange(f"case-{k}", "pass" if k < 10 else "fail", "fail" if k < 10 else "pass", "why")
            for k in range(40)
        ),
        full_report_url="https://github.com/acme/prompts/actions/runs/42",
    )


def timed(fn, *args):  # noqa: ANN001, ANN002, ANN202 - a bench helper
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 1,000 lines instead of 4,000")
    parser.add_argument("--whole-max", type=int, default=200, help="largest N for the whole-text diff")
    args = parser.parse_args()
    sizes = [50, 100, 200, 1000] if args.quick else [50, 100, 200, 1000, 4000]
    print(
        "| lines | whole-text word diff (s) | word_diff (s) | render_report (s) | report chars | rows kept |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for lines in sizes:
        base, variant = texts(lines)
        whole = "skipped"
        if lines <= args.whole_max:
            reference, seconds = timed(whole_text_word_diff, base, variant)
            whole = f"{seconds:.2f}"
        _, diff_s = timed(word_diff, base, variant)
        body, render_s = timed(render_report, report(base, variant))
        rows = body.count("\n| case-")
        print(f"| {lines:,} | {whole} | {diff_s:.3f} | {render_s:.3f} | {len(body):,} | {rows} of 40 |")


if __name__ == "__main__":
    main()
