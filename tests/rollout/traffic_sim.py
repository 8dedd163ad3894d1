"""Production traffic simulated through the real runtime: PromptStore picks the arm by the
user's key, the agent 'succeeds' with the arm's true rate, ExecutionLog writes the line."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

from promptops.runtime import ExecutionLog, PromptStore
from promptops.traffic import CANDIDATE


def serve(
    prompts: Path,
    log_path: Path,
    calls: int,
    *,
    start: datetime,
    success: dict[str, float],
    latency: dict[str, float] | None = None,
    seed: int = 0,
    users: int = 50_000,
) -> dict[str, int]:
    """Serve `calls` calls (one per second from `start`); returns calls per arm."""
    rng = random.Random(seed)
    store = PromptStore(prompts)
    log = ExecutionLog(log_path)
    latency = latency or {}
    served = {"stable": 0, "candidate": 0}
    for i in range(calls):
        prompt = store.get("support-agent/system", key=f"user-{rng.randrange(users)}")
        ok = rng.random() < success[prompt.arm]
        mean = latency.get(prompt.arm, 800.0)
        log.record(
            prompt,
            status="success" if ok else "failed",
            error_type=None if ok else "WrongAnswer",
            latency_ms=max(1.0, rng.gauss(mean, mean / 4)),
            input_tokens=1200,
            output_tokens=150 if prompt.arm == CANDIDATE else 160,
            timestamp=start + timedelta(seconds=i),
        )
        served[prompt.arm] += 1
    return served
