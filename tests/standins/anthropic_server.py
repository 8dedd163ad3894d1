"""A Messages-API stand-in the real `anthropic` SDK talks to through `base_url`.

Run alone (the benchmark does) with `python -m tests.standins.anthropic_server --delay 0.1`:
it prints its URL on the first line and serves until stdin closes. The Message Batches
endpoints live in `anthropic_batches.py` (`standin.batches`).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tests.standins.anthropic_batches import BatchStore
from tests.standins.base import Reply, ReplyFunction, Routed, StandinServer, approximate_tokens

STANDIN_API_KEY = "sk-ant-standin-secret-0123456789"


def last_user_text(request: dict[str, Any]) -> str:
    """The text of the last user message (string content or its text blocks)."""
    for message in reversed(request.get("messages", [])):
        if message.get("role") != "user":
            continue
        content = message.get("content", "")
        if isinstance(content, str):
            return content
        return "\n".join(str(b.get("text", b.get("content", ""))) for b in content if isinstance(b, dict))
    return ""


def echo_reply(request: dict[str, Any]) -> str:
    """The default deterministic reply: the last user message, prefixed."""
    return f"echo: {last_user_text(request)}"


class AnthropicStandin(StandinServer):
    path = "/v1/messages"

    def __init__(
        self,
        reply: ReplyFunction = echo_reply,
        *,
        api_key: str | None = STANDIN_API_KEY,
        delay_s: float = 0.0,
        batch_delay_s: float = 0.0,
    ) -> None:
        super().__init__(reply, api_key=api_key, delay_s=delay_s)
        self.batches = BatchStore(self, delay_s=batch_delay_s)

    def route(self, method: str, path: str, body: bytes) -> Routed | None:
        return self.batches.route(method, path, body)

    def authorized(self, headers: dict[str, str]) -> bool:
        # SDK 2.x sends the key as a bearer token; older ones as x-api-key.
        sent = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ")
        return self.api_key is None or sent == self.api_key

    def render(self, reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
        n = self.request_count
        content: list[dict[str, Any]] = [{"type": "text", "text": reply.text}] if reply.text else []
        for i, (name, arguments) in enumerate(reply.tool_calls):
            content.append(
                {"type": "tool_use", "id": f"toolu_standin_{n}_{i}", "name": name, "input": arguments}
            )
        stop = reply.stop_reason or ("tool_use" if reply.tool_calls else "end_turn")
        prompt = {"system": request.get("system"), "messages": request.get("messages")}
        return {
            "id": f"msg_standin_{n}",
            "type": "message",
            "role": "assistant",
            "model": request.get("model", ""),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {
                "input_tokens": reply.input_tokens or approximate_tokens(prompt),
                "output_tokens": reply.output_tokens or approximate_tokens(reply.text or content),
            },
        }

    def render_error(self, reply: Reply) -> dict[str, Any]:
        message = {
            "rate_limit_error": "Number of requests has exceeded your rate limit",
            "overloaded_error": "Overloaded",
            "authentication_error": "invalid x-api-key",
            "not_found_error": "model not found",
            "invalid_request_error": "invalid request",
        }.get(reply.error_type, "Internal server error")
        return {"type": "error", "error": {"type": reply.error_type or "api_error", "message": message}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every reply")
    parser.add_argument("--batch-delay", type=float, default=0.0, help="seconds before a batch ends")
    args = parser.parse_args()
    server = AnthropicStandin(delay_s=args.delay, batch_delay_s=args.batch_delay).start()
    print(server.url, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
