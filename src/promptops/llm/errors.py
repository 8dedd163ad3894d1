"""Failures of model calls, each saying what the user can do about it."""

from __future__ import annotations

from promptops.errors import InputError, PromptopsError


class LLMError(PromptopsError):
    """A model call failed after the provider's own retries."""


class MissingAPIKey(InputError):
    """No key in the environment variable the provider reads; raised before any work."""


class UnknownProvider(InputError):
    """The configured provider name is not one promptops knows."""


class BudgetExceeded(PromptopsError):
    """The next call would pass the budget; callers stop and keep what they have."""


class StructuredOutputError(LLMError):
    """The model's reply did not validate against the schema after the repair attempts."""

    def __init__(self, message: str, raw_text: str) -> None:
        super().__init__(message)
        self.raw_text = raw_text
