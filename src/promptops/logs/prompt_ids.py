"""Syntactic check of an `AGENT/NAME` prompt id given on the command line.

Logs are read without the repository, so this only checks the shape (the same rules the repo
model applies: no `..`, not absolute, both parts present); it does not look the prompt up.
"""

from __future__ import annotations

from promptops.errors import InputError


def check_prompt_id(prompt_id: str) -> str:
    """The id unchanged, or InputError saying what shape is expected."""
    agent, _, name = prompt_id.partition("/")
    parts = prompt_id.replace("\\", "/").split("/")
    if prompt_id.startswith(("/", "\\")) or (len(prompt_id) > 1 and prompt_id[1] == ":"):
        problem = "must not be an absolute path"
    elif ".." in parts:
        problem = "must not contain '..'"
    elif not agent or not name or "\\" in prompt_id:
        problem = "expected AGENT/NAME, e.g. support-agent/system or support-agent/tool:lookup_order"
    else:
        return prompt_id
    raise InputError(f"prompt id {prompt_id!r}: {problem}")
