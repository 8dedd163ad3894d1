"""`promptops lint` for eval cases files: every problem `eval` would stop at, all at once.

Loading a suite (`cases.parse_suite`) stops at the first error so no run starts on a
broken file; lint reuses the same per-assertion checks but keeps going, so one run of
`promptops lint` lists every bad assertion, duplicate id and missing variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from promptops.errors import InputError
from promptops.evals.cases import DEFAULT_USER_TEMPLATE, parse_assertion
from promptops.evals.template import template_vars
from promptops.files import Document, format_json_path, load_document
from promptops.repo.lint import Finding, error_finding
from promptops.schemas import describe, schema_errors


def case_findings(path: Path, templates: dict[str, str] | None) -> list[Finding]:
    """Findings for the cases file at `path`; `templates` None skips the variable check.

    This is the `repo.lint.CasesCheck` that `promptops lint` hands to `lint_paths`.
    """
    try:
        doc = load_document(path)
    except InputError as exc:
        code = "PO002" if "not valid UTF-8" in str(exc) else "PO001"
        return [error_finding(exc, code, path)]
    errors = schema_errors(doc.data, "cases")
    if errors:
        return [_at(doc, list(e.absolute_path), "PO501", describe(e)) for e in errors]
    findings = _duplicate_ids(doc)
    defaults = doc.data.get("defaults") or {}
    for index, case in enumerate(doc.data.get("cases") or []):
        variables = {**(defaults.get("vars") or {}), **(case.get("vars") or {})}
        # defaults' assertions run in every case, with that case's vars, as `eval` does
        findings += _assertion_findings(doc, ["defaults"], defaults, case["id"], variables)
        findings += _assertion_findings(doc, ["cases", index], case, case["id"], variables)
        if templates is not None:
            findings += _missing_vars(doc, index, case, variables, templates)
    unique = {(f.line, f.column, f.code): f for f in reversed(findings)}  # a defaults finding once
    return sorted(unique.values(), key=lambda f: (f.line, f.column, f.code))


def _at(doc: Document, json_path: list[str | int], code: str, message: str) -> Finding:
    line, col = doc.locate(json_path)
    where = format_json_path(json_path)
    return Finding(doc.path, line, col, code, f"{where + ': ' if where else ''}{message}")


def _duplicate_ids(doc: Document) -> list[Finding]:
    first: dict[str, int] = {}
    findings = []
    for index, case in enumerate(doc.data.get("cases") or []):
        earlier = first.setdefault(case["id"], index)
        if earlier != index:
            message = f"duplicate case id {case['id']!r} (first used at cases[{earlier}])"
            findings.append(_at(doc, ["cases", index, "id"], "PO502", message))
    return findings


def _assertion_findings(
    doc: Document, owner: list[str | int], raw: dict[str, Any], case_id: str, variables: dict[str, Any]
) -> list[Finding]:
    findings = []
    for i, assertion in enumerate(raw.get("assert") or []):
        try:
            parse_assertion(doc, [*owner, "assert", i], assertion, case_id, variables)
        except InputError as exc:
            findings.append(error_finding(exc, "PO503", doc.path))
    return findings


def _missing_vars(
    doc: Document, index: int, case: dict[str, Any], variables: dict[str, Any], templates: dict[str, str]
) -> list[Finding]:
    findings = []
    filled = {"user_template": DEFAULT_USER_TEMPLATE, **templates}
    for name, text in filled.items():
        for var in template_vars(text):
            if var not in variables:
                where = f"the {name}" if name in templates else f"the default {DEFAULT_USER_TEMPLATE!r}"
                message = f"case {case['id']!r} lacks var {var!r}, which {where} uses"
                place: list[str | int] = ["cases", index, "vars"] if "vars" in case else ["cases", index]
                findings.append(_at(doc, place, "PO504", message))
    return findings
