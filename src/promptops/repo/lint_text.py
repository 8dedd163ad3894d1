"""Checks on the text of one prompt file: trailing whitespace and repeated sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
MIN_SENTENCE_WORDS = 4


@dataclass(frozen=True)
class TextIssue:
    line: int
    column: int
    message: str


def trailing_whitespace(text: str) -> list[TextIssue]:
    """Each line that ends in spaces or tabs, pointing at the first trailing blank."""
    issues = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip(" \t")
        if stripped != line:
            issues.append(TextIssue(number, len(stripped) + 1, "trailing whitespace"))
    return issues


def duplicated_sentences(text: str) -> list[TextIssue]:
    """Sentences of 4+ words said twice in one file (case and spacing ignored), at the repeat."""
    first_seen: dict[str, int] = {}
    issues = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in SENTENCE.finditer(line):
            sentence = match.group().strip()
            key = " ".join(sentence.lower().split()).rstrip(".!?")
            if len(key.split()) < MIN_SENTENCE_WORDS:
                continue
            if key in first_seen:
                column = match.start() + len(match.group()) - len(match.group().lstrip()) + 1
                message = f"duplicated sentence (first at line {first_seen[key]})"
                issues.append(TextIssue(number, column, message))
            else:
                first_seen[key] = number
    return issues
