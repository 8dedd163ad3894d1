"""Markdown that stays safe and fits: escaping, fencing, diffs, collapsing, size limits.

Text a model or a user wrote ends up in comments GitHub renders (PR bodies, sticky
comments, eval summaries, job summaries). Everything here makes such text literal: it can
neither inject HTML, break a table, a fence or the layout, ping people or teams, link issues
(`#12`, `GH-12`), nor hide what it says behind bidirectional controls. GitHub rejects bodies
and comments over 65,536 characters, so `fit_to_limit` cuts the least important section first
and says what it cut, and `truncate_to_limit` is the last guard that never fails.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

COMMENT_LIMIT = 65536
# $GITHUB_STEP_SUMMARY takes 1 MiB per step; in characters, what fits even at 4 UTF-8 bytes each
JOB_SUMMARY_LIMIT = 1024 * 1024 // 4
ZWJ = "\u200d"  # zero-width joiner: `@\u200dname` renders as @name but notifies nobody
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_GH_REFERENCE = re.compile(r"\b(GH)-(?=\d)", re.IGNORECASE)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~#!])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_WORDS = re.compile(r"\s+|[^\s]+")


# ---------------------------------------------------------------- escaping and fencing


def neutralise_mentions(text: str) -> str:
    """`@user`, `@org/team` and `GH-12` still read the same but notify and link nobody."""
    return _GH_REFERENCE.sub("\\1" + ZWJ + "-", _MENTION.sub("@" + ZWJ, text))


def show_bidi_controls(text: str) -> str:
    """Bidirectional controls (U+202A-U+202E, U+2066-U+2069) written out as `<U+202E>`, as GitHub's
    own file view shows them: left in, they reorder what a reviewer reads ("Trojan Source")."""
    return _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def escape_text(text: str) -> str:
    """Untrusted text as literal inline markdown: no HTML, no mentions or references, no
    emphasis/links/tables, no bidirectional controls."""
    text = "".join(_HTML.get(ch, ch) for ch in show_bidi_controls(text))
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
    text = show_bidi_controls(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{marks}{lang}\n{body}{marks}"


def inline_code(text: str) -> str:
    """`text` as inline code, delimited by a backtick run longer than any inside it."""
    text = show_bidi_controls(" ".join(text.split()))
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
    """Prompt text with deletions as ~~struck~~ and insertions as **bold**, all escaped.

    Lines are matched first and words only inside changed lines: a word-level diff of a whole
    long prompt is quadratic or worse (a 200-line rewrite took a minute).
    """
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape_block("".join(a[i1:i2])))
        elif op == "replace" and i2 - i1 == j2 - j1:
            out.extend(words_changed(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
        else:
            out.append(words_changed("".join(a[i1:i2]), "".join(b[j1:j2])))
    return "".join(out)


_MAX_WORD_PAIRS = 1_000_000  # beyond this a block is shown as struck, then inserted, whole


def words_changed(old: str, new: str, max_pairs: float = _MAX_WORD_PAIRS) -> str:
    """A word-level diff of one changed block (`bench/report_fit.py` times it on a whole text)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    if len(a) * len(b) > max_pairs:
        return _marked(old, "~~") + _marked(new, "**")
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


_WHY = "GitHub's size limit"


