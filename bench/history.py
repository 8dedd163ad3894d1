"""Benchmark: `promptops history` and `promptops list` on a long history.

Builds (with `git fast-import`, in seconds) a repository of 10,000 commits over 200
prompt files (50 agents x 4 prompts) where one prompt (agent-000/system) changes in 500
commits, with a local bare clone as `origin` holding eval notes on 50 of those commits,
then times, side by side in one run:

- `git log --follow --format=%H -- FILE` (the reference),
- `prompt_history()` in-process and `promptops history` as a CLI subprocess (notes fetched
  less than history.notes_max_age_minutes ago, the usual case, and with `--fetch`),
- `list_prompts()` in-process and `promptops list` as a CLI subprocess.

Targets (issue 2): history within 2x of the git command; list under 1 s.
Target (issue 15): the `promptops history` command <= 2x `git log --follow` with a remote.
Usage: PYTHONPATH=src python bench/history.py [--quick] [--runs N] [--keep DIR]
(--quick: 2,000 commits, 100 target changes, 3 runs.)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from promptops.config import load_config  # noqa: E402
from promptops.repo.history import prompt_history  # noqa: E402
from promptops.repo.listing import list_prompts  # noqa: E402
from promptops.repo.tokens import count_tokens  # noqa: E402

AGENTS = 50
FILES = ("system.md", "user.md", "tools/lookup.md", "examples.yaml")
TARGET = "prompts/agent-000/system.md"
AGENT_YAML = """\
prompts: {system: system.md, user_template: user.md}
tools: [{name: lookup, description_file: tools/lookup.md}]
examples: examples.yaml
"""


def content(path: str, revision: int) -> str:
    if path.endswith("examples.yaml"):
        return f"- user: question {revision}\n  assistant: answer {revision}\n"
    if path.endswith("user.md"):
        return f"Customer message ({revision}): {{{{customer_message}}}}\n"
    return f"You are agent {path}. Revision {revision}. Be brief, accurate and kind.\n" * 3


def fast_import_stream(commits: int, target_changes: int) -> bytes:
    rng = random.Random(7)
    prompts = [f"prompts/agent-{a:03d}/{f}" for a in range(AGENTS) for f in FILES]
    others = [p for p in prompts if p != TARGET]
    target_every = commits // target_changes
    out: list[bytes] = []

    def blob_line(path: str, text: str) -> None:
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    for n in range(1, commits + 1):
        msg = f"change {n}".encode()
        when = 1_700_000_000 + n * 60
        out.append(
            f"commit refs/heads/main\nmark :{n}\nauthor Bench <bench@example.com> {when} +0000\n"
            f"committer Bench <bench@example.com> {when} +0000\ndata {len(msg)}\n".encode()
            + msg
            + b"\n"
        )
        if n > 1:
            out.append(f"from :{n - 1}\n".encode())
        if n == 1:
            for a in range(AGENTS):
                blob_line(f"prompts/agent-{a:03d}/agent.yaml", AGENT_YAML)
            for path in prompts:
                blob_line(path, content(path, 0))
        elif n % target_every == 0:
            blob_line(TARGET, content(TARGET, n))
        else:
            path = rng.choice(others)
            blob_line(path, content(path, n))
        out.append(b"\n")
    return b"".join(out)


def build_repo(root: Path, commits: int, target_changes: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream = fast_import_stream(commits, target_changes)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    add_remote_with_notes(root, target_changes)


def add_remote_with_notes(root: Path, target_changes: int) -> None:
    """`origin`: a bare clone; eval notes on every 10th change of the target, pushed there."""
    origin = root.parent / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(origin)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(origin)], cwd=root, check=True)
    subprocess.run(["git", "fetch", "-q", "origin"], cwd=root, check=True)
    shas = subprocess.run(
        ["git", "log", "--format=%H", "--", TARGET], cwd=root, check=True, capture_output=True, text=True
    ).stdout.split()
    for sha in shas[:target_changes:10]:
        note = '{"schema": "promptops-eval/1", "verdict": "improvement", "cases": 40, "repeats": 3}'
        subprocess.run(["git", "notes", "--ref=promptops", "add", "-m", note, sha], cwd=root, check=True)
    subprocess.run(["git", "push", "-q", "origin", "refs/notes/promptops"], cwd=root, check=True)
    subprocess.run(["git", "update-ref", "-d", "refs/notes/promptops"], cwd=root, check=True)


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


CPU_S: dict[str, list[float]] = {}  # user + system seconds of each subprocess, by command


def run(cmd: list[str], root: Path) -> None:
    """Run `cmd` to completion; its CPU time (os.wait4) is kept: on a loaded machine it says more
    than wall time."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen(cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    CPU_S.setdefault(" ".join(cmd[-3:]), []).append(usage.ru_utime + usage.ru_stime)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def clear_caches(root: Path) -> None:
    """Forget the vN counts (in the git dir) and token counts (XDG cache): a first run."""
    (root / ".git" / "promptops" / "change-counts.json").unlink(missing_ok=True)
    (Path(os.environ["XDG_CACHE_HOME"]) / "promptops" / "tokens.sqlite").unlink(missing_ok=True)
    count_tokens.cache_clear()


