"""Markdown that stays safe and fits: escaping, fencing, diffs, collapsing, size limits.

Text a model or a user wrote ends up in comments GitHub renders (PR bodies, sticky
comments, eval summaries, job summaries). Everything here makes such text literal: it can
neither inject HTML, break a table or the layout, nor ping people or teams. GitHub rejects
bodies and comments over 65,536 characters, so `fit_to_limit` trims the least important
section first and says what it cut, and `truncate_to_limit` is the last guard that never fails.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

COMMENT_LIMIT = 65536
ZWJ = "\u200d"  # zero-width joiner: `@\u200dname` renders as @name but notifies nobody
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~#!])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_WORDS = re.compile(r"\s+|[^\s]+")


# ---------------------------------------------------------------- escaping and fencing


def neutralise_mentions(text: str) -> str:
    """`@user` and `@org/team` still read the same but notify nobody."""
    return _MENTION.sub("@" + ZWJ, text)


def escape_text(text: str) -> str:
    """Untrusted text as literal inline markdown: no HTML, no mentions, no emphasis/links/tables."""
    text = "".join(_HTML.get(ch, ch) for ch in text)
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    return neutralise_mentions(text)


def escape_cell(text: str) -> str:
    """Untrusted text for one table cell: escaped, on one line (a newline would end the row)."""
    return escape_text(" ".join(text.split()))


def escape_block(text: str) -> str:
    """Untrusted multi-line text as paragraphs: escaped line by line, leading markers defused."""
    lines = []
    for line in text.split("\n"):
        escaped = escape_text(line)
        # a leading `-`, `+` or `=` would start a list or heading, `1.` / `1)` an ordered list
        escaped = re.sub(r"^(\s*)([-+=])", r"\1\\\2", escaped)
        lines.append(re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", escaped))
    return "\n".join(lines)


def fence(text: str, lang: str = "") -> str:
    """A fenced code block that `text` cannot close: the fence is longer than any backtick run in it.

    Inside a code block GitHub renders no HTML and resolves no mentions.
    """
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{marks}{lang}\n{body}{marks}"


def inline_code(text: str) -> str:
    """`text` as inline code, delimited by a backtick run longer than any inside it."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{marks}{pad}{text}{pad}{marks}"


def details(summary: str, body: str, *, open: bool = False) -> str:  # noqa: A002 - the HTML attribute
    """A collapsible section; the blank lines let markdown render inside it."""
    attr = " open" if open else ""
    return f"<details{attr}>\n<summary>{escape_text(summary)}</summary>\n\n{body}\n\n</details>"


def report_marker(key: str) -> str:
    """The hidden marker that identifies promptops' sticky comment for `key` (e.g. a prompt and goal)."""
    clean = re.sub(r"[^A-Za-z0-9_./:@+=-]", "_", key).replace("--", "-_")
    return f"<!-- promptops:report {clean} -->"


# ---------------------------------------------------------------- diffs


def word_diff(old: str, new: str) -> str:
    """Prompt text with deletions as ~~struck~~ and insertions as **bold**, all escaped."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape_block("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(_marked("".join(a[i1:i2]), "~~"))
        if op in ("insert", "replace"):
            out.append(_marked("".join(b[j1:j2]), "**"))
    return "".join(out)


def _marked(chunk: str, mark: str) -> str:
    """Wrap each line's words in `mark`, keeping the whitespace outside (markdown needs that)."""
    parts = []
    for piece in re.split(r"(\s+)", chunk):
        parts.append(piece if not piece or piece.isspace() else f"{mark}{escape_text(piece)}{mark}")
    return "".join(parts)


def diff_block(old: str, new: str, *, old_name: str = "base", new_name: str = "variant") -> str:
    """A unified line diff in a ```diff block (fenced, so the prompt text renders inert)."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_name, tofile=new_name, lineterm="", n=2
    )
    return fence("\n".join(lines) or "(no change)", "diff")


# ---------------------------------------------------------------- fitting GitHub's limit


@dataclass(frozen=True)
class Section:
    """One part of a report. `items` (e.g. per-case rows) may be trimmed from the end; a
    `droppable` section may be left out whole; other sections are always kept."""

    key: str
    text: str = ""
    items: tuple[str, ...] = ()
    end: str = ""
    droppable: bool = False
    item_noun: str = "items"

    def render(self, shown: int | None = None) -> str:
        items = self.items if shown is None else self.items[:shown]
        parts = [self.text, *items]
        if shown is not None and shown < len(self.items):
            left = len(self.items) - shown
            parts.append(f"\n_{left} of {len(self.items)} {self.item_noun} not shown (GitHub's size limit)._")
        return "\n".join(p for p in parts if p) + self.end


def fit_to_limit(sections: Sequence[Section], limit: int = COMMENT_LIMIT) -> str:
    """The sections joined, within `limit` characters: trims items first, then drops droppable
    sections (largest first), saying what was cut; a final guard cuts the rest."""
    rendered = {s.key: s.render() for s in sections}
    if _joined(sections, rendered) <= limit:
        return "\n\n".join(rendered[s.key] for s in sections)
    for section in sections:
        if section.items:
            rendered[section.key] = _trim_items(section, sections, rendered, limit)
    for section in sorted((s for s in sections if s.droppable), key=lambda s: -len(rendered[s.key])):
        if _joined(sections, rendered) <= limit:
            break
        rendered[section.key] = (
            f"_{section.key} left out: {len(rendered[section.key]):,} characters over GitHub's limit._"
        )
    return truncate_to_limit("\n\n".join(rendered[s.key] for s in sections), limit)


def _joined(sections: Sequence[Section], rendered: dict[str, str]) -> int:
    return sum(len(rendered[s.key]) for s in sections) + 2 * (len(sections) - 1)


def _trim_items(section: Section, sections: Sequence[Section], rendered: dict[str, str], limit: int) -> str:
    """Keep as many leading items as fit (binary search on the count)."""
    others = _joined(sections, rendered) - len(rendered[section.key])
    lo, hi = 0, len(section.items)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if others + len(section.render(mid)) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return section.render(lo)


def truncate_to_limit(text: str, limit: int = COMMENT_LIMIT) -> str:
    """`text` if it fits; else cut on a line boundary, open fences and <details> closed, with a note."""
    if len(text) <= limit:
        return text
    note = f"\n\n_Cut to fit GitHub's {limit:,}-character limit ({len(text):,} characters)._"
    budget = limit - len(note) - 64  # room for closing a fence and a <details>
    cut = text[:budget]
    cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
    fences = re.findall(r"^(`{3,})", cut, flags=re.M)
    closer = ""
    if len(fences) % 2:
        closer += "\n" + fences[-1]
    if cut.count("<details") > cut.count("</details>"):
        closer += "\n\n</details>"
    return cut + closer + note


# ---------------------------------------------------------------- the report
