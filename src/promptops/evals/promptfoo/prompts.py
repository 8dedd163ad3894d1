"""promptfoo `prompts` -> an agent's system prompt, user template and few-shot examples.

Accepted: inline text, `file://` text files (several prompts in one file separated by a
`---` line), chat-format JSON/YAML/JSONL files or inline JSON (`[{role, content}, ...]`:
system messages become the system prompt, the last user message the user template,
earlier user/assistant turns few-shot examples), globs, `{id, label}` / `{raw, label}`
entries and the `{file://path: label}` mapping. Refused, with the reason: prompt
functions in code, and Nunjucks beyond plain `{{var}}` (filters, fields, `{% %}` logic),
which promptops templates cannot express.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promptops.evals.promptfoo.report import Conversion
from promptops.evals.promptfoo.sources import CODE_SUFFIXES, is_file_ref, read_value_file, resolve
from promptops.evals.promptfoo.where import Where
from promptops.files import read_text
from promptops.repo.templates import VARIABLE, template_variables

PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
SEPARATOR = re.compile(r"^-{3,}\s*$", re.M)


class PromptRefused(Exception):
    def __init__(self, where: Where, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


@dataclass(frozen=True)
class ImportedPrompt:
    label: str
    where: Where
    user: str
    system: str = ""
    examples: tuple[tuple[str, str], ...] = field(default=())


def collect_prompts(
    data: dict[str, Any], root: Where, state: Conversion
) -> list[ImportedPrompt | PromptRefused]:
    """Every prompt of the config, converted or refused (with its place and why)."""
    raw = data.get("prompts")
    where = root.child("prompts")
    if raw is None:
        return []
    if isinstance(raw, str):
        entries: list[tuple[Where, Any]] = [(where, raw)]
    elif isinstance(raw, dict):
        entries = [(where.child(str(k)), {"id": k, "label": v}) for k, v in raw.items()]
    elif isinstance(raw, list):
        entries = [(where.child(i), item) for i, item in enumerate(raw)]
    else:
        raise where.error("expected prompts as a list of texts or file:// paths")
    out: list[ImportedPrompt | PromptRefused] = []
    for i, (place, item) in enumerate(entries):
        out.extend(_entry(item, place, i, state))
    return out


def _entry(item: Any, where: Where, index: int, state: Conversion) -> list[ImportedPrompt | PromptRefused]:
    label = None
    if isinstance(item, dict):
        label = item.get("label")
        for key in sorted(set(item) - {"id", "raw", "label"}):
            state.report.skip(where.child(key), "not converted: prompt settings have no promptops equivalent")
        item = item.get("raw", item.get("id"))
    if not isinstance(item, str):
        return [PromptRefused(where, "expected prompt text, file://path or {raw|id, label}")]
    if not is_file_ref(item):
        return [_guard(lambda: _from_text(item, str(label or f"prompt-{index + 1}"), where))]
    out: list[ImportedPrompt | PromptRefused] = []
    for path in resolve(item, state.base, where):
        out.extend(_from_file(path, label if label and len(out) == 0 else None, where))
    return out


def _guard(make: Any) -> ImportedPrompt | PromptRefused:
    try:
        return make()
    except PromptRefused as refused:
        return refused


def _from_file(path: Path, label: str | None, where: Where) -> list[ImportedPrompt | PromptRefused]:
    name = label or path.stem
    if path.suffix in CODE_SUFFIXES:
        return [
            PromptRefused(
                where, f"{path.name} is a prompt function (code); write its output as a text or chat file"
            )
        ]
    if path.suffix in (".json", ".yaml", ".yml"):
        return [_guard(lambda: _from_chat(read_value_file(path), name, where, path.name))]
    if path.suffix == ".jsonl":
        lines = [line for line in read_text(path).splitlines() if line.strip()]
        return [
            _guard(
                lambda line=line, n=n: _from_chat(json.loads(line), f"{name}-{n}", where, f"{path.name}:{n}")
            )
            for n, line in enumerate(lines, start=1)
        ]
    parts = [p.strip("\n") for p in SEPARATOR.split(read_text(path)) if p.strip()]
    if len(parts) == 1:
        return [_guard(lambda: _from_text(parts[0], name, where))]
    return [
        _guard(lambda p=p, n=n: _from_text(p, f"{name}-{n}", where)) for n, p in enumerate(parts, start=1)
    ]


def _from_text(text: str, label: str, where: Where) -> ImportedPrompt:
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        try:
            messages = json.loads(stripped)
        except ValueError:
            messages = None
        if isinstance(messages, list) and all(isinstance(m, dict) and "role" in m for m in messages):
            return _from_chat(messages, label, where, "inline chat")
    _check_template(text, where)
    return ImportedPrompt(label, where, text if text.endswith("\n") else text + "\n")


def _check_template(text: str, where: Where) -> None:
    for match in PLACEHOLDER.finditer(text):
        if not VARIABLE.fullmatch(match.group(0)):
            raise PromptRefused(
                where,
                f"uses Nunjucks {match.group(0)[:40]!r}; promptops templates have plain {{{{var}}}} only "
                "(compute the value into a var instead)",
            )


def _from_chat(messages: Any, label: str, where: Where, what: str) -> ImportedPrompt:
    if not isinstance(messages, list) or not messages:
        raise PromptRefused(where, f"{what}: expected chat messages [{{role, content}}, ...]")
    system, turns = [], []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str):
            raise PromptRefused(
                where, f"{what}: message {i} needs a role and text content (no images or parts)"
            )
        _check_template(message["content"], where)
        role = message.get("role")
        if role == "system":
            system.append(message["content"])
        elif role in ("user", "assistant"):
            turns.append((role, message["content"]))
        else:
            raise PromptRefused(
                where, f"{what}: message {i} has role {role!r} (expected system, user or assistant)"
            )
    if not turns or turns[-1][0] != "user":
        raise PromptRefused(
            where, f"{what}: the last message must be the user's (it becomes the user template)"
        )
    earlier = turns[:-1]
    if [r for r, _ in earlier] != ["user", "assistant"] * (len(earlier) // 2):
        raise PromptRefused(where, f"{what}: turns before the last must alternate user, assistant")
    if any(template_variables(t) for _, t in earlier):
        raise PromptRefused(where, f"{what}: earlier turns use vars; few-shot examples are not templated")
    examples = tuple((earlier[i][1], earlier[i + 1][1]) for i in range(0, len(earlier), 2))
    system_text = "\n\n".join(system)
    user = turns[-1][1]
    return ImportedPrompt(label, where, user if user.endswith("\n") else user + "\n", system_text, examples)
