"""A deployed agent folder with a rollout, as a deploy leaves it on disk."""

from __future__ import annotations

from pathlib import Path

import yaml

STABLE = "You are a support agent. Follow the refund policy.\n"
CANDIDATE = "You are a terse support agent. Follow the refund policy.\n"


def rollout_yaml(weight: float, **extra: object) -> str:
    data = {
        "prompt": "system",
        "candidate": "system.candidate.md",
        "steps": [5, 25, 50, 100],
        "weight": weight,
    }
    data.update(extra)
    return yaml.safe_dump(data, sort_keys=False)


def deploy(root: Path, weight: float | None = 5) -> Path:
    """`root/prompts/support-agent` with system.md, user.md and (unless None) a rollout at `weight`."""
    agent = root / "prompts" / "support-agent"
    agent.mkdir(parents=True, exist_ok=True)
    (agent / "agent.yaml").write_text("id: support-agent\nprompts:\n  system: system.md\n  user: user.md\n")
    (agent / "system.md").write_text(STABLE)
    (agent / "user.md").write_text("{{customer_message}}\n")
    (agent / "system.candidate.md").write_text(CANDIDATE)
    if weight is not None:
        (agent / "rollout.yaml").write_text(rollout_yaml(weight))
    return root / "prompts"
