"""Embeddings for `similar`: an OpenAI-compatible `POST /embeddings` (OpenAI, Ollama, vLLM, LM Studio).

The Messages API has no embeddings endpoint, so an Anthropic-only setup gets one clear
error per `similar` assertion saying what to configure, never a silent pass. Vectors are
kept in memory per (model, text): a suite compares the same expected texts many times.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from promptops.config import Config
from promptops.llm.errors import CallTimeout, ConnectionFailed, LLMError
from promptops.llm.providers.retry import backoff_seconds, retry_after_seconds

if TYPE_CHECKING:
    import httpx2


class EmbeddingsUnavailable(LLMError):
    """No embeddings endpoint is configured, or the server has none."""


@dataclass(frozen=True)
class EmbeddingSettings:
    base_url: str | None
    model: str | None
    api_key_env: str | None
    timeout_s: float = 60.0
    max_retries: int = 4
    provider_name: str = ""  # for the error when no endpoint is configured


def embedding_settings(config: Config) -> EmbeddingSettings:
    """`evals.embeddings`, falling back to provider.base_url when the provider is OpenAI-compatible."""
    section = config.get("evals.embeddings") or {}
    provider = config.get("provider")
    base_url = section.get("base_url") or (provider["base_url"] if provider["name"] == "openai" else None)
    return EmbeddingSettings(
        base_url=base_url,
        model=section.get("model"),
        api_key_env=section.get("api_key_env"),
        timeout_s=float(provider["timeout_s"]),
        max_retries=int(provider["max_retries"]),
        provider_name=str(provider["name"]),
    )


@dataclass
class EmbeddingClient:
    settings: EmbeddingSettings
    _vectors: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    _client: httpx2.AsyncClient | None = None
    calls: int = 0

    async def embed(self, texts: list[str], model: str | None = None) -> list[list[float]]:
        """One vector per text, from the cache or one `/embeddings` call for the missing ones."""
        model = model or self.settings.model
        if not self.settings.base_url:
            raise EmbeddingsUnavailable(
                f"`similar` needs an embeddings endpoint; provider {self.settings.provider_name!r} has "
                "none configured: set evals.embeddings.base_url to an OpenAI-compatible server "
                "(for example http://localhost:11434/v1) and evals.embeddings.model"
            )
        if not model:
            raise EmbeddingsUnavailable(
                "`similar` needs an embedding model: set evals.embeddings.model (or the assertion's provider)"
            )
        missing = list(dict.fromkeys(t for t in texts if (model, t) not in self._vectors))
        if missing:
            for text, vector in zip(missing, await self._request(missing, model), strict=True):
                self._vectors[(model, text)] = vector
        return [self._vectors[(model, t)] for t in texts]

    async def _request(self, texts: list[str], model: str) -> list[list[float]]:
        import httpx2  # the HTTP stack loads with the first request, not with every suite

        where = f"embeddings server ({self.settings.base_url}, model {model})"
        failure: LLMError = LLMError(f"{where}: no attempt made")
        for attempt in range(self.settings.max_retries + 1):
            delay = None
            try:
                response = await self._http().post("/embeddings", json={"model": model, "input": texts})
            except httpx2.TimeoutException:
                failure = CallTimeout(f"{where}: no answer within {self.settings.timeout_s:g} s")
            except httpx2.TransportError:
                failure = ConnectionFailed(f"{where}: connection failed or dropped")
            else:
                self.calls += 1
                if response.status_code == 200:
                    return _vectors(response, where, len(texts))
                if response.status_code in (404, 405):
                    raise EmbeddingsUnavailable(
                        f"{where}: the server has no /embeddings endpoint or does not know the model "
                        f"(HTTP {response.status_code})"
                    )
                failure = LLMError(f"{where}: the call failed (HTTP {response.status_code})")
                if response.status_code not in (408, 409, 429) and response.status_code < 500:
                    raise failure
                delay = retry_after_seconds(response.headers)
            if attempt < self.settings.max_retries:
                await asyncio.sleep(delay if delay is not None else backoff_seconds(attempt))
        raise failure

    def _http(self) -> httpx2.AsyncClient:
        import httpx2

        from promptops.llm.providers.tls import shared_ssl_context

        if self._client is None:
            key_env = self.settings.api_key_env
            key = os.environ.get(key_env, "").strip() if key_env else ""
            self._client = httpx2.AsyncClient(
                base_url=str(self.settings.base_url).rstrip("/"),
                headers={"authorization": f"Bearer {key}"} if key else {},
                timeout=self.settings.timeout_s,
                verify=shared_ssl_context(),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _vectors(response: httpx2.Response, where: str, expected: int) -> list[list[float]]:
    try:
        items = sorted(response.json()["data"], key=lambda item: item.get("index", 0))
        vectors = [[float(x) for x in item["embedding"]] for item in items]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise LLMError(f"{where}: the answer is not embeddings JSON") from None
    if len(vectors) != expected:
        raise LLMError(f"{where}: asked for {expected} vectors, got {len(vectors)}")
    return vectors
