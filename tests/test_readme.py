"""The README's set-up commands are what CI runs; keep them from drifting apart."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    test_command = ci[ci.index("# README test command:") + 1]
    readme = (ROOT / "README.md").read_text()
    assert f"```sh\n{test_command}\n```" in readme
