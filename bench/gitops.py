"""Benchmark: publishing a variant as a PR on a large repository (git time vs GitHub time).

Builds a repository with 200 prompt files and 10,000 commits (`--quick`: 2,000) with
`git fast-import`, pushes it to a bare origin, starts the GitHub stand-in (the same one the tests
use, schema validation on) and times, per PR: the git part (`publish_variant`: fetch, temporary
worktree, commit, note, leased atomic push) and the GitHub part (`publish_pull_request`: find or
open the PR, sticky comment, labels, status). Target: under 3 s per PR for both together.

Then, end to end on the same repository (every agent has an agent.yaml, whose system prompt
is prompt-0, and 120 eval cases): `optimize --branch-only` of agent-00/system (the edit
generator, evaluated by the echo provider, which answers at once), `pr --session` for that
session (push and PR), and `rollback --to v1` of agent-01/system (changed in 1 commit of 200)
with `--branch-only` and with a PR. GitHub time is the time spent inside
the GitHub layer's calls; LLM time is the optimizer's run (generation, evaluation, statistics).

Usage: PYTHONPATH=src:. python bench/gitops.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # runnable without installing; `tests.standins`

from tests.standins.github_server import GitHubStandin  # noqa: E402

from promptops.bot.pr_report import ArmFigures, CaseChange, ReportData, render_report  # noqa: E402
from promptops.bot.publish import publish_session  # noqa: E402
from promptops.bot.rollback import rollback_prompt  # noqa: E402
from promptops.config import load_config  # noqa: E402
from promptops.git.commits import publish_variant  # noqa: E402
from promptops.git.tree import read_blob  # noqa: E402
from promptops.github.connection import connect  # noqa: E402
from promptops.github.pulls import publish_pull_request, report_labels  # noqa: E402
from promptops.github.repository import GitHubRepo  # noqa: E402
from promptops.optimize.optimizer import OptimizeOptions, run_optimization  # noqa: E402
from promptops.version_ids import version_id  # noqa: E402

AGENTS, PROMPTS_PER_AGENT = 20, 10
TARGET_S = 3.0


def prompt_path(i: int) -> str:
    return f"prompts/agent-{i // PROMPTS_PER_AGENT:02d}/prompt-{i % PROMPTS_PER_AGENT}.md"


def prompt_text(i: int, revision: int) -> str:
    return (
        f"You are agent {i // PROMPTS_PER_AGENT}, prompt {i}, revision {revision}.\n"
        "Please note that you must always be polite. In order to look up an order, call the tool.\n"
        "It is important to answer in the customer's language. Basically, make sure to quote the order id.\n"
        "Please note that you must always be polite. In order to look up an order, call the tool.\n"
        + "Be helpful.\n"
        * 20
    )


CONFIG = "provider: {name: echo}\nevals: {holdout_fraction: 0.5}\ndecision: {min_success_delta: 0.1}\n"
AGENT_YAML = "prompts: {system: prompt-0.md}\nevals: evals/cases.yaml\n"
CASES = "cases:\n" + "".join(
    f"  - {{id: case-{k:02d}, vars: {{input: question {k}}}, assert: [{{type: icontains, value: agent}}]}}\n"
    for k in range(120)
)


def setup_files() -> dict[str, str]:
    """Config, and per agent an agent.yaml (prompt-0 is its system prompt) and eval cases."""
    files = {".promptops.yaml": CONFIG}
    for a in range(AGENTS):
        files[f"prompts/agent-{a:02d}/agent.yaml"] = AGENT_YAML
        files[f"prompts/agent-{a:02d}/evals/cases.yaml"] = CASES
    return files


def fast_import_stream(commits: int) -> bytes:
    """Commit 1 adds all 200 prompts and the agents' settings; each later commit revises one prompt."""
    files = AGENTS * PROMPTS_PER_AGENT
    out: list[bytes] = []
    for n in range(1, commits + 1):
        changed = range(files) if n == 1 else [n % files]
        message = f"commit {n}".encode()
        out.append(b"commit refs/heads/main\nmark :%d\n" % n)
        out.append(b"committer Bench <bench@example.com> %d +0000\n" % (1_700_000_000 + n))
        out.append(b"data %d\n%s\n" % (len(message), message))
        if n > 1:
            out.append(b"from :%d\n" % (n - 1))
        blobs = {prompt_path(i): prompt_text(i, n) for i in changed}
        if n == 1:
            blobs.update(setup_files())
        for path, text in blobs.items():
            data = text.encode()
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
    return b"".join(out)


