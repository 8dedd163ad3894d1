"""Failures of model calls, each saying what the user can do about it.

No message built here or by a provider contains an API key or the request body: they
name the provider, the model, the HTTP status and the request id, nothing the user sent.
"""

from __future__ import annotations

from promptops.errors import InputError, PromptopsError


class LLMError(PromptopsError):
    """One model call failed after the provider's own retries (timeout, dropped connection, 5xx, 429).

    The client fills in `succeeded_calls` (calls of this client that had succeeded when
    this one failed) so a long run's error line says how far it got.
    """

    succeeded_calls: int | None = None
    status: int | None = None  # the provider's HTTP status, when it answered with one

    def __str__(self) -> str:
        text = super().__str__()
        if self.succeeded_calls is None:
            return text
        n = self.succeeded_calls
        return f"{text} ({n} model call{'' if n == 1 else 's'} had succeeded before this one)"


class RateLimited(LLMError):
    """HTTP 429 or 529 still answered after every retry: the provider wants fewer calls."""


class CallTimeout(LLMError):
    """No answer within provider.timeout_s (after retries)."""


class ConnectionFailed(LLMError):
    """The connection was refused or dropped before an answer arrived (after retries)."""


class MissingAPIKey(InputError):
    """No key in the environment variable the provider reads; raised before any work."""


class UnknownProvider(InputError):
    """The configured provider name (or model) is not one promptops or the provider knows."""


class BudgetExceeded(PromptopsError):
    """The next call would pass the budget; callers stop and keep what they have."""


class StructuredOutputError(LLMError):
    """The model's reply did not validate against the schema after the repair attempts."""

    def __init__(self, message: str, raw_text: str) -> None:
        super().__init__(message)
        self.raw_text = raw_text