def cold(fn: Callable[[], object], root: Path) -> Callable[[], object]:
    def run_cold() -> object:
        clear_caches(root)
        return fn()

    return run_cold


def measure(root: Path, runs: int) -> list[tuple[str, str, float, str]]:
    """(what, caches, median seconds, target) rows; cold rows clear the caches before each run
    (the clearing is inside the timing but costs well under a millisecond)."""
    cfg = load_config(root)
    py = [sys.executable, "-m", "promptops"]
    prompt = "agent-000/system"
    git_log = ["git", "log", "--follow", "--format=%H", "--", TARGET]
    history_cli = lambda: run([*py, "history", prompt], root)  # noqa: E731
    history_fetch = lambda: run([*py, "history", prompt, "--fetch"], root)  # noqa: E731
    list_cli = lambda: run([*py, "list"], root)  # noqa: E731
    history_lib = lambda: prompt_history(cfg, prompt)  # noqa: E731
    list_lib = lambda: list_prompts(cfg)  # noqa: E731
    m = median_seconds
    return [
        ("git log --follow --format=%H -- FILE", "-", m(lambda: run(git_log, root), runs), "reference"),
        ("CLI start-up: promptops --help", "-", m(lambda: run([*py, "--help"], root), runs), "-"),
        ("history (library)", "cold", m(cold(history_lib, root), runs), "<= 2x git"),
        ("history (library)", "warm", m(history_lib, runs), "<= 2x git"),
        ("history (CLI subprocess)", "cold", m(cold(history_cli, root), runs), "<= 2x git"),
        ("history (CLI subprocess)", "warm", m(history_cli, runs), "<= 2x git"),
        ("history --fetch (CLI, local origin)", "warm", m(history_fetch, runs), "-"),
        ("list (library)", "cold", m(cold(list_lib, root), runs), "< 1 s"),
        ("list (library)", "warm", m(list_lib, runs), "< 1 s"),
        ("list (CLI subprocess)", "cold", m(cold(list_cli, root), runs), "< 1 s"),
        ("list (CLI subprocess)", "warm", m(list_cli, runs), "< 1 s"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 commits, 3 runs")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="build the repository here and keep it")
    args = parser.parse_args()
    commits, changes = (2_000, 100) if args.quick else (10_000, 500)
    runs = args.runs or (3 if args.quick else 5)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # never the user's token cache
        root = (args.keep or Path(tmp) / "bench-repo").resolve()  # origin is added by its path
        built = timed(lambda: build_repo(root, commits, changes))
        history = prompt_history(load_config(root), "agent-000/system")  # fetches origin's notes
        assert sum(v.eval is not None for v in history.versions) == changes // 10, "notes not fetched"
        entries = list_prompts(load_config(root))
        assert history.total == changes + 1, history.total
        assert len(entries) == AGENTS * len(FILES) and all(e.number for e in entries)
        rows = measure(root, runs)
    print(
        f"repository: {commits} commits, {AGENTS * len(FILES)} prompts, target changed in {changes} "
        f"(built in {built:.1f} s); median of {runs} runs"
    )
    print("cold: vN-count and token-count caches deleted before each run; warm: caches kept")
    print("notes: fetched from origin by the first run (then younger than notes_max_age_minutes)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'what':<38} {'caches':<6} {'median s':>9} {'x git':>7}  target")
    git_s = rows[0][2]
    for name, caches, seconds, target in rows:
        met = "" if not target.startswith("<= 2x") else ("  met" if seconds <= 2 * git_s else "  NOT met")
        print(f"{name:<38} {caches:<6} {seconds:>9.3f} {seconds / git_s:>7.2f}  {target}{met}")
    print("\nCPU (user + system) of the subprocesses, median over every run of each command:")
    git_cpu = statistics.median(CPU_S[f"--format=%H -- {TARGET}"])
    for command, values in CPU_S.items():
        cpu = statistics.median(values)
        print(f"  {command:<52} {cpu:7.3f} s  {cpu / git_cpu:6.2f} x git")


if __name__ == "__main__":
    main()
