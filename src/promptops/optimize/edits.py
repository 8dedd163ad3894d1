"""The edit-based generator: deterministic conciseness and clarity edits, no model.

In the spirit of GrIPS (Prasad et al., 2022): instead of asking a model to rewrite a
prompt, apply small phrase-level edits and let the evaluation decide which help. Each
edit is a pure function of the text; code fences are left alone because their content
(JSON examples, output formats) is data, not prose. Every candidate is produced from the
base by one edit, plus one that combines every edit that passed the guard on its own;
each says which edits made it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from promptops.optimize.invariants import GuardResult, InvariantsLike, check_candidate

# Filler phrases and their replacement. Matched case-insensitively on word boundaries;
# when a phrase opened a sentence, the replacement (or the next word) is capitalised.
FILLER_PHRASES: tuple[tuple[str, str], ...] = (
    ("please note that", ""),
    ("please be aware that", ""),
    ("note that", ""),
    ("it is important to", ""),
    ("it's important to", ""),
    ("it is important that you", ""),
    ("it is essential that you", ""),
    ("make sure to", ""),
    ("make sure that you", ""),
    ("be sure to", ""),
    ("you should always", "always"),
    ("in order to", "to"),
    ("due to the fact that", "because"),
    ("in the event that", "if"),
    ("at this point in time", "now"),
    ("for the purpose of", "for"),
    ("a large number of", "many"),
    ("at all times", "always"),
    ("kindly", ""),
    ("basically", ""),
    ("essentially", ""),
    ("actually", ""),
    ("really", ""),
)

FENCE = re.compile(r"(^```.*?^```[^\n]*$)", re.MULTILINE | re.DOTALL)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
LIST_ITEM = re.compile(r"^(\s*)(?:[*+•‣◦-]|\d+[.)])\s+")
WORD = re.compile(r"[a-z0-9']+")
# Word lists read better as one string; split on whitespace.
STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        "a an the and or to of in on at for with by from as is are be you your it its this that "
        "these those please should must will can always important make sure note",
    )
)
NEGATIONS = frozenset(
    re.findall(r"\S+", "not no never don't dont cannot can't nor without avoid except unless")
)


@dataclass(frozen=True)
class EditCandidate:
    """A text made from the base by the named edits, with the guard's verdict on it."""

    text: str
    edits: tuple[str, ...]
    guard: GuardResult


def _outside_fences(transform: Callable[[str], str]) -> Callable[[str], str]:
    """Apply `transform` to the prose between code fences only."""

    def apply(text: str) -> str:
        parts = FENCE.split(text)
        return "".join(part if FENCE.fullmatch(part) else transform(part) for part in parts)

    apply.__doc__ = transform.__doc__
    return apply


def _sentences(line: str) -> list[str]:
    return SENTENCE_END.split(line)


def _key(sentence: str) -> str:
    return " ".join(WORD.findall(sentence.casefold()))


def _is_heading(line: str) -> bool:
    return line.lstrip().startswith("#")


def _prefix_and_body(line: str) -> tuple[str, str]:
    match = LIST_ITEM.match(line)
    return (line[: match.end()], line[match.end() :]) if match else ("", line)


@_outside_fences
def drop_duplicate_sentences(text: str) -> str:
    """Remove a sentence (or list item) that repeats an earlier one word for word."""
    seen: set[str] = set()
    lines_out = []
    for line in text.split("\n"):
        if _is_heading(line) or not line.strip():
            lines_out.append(line)
            continue
        prefix, body = _prefix_and_body(line)
        kept = []
        for sentence in _sentences(body):
            key = _key(sentence)
            if len(key.split()) >= 3 and key in seen and "{{" not in sentence:
                continue
            seen.add(key)
            kept.append(sentence)
        if kept:
            lines_out.append(prefix + " ".join(kept))
    return "\n".join(lines_out)


def _content_words(sentence: str) -> frozenset[str]:
    words = (w.removesuffix("'s") for w in WORD.findall(sentence.casefold()))
    return frozenset(w for w in words if w not in STOPWORDS)


def _restates(short: frozenset[str], long: frozenset[str]) -> bool:
    """True when one instruction says what another already says (content-word overlap).

    Never when the difference holds a negation or a number: "share X" and "never share X",
    or "within 14 days" and "within 30 days", are different instructions.
    """
    if len(short) < 2 or not long or any(w in NEGATIONS or w.isdigit() for w in short ^ long):
        return False
    jaccard = len(short & long) / len(short | long)
    return jaccard >= 0.85 or (short <= long and jaccard >= 2 / 3)


@_outside_fences
def merge_repeated_instructions(text: str) -> str:
    """Keep one copy of an instruction stated twice in different words (the fuller one,
    at the place of the first)."""
    lines = text.split("\n")
    units = [
        (i, j, s)
        for i, line in enumerate(lines)
        if line.strip() and not _is_heading(line)
        for j, s in enumerate(_sentences(_prefix_and_body(line)[1]))
        if "{{" not in s  # a sentence holding a template variable is the template's, never merged
    ]
    replace: dict[tuple[int, int], str | None] = {}
    for a, (i, j, first) in enumerate(units):
        if (i, j) in replace:
            continue
        for k, m, later in units[a + 1 :]:
            if (k, m) in replace:
                continue
            wa, wb = _content_words(first), _content_words(later)
            if _restates(wa, wb) or _restates(wb, wa):
                fuller = later if len(wb) > len(wa) else first
                replace[(i, j)] = _with_end(fuller, first)
                replace[(k, m)] = None
    return "\n".join(_rebuild(lines, replace)) if replace else text


