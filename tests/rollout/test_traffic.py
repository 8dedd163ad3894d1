"""The runtime's traffic split: sticky, monotonic in the weight, the right share, the same in
every process, and picked up on reload."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from promptops.runtime import ExecutionLog, PromptStore
from promptops.traffic import CANDIDATE, STABLE, choose_arm, position, rollout_id
from promptops.version_ids import version_id
from tests.rollout.agents import CANDIDATE as CANDIDATE_TEXT
from tests.rollout.agents import STABLE as STABLE_TEXT
from tests.rollout.agents import deploy, rollout_yaml

ROLLOUT = rollout_id("support-agent/system", version_id(CANDIDATE_TEXT))
SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_a_user_stays_on_one_arm_and_raising_the_weight_only_moves_users_to_the_candidate() -> None:
    keys = [f"user-{i}" for i in range(5_000)]
    arms = {w: [choose_arm(ROLLOUT, w, k) for k in keys] for w in (5, 25, 50, 100)}
    for low, high in ((5, 25), (25, 50), (50, 100)):
        moved_back = [
            k for k, a, b in zip(keys, arms[low], arms[high], strict=True) if a == CANDIDATE and b == STABLE
        ]
        assert moved_back == []
    assert [choose_arm(ROLLOUT, 25, k) for k in keys] == arms[25]  # sticky: the same on every call
    assert all(choose_arm(ROLLOUT, 0, k) == STABLE for k in keys[:100])


@pytest.mark.parametrize("weight", [5, 25, 50])
def test_the_candidate_share_matches_the_weight_over_100000_keys(weight: int) -> None:
    n = 100_000
    share = sum(choose_arm(ROLLOUT, weight, f"acct-{i}") == CANDIDATE for i in range(n)) / n
    p = weight / 100
    assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_another_candidate_reshuffles_users() -> None:
    other = rollout_id("support-agent/system", version_id("Another candidate.\n"))
    keys = [f"user-{i}" for i in range(2_000)]
    same = sum(position(ROLLOUT, k) < 25 and position(other, k) < 25 for k in keys)
    assert 0.03 * len(keys) < same < 0.10 * len(keys)  # independent: about 25% of 25%


def test_two_processes_agree_on_every_key(tmp_path: Path) -> None:
    prompts = deploy(tmp_path, weight=25)
    code = (
        "import json, sys; from promptops.runtime import PromptStore; "
        f"s = PromptStore({str(prompts)!r}); "
        "print(json.dumps([s.get('support-agent/system', key=f'u{i}').arm for i in range(2000)]))"
    )
    env = {**os.environ, "PYTHONPATH": SRC, "PYTHONHASHSEED": "random"}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(2)
    ]
    here = [PromptStore(prompts).get("support-agent/system", key=f"u{i}").arm for i in range(2000)]
    assert runs[0] == runs[1] == here
    assert 0.2 < here.count(CANDIDATE) / 2000 < 0.3


def test_get_returns_the_candidate_text_with_its_version_and_arm(tmp_path: Path) -> None:
    store = PromptStore(deploy(tmp_path, weight=50))
    served = {store.get("support-agent/system", key=f"u{i}") for i in range(200)}
    by_arm = {p.arm: p for p in served}
    assert by_arm[CANDIDATE].text == CANDIDATE_TEXT
    assert by_arm[CANDIDATE].version_id == version_id(CANDIDATE_TEXT)
    assert by_arm[STABLE].text == STABLE_TEXT
    assert by_arm[CANDIDATE].id == by_arm[STABLE].id == "support-agent/system"
    assert store.get("support-agent/user", key="u1").arm == STABLE  # other prompts are not split
    assert store.rollouts["support-agent/system"].weight == 50


def test_without_a_key_each_call_is_drawn_at_random(tmp_path: Path) -> None:
    store = PromptStore(deploy(tmp_path, weight=50))
    arms = [store.get("support-agent/system").arm for _ in range(2_000)]
    assert 800 < arms.count(CANDIDATE) < 1200


def test_reload_picks_up_a_new_weight(tmp_path: Path) -> None:
    prompts = deploy(tmp_path, weight=5)
    store = PromptStore(prompts)
    keys = [f"u{i}" for i in range(2_000)]
    before = sum(store.get("support-agent/system", key=k).arm == CANDIDATE for k in keys)
    (prompts / "support-agent" / "rollout.yaml").write_text(rollout_yaml(50))
    assert sum(store.get("support-agent/system", key=k).arm == CANDIDATE for k in keys) == before
    store.reload()
    after = sum(store.get("support-agent/system", key=k).arm == CANDIDATE for k in keys)
    assert before < 200 < 800 < after


def test_reload_interval_notices_a_changed_file_by_itself(tmp_path: Path) -> None:
    prompts = deploy(tmp_path, weight=5)
    store = PromptStore(prompts, reload_interval=0.0)
    (prompts / "support-agent" / "rollout.yaml").write_text(rollout_yaml(100))
    os.utime(prompts / "support-agent" / "rollout.yaml", ns=(time.time_ns() + 10**9,) * 2)
    assert store.get("support-agent/system", key="anyone").arm == CANDIDATE
    (prompts / "support-agent" / "rollout.yaml").unlink()  # promoted and cleaned up: no split
    assert store.get("support-agent/system", key="anyone").arm == STABLE


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("weight: [", "cannot read rollout.yaml"),
        (rollout_yaml(5, prompt="nope"), "prompt: 'nope' is not a prompt of the agent"),
        (rollout_yaml(150), "weight: expected a number from 0 to 100"),
        (rollout_yaml(5, candidate="../../etc/passwd"), "must be a file inside"),
    ],
)
def test_a_bad_rollout_file_serves_the_stable_prompt_and_says_why(
    tmp_path: Path, text: str, problem: str
) -> None:
    prompts = deploy(tmp_path, weight=None)
    (prompts / "support-agent" / "rollout.yaml").write_text(text)
    store = PromptStore(prompts)
    assert {store.get("support-agent/system", key=f"u{i}").arm for i in range(100)} == {STABLE}
    [(path, message)] = store.rollout_errors.items()
    assert path.endswith("rollout.yaml") and problem in message


def test_the_log_line_records_the_arm_and_an_optional_score(tmp_path: Path) -> None:
    store = PromptStore(deploy(tmp_path, weight=100))
    log = ExecutionLog(tmp_path / "calls.jsonl")
    prompt = store.get("support-agent/system", key="u1")
    log.record(prompt, status="success", latency_ms=12, input_tokens=5, output_tokens=3, score=0.75)
    log.record(
        store.get("support-agent/user"), status="success", latency_ms=12, input_tokens=5, output_tokens=3
    )
    first, second = (json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines())
    assert (first["arm"], first["score"], first["version_id"]) == (
        CANDIDATE,
        0.75,
        version_id(CANDIDATE_TEXT),
    )
    assert second["arm"] == STABLE and "score" not in second
    with pytest.raises(ValueError, match="score must be a number from 0 to 1"):
        log.record(prompt, status="success", latency_ms=1, input_tokens=1, output_tokens=1, score=1.5)
    assert len((tmp_path / "calls.jsonl").read_text().splitlines()) == 2


def test_the_current_opentelemetry_span_gets_the_prompt_version_and_arm(tmp_path: Path) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    store = PromptStore(deploy(tmp_path, weight=100))
    with provider.get_tracer("agent").start_as_current_span("answer"):
        store.get("support-agent/system", key="u1")
    [span] = exporter.get_finished_spans()
    assert span.attributes["promptops.prompt.id"] == "support-agent/system"
    assert span.attributes["promptops.prompt.version_id"] == version_id(CANDIDATE_TEXT)
    assert span.attributes["promptops.prompt.arm"] == CANDIDATE
