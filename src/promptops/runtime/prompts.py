"""A deployed prompt and the errors the runtime raises: what every other runtime module shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from promptops.traffic import STABLE

_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class LoggablePrompt(Protocol):
    """What a log line needs from a prompt: a DeployedPrompt, or the repo model's Prompt."""

    @property
    def id(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def version_id(self) -> str: ...


class PromptNotFound(LookupError):
    """No deployed prompt has that id; the message lists the ids there are."""


class MissingVariable(KeyError):
    """`render()` was not given a `{{variable}}` the template uses."""

    def __str__(self) -> str:
        return str(self.args[0])


class PromptStoreError(ValueError):
    """A deployed agent folder is malformed (agent.yaml's shape, a prompt file), or two folders
    declare one agent id; the message names the file and the key."""


@dataclass(frozen=True)
class DeployedPrompt:
    """One prompt as deployed: its id, text and version id (git blob id of the file's bytes)."""

    id: str
    agent: str
    name: str
    text: str
    version_id: str
    path: Path
    arm: str = STABLE  # CANDIDATE while a rollout serves the candidate text

    @property
    def variables(self) -> tuple[str, ...]:
        """The `{{variables}}` the text uses, in order of first use."""
        return tuple(dict.fromkeys(_VARIABLE.findall(self.text)))

    def render(self, **values: Any) -> str:
        """The text with every `{{var}}` replaced; a variable not given raises MissingVariable."""
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise MissingVariable(
                f"{self.id}: render() needs variable(s) {', '.join(missing)} "
                f"(given: {', '.join(sorted(values)) or 'none'})"
            )
        return _VARIABLE.sub(lambda m: str(values[m.group(1)]), self.text)