def _with_end(sentence: str, like: str) -> str:
    """`sentence` ending with the punctuation `like` ends with (so list items stay uniform)."""
    body = sentence.rstrip(" .!?;")
    return body + (like.rstrip()[-1] if like.rstrip()[-1:] in ".!?;" else "")


def _rebuild(lines: list[str], replace: dict[tuple[int, int], str | None]) -> Iterable[str]:
    for i, line in enumerate(lines):
        if not line.strip() or _is_heading(line):
            yield line
            continue
        prefix, body = _prefix_and_body(line)
        kept = [replace.get((i, j), s) for j, s in enumerate(_sentences(body))]
        kept = [s for s in kept if s is not None]
        if kept:
            yield prefix + " ".join(kept)


def _filler_pattern(phrase: str) -> re.Pattern[str]:
    words = re.escape(phrase).replace(r"\ ", r"\s+")
    return re.compile(r"\b" + words + r"\b,?[ \t]*(?P<next>\w?)", re.IGNORECASE)


FILLER_PATTERNS = tuple((_filler_pattern(p), r) for p, r in FILLER_PHRASES)


@_outside_fences
def remove_filler(text: str) -> str:
    """Delete or shorten the phrases in FILLER_PHRASES; keep sentences capitalised."""
    for pattern, replacement in FILLER_PATTERNS:
        text = pattern.sub(lambda m, r=replacement: _replace_filler(m, r), text)
    return text


def _replace_filler(match: re.Match[str], replacement: str) -> str:
    line = match.string[: match.start()].rsplit("\n", 1)[-1]  # this line, up to the phrase
    before = line.rstrip(" \t")
    opens_sentence = not before or before[-1] in ".!?:" or LIST_ITEM.fullmatch(line) is not None
    following = match.group("next")
    out = f"{replacement} {following}" if replacement else following
    if opens_sentence and match.group(0)[:1].isupper():
        out = out[:1].upper() + out[1:]
    return out


@_outside_fences
def normalise_lists(text: str) -> str:
    """One bullet style (`- `) and `N.` numbering, renumbered from 1 in each list."""
    out, number = [], 0
    for line in text.split("\n"):
        match = re.match(r"^(\s*)(\d+[.)]|[*+•‣◦-])\s+", line)
        if not match:
            number = 0 if line.strip() else number
            out.append(line)
            continue
        indent, marker = match.group(1), match.group(2)
        if marker[0].isdigit():
            number += 1
            marker = f"{number}."
        else:
            marker = "-"
        out.append(f"{indent}{marker} {line[match.end() :]}")
    return "\n".join(out)


@_outside_fences
def _tidy_prose(text: str) -> str:
    text = re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE)
    text = re.sub(r"(?<=\S)[ \t]{2,}", " ", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return re.sub(r" +([,.;:!?])", r"\1", text)


def normalise_whitespace(text: str) -> str:
    """Trailing spaces, runs of spaces, three or more newlines; one final newline."""
    return _tidy_prose(text).strip() + ("\n" if text.endswith("\n") else "")


# The edits in the order the combined candidate applies them.
EDITS: dict[str, Callable[[str], str]] = {
    "remove-filler-phrases": remove_filler,
    "drop-duplicate-sentences": drop_duplicate_sentences,
    "merge-repeated-instructions": merge_repeated_instructions,
    "normalise-lists": normalise_lists,
    "normalise-whitespace": normalise_whitespace,
}


def apply_edits(text: str, names: Iterable[str]) -> str:
    """`text` with the named edits applied in EDITS order (whitespace tidied after)."""
    wanted = set(names)
    for name, edit in EDITS.items():
        if name in wanted:
            text = edit(text)
    return normalise_whitespace(text) if wanted else text


def edit_candidates(
    base_text: str,
    invariants: InvariantsLike,
    *,
    required_variables: Iterable[str] = (),
    other_tokens: int = 0,
) -> list[EditCandidate]:
    """One candidate per edit that changes the text, then their combination.

    Every candidate is guarded (against the base and the earlier candidates); the
    combination uses only the edits that passed on their own, so one edit that breaks an
    invariant does not sink the rest.
    """
    required = tuple(required_variables)
    out: list[EditCandidate] = []

    def add(text: str, edits: tuple[str, ...]) -> EditCandidate:
        others = {"+".join(c.edits): c.text for c in out if c.guard.ok}
        guard = check_candidate(
            text, base_text, invariants, others=others, required_variables=required, other_tokens=other_tokens
        )
        candidate = EditCandidate(text=text, edits=edits, guard=guard)
        out.append(candidate)
        return candidate

    for name in EDITS:
        text = apply_edits(base_text, [name])
        if text != base_text:
            add(text, (name,))
    good = tuple(name for c in out if c.guard.ok for name in c.edits)
    combined = apply_edits(base_text, good)
    if len(good) > 1 and all(combined != c.text for c in out):
        add(combined, good)
    return out
