"""Values of the assertions judged outside this process: by a judge model, by embeddings,
by the user's own Python or JavaScript, or by a set of child assertions.

Only their `prepare` steps live here (so a cases file is fully checked before any call);
the calls are made by `promptops.evals.assess`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.evals.assertions.base import AssertionKind, no_value, string, string_list

FILE_PREFIX = "file://"


def _text(what: str) -> Any:
    def prepare(value: Any) -> str:
        text = string(value)
        if not text.strip():
            raise ValueError(f"needs {what} as its value")
        return text

    return prepare


def _criteria(value: Any) -> str:
    """g-eval accepts one criterion or a list of them."""
    if isinstance(value, list):
        return "\n".join(f"- {item}" for item in string_list(value))
    return _text("the evaluation criteria")(value)


def _optional_text(value: Any) -> str | None:
    return None if value in (None, "") else string(value)


def _similar_values(value: Any) -> tuple[str, ...]:
    """One expected text, or several (the output must be similar to one of them)."""
    if isinstance(value, list):
        return tuple(string(v) for v in value) or _empty()
    return (_text("the expected text")(value),)


def _empty() -> tuple[str, ...]:
    raise ValueError("value must list at least one expected text")


@dataclass(frozen=True)
class CodeSpec:
    """A python or javascript assertion: inline code, or a file and optionally a function in it."""

    language: str  # "python" | "javascript"
    inline: str | None = None
    path: str | None = None  # as written after file://, relative to the cases file
    function: str | None = None
    base_dir: Path | None = None  # the cases file's folder, set by the loader
    blocked: str | None = None  # why code may not run here (a fork's pull request), set by the loader
    timeout_s: float = 20.0

    @property
    def file(self) -> Path | None:
        if self.path is None:
            return None
        return (self.base_dir or Path(".")) / self.path


CODE_SUFFIXES = {"python": (".py",), "javascript": (".js", ".cjs", ".mjs", ".ts")}


def _code(language: str) -> Any:
    def prepare(value: Any) -> CodeSpec:
        text = string(value)
        if not text.strip():
            raise ValueError(f"needs {language} code or file://path as its value")
        if not text.startswith(FILE_PREFIX):
            return CodeSpec(language, inline=text)
        ref = text[len(FILE_PREFIX) :]
        match = re.match(r"^(.+?\.(?:py|js|cjs|mjs|ts))(?::([A-Za-z_$][\w$]*))?$", ref)
        if not match or not match.group(1).endswith(CODE_SUFFIXES[language]):
            suffixes = "/".join(CODE_SUFFIXES[language])
            raise ValueError(
                f"expected file://PATH{suffixes.split('/')[0]}[:function] ({suffixes}), got {text!r}"
            )
        if match.group(1).endswith(".ts"):
            raise ValueError("TypeScript files need a build step; point at the compiled .js file")
        return CodeSpec(language, path=match.group(1), function=match.group(2))

    return prepare


JUDGE_KINDS = (
    AssertionKind("llm-rubric", _text("the rubric text"), mode="judge"),
    AssertionKind("factuality", _text("the reference answer"), mode="judge"),
    AssertionKind("model-graded-closedqa", _text("the criterion"), mode="judge"),
    AssertionKind("g-eval", _criteria, mode="judge", default_threshold=0.7),
    AssertionKind("answer-relevance", _optional_text, mode="judge", default_threshold=0.7),
)

KINDS = (
    *JUDGE_KINDS,
    AssertionKind("similar", _similar_values, mode="embedding", default_threshold=0.75),
    AssertionKind("python", _code("python"), mode="code"),
    AssertionKind("javascript", _code("javascript"), mode="code"),
    AssertionKind("assert-set", no_value, mode="set"),
)

# promptfoo's other names for the same assertions.
ALIASES = {"model-graded-factuality": "factuality"}
