"""Rendering a case into the request the agent would send in production.

Order of the conversation: the system prompt and tool definitions, the few-shot examples
as prior user/assistant turns, the case's own prior turns, then the user template filled
with the case's vars. An `assistant_template`, when the agent has one, is rendered too and
sent as the start of the assistant's reply (a prefill); the output judged is prefill + reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from promptops.errors import InputError
from promptops.evals.cases import Case, templates_of
from promptops.evals.template import render_template
from promptops.llm.types import CompletionRequest, ToolSpec

if TYPE_CHECKING:
    from promptops.repo.agents import Agent


@dataclass(frozen=True)
class RenderedCase:
    request: CompletionRequest
    prefill: str  # the rendered assistant_template, "" when the agent has none


def render_case(agent: Agent, case: Case, *, model: str, repeat_index: int = 0) -> RenderedCase:
    """The request for one sample of one case; InputError when a var is missing."""
    templates = templates_of(agent)
    user = _fill(templates["user_template"], case, agent, "user_template")
    prefill = _fill(templates.get("assistant_template", ""), case, agent, "assistant_template")
    messages: list[dict[str, Any]] = []
    for example in agent.examples:
        messages += [
            {"role": "user", "content": example.user},
            {"role": "assistant", "content": example.assistant},
        ]
    messages += [{"role": m["role"], "content": m["content"]} for m in case.messages]
    messages.append({"role": "user", "content": user})
    if prefill:
        messages.append({"role": "assistant", "content": prefill})
    system = agent.prompts["system"].text if "system" in agent.prompts else ""
    request = CompletionRequest(
        model=model,
        system=system,
        messages=tuple(messages),
        tools=tuple(ToolSpec(t.name, t.description, t.input_schema) for t in agent.tools),
        params=dict(agent.params),
        sample=repeat_index,
    )
    return RenderedCase(request=request, prefill=prefill)


def _fill(template: str, case: Case, agent: Agent, name: str) -> str:
    try:
        return render_template(template, case.vars)
    except KeyError as exc:
        raise InputError(
            f"case {case.id!r} lacks var {exc.args[0]!r}, which {agent.id}/{name} uses "
            f"(add it to the case's vars or to defaults.vars)"
        ) from None
