"""The Message Batches endpoints of the Anthropic stand-in.

`POST /v1/messages/batches` (create), `GET /v1/messages/batches/{id}` (retrieve),
`GET /v1/messages/batches/{id}/results` (JSONL), `POST /v1/messages/batches/{id}/cancel`.
A batch ends `delay_s` after it was created (or at once when canceled); it expires
`expire_s` after creation, and a batch still processing then ends with every request
`expired`, as the real API does after 24 hours. Each request is answered by the
stand-in's own reply function, so a batched answer equals the direct one; `outcome` can
make single requests `errored` or `expired`. `paid` counts succeeded requests: what the
real API would bill.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tests.standins.base import Routed

if TYPE_CHECKING:
    from tests.standins.anthropic_server import AnthropicStandin

API_MAX_REQUESTS = 100_000
API_MAX_BYTES = 256 * 1024 * 1024
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
ROUTE = re.compile(r"^/v1/messages/batches(?:/(?P<id>[\w-]+)(?P<action>/results|/cancel)?)?/?$")

# (custom_id, params) -> None (answer it), "errored" or "expired"
Outcome = Callable[[str, dict[str, Any]], "str | None"]


@dataclass
class StoredBatch:
    id: str
    requests: list[dict[str, Any]]
    created: float
    cancel_requested: bool = False
    ended: float | None = None
    results: list[dict[str, Any]] = field(default_factory=list)


class BatchStore:
    """The batches one stand-in knows; safe to call from its handler threads."""

    def __init__(
        self,
        standin: AnthropicStandin,
        *,
        delay_s: float = 0.0,
        expire_s: float = 24 * 3600,
        max_requests: int = API_MAX_REQUESTS,
        max_bytes: int = API_MAX_BYTES,
    ) -> None:
        self.standin = standin
        self.delay_s = delay_s
        self.expire_s = expire_s
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.outcome: Outcome = lambda custom_id, params: None
        self.batches: dict[str, StoredBatch] = {}
        self.paid = 0  # succeeded batch requests: what the API bills
        self.creates = 0
        self._lock = threading.Lock()

    def route(self, method: str, path: str, body: bytes) -> Routed | None:
        match = ROUTE.match(path.split("?")[0])
        if match is None:
            return None
        batch_id, action = match["id"], match["action"]
        if batch_id is None:
            return self._create(body) if method == "POST" else _error(405, "invalid_request_error", "list")
        with self._lock:
            batch = self.batches.get(batch_id)
        if batch is None:
            return _error(404, "not_found_error", f"no batch {batch_id}")
        if action == "/cancel" and method == "POST":
            batch.cancel_requested = True
            return Routed(200, self._describe(batch))
        if action == "/results" and method == "GET":
            return self._results(batch)
        return Routed(200, self._describe(batch)) if method == "GET" else None

    def _create(self, body: bytes) -> Routed:
        if len(body) > self.max_bytes:
            return _error(
                413, "request_too_large", f"batch is {len(body)} bytes; the limit is {self.max_bytes}"
            )
        requests = json.loads(body).get("requests", [])
        if not requests or len(requests) > self.max_requests:
            return _error(400, "invalid_request_error", f"requests: 1 to {self.max_requests} per batch")
        ids = [r.get("custom_id", "") for r in requests]
        if len(set(ids)) != len(ids) or not all(CUSTOM_ID.match(i) for i in ids):
            return _error(
                400, "invalid_request_error", "custom_id must be unique and match ^[a-zA-Z0-9_-]{1,64}$"
            )
        with self._lock:
            self.creates += 1
            batch = StoredBatch(f"msgbatch_standin_{self.creates:04d}", requests, time.time())
            self.batches[batch.id] = batch
        return Routed(200, self._describe(batch))

    def _results(self, batch: StoredBatch) -> Routed:
        self._settle(batch)
        if batch.ended is None:
            return _error(400, "invalid_request_error", f"batch {batch.id} is still processing")
        lines = "".join(json.dumps(r) + "\n" for r in batch.results)
        return Routed(200, raw=lines.encode(), content_type="application/binary")

    def _settle(self, batch: StoredBatch) -> None:
        """End the batch when its time has come: answer, expire or cancel each request."""
        with self._lock:
            if batch.ended is not None:
                return
            now = time.time()
            expired = now >= batch.created + self.expire_s and self.delay_s >= self.expire_s
            if not (batch.cancel_requested or expired or now >= batch.created + self.delay_s):
                return
            for request in batch.requests:
                kind = "canceled" if batch.cancel_requested else "expired" if expired else None
                batch.results.append(self._result(request, kind))
            batch.ended = now

    def _result(self, request: dict[str, Any], kind: str | None) -> dict[str, Any]:
        custom_id, params = request["custom_id"], request["params"]
        kind = kind or self.outcome(custom_id, params)
        if kind == "errored":
            error = {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
            return {"custom_id": custom_id, "result": {"type": "errored", "error": error}}
        if kind is not None:
            return {"custom_id": custom_id, "result": {"type": kind}}
        reply = self.standin._next_reply(params)
        if reply.status != 200:
            body = self.standin.render_error(reply)
            return {"custom_id": custom_id, "result": {"type": "errored", "error": body}}
        self.paid += 1
        message = self.standin.render(reply, params)
        return {"custom_id": custom_id, "result": {"type": "succeeded", "message": message}}

    def _describe(self, batch: StoredBatch) -> dict[str, Any]:
        self._settle(batch)
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if batch.ended is None:
            counts["processing"] = len(batch.requests)
        for result in batch.results:
            counts[result["result"]["type"]] += 1
        status = "ended" if batch.ended else "canceling" if batch.cancel_requested else "in_progress"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": _iso(batch.created),
            "expires_at": _iso(batch.created + self.expire_s),
            "ended_at": _iso(batch.ended) if batch.ended else None,
            "cancel_initiated_at": _iso(batch.created) if batch.cancel_requested else None,
            "archived_at": None,
            "results_url": f"{self.standin.url}/v1/messages/batches/{batch.id}/results"
            if batch.ended
            else None,
        }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")


def _error(status: int, kind: str, message: str) -> Routed:
    return Routed(status, {"type": "error", "error": {"type": kind, "message": message}})
