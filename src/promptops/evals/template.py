"""Filling `{{var}}` templates with a case's vars.

The syntax (and the list of variables a template uses) belongs to the repo model,
`promptops.repo.templates`; this module only renders: strings as they are, anything else
as compact JSON, and a KeyError naming the first variable the case does not set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from promptops.repo.templates import VARIABLE, template_variables

template_vars = template_variables  # the name the eval modules use


def format_value(value: Any) -> str:
    """Strings as they are; anything else as compact JSON (numbers, lists, objects)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def render_template(text: str, variables: Mapping[str, Any]) -> str:
    """Replace each `{{name}}`; KeyError(name) for the first variable that is missing."""
    if "{{" not in text:  # most assertion values, and a 2,000-case suite renders thousands
        return text

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise KeyError(name)
        return format_value(variables[name])

    return VARIABLE.sub(substitute, text)
