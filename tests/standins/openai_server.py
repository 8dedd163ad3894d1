"""An OpenAI-compatible chat-completions stand-in (what Ollama, vLLM or llama.cpp serve)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from tests.standins.base import Reply, ReplyFunction, Routed, StandinServer, approximate_tokens

FINISH_REASONS = {"end_turn": "stop", "max_tokens": "length", "tool_use": "tool_calls"}


def last_user_text(request: dict[str, Any]) -> str:
    for message in reversed(request.get("messages", [])):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""


def echo_reply(request: dict[str, Any]) -> str:
    return f"echo: {last_user_text(request)}"


def word_vector(text: str, dims: int = 64) -> list[float]:
    """A deterministic embedding: hashed word counts, unit length (shared words -> high cosine)."""
    vector = [0.0] * dims
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % dims] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


class OpenAIStandin(StandinServer):
    """Serves `POST /v1/chat/completions` and, unless `embeddings=False`, `POST /v1/embeddings`;
    the provider's base_url is `standin.url + "/v1"`."""

    path = "/v1/chat/completions"

    def __init__(
        self,
        reply: ReplyFunction = echo_reply,
        *,
        api_key: str | None = None,
        delay_s: float = 0.0,
        embeddings: bool = True,
        embed: Callable[[str], list[float]] = word_vector,
    ) -> None:
        super().__init__(reply, api_key=api_key, delay_s=delay_s)
        self.embeddings = embeddings
        self.embed = embed
        self.embedding_requests: list[dict[str, Any]] = []

    def route(self, method: str, path: str, body: bytes) -> Routed | None:
        if not (self.embeddings and method == "POST" and path.rstrip("/") == "/v1/embeddings"):
            return None
        try:
            request = json.loads(body)
        except ValueError:
            return Routed(400, self.render_error(Reply(status=400, error_type="invalid_request_error")))
        return self._embeddings(request)

    def _embeddings(self, request: dict[str, Any]) -> Routed:
        self.embedding_requests.append(request)
        texts = request.get("input")
        texts = [texts] if isinstance(texts, str) else list(texts or [])
        data = [{"object": "embedding", "index": i, "embedding": self.embed(t)} for i, t in enumerate(texts)]
        usage = {"prompt_tokens": sum(approximate_tokens(t) for t in texts), "total_tokens": 0}
        answer = {"object": "list", "data": data, "model": request.get("model", ""), "usage": usage}
        return Routed(200, answer)

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"

    def authorized(self, headers: dict[str, str]) -> bool:
        return self.api_key is None or headers.get("authorization") == f"Bearer {self.api_key}"

    def render(self, reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
        n = self.request_count
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_standin_{n}_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
                for i, (name, arguments) in enumerate(reply.tool_calls)
            ]
        stop = reply.stop_reason or ("tool_use" if reply.tool_calls else "end_turn")
        return {
            "id": f"chatcmpl-standin-{n}",
            "object": "chat.completion",
            "model": request.get("model", ""),
            "choices": [{"index": 0, "message": message, "finish_reason": FINISH_REASONS.get(stop, stop)}],
            "usage": {
                "prompt_tokens": reply.input_tokens or approximate_tokens(request.get("messages")),
                "completion_tokens": reply.output_tokens or approximate_tokens(reply.text or message),
            },
        }

    def render_error(self, reply: Reply) -> dict[str, Any]:
        return {"error": {"type": reply.error_type or "server_error", "message": f"HTTP {reply.status}"}}
