"""`promptops history` shows the PR that deployed each version, its eval note and what is deployed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_cli
from tests.gitrepo import commit, git
from tests.publish.conftest import SYSTEM

NOTE = {
    "schema": "promptops-eval/1",
    "verdict": "improvement",
    "pass_rate": {"base": 0.9, "variant": 0.95},
    "tokens_change_pct": -23.0,
    "cases": 40,
    "repeats": 3,
    "model": "claude-sonnet-5-5",
}


def test_pr_number_eval_note_from_origin_and_deployed(deployed_repo: Path, tmp_path: Path) -> None:
    terse_head = git(deployed_repo, "rev-parse", "HEAD^2")  # the merged PR's head carries the note
    git(deployed_repo, "notes", "--ref=promptops", "add", "-m", json.dumps(NOTE), terse_head)
    git(deployed_repo, "push", "-q", "origin", "refs/notes/promptops")
    commit(deployed_repo, {SYSTEM: "Squashed. refund policy\n"}, "Shorter system prompt (#9)", push=True)
    fresh = tmp_path / "fresh"  # a clone has no notes until history fetches them
    subprocess.run(["git", "clone", "-q", str(deployed_repo.parent / "origin.git"), str(fresh)], check=True)

    result = run_cli(fresh, "history", "support-agent/system")

    assert result.exit_code == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[2].startswith("v4* ") and rows[2].split()[-2:] == ["#9", "-"]
    assert rows[3].startswith("v3 ") and "#7" in rows[3]
    assert rows[3].endswith("improvement pass 90%->95% tokens -23% (40 cases x 3)")
    assert rows[-1] == "* deployed: v4, the tip of main"
    data = json.loads(run_cli(fresh, "history", "support-agent/system", "--json").stdout)
    v4, v3, v2, _v1 = data["versions"]
    assert (v4["deployed"], v4["pr_number"], v4["eval"]) == (True, 9, None)
    assert (v3["deployed"], v3["pr_number"], v3["eval"]) == (False, 7, NOTE)
    assert (v2["pr_number"], v2["eval"]) == (None, None)


def test_notes_are_fetched_only_when_stale_or_asked(deployed_repo: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(deployed_repo.parent / "origin.git"), str(fresh)], check=True)
    tip = git(fresh, "rev-parse", "HEAD")
    offline = json.loads(run_cli(fresh, "history", "support-agent/system", "--json", "--no-fetch").stdout)
    assert offline["versions"][0]["eval"] is None  # nothing fetched, nothing local
    first = json.loads(run_cli(fresh, "history", "support-agent/system", "--json").stdout)  # fetches
    assert first["versions"][0]["eval"] is None  # origin has no notes yet

    # a note on the deployed commit itself reaches origin after that fetch
    git(deployed_repo, "notes", "--ref=promptops", "add", "-m", json.dumps(NOTE), tip)
    git(deployed_repo, "push", "-q", "origin", "refs/notes/promptops")
    recent = json.loads(run_cli(fresh, "history", "support-agent/system", "--json").stdout)
    assert recent["versions"][0]["eval"] is None  # fetched a moment ago: no network round trip
    forced = json.loads(run_cli(fresh, "history", "support-agent/system", "--json", "--fetch").stdout)
    assert forced["versions"][0]["eval"] == NOTE  # read from the log's own %N, no extra lookup

    git(deployed_repo, "notes", "--ref=promptops", "add", "-f", "-m", json.dumps({**NOTE, "cases": 41}), tip)
    git(deployed_repo, "push", "-q", "-f", "origin", "refs/notes/promptops")
    (fresh / ".promptops.yaml").write_text("history: {notes_max_age_minutes: 0}\n")
    stale = json.loads(run_cli(fresh, "history", "support-agent/system", "--json").stdout)
    assert stale["versions"][0]["eval"] == {**NOTE, "cases": 41}  # age 0: fetched on every call
