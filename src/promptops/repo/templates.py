"""Template variables: the `{{name}}` placeholders of a user or assistant template."""

from __future__ import annotations

import re
from dataclasses import dataclass

VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class VariableUse:
    name: str
    line: int
    column: int


def template_variables(text: str) -> list[str]:
    """Names used in `text`, in order of first use, each once."""
    return list(dict.fromkeys(m.group(1) for m in VARIABLE.finditer(text)))


def variable_uses(text: str) -> list[VariableUse]:
    """Every use of a variable with its 1-based line and column (for lint findings)."""
    uses = []
    for match in VARIABLE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        uses.append(VariableUse(match.group(1), line, column))
    return uses
