"""Sharded evaluation: `eval --shard I/N` on several machines, `eval-merge` back into one run."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from promptops.schemas import load_schema
from tests.conftest import run_cli
from tests.evals.support import AGENT_DIR, agent_repo
from tests.gitrepo import commit

TOPICS = ("refund policy", "order 1234", "in great detail", "shipping")
CASES = "cases:\n" + "".join(
    f"  - id: case-{i:02d}\n"
    f"    vars: {{customer_message: 'question {i} about {TOPICS[i % 4]}'}}\n"
    f"    assert: [{{type: contains, value: {'refund policy' if i % 3 else 'detail'}}}]\n"
    for i in range(24)
)
VERBOSE = "You are a support agent. Follow the refund policy. Explain everything in great detail.\n"
TERSE = "You are a support agent. Be brief.\n"
ECHO = ("--provider", "echo", "--no-cache", "--min-pass-rate", "0", "--repeat", "2")


def make(tmp_path: Path) -> Path:
    repo = agent_repo(tmp_path, CASES, {f"{AGENT_DIR}/system.md": VERBOSE, ".gitignore": ".promptops/\n"})
    commit(repo, {f"{AGENT_DIR}/system.md": TERSE}, "terse system prompt")
    return repo


def figures(run: dict) -> dict:
    """What a reader compares: the summary and each sample's verdict, tokens and case."""
    samples = [(r["case_id"], r["repeat_index"], r["passed"], r["input_tokens"]) for r in run["results"]]
    return {"summary": run["summary"], "samples": samples, "planned": run["summary"]["planned"]}


def test_four_shards_merged_give_the_verdict_and_figures_of_one_run(tmp_path: Path) -> None:
    repo = make(tmp_path)
    whole = run_cli(
        repo, "eval", "support-agent", *ECHO, "--compare", "HEAD~1", "--json", str(tmp_path / "one.json")
    )
    assert whole.exit_code == 0, whole.stderr
    shard_files = []
    for i in range(1, 5):
        out = tmp_path / f"shard-{i}.json"
        shard = run_cli(
            repo,
            "eval",
            "support-agent",
            *ECHO,
            "--compare",
            "HEAD~1",
            "--shard",
            f"{i}/4",
            "--json",
            str(out),
        )
        assert shard.exit_code == 0, shard.stderr
        assert f"shard {i}/4:" in shard.stdout and "verdict (" not in shard.stdout
        shard_files.append(out)
    sizes = [len(json.loads(f.read_text())["head"]["results"]) for f in shard_files]
    assert sum(sizes) == 48 and all(0 < s < 48 and s % 2 == 0 for s in sizes)  # repeats stay together

    gated = run_cli(repo, "eval-merge", *map(str, shard_files))
    assert gated.exit_code == 1 and "pass rate 25.0% is below --min-pass-rate 100.0%" in gated.stderr
    merged = run_cli(
        repo,
        "eval-merge",
        *map(str, shard_files),
        "--min-pass-rate",
        "0",
        "--json",
        str(tmp_path / "merged.json"),
    )

    assert merged.exit_code == 0, merged.stderr
    one, both = (
        json.loads((tmp_path / "one.json").read_text()),
        json.loads((tmp_path / "merged.json").read_text()),
    )
    assert both["comparison"]["verdict"] == one["comparison"]["verdict"]
    assert both["comparison"]["verdict"]["outcome"] in ("improvement", "regression", "no-difference")
    for label in ("base", "head"):
        assert figures(both[label]) == figures(one[label])
        assert len(both[label]["merged_from"]) == 4
    for key in ("newly_failing", "newly_passing", "cases", "samples", "base", "head"):
        assert both["comparison"][key] == one["comparison"][key]
    assert "merged from 4 shards" in merged.stdout
    validator = jsonschema.Draft202012Validator(load_schema("eval_run"))
    shard_run = json.loads(shard_files[0].read_text())["head"]
    assert list(validator.iter_errors(shard_run)) == [] and list(validator.iter_errors(both["head"])) == []
    assert one["comparison"]["verdict"]["headline"].split(":")[0] in merged.stdout


def test_merge_refuses_missing_duplicate_and_foreign_shards(tmp_path: Path) -> None:
    repo = make(tmp_path)
    files = {}
    for shard in ("1/3", "2/3", "3/3", "1/2"):
        out = tmp_path / f"shard-{shard.replace('/', '-of-')}.json"
        assert (
            run_cli(repo, "eval", "support-agent", *ECHO, "--shard", shard, "--json", str(out)).exit_code == 0
        )
        files[shard] = str(out)
    missing = run_cli(repo, "eval-merge", files["1/3"], files["3/3"])
    assert missing.exit_code == 2
    assert "missing shard(s) 2 of 3" in missing.stderr and files["1/3"] in missing.stderr
    twice = run_cli(repo, "eval-merge", files["1/3"], files["2/3"], files["3/3"], files["1/3"])
    assert twice.exit_code == 2 and "shard 1/3 of head is also in" in twice.stderr
    mixed = run_cli(repo, "eval-merge", files["1/3"], files["2/3"], files["3/3"], files["1/2"])
    assert mixed.exit_code == 2 and "shard count is 2, but" in mixed.stderr

    # the cases file changed between shards: not the same suite
    (repo / AGENT_DIR / "evals" / "cases.yaml").write_text(CASES.replace("question 0 ", "question zero "))
    changed = tmp_path / "changed-2.json"
    assert (
        run_cli(repo, "eval", "support-agent", *ECHO, "--shard", "2/3", "--json", str(changed)).exit_code == 0
    )
    foreign = run_cli(repo, "eval-merge", files["1/3"], str(changed), files["3/3"])
    assert foreign.exit_code == 2
    assert foreign.stderr.startswith(f"promptops: {changed}: error: suite_digest is ")

    not_a_shard = tmp_path / "whole.json"
    assert run_cli(repo, "eval", "support-agent", *ECHO, "--json", str(not_a_shard)).exit_code == 0
    plain = run_cli(repo, "eval-merge", str(not_a_shard))
    assert plain.exit_code == 2 and "is not a shard (run it with --shard I/N)" in plain.stderr
    assert run_cli(repo, "eval", "support-agent", *ECHO, "--shard", "5/4").exit_code == 2
