"""Model API stand-ins served on 127.0.0.1 for tests and benchmarks.

Fixtures `anthropic_standin` and `openai_standin` live in `tests.standins.fixtures`
(loaded as a plugin by tests/conftest.py). A stand-in's `reply` attribute is a function
of the request JSON returning a text or a `Reply` (which can also be a fault).
"""

from tests.standins.anthropic_server import STANDIN_API_KEY, AnthropicStandin
from tests.standins.base import Reply
from tests.standins.fixtures import anthropic_provider_config, openai_provider_config
from tests.standins.openai_server import OpenAIStandin

__all__ = [
    "STANDIN_API_KEY",
    "AnthropicStandin",
    "OpenAIStandin",
    "Reply",
    "anthropic_provider_config",
    "openai_provider_config",
]
