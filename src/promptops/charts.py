"""Mermaid `xychart-beta` charts for comments and issues: GitHub draws them, no image hosting.

A chart is plain text inside a ```mermaid fence, so it is as safe as the text put in it.
Titles and axis labels come from repositories and pull requests (prompt ids, version
labels), so every one is written as a quoted Mermaid string built from a short list of
characters that mean nothing to Mermaid's lexer or to its renderer: a `"` would end the
string and start new statements, `%%` a comment, `#...;` an entity, a backtick a markdown
string, `<`/`&` HTML; anything else becomes `_`. The fence comes from
`promptops.markdown.fence`, longer than any backtick run inside, so nothing closes it.

Mermaid's grammar (packages/mermaid/src/diagrams/xychart/parser/xychart.jison) takes a
band x-axis `x-axis [a, "b c"]`, an optional `y-axis "title" min --> max`, and series
`bar [n, ...]` / `line [n, ...]` with one number per category: a series cannot skip a
category, and an empty series does not parse. So what is not measured is left off a chart,
never drawn as 0, and a chart with nothing to draw is not drawn at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from promptops.markdown import escape_text, fence

TITLE_CHARS = 100
NAME_CHARS = 60  # of a prompt id in a title, so what the chart shows stays in it
LABEL_CHARS = 24
DEFAULT_LAST = 12  # more bars than this turn a chart into a comb
_SAFE_PUNCTUATION = frozenset(" -_./:@+=,()'!?%*…")


@dataclass(frozen=True)
class VersionPoint:
    """One version of a prompt on the default branch, as a chart shows it.

    `pass_rate`, `low` and `high` are fractions (0-1): the pass rate of that version's eval and
    its confidence interval, all three None when the version has no eval. `tokens` is the
    token count of the prompt text (None when the file was deleted at that version).
    """

    label: str  # "v7"
    pass_rate: float | None
    low: float | None
    high: float | None
    tokens: int | None

    def __post_init__(self) -> None:
        figures = (self.low, self.pass_rate, self.high)
        if self.pass_rate is None:
            if self.low is not None or self.high is not None:
                raise ValueError(f"{self.label}: an interval without a pass rate")
            return
        measured = self.measured
        if measured is None or not all(math.isfinite(f) for f in measured):
            raise ValueError(f"{self.label}: a pass rate needs a finite interval, got {figures}")
        low, rate, high = measured
        if not 0.0 <= low <= rate <= high <= 1.0:
            raise ValueError(f"{self.label}: expected 0 <= low <= pass rate <= high <= 1, got {figures}")

    @property
    def evaluated(self) -> bool:
        return self.pass_rate is not None

    @property
    def measured(self) -> tuple[float, float, float] | None:
        """(low, pass rate, high), or None without an eval."""
        if self.low is None or self.pass_rate is None or self.high is None:
            return None
        return self.low, self.pass_rate, self.high


# ---------------------------------------------------------------- text and numbers


def chart_text(text: str, limit: int = TITLE_CHARS) -> str:
    """`text` as a quoted Mermaid string that reads the same and cannot be anything but text.

    Letters and digits of any script and a few harmless punctuation marks stay; whitespace
    (newlines too) becomes one space; `%%` becomes `%`; everything else becomes `_`; longer
    than `limit` characters is cut with an ellipsis.
    """
    kept = "".join(ch if ch.isalnum() or ch in _SAFE_PUNCTUATION else "_" for ch in clip(text, limit))
    while "%%" in kept:
        kept = kept.replace("%%", "%")
    return f'"{kept}"'


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis when longer."""
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1] + "…"


def chart_number(value: float) -> str:
    """A number as the grammar reads it (`[+-]?(\\d+(\\.\\d+)?|\\.\\d+)`): no exponent, one decimal."""
    if not math.isfinite(value):
        raise ValueError(f"a chart cannot show {value}")
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _series(kind: str, values: Sequence[float]) -> str:
    return f"    {kind} [{', '.join(chart_number(v) for v in values)}]"


def _x_axis(labels: Sequence[str]) -> str:
    quoted = [chart_text(label, LABEL_CHARS) for label in labels]
    if len(set(quoted)) != len(quoted):
        raise ValueError(f"chart categories must be distinct, got {list(labels)}")
    return f"    x-axis [{', '.join(quoted)}]"


def xychart(
    title: str,
    labels: Sequence[str],
    y_title: str,
    y_max: float,
    series: Sequence[tuple[str, Sequence[float]]],
) -> str:
    """The source of one vertical chart (no fence): band x-axis, y-axis from 0 to `y_max`.

    The y-axis starts at 0 on purpose: Mermaid's automatic range starts at the smallest value,
    which makes a 2% change look like a cliff.
    """
    if not labels:
        raise ValueError("a chart needs at least one category")
    for kind, values in series:
        if kind not in ("bar", "line") or len(values) != len(labels):
            raise ValueError(f"{kind}: expected one value per category ({len(labels)}), got {len(values)}")
    lines = [
        "xychart-beta",
        f"    title {chart_text(title)}",
        _x_axis(labels),
        f"    y-axis {chart_text(y_title, LABEL_CHARS)} 0 --> {chart_number(y_max)}",
        *(_series(kind, values) for kind, values in series),
    ]
    return "\n".join(lines)


