"""The dashboard as records: what is true of every prompt on the default branch right now.

Everything here is gathered (`gather`) and then rendered (`render`, the CLI's terminal
view, `to_json`); no record holds formatting. A field that could not be known is None or
an explicit note, never a guess: local mode without a token has no pull request data, and
says so in `pulls_note` instead of showing "no open PRs".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from promptops.charts import VersionPoint
from promptops.dashboard.actions import Action


@dataclass(frozen=True)
class LastEval:
    """The newest eval note on the default branch for a prompt, and what it measured."""

    version: int | None  # vN the note belongs to (may be older than the current version)
    commit: str
    date: str
    pass_rate: float
    low: float  # 95% interval: the eval's own, else Wilson over cases x repeats
    high: float
    cases: int
    repeats: int
    model: str
    verdict: str | None
    goal: str | None


@dataclass(frozen=True)
class PromptPull:
    """An open promptops pull request that changes one prompt."""

    number: int
    url: str
    title: str
    goal: str  # an optimize goal, or "rollback" / "rollout"
    verdict: str  # from the eval note on its head commit, or why there is none
    draft: bool


@dataclass(frozen=True)
class RolloutState:
    """A canary rollout running on the default branch."""

    candidate: str  # repository-relative path of the candidate file
    candidate_version: str
    weight: float
    step: int | None  # 1-based position of `weight` in `steps`; None when off the ladder
    steps: tuple[float, ...]
    since: str | None  # when the current step began (commit date)


@dataclass(frozen=True)
class LastDeploy:
    """The commit of the default branch that deployed the current version."""

    version: int | None
    commit: str
    date: str
    pr: int | None
    recorded: bool  # `promptops ci` wrote a deployment note for it


@dataclass(frozen=True)
class IgnoredGoal:
    """A goal a maintainer declined for the current version by closing its PR unmerged."""

    goal: str
    pr: int | None
    by: str
    at: str


@dataclass(frozen=True)
class PromptState:
    prompt_id: str
    type: str
    path: str
    version: int | None
    version_id: str
    tokens: int
    last_eval: LastEval | None
    last_deploy: LastDeploy | None
    rollout: RolloutState | None
    pulls: tuple[PromptPull, ...]
    lock: int | None  # the open optimize PR that keeps other goals of this prompt waiting
    ignored: tuple[IgnoredGoal, ...]
    actions: tuple[Action, ...]
    points: tuple[VersionPoint, ...] = ()  # newest versions on the default branch, oldest first


@dataclass(frozen=True)
class AgentState:
    agent_id: str
    prompts: tuple[PromptState, ...]
    actions: tuple[Action, ...]  # re-evaluate the agent


@dataclass(frozen=True)
class Dashboard:
    repository: str | None
    branch: str
    commit: str
    agents: tuple[AgentState, ...]
    pulls_note: str | None  # why there is no PR data (local mode without a token); None: read
    other_pulls: tuple[PromptPull, ...] = field(default=())  # promptops PRs of no current prompt

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pulls_known"] = self.pulls_note is None  # for scripts: were pull requests read
        for agent, raw in zip(self.agents, data["agents"], strict=True):
            raw["actions"] = [a.to_json() for a in agent.actions]
            for prompt, raw_prompt in zip(agent.prompts, raw["prompts"], strict=True):
                raw_prompt["actions"] = [a.to_json() for a in prompt.actions]
                raw_prompt["version"] = f"v{prompt.version}" if prompt.version else None
        return data