def build_repository(root: Path, commits: int) -> Path:
    """A bare origin filled by fast-import, and a working clone of it; returns the clone."""
    origin, work = root / "origin.git", root / "work"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=origin, input=fast_import_stream(commits), check=True
    )
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True)
    return work


def current_text(work: Path, i: int) -> str:
    data = read_blob(work, "origin/main", prompt_path(i))
    assert data is not None
    return data.decode()


def report_for(i: int, base: str, variant: str) -> str:
    return render_report(
        ReportData(
            key=f"agent-{i}/conciseness",
            prompt_id=f"agent-{i}",
            goal="conciseness",
            verdict="Recommended: -23% tokens, pass rate unchanged",
            recommended=True,
            base=ArmFigures(0.85, (0.78, 0.90), 412, 1234, 0.0123),
            variant=ArmFigures(0.86, (0.79, 0.91), 318, 1100, 0.0101),
            p_value=0.62,
            cases=40,
            repeats=3,
            model="claude-sonnet-5-5",
            base_text=base,
            variant_text=variant,
            case_changes=tuple(CaseChange(f"case-{k}", "fail", "pass") for k in range(30)),
        )
    )


def publish_one(work: Path, gh: GitHubRepo, i: int, run: str) -> tuple[float, float, int]:
    """(git seconds, GitHub seconds, PR number) for one variant of prompt `i`."""
    base = current_text(work, i)
    variant = base.replace("Be helpful.\n" * 20, f"Be brief ({run}).\n")
    start = time.perf_counter()
    pushed = publish_variant(
        work,
        agent=f"agent-{i // PROMPTS_PER_AGENT:02d}",
        prompt=f"prompt-{i % PROMPTS_PER_AGENT}",
        goal="conciseness",
        files={prompt_path(i): variant},
        prompt_path=prompt_path(i),
        base_version=version_id(base),
        run_id=run,
        summary="conciseness, -23% tokens, pass rate unchanged",
        note={"run": run, "pass_rate": [0.85, 0.86]},
    )
    middle = time.perf_counter()
    body = report_for(i, base, variant)
    result = publish_pull_request(
        gh,
        branch=pushed.branch,
        base="main",
        title=f"promptops: prompt {i}",
        body=body,
        comment_key=f"agent-{i}/conciseness",
        comment_body=body,
        labels=report_labels("conciseness", True),
        head_sha=pushed.commit,
        status_state="success",
        status_description="pass rate 86% vs 85%",
        max_open_prs=50,
    )
    return middle - start, time.perf_counter() - middle, result.number


