"""Execution logs written the way production writes them: through promptops.runtime."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from promptops.runtime import DeployedPrompt, ExecutionLog, PromptStore

START = datetime(2026, 11, 1, tzinfo=UTC)


def deploy(folder: Path, system_text: str) -> DeployedPrompt:
    """A deployed support-agent whose system prompt is `system_text`."""
    (folder / "support-agent").mkdir(parents=True, exist_ok=True)
    (folder / "support-agent" / "agent.yaml").write_text("prompts: {system: system.md}\n")
    (folder / "support-agent" / "system.md").write_text(system_text)
    return PromptStore(folder).get("support-agent/system")


@dataclass
class ABLogs:
    path: Path
    base: DeployedPrompt
    cand: DeployedPrompt


def write_ab_logs(tmp: Path, calls: int, p_base: float, p_cand: float, seed: int = 0) -> ABLogs:
    """`calls` calls split at random between two versions, one minute apart from START."""
    base = deploy(tmp / "v1", "You are a support agent.\n")
    cand = deploy(tmp / "v2", "You are a concise support agent.\n")
    log = ExecutionLog(tmp / "exec.jsonl")
    rng = random.Random(seed)
    for i in range(calls):
        prompt, p = (base, p_base) if rng.random() < 0.5 else (cand, p_cand)
        ok = rng.random() < p
        log.record(
            prompt,
            status="success" if ok else "failed",
            latency_ms=rng.uniform(500, 1500) * (0.8 if prompt is cand else 1.0),
            input_tokens=rng.randint(900, 1100),
            output_tokens=rng.randint(100, 200),
            error_type=None if ok else rng.choice(["Timeout", "ToolError"]),
            error_message=None if ok else f"order {rng.randint(1000, 9999)} lookup failed after {i} ms",
            request_id=f"req-{i}",
            timestamp=START + timedelta(minutes=i),
        )
    return ABLogs(tmp / "exec.jsonl", base, cand)
