"""Provider implementations. A provider turns one CompletionRequest into one Completion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from promptops.llm.errors import UnknownProvider
from promptops.llm.pricing import PriceTable
from promptops.llm.types import Completion, CompletionRequest

if TYPE_CHECKING:
    from promptops.llm.batches import BatchAPI
    from promptops.llm.settings import ProviderSettings

PROVIDER_NAMES = ("anthropic", "openai", "echo")
DEFAULT_KEY_ENV = "ANTHROPIC_API_KEY"


class Provider(Protocol):
    """The seam every backend implements; caching, limits and budgets sit above it.

    A provider may also set `structured_via_tools = True` (complete_json then forces a
    tool call) and `is_free = True` (no price needed under a USD budget).
    """

    name: str
    base_url: str | None

    async def complete(self, request: CompletionRequest) -> Completion: ...

    async def aclose(self) -> None: ...


def make_provider(settings: ProviderSettings, prices: PriceTable) -> Provider:
    """The provider `settings.name` names; reads its API key now, so a missing one fails first."""
    if settings.name == "anthropic":
        from promptops.llm.providers.anthropic import AnthropicProvider

        return AnthropicProvider(
            prices=prices,
            api_key_env=settings.api_key_env,
            base_url=settings.base_url,
            timeout_s=settings.timeout_s,
            max_retries=settings.max_retries,
        )
    if settings.name == "openai":
        return _openai_provider(settings, prices)
    if settings.name == "echo":
        from promptops.llm.providers.echo import EchoProvider

        return EchoProvider()
    raise UnknownProvider(
        f"unknown provider '{settings.name}' in provider.name; known providers: {', '.join(PROVIDER_NAMES)}"
    )


def batch_api(provider: Provider) -> BatchAPI | None:
    """The provider's Message Batches endpoints; None when it has none (only Anthropic has)."""
    from promptops.llm.providers.anthropic import AnthropicProvider

    if isinstance(provider, AnthropicProvider):
        from promptops.llm.providers.anthropic_batches import AnthropicBatchAPI

        return AnthropicBatchAPI(provider)
    return None


def _openai_provider(settings: ProviderSettings, prices: PriceTable) -> Provider:
    from promptops.errors import ConfigError
    from promptops.llm.providers.openai_compat import OpenAICompatProvider

    if not settings.base_url:
        raise ConfigError(
            "provider.base_url is required for the openai provider, e.g. http://localhost:11434/v1 for Ollama"
        )
    # The default key variable is Anthropic's; never send that key to another server.
    key_env = "OPENAI_API_KEY" if settings.api_key_env == DEFAULT_KEY_ENV else settings.api_key_env
    return OpenAICompatProvider(
        base_url=settings.base_url,
        prices=prices,
        api_key_env=key_env,
        timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
    )
