"""`{{var}}` templates: the one syntax prompts and assertion values use for variables.

Deliberately tiny (no logic, no filters) so a prompt file reads as plain text in a PR
diff and the variables it needs can be listed without running it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def template_vars(text: str) -> list[str]:
    """Variable names a template uses, in order of first use."""
    return list(dict.fromkeys(VARIABLE.findall(text)))


def format_value(value: Any) -> str:
    """Strings as they are; anything else as compact JSON (numbers, lists, objects)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def render_template(text: str, variables: Mapping[str, Any]) -> str:
    """Replace each `{{name}}`; KeyError(name) for the first variable that is missing."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise KeyError(name)
        return format_value(variables[name])

    return VARIABLE.sub(substitute, text)
