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


@dataclass(frozen=True)
class MalformedPlaceholder:
    """A `{{` that does not open a `{{name}}` placeholder: it would reach the model as is."""

    text: str  # what was written, up to the closing `}}` or the end of the line
    line: int
    column: int

    @property
    def message(self) -> str:
        if not self.text.endswith("}}"):
            return f"unclosed placeholder {self.text!r}: expected {{{{name}}}}"
        return (
            f"malformed placeholder {self.text!r}: expected {{{{name}}}} with a name of letters, "
            "digits and '_' (no spaces, filters or dots)"
        )


def malformed_placeholders(text: str) -> list[MalformedPlaceholder]:
    """Every `{{` in `text` that is not part of a well-formed `{{name}}`, in order."""
    found = []
    start = text.find("{{")
    while start != -1:
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        close = text.find("}}", start + 2, line_end)
        reopen = text.find("{{", start + 2, line_end)
        if close != -1 and (reopen == -1 or reopen > close):
            written = text[start : close + 2]
            if not VARIABLE.fullmatch(written):
                found.append(_placeholder(text, start, written))
            start = text.find("{{", close + 2)
        else:
            found.append(_placeholder(text, start, text[start : reopen if reopen != -1 else line_end]))
            start = text.find("{{", reopen if reopen != -1 else line_end)
    return found


def _placeholder(text: str, start: int, written: str) -> MalformedPlaceholder:
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return MalformedPlaceholder(written.rstrip(), line, column)
