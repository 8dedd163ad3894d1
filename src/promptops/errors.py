"""The one family of expected failures.

Everything below the CLI raises these instead of printing; the CLI's single handler
turns them into one line on stderr and the exit code the error carries.
"""


class PromptopsError(Exception):
    """A failure the user can act on; the message says what to do."""

    exit_code = 1


class InputError(PromptopsError):
    """Bad input: a file, argument or id that is malformed or points somewhere it must not."""

    exit_code = 2


class ConfigError(InputError):
    """`.promptops.yaml` (or an agent's configuration) is missing a piece or is invalid."""


class NotFoundError(InputError):
    """An agent, prompt, version or file the user named does not exist."""
