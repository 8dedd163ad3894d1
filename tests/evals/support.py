"""An agent repository and a scripted in-process provider for eval tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from promptops.config import load_config
from promptops.llm.client import LLMClient
from promptops.llm.errors import LLMError
from promptops.llm.types import Completion, CompletionRequest
from promptops.repo.agents import Agent, load_agent
from tests.gitrepo import commit, make_repo
from tests.repo.samples import support_agent

AGENT_DIR = "prompts/support-agent"


def agent_repo(tmp_path: Path, cases: str, extra: dict[str, str] | None = None) -> Path:
    """A git repository holding support-agent with `cases` as its cases file, committed."""
    repo = make_repo(tmp_path)
    files = {**support_agent(), f"{AGENT_DIR}/evals/cases.yaml": cases, **(extra or {})}
    commit(repo, files, "add support-agent")
    return repo


def agent_at(repo: Path, ref: str | None = None) -> Agent:
    return load_agent(load_config(repo), "support-agent", ref=ref)


Reply = Callable[[CompletionRequest], Completion | str]


class ScriptedProvider:
    """Replies with `reply(request)` (a str becomes the text); a reply of LLMError raises it."""

    name = "scripted"
    base_url = None

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests: list[CompletionRequest] = []

    async def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        out = self.reply(request)
        if isinstance(out, LLMError):
            raise out
        return (
            Completion(text=out, input_tokens=10, output_tokens=5, latency_ms=12.0)
            if isinstance(out, str)
            else out
        )

    async def aclose(self) -> None:
        return None


def scripted_client(reply: Reply, max_concurrency: int = 4) -> tuple[LLMClient, ScriptedProvider]:
    provider = ScriptedProvider(reply)
    return LLMClient(provider=provider, max_concurrency=max_concurrency), provider


def last_user(request: CompletionRequest) -> str:
    return str([m for m in request.messages if m["role"] == "user"][-1]["content"])