def mermaid_block(source: str) -> str:
    """A chart's source in a ```mermaid fence that nothing inside can close."""
    return fence(source, "mermaid")


def _nice_ceiling(value: float) -> float:
    """The next round number at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


# ---------------------------------------------------------------- versions of a prompt


def pass_rate_chart(title: str, points: Sequence[VersionPoint]) -> str | None:
    """Pass rate per evaluated version as bars, the interval's lower and upper bounds as two lines,
    on a fixed 0-100 % axis; None when no version has an eval.

    Bars, because each version's eval is a measurement of its own, not a point on a trend;
    lines for the bounds, because an interval band that the next bar's top stays inside is
    the picture of "no real change". Versions without an eval are left off (their category
    too: a missing sample is not a result, and a 0 % bar would read as a total failure).
    """
    shown = [(p.label, p.measured) for p in points if p.measured is not None]
    if not shown:
        return None
    series = [[100 * m[i] for _, m in shown if m is not None] for i in range(3)]  # low, rate, high
    return xychart(
        title,
        [label for label, _ in shown],
        "pass rate (%)",
        100,
        [("bar", series[1]), ("line", series[0]), ("line", series[2])],
    )


def tokens_chart(title: str, points: Sequence[VersionPoint]) -> str | None:
    """Tokens per version as bars from 0; None when no version has a token count.

    A chart of its own rather than a series beside the pass rate: xychart-beta has one y-axis,
    and percents (0-100) beside token counts (hundreds to thousands) would flatten one of the
    two, while scaling tokens to percents of the largest would hide the unit people compare.
    """
    shown = [(p.label, float(p.tokens)) for p in points if p.tokens is not None]
    if not shown:
        return None
    counts = [count for _, count in shown]
    top = _nice_ceiling(max(counts))
    return xychart(title, [label for label, _ in shown], "tokens", top, [("bar", counts)])


def version_charts(prompt_id: str, points: Sequence[VersionPoint], *, last: int = DEFAULT_LAST) -> str:
    """Markdown for the dashboard and `promptops history --chart`: the pass-rate chart and the
    tokens chart of the newest `last` of `points` (given oldest first), each with a caption
    that says what is drawn and which versions were left off and why."""
    points = list(points)[-last:] if last > 0 else []
    name = clip(prompt_id, NAME_CHARS)
    if not points:
        return f"_{escape_text(name)}: no versions on the default branch to chart._"
    span = points[0].label if len(points) == 1 else f"{points[0].label}-{points[-1].label}"
    parts: list[str] = []
    rates = pass_rate_chart(f"{name} pass rate, {span}", points)
    unevaluated = [p.label for p in points if not p.evaluated]
    if rates is None:
        parts.append(f"_No eval of {escape_text(name)} in {escape_text(span)}: no pass-rate chart._")
    else:
        caption = (
            "Pass rate of each version's eval (bars) and its confidence interval "
            "(lines: lower and upper bound), 0-100 %."
        )
        if unevaluated:
            caption += f" Not drawn, no eval: {', '.join(unevaluated)}."
        parts += [mermaid_block(rates), f"_{escape_text(caption)}_"]
    tokens = tokens_chart(f"{name} tokens, {span}", points)
    if tokens is not None:
        caption = "Tokens of the prompt text at each version (cl100k_base)."
        missing = [p.label for p in points if p.tokens is None]
        if missing:
            caption += f" Not drawn, file deleted: {', '.join(missing)}."
        parts += [mermaid_block(tokens), f"_{escape_text(caption)}_"]
    return "\n\n".join(parts)


# ---------------------------------------------------------------- rollouts


def rollout_chart(
    prompt_id: str, steps: Sequence[float], weight: float, next_weight: float | None = None
) -> str:
    """Markdown: a rollout's traffic plan as a chart, the current step marked, with a caption.

    Categories are the steps in order, labelled with their share and `now` (and `next` when
    the report moves the rollout on); the line is the plan, the bars the shares the candidate
    has served so far (steps up to the current one), so the gap between them is what is left.
    After an abort (`weight` 0) there are no bars and the title says so.
    """
    if not steps:
        raise ValueError("a rollout needs at least one step")
    labels = []
    for number, share in enumerate(steps, 1):
        mark = " now" if share == weight else " next" if share == next_weight else ""
        labels.append(f"{number}: {chart_number(share)}%{mark}")
    served = [share if weight > 0 and share <= weight else 0.0 for share in steps]
    if weight > 0:
        where = f"step {steps.index(weight) + 1} of {len(steps)}" if weight in steps else "off plan"
        title = f"{clip(prompt_id, NAME_CHARS)} rollout at {chart_number(weight)}% ({where})"
    else:
        title = f"{clip(prompt_id, NAME_CHARS)} rollout stopped at 0% (aborted)"
    source = xychart(title, labels, "traffic (%)", 100, [("bar", served), ("line", list(steps))])
    caption = "Candidate's share of traffic per step: bars for steps reached, the line for the plan."
    return f"{mermaid_block(source)}\n\n_{escape_text(caption)}_"
