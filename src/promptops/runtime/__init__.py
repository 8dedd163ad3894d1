"""What an agent imports in production: deployed prompts with their version ids, and a log.

Standard library + pyyaml only, and no git: a deployed checkout or an installed package is
just files. Each prompt knows its version id (the git blob id of its text), so every log line
names the exact prompt text that produced it, and `promptops ab` / `promptops failures` can
map production behaviour back to commits.

    store = PromptStore("prompts")
    system = store.get("support-agent/system")
    user = store.get("support-agent/user_template").render(customer_message=msg)
    log = ExecutionLog("/var/log/agent/executions.jsonl")
    log.record(system, status="success", latency_ms=840, input_tokens=1200, output_tokens=150)

During a canary rollout (`rollout.yaml` beside `agent.yaml`), `store.get(id, key=user_id)`
returns the stable or the candidate text by a stable hash of the key (`promptops.traffic`);
the returned prompt's `.arm` says which, and the log line records it.
"""

from __future__ import annotations

from promptops.runtime.loading import BrokenAgent, DeployedAgents, load_deployed_agents
from promptops.runtime.log import STATUSES, ExecutionLog
from promptops.runtime.prompts import (
    DeployedPrompt,
    LoggablePrompt,
    MissingVariable,
    PromptNotFound,
    PromptStoreError,
)
from promptops.runtime.rollouts import RolloutSplit
from promptops.runtime.store import PromptStore

__all__ = [
    "STATUSES",
    "BrokenAgent",
    "DeployedAgents",
    "DeployedPrompt",
    "ExecutionLog",
    "LoggablePrompt",
    "MissingVariable",
    "PromptNotFound",
    "PromptStore",
    "PromptStoreError",
    "RolloutSplit",
    "load_deployed_agents",
]
