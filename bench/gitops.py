"""Benchmark: publishing a variant as a PR on a large repository (git time vs GitHub time).

Builds a repository with 200 prompt files and 10,000 commits (`--quick`: 2,000) with
`git fast-import`, pushes it to a bare origin, starts the GitHub stand-in (the same one the tests
use, schema validation on) and times, per PR: the git part (`publish_variant`: fetch, temporary
worktree, commit, note, leased atomic push) and the GitHub part (`publish_pull_request`: find or
open the PR, sticky comment, labels, status). Target: under 3 s per PR for both together.

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests.standins` for the stand-in

from tests.standins.github_server import GitHubStandin  # noqa: E402

from promptops.gitops import git as gitops  # noqa: E402
from promptops.gitops import github  # noqa: E402
from promptops.gitops.markdown import ArmFigures, CaseChange, ReportData, render_report  # noqa: E402
from promptops.repo.version import version_id  # noqa: E402

AGENTS, PROMPTS_PER_AGENT = 20, 10
TARGET_S = 3.0


def prompt_path(i: int) -> str:
    return f"prompts/agent-{i // PROMPTS_PER_AGENT:02d}/prompt-{i % PROMPTS_PER_AGENT}.md"


def prompt_text(i: int, revision: int) -> str:
    return (
        f"You are agent {i // PROMPTS_PER_AGENT}, prompt {i}, revision {revision}.\n" + "Be helpful.\n" * 20
    )


def fast_import_stream(commits: int) -> bytes:
    """Commit 1 adds all 200 prompts; each later commit revises one prompt."""
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
        for i in changed:
            data = prompt_text(i, n).encode()
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (prompt_path(i).encode(), len(data), data))
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
    data = gitops.read_blob(work, "origin/main", prompt_path(i))
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


def publish_one(work: Path, gh: github.GitHubRepo, i: int, run: str) -> tuple[float, float, int]:
    """(git seconds, GitHub seconds, PR number) for one variant of prompt `i`."""
    base = current_text(work, i)
    variant = base.replace("Be helpful.\n" * 20, f"Be brief ({run}).\n")
    start = time.perf_counter()
    pushed = gitops.publish_variant(
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
    result = github.publish_pull_request(
        gh,
        branch=pushed.branch,
        base="main",
        title=f"promptops: prompt {i}",
        body=body,
        comment_key=f"agent-{i}/conciseness",
        comment_body=body,
        labels=github.report_labels("conciseness", True),
        head_sha=pushed.commit,
        status_state="success",
        status_description="pass rate 86% vs 85%",
        max_open_prs=50,
    )
    return middle - start, time.perf_counter() - middle, result.number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="2,000 commits and 3 PRs instead of 10,000 and 6"
    )
    args = parser.parse_args()
    commits, prs = (2_000, 3) if args.quick else (10_000, 6)
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
            gh = github.connect(
                token=standin.token, repository="octo-org/prompts", base_url=standin.url, env={}
            )
            rows = [(f"new PR #{n + 1}", n * 17 % 200, f"run-{n}") for n in range(prs)]
            rows.append(("re-run of PR #1", 0, "run-again"))
            results = [(label, *publish_one(work, gh, i, run)) for label, i, run in rows]
        finally:
            standin.stop()
        if standin.violations:
            raise SystemExit("GitHub stand-in schema violations:\n" + "\n".join(standin.violations))
    print_table(results)


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
