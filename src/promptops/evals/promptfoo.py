"""Import a promptfoo test suite (promptfooconfig.yaml) as an agent's cases file.

promptfoo's `tests[]` (vars, assert, threshold, metadata, description) and `defaultTest`
map onto promptops cases one to one, and the assertion names are the same. What has no
promptops equivalent (javascript/python assertions, transforms, tests loaded from
files) is reported by its place in the promptfoo file and left out. Every converted
assertion is checked as the cases loader would check it, against the promptfoo file's
lines, and nothing is written unless the whole result loads cleanly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from promptops.config import Config
from promptops.errors import InputError
from promptops.evals.assertions import lookup
from promptops.evals.cases import check_template_vars, parse_suite
from promptops.files import Document, format_json_path, load_document, parse_yaml
from promptops.repo.agents import Agent, load_agent

KEPT_KEYS = ("type", "value", "weight", "threshold", "provider")
IGNORED_KEYS = ("metric", "description")  # naming only: dropping them changes no verdict
DEFAULT_CASES_FILE = "evals/cases.yaml"


@dataclass
class ImportReport:
    path: Path
    cases: int = 0
    assertions: int = 0
    skipped: list[str] = field(default_factory=list)  # what could not be converted, by promptfoo location
    notes: list[str] = field(default_factory=list)  # converted with a change worth knowing
    hint: str | None = None  # what the user still has to do (declare the file in agent.yaml)


def import_promptfoo(config: Config, source: Path, agent_id: str, *, force: bool = False) -> ImportReport:
    """Convert `source` into the agent's cases file; raises before writing on invalid input."""
    agent = load_agent(config, agent_id)
    target = agent.evals_path or agent.folder / DEFAULT_CASES_FILE
    doc = load_document(source)
    report = ImportReport(path=target)
    data = convert(doc, report)
    text = f"# Converted from {source.name} by `promptops import-promptfoo`.\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100
    )
    _check_result(doc, text, target, config, agent)
    _refuse_overwrite(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    if agent.evals_path is None:
        report.hint = (
            f"add `evals: {DEFAULT_CASES_FILE}` to {agent.folder / 'agent.yaml'} so promptops finds it"
        )
    return report


def convert(doc: Document, report: ImportReport) -> dict[str, Any]:
    """The cases-file data for a promptfoo document; problems are recorded in `report`."""
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error([], "expected a promptfoo config (a mapping with `tests`)")
    tests = data.get("tests")
    if isinstance(tests, str) or not isinstance(tests, list):
        raise doc.error(
            ["tests"] if "tests" in data else [],
            "expected `tests` as a list of test cases written in this file "
            "(tests loaded from other files are not imported)",
        )
    if "scenarios" in data:
        report.skipped.append("scenarios: promptops has no scenarios; write them as separate cases")
    out: dict[str, Any] = {}
    default = data.get("defaultTest")
    if isinstance(default, dict):
        defaults = _convert_test(doc, ["defaultTest"], default, report)
        defaults.pop("description", None)
        if defaults:
            out["defaults"] = defaults
    ids: set[str] = set()
    cases = []
    for index, test in enumerate(tests):
        if not isinstance(test, dict):
            raise doc.error(["tests", index], "expected a test case mapping (vars, assert, ...)")
        case = {
            "id": _unique_id(test.get("description"), index, ids),
            **_convert_test(doc, ["tests", index], test, report),
        }
        cases.append(case)
    out["cases"] = cases
    report.cases = len(cases)
    return out


def _convert_test(
    doc: Document, path: list[str | int], test: dict[str, Any], report: ImportReport
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(test.get("description"), str):
        out["description"] = test["description"]
    vars_ = test.get("vars")
    if vars_ is not None:
        if not isinstance(vars_, dict):
            raise doc.error([*path, "vars"], "expected vars as a mapping of name: value")
        out["vars"] = _convert_vars(vars_, path, report)
    asserts = []
    for i, raw in enumerate(test.get("assert") or []):
        converted = _convert_assertion(doc, [*path, "assert", i], raw, report)
        if converted is not None:
            asserts.append(converted)
    if asserts:
        out["assert"] = asserts
    for key in ("threshold", "metadata"):
        if key in test:
            out[key] = test[key]
    for key in sorted(set(test) - {"description", "vars", "assert", "threshold", "metadata"}):
        report.skipped.append(
            f"{format_json_path([*path, key])}: promptfoo `{key}` has no promptops equivalent"
        )
    return out


def _convert_vars(vars_: dict[str, Any], path: list[str | int], report: ImportReport) -> dict[str, Any]:
    for name, value in vars_.items():
        where = format_json_path([*path, "vars", name])
        if isinstance(value, str) and value.startswith("file://"):
            report.notes.append(
                f"{where}: {value!r} is kept as literal text (promptops does not load var files)"
            )
        elif isinstance(value, list):
            report.notes.append(
                f"{where}: a list is one value in promptops (promptfoo expands it into one "
                "test per item); split the case by hand if you relied on that"
            )
    return dict(vars_)


def _convert_assertion(
    doc: Document, path: list[str | int], raw: Any, report: ImportReport
) -> dict[str, Any] | None:
    where = format_json_path(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise doc.error(path, "expected an assertion mapping with a `type`")
    try:
        kind, _ = lookup(raw["type"])
    except KeyError:
        report.skipped.append(
            f"{where}: type {raw['type']!r} cannot be converted (promptops assertions: "
            "the promptfoo names it shares, no code or similarity assertions)"
        )
        return None
    if "transform" in raw:
        report.skipped.append(f"{where}: `transform` changes what is checked; promptops cannot run it")
        return None
    out = {key: raw[key] for key in KEPT_KEYS if key in raw}
    if isinstance(out.get("provider"), dict):
        out["provider"] = out["provider"].get("id")
    if isinstance(out.get("provider"), str) and ":" in out["provider"]:
        report.notes.append(
            f"{where}: judge provider {out['provider']!r} becomes model {out['provider'].rsplit(':', 1)[1]!r}"
        )
        out["provider"] = out["provider"].rsplit(":", 1)[1]
    if kind.name in ("latency", "cost") and "value" not in out and "threshold" in out:
        out["value"] = out.pop("threshold")
    for key in sorted(set(raw) - set(KEPT_KEYS) - set(IGNORED_KEYS)):
        report.notes.append(f"{where}: `{key}` dropped")
    try:
        kind.prepare(_placeholder_vars(out.get("value")))
    except ValueError as exc:
        raise doc.error([*path, "value"] if "value" in raw else path, f"{kind.name}: {exc}") from None
    report.assertions += 1
    return out


def _placeholder_vars(value: Any) -> Any:
    """Check values as written: a `{{var}}` stands for some text (the loader fills it per case)."""
    if isinstance(value, str):
        return re.sub(r"\{\{\s*[A-Za-z_]\w*\s*\}\}", "x", value)
    return value


def _unique_id(description: Any, index: int, seen: set[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", str(description or "").lower()).strip("-")[:48].strip("-")
    base = slug or f"test-{index + 1}"
    candidate, n = base, 2
    while candidate in seen:
        candidate, n = f"{base}-{n}", n + 1
    seen.add(candidate)
    return candidate


def _check_result(doc: Document, text: str, target: Path, config: Config, agent: Agent) -> None:
    """Load the converted file as `promptops eval` would; map a failure back to the promptfoo file."""
    try:
        suite = parse_suite(parse_yaml(text, target), config)
        check_template_vars(suite, agent)
    except InputError as exc:
        detail = str(exc).split(": error: ", 1)[-1]
        match = re.match(r"cases\[(\d+)\]", detail)
        where = ["tests", int(match.group(1))] if match else []
        raise doc.error(where, f"would not load as promptops cases: {detail}") from None


def _refuse_overwrite(target: Path, force: bool) -> None:
    if force or not target.exists():
        return
    try:
        existing = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        existing = {"cases": "unreadable"}
    if isinstance(existing, dict) and not existing.get("cases"):
        return  # an empty or example-only cases file (as `promptops extract` writes) is fair to replace
    raise InputError(f"{target}: error: already holds cases; pass --force to replace them")
