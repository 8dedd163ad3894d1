"""The echo provider: the rendered prompt comes back as the output.

For dry runs and the offline demo: deterministic, free, no network. Token counts are
tiktoken's so conciseness comparisons still mean something.
"""

from __future__ import annotations

from promptops.llm.types import Completion, CompletionRequest
from promptops.repo.tokens import count_tokens


def render_transcript(request: CompletionRequest) -> str:
    """The whole request as plain text: system, tools, then each message."""
    parts = [request.system] if request.system else []
    parts += [f"[tool {t.name}] {t.description}" for t in request.tools]
    for message in request.messages:
        content = message.get("content", "")
        if isinstance(content, list):
            content = "\n".join(str(block.get("text", "")) for block in content)
        parts.append(str(content))
    return "\n\n".join(parts)


class EchoProvider:
    name = "echo"
    base_url: str | None = None
    is_free = True

    async def complete(self, request: CompletionRequest) -> Completion:
        text = render_transcript(request)
        tokens = count_tokens(text)
        return Completion(
            text=text,
            input_tokens=tokens,
            output_tokens=tokens,
            stop_reason="end_turn",
            provider=self.name,
            model=request.model,
        )

    async def aclose(self) -> None:
        return None
