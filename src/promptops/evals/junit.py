"""JUnit XML for CI test reports: one <testsuite> per run, one <testcase> per case and repeat.

Errors (the call or an assertion could not run) are <error>, fails are <failure>, so CI
dashboards keep them apart the way promptops does.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from promptops.evals.report import failure_reasons, measured_on
from promptops.evals.results import CaseResult, EvalRun


def junit_xml(runs: Sequence[EvalRun]) -> str:
    """One <testsuite> per run, one <testcase> per sample; errors apart from failures."""
    root = ET.Element("testsuites", name="promptops eval")
    for run in runs:
        s = run.summary
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"{run.agent} ({run.label})",
                "tests": str(s.samples),
                "failures": str(s.failed),
                "errors": str(s.errors),
                "skipped": str(s.planned - s.samples),
                "time": f"{sum(r.latency_ms for r in run.results) / 1000:.3f}",
                "timestamp": run.created_at,
            },
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("run_id", run.run_id),
            ("model", run.model),
            ("provider", run.provider),
            ("ref", run.ref or "working tree"),
            ("measured_on", measured_on(run)),
        ):
            ET.SubElement(props, "property", name=name, value=value)
        for result in run.results:
            _junit_case(suite, run, result)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _junit_case(suite: ET.Element, run: EvalRun, result: CaseResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {
            "classname": f"{run.agent}.{run.label}",
            "name": f"{result.case_id}#{result.repeat_index}",
            "time": f"{result.latency_ms / 1000:.3f}",
        },
    )
    reasons = failure_reasons(result)
    if result.passed is None:
        ET.SubElement(case, "error", message=(result.error or "error")[:500]).text = "\n".join(reasons)
    elif not result.passed:
        ET.SubElement(
            case,
            "failure",
            message=reasons[0][:500] if reasons else "score below threshold",
            type="assertion",
        ).text = "\n".join(reasons)
    if result.output is not None:
        ET.SubElement(case, "system-out").text = _xml_safe(result.output)


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters; a model can emit them."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text)
