"""A canary rollout as the runtime reads it: `rollout.yaml` beside `agent.yaml` names the
prompt, the candidate file and the candidate's share of traffic (`promptops.traffic` splits)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import yaml

from promptops.runtime.loading import DeployedAgents, load_prompt
from promptops.runtime.prompts import DeployedPrompt, PromptStoreError
from promptops.traffic import CANDIDATE, rollout_id


@dataclass(frozen=True)
class RolloutSplit:
    """A running rollout as the runtime sees it: the candidate text and its share of traffic."""

    prompt_id: str
    weight: float
    rollout: str  # the id the split is hashed under (prompt id and candidate version)
    candidate: DeployedPrompt


def load_rollouts(agents: DeployedAgents) -> tuple[dict[str, RolloutSplit], dict[str, str]]:
    """(splits by prompt id, rollout files that could not be used with why) for the agents
    served; a bad rollout file leaves its prompt on the stable text."""
    rollouts: dict[str, RolloutSplit] = {}
    errors: dict[str, str] = {}
    for agent, folder in sorted(agents.folders.items()):
        rollout_file = folder / "rollout.yaml"
        if not rollout_file.is_file():
            continue
        by_name = {p.name: p for p in agents.prompts.values() if p.agent == agent}
        try:
            split = _load_rollout(rollout_file, by_name)
            rollouts[split.prompt_id] = split
        except PromptStoreError as exc:  # serve stable: a bad rollout must not take the agent down
            errors[str(rollout_file)] = str(exc)
    return rollouts, errors


def _load_rollout(rollout_file: Path, prompts: dict[str, DeployedPrompt]) -> RolloutSplit:
    """The split `rollout.yaml` asks for; `prompts` are the agent's, by name."""
    try:
        spec = yaml.safe_load(rollout_file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PromptStoreError(f"{rollout_file}: cannot read rollout.yaml: {exc}") from None
    if not isinstance(spec, dict):
        raise PromptStoreError(f"{rollout_file}: expected a mapping")
    stable = prompts.get(str(spec.get("prompt")))
    if stable is None:
        raise PromptStoreError(f"{rollout_file}: prompt: {spec.get('prompt')!r} is not a prompt of the agent")
    weight = spec.get("weight")
    if type(weight) not in (int, float) or not 0 <= weight <= 100:
        raise PromptStoreError(f"{rollout_file}: weight: expected a number from 0 to 100, got {weight!r}")
    loaded = load_prompt(rollout_file, stable.agent, stable.name, "candidate", spec.get("candidate"))
    candidate = dataclasses.replace(loaded, arm=CANDIDATE)
    return RolloutSplit(stable.id, float(weight), rollout_id(stable.id, candidate.version_id), candidate)
