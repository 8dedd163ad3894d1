"""GitHub's alert blocks for verdict lines, so a reviewer sees the outcome by its colour.

`> [!CAUTION]` (red) for a regression, `> [!TIP]` (green) for an improvement, `> [!NOTE]`
(blue) for no difference, inconclusive, or anything else: an unknown outcome is never
shown as good news.
"""

from __future__ import annotations

import re

_ARTIFACT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_KINDS = {"regression": "CAUTION", "improvement": "TIP"}


def alert_kind(outcome: str) -> str:
    return _KINDS.get(outcome, "NOTE")


def alert(outcome: str, line: str) -> str:
    """`line` (already escaped markdown) inside the alert block for `outcome`."""
    return f"> [!{alert_kind(outcome)}]\n> {line}"


def run_link(run_url: str | None) -> str:
    """The sentence linking the workflow run that produced a report; empty outside Actions."""
    return f"Produced by [this workflow run]({run_url})." if run_url else ""


def run_links(run_url: str | None, artifact: str | None = None) -> str:
    """`run_link`, plus where the run's JSON run files are: the artifact the workflow uploads them
    as (named by `PROMPTOPS_RUNS_ARTIFACT`), in the run page's Artifacts section. Without a run
    URL (outside Actions), or a name that is not a plain artifact name, nothing is linked."""
    text = run_link(run_url)
    if text and artifact and _ARTIFACT_NAME.fullmatch(artifact):
        text += f" Its eval run files (JSON) are the artifact [`{artifact}`]({run_url}#artifacts)."
    return text
