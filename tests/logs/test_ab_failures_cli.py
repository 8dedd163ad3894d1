"""`promptops ab` and `promptops failures` on logs written by promptops.runtime."""

import gzip
import json
import shutil
from pathlib import Path

from tests.conftest import run_cli
from tests.logs.logfiles import write_ab_logs


def test_ab_finds_a_real_improvement_in_runtime_logs(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 6000, 0.80, 0.88)
    result = run_cli(
        tmp_path,
        "ab",
        "support-agent/system",
        "--logs",
        str(logs.path),
        "--baseline",
        logs.base.version_id[:8],
        "--candidate",
        logs.cand.version_id[:8],
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "support-agent/system: improvement"
    assert f"baseline {logs.base.version_id[:10]}" in out and f"candidate {logs.cand.version_id[:10]}" in out
    assert "always-valid p" in out and "mixture SPRT" in out


def test_ab_json_agrees_with_the_lines_written(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 800, 0.8, 0.8, seed=3)
    lines = [json.loads(x) for x in logs.path.read_text().splitlines()]
    base_lines = [x for x in lines if x["version_id"] == logs.base.version_id]
    result = run_cli(
        tmp_path,
        "ab",
        "support-agent/system",
        "--logs",
        str(logs.path),
        "--json",
        "--baseline",
        logs.base.version_id,
        "--candidate",
        logs.cand.version_id,
    )
    report = json.loads(result.stdout)
    assert report["outcome"] == "inconclusive"
    assert report["baseline"]["n"] == len(base_lines)
    assert report["baseline"]["success"]["successes"] == sum(x["status"] == "success" for x in base_lines)
    mean = sum(x["latency_ms"] for x in base_lines) / len(base_lines)
    assert abs(report["baseline"]["latency_mean_ms"] - mean) < 1e-6
    latencies = sorted(x["latency_ms"] for x in base_lines)
    assert abs(report["baseline"]["latency_p50_ms"] / latencies[len(latencies) // 2] - 1) < 0.01
    assert report["read"]["records"] == 800


def test_ab_reads_several_files_gzip_and_since(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 1000, 0.8, 0.8, seed=4)
    text = logs.path.read_bytes().splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz"
    first.write_bytes(b"".join(text[:500]) + b"garbage\n")
    second.write_bytes(gzip.compress(b"".join(text[500:])))
    args = [
        "ab",
        "support-agent/system",
        "--baseline",
        logs.base.version_id[:6],
        "--candidate",
        logs.cand.version_id[:6],
        "--json",
        "--logs",
        str(first),
        str(second),
    ]
    report = json.loads(run_cli(tmp_path, *args).stdout)
    assert report["read"]["records"] == 1000 and report["read"]["bad_lines"] == 1
    assert report["read"]["bad_examples"] == ["a.jsonl:501: not valid JSON"]
    assert any("1 bad line skipped" in r for r in report["reasons"])
    later = json.loads(run_cli(tmp_path, *args, "--since", "2026-11-01T10:00:00Z").stdout)
    assert later["read"]["records"] == 400 and later["read"]["before_since"] == 600
    strict = run_cli(tmp_path, *args, "--strict")
    assert strict.exit_code == 2 and "a.jsonl:501: error: bad log line: not valid JSON" in strict.stderr


def test_ab_names_the_versions_seen_when_one_has_no_lines(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 200, 0.8, 0.8)
    result = run_cli(
        tmp_path,
        "ab",
        "support-agent/system",
        "--logs",
        str(logs.path),
        "--baseline",
        logs.base.version_id[:7],
        "--candidate",
        "0000000",
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert "--candidate 0000000: no log lines for this version of support-agent/system" in result.stderr
    assert logs.base.version_id[:12] in result.stderr and logs.cand.version_id[:12] in result.stderr


def test_ab_refuses_bad_ids_and_missing_logs(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 10, 0.8, 0.8)
    common = ["--baseline", "ab", "--candidate", "cd"]
    escaping = run_cli(tmp_path, "ab", "../etc/passwd", "--logs", str(logs.path), *common)
    assert escaping.exit_code == 2 and "must not contain '..'" in escaping.stderr
    absolute = run_cli(tmp_path, "ab", "/etc/passwd", "--logs", str(logs.path), *common)
    assert absolute.exit_code == 2 and "must not be an absolute path" in absolute.stderr
    no_logs = run_cli(tmp_path, "ab", "support-agent/system", *common)
    assert no_logs.exit_code == 2 and "no logs given" in no_logs.stderr
    missing = run_cli(tmp_path, "ab", "support-agent/system", "--logs", str(tmp_path / "x.jsonl"), *common)
    assert missing.exit_code == 2 and "log file not found" in missing.stderr
    same = run_cli(
        tmp_path,
        "ab",
        "support-agent/system",
        "--logs",
        str(logs.path),
        "--baseline",
        "abc",
        "--candidate",
        "ab",
    )
    assert same.exit_code == 2 and "name the same version" in same.stderr


def test_ab_uses_the_repositorys_alpha(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path / "logs", 3000, 0.80, 0.86, seed=5)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".promptops.yaml").write_text("decision: {alpha: 0.0000001}\n")
    shutil.copy(logs.path, repo / "exec.jsonl")
    args = [
        "ab",
        "support-agent/system",
        "--logs",
        "exec.jsonl",
        "--json",
        "--baseline",
        logs.base.version_id,
        "--candidate",
        logs.cand.version_id,
    ]
    strict_alpha = json.loads(run_cli(repo, *args).stdout)
    assert strict_alpha["alpha"] == 0.0000001 and strict_alpha["outcome"] == "inconclusive"


def test_failures_groups_by_type_and_message_shape(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 500, 0.7, 0.7, seed=6)
    lines = [json.loads(x) for x in logs.path.read_text().splitlines()]
    failed = [x for x in lines if x["status"] == "failed"]
    result = run_cli(tmp_path, "failures", "support-agent/system", "--logs", str(logs.path), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["calls"] == 500 and report["failures"] == len(failed)
    groups = {g["error_type"]: g for g in report["groups"]}
    assert set(groups) == {"Timeout", "ToolError"}
    timeouts = [x for x in failed if x["error_type"] == "Timeout"]
    assert groups["Timeout"]["count"] == len(timeouts)
    assert groups["Timeout"]["pattern"] == "order <n> lookup failed after <n> ms"
    assert groups["Timeout"]["last_seen"].startswith(timeouts[-1]["timestamp"][:16])
    assert groups["Timeout"]["example"] == timeouts[-1]["error_message"]
    text = run_cli(
        tmp_path, "failures", "support-agent/system", "--logs", str(logs.path), "--top", "1"
    ).stdout
    assert f"{len(failed):,} failed of 500 calls" in text
    assert "and 1 more group(s)" in text


def test_failures_since_limits_to_recent_lines(tmp_path: Path) -> None:
    logs = write_ab_logs(tmp_path, 300, 0.5, 0.5, seed=7)
    report = json.loads(
        run_cli(
            tmp_path,
            "failures",
            "support-agent/system",
            "--logs",
            str(logs.path),
            "--since",
            "2026-11-01T04:00:00Z",
            "--json",
        ).stdout
    )
    assert report["calls"] == 60


def test_ab_refuses_a_prefix_that_matches_several_versions(tmp_path: Path) -> None:
    line = {
        "timestamp": "2026-11-25T10:00:00Z",
        "agent": "a",
        "prompt_id": "a/system",
        "status": "success",
        "latency_ms": 1.0,
        "input_tokens": 1,
        "output_tokens": 1,
    }
    log = tmp_path / "x.jsonl"
    log.write_text(
        "".join(json.dumps({**line, "version_id": v}) + "\n" for v in ("abc123", "abc456", "def789"))
    )
    result = run_cli(
        tmp_path, "ab", "a/system", "--logs", "x.jsonl", "--baseline", "abc", "--candidate", "def"
    )
    assert result.exit_code == 2
    assert "--baseline abc matches several versions (abc123, abc456); give more of the id" in result.stderr