@dataclass(frozen=True)
class Section:
    """One part of a report, shown in the order given. When the report is too long, sections
    are cut in order of `rank`, highest first (rank 0 is never cut): a section with `items`
    (per-case rows, diff lines) loses items from the end and says how many, one without is
    left out whole with a note. `more` says where the full text is (appended to that note)."""

    key: str
    text: str = ""
    items: tuple[str, ...] = ()
    end: str = ""
    rank: int = 0
    item_noun: str = "items"
    more: str = ""

    def render(self, shown: int | None = None) -> str:
        items = self.items if shown is None else self.items[:shown]
        body = "\n".join([self.text, *items] if self.text else items)
        if shown is not None and shown < len(self.items):
            left = len(self.items) - shown
            note = f"_{left:,} of {len(self.items):,} {self.item_noun} not shown ({_WHY}).{self._more}_"
            body = f"{body}\n\n{note}" if body else note
        return body + self.end

    def left_out(self) -> str:
        return f"_{self.key} left out ({len(self.render()):,} characters; {_WHY}).{self._more}_"

    def fit(self, room: int) -> str:
        """The fullest rendering within `room` characters; the smallest one when none fits."""
        full = self.render()
        if self.rank == 0 or len(full) <= room:
            return full
        if not self.items:
            return self.left_out()
        lo, hi = 0, len(self.items) - 1  # binary search on the number of items shown
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(self.render(mid)) <= room:
                lo = mid
            else:
                hi = mid - 1
        return self.render(lo)

    @property
    def _more(self) -> str:
        return f" {self.more}" if self.more else ""


def fit_to_limit(sections: Sequence[Section], limit: int = COMMENT_LIMIT) -> str:
    """The sections joined within `limit` characters, most important kept first.

    Every section starts at its smallest form (rank 0 whole, others a note saying what was
    cut); then, by rank, each grows into the room left, and once one had to be cut, the less
    important ones stay at their smallest. So a huge diff (rank 3) only takes what the
    per-case rows (ranks 1, 2) left; a final guard cuts whatever still overflows.
    """
    full = {s.key: s.render() for s in sections}
    if _joined(list(full.values())) <= limit:
        return "\n\n".join(full.values())
    chosen = {s.key: s.fit(0) for s in sections}
    for section in sorted((s for s in sections if s.rank), key=lambda s: s.rank):
        room = limit - _joined(list(chosen.values())) + len(chosen[section.key])
        chosen[section.key] = section.fit(room)
        if chosen[section.key] != full[section.key]:
            break  # nothing less important is shown while this one is cut
    return truncate_to_limit("\n\n".join(chosen[s.key] for s in sections), limit)


def _joined(parts: Sequence[str]) -> int:
    return sum(map(len, parts)) + 2 * (len(parts) - 1)


def open_fence(text: str) -> str | None:
    """The fence `text` leaves open at its end (None when every fence is closed)."""
    return _open_blocks(text)[0]


def _open_blocks(text: str) -> tuple[str | None, int]:
    """(the fence left open, the number of <details> left open outside fences) at the end of
    `text`, read as CommonMark does: only a line of the same character at least as long closes
    a fence, so a ``` line inside a ```` block is content, and so is a <details> tag."""
    fence: str | None = None
    details = 0
    for line in text.split("\n"):
        match = _FENCE_LINE.match(line)
        if fence is None:
            if match and not (match[1][0] == "`" and "`" in match[2]):  # "``` a `b`" is inline code
                fence = match[1]
            else:
                details += line.count("<details") - line.count("</details>")
        elif match and match[1][0] == fence[0] and len(match[1]) >= len(fence) and not match[2].strip():
            fence = None
    return fence, max(details, 0)


def _closer(text: str) -> str:
    """What closes the fence and the <details> blocks `text` leaves open."""
    fence, details = _open_blocks(text)
    return (f"\n{fence}" if fence else "") + "\n\n</details>" * details


def truncate_to_limit(text: str, limit: int = COMMENT_LIMIT) -> str:
    """`text` if it fits; else cut on a line boundary, open fences and <details> closed, with a note."""
    if len(text) <= limit:
        return text
    note = f"\n\n_Cut to fit GitHub's {limit:,}-character limit ({len(text):,} characters)._"
    budget = limit - len(note)
    while True:  # closing what the cut leaves open takes room, which may cut more
        cut = text[: max(budget, 0)]
        cut = cut[: cut.rfind("\n")] if "\n" in cut else cut
        closer = _closer(cut)
        if len(cut) + len(closer) + len(note) <= limit or not cut:
            return cut + closer + note
        budget = len(cut) - len(closer)


# ---------------------------------------------------------------- the report