class GitHubClock:
    """Seconds spent inside the GitHub layer: every GitHub request goes through `GitHubRepo.call`."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = GitHubRepo.call
        clock = self

        def timed_call(handle: GitHubRepo, *args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return clock._original(handle, *args, **kwargs)  # type: ignore[arg-type]
            finally:
                clock.seconds += time.perf_counter() - start

        GitHubRepo.call = timed_call  # type: ignore[method-assign,assignment]

    def take(self) -> float:
        seconds, self.seconds = self.seconds, 0.0
        return seconds

    def restore(self) -> None:
        GitHubRepo.call = self._original  # type: ignore[method-assign]


Row = tuple[str, float, float, float]  # what, git s, GitHub s, LLM s


def end_to_end(work: Path, standin: GitHubStandin, clock: GitHubClock) -> list[Row]:
    """optimize --branch-only, pr --session, rollback --branch-only and rollback with a PR."""
    cfg = load_config(work)
    gh = {"token": standin.token, "github_base_url": standin.url}
    start = time.perf_counter()
    session = run_optimization(cfg, "agent-00/system", OptimizeOptions(goal="conciseness", budget_calls=400))
    llm = time.perf_counter() - start
    print(f"optimize agent-00/system: {session.session.recommendation['summary'][:100]}")
    rows: list[Row] = []
    steps = [
        (
            "optimize --branch-only",
            lambda: publish_session(cfg, session.session.path, open_pr=False, token=None),
        ),
        ("pr --session (push, PR)", lambda: publish_session(cfg, session.session.path, open_pr=True, **gh)),
        ("rollback --branch-only", lambda: rollback_prompt(cfg, "agent-01/system", "v1", open_pr=False)),
        ("rollback (push, PR)", lambda: rollback_prompt(cfg, "agent-01/system", "v1", open_pr=True, **gh)),
    ]
    for label, step in steps:
        clock.take()
        start = time.perf_counter()
        outcome = step()
        total, gh_s = time.perf_counter() - start, clock.take()
        assert outcome.commit, outcome
        rows.append((label, total - gh_s, gh_s, llm if label.startswith("optimize") else 0.0))
    return rows


def print_end_to_end(rows: list[Row]) -> None:
    print(f"\n{'end to end':<26} {'git s':>7} {'GitHub s':>9} {'LLM s':>7} {'git+GitHub':>11} {'target':>7}")
    print("-" * 72)
    for label, git_s, gh_s, llm_s in rows:
        verdict = "ok" if git_s + gh_s < TARGET_S else "SLOW"
        print(f"{label:<26} {git_s:>7.2f} {gh_s:>9.2f} {llm_s:>7.2f} {git_s + gh_s:>11.2f} {verdict:>7}")
    print(
        "LLM = the optimizer run (edit generator; echo provider answering at once, so this is the eval "
        "engine and statistics); git+GitHub target < 3 s per PR"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="2,000 commits and 3 PRs instead of 10,000 and 6"
    )
    args = parser.parse_args()
    commits, prs = (2_000, 3) if args.quick else (10_000, 6)
    os.environ.setdefault("GITHUB_REPOSITORY", "octo-org/prompts")  # the remote is a local path
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="promptops-bench-cache-"))
    for key, value in {
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }.items():
        os.environ.setdefault(key, value)

    with tempfile.TemporaryDirectory(prefix="promptops-bench-") as tmp:
        start = time.perf_counter()
        work = build_repository(Path(tmp), commits)
        print(
            f"repository: {commits:,} commits, {AGENTS * PROMPTS_PER_AGENT} prompt files, "
            f"built with git fast-import in {time.perf_counter() - start:.1f} s"
        )
        standin = GitHubStandin(bare_repo=Path(tmp) / "origin.git").start()
        try:
            gh = connect(
                token=standin.token, repository="octo-org/prompts", base_url=standin.url, env={}
            )
            rows = [(f"new PR #{n + 1}", n * 17 % 200, f"run-{n}") for n in range(prs)]
            rows.append(("re-run of PR #1", 0, "run-again"))
            results = [(label, *publish_one(work, gh, i, run)) for label, i, run in rows]
            clock = GitHubClock()
            try:
                flows = end_to_end(work, standin, clock)
            finally:
                clock.restore()
        finally:
            standin.stop()
        if standin.violations:
            raise SystemExit("GitHub stand-in schema violations:\n" + "\n".join(standin.violations))
    print_table(results)
    print_end_to_end(flows)


def print_table(results: list[tuple[str, float, float, int]]) -> None:
    print(f"\n{'publish':<18} {'PR':>4} {'git s':>7} {'GitHub s':>9} {'total s':>8} {'target':>8}")
    print("-" * 59)
    for label, git_s, gh_s, number in results:
        verdict = "ok" if git_s + gh_s < TARGET_S else "SLOW"
        print(f"{label:<18} {number:>4} {git_s:>7.2f} {gh_s:>9.2f} {git_s + gh_s:>8.2f} {verdict:>8}")
    git_mean = sum(r[1] for r in results) / len(results)
    gh_mean = sum(r[2] for r in results) / len(results)
    print("-" * 59)
    print(
        f"{'mean':<18} {'':>4} {git_mean:>7.2f} {gh_mean:>9.2f} {git_mean + gh_mean:>8.2f} "
        f"{'< ' + str(TARGET_S) + ' s':>8}"
    )
    share = 100 * git_mean / (git_mean + gh_mean)
    print(
        f"split: git {share:.0f}%, GitHub {100 - share:.0f}% "
        "(GitHub = PyGithub client + local stand-in with schema validation; no network latency)"
    )


if __name__ == "__main__":
    main()
