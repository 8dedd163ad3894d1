"""promptfoo `tests` and `defaultTest` -> promptops `cases` and `defaults`.

Tests come inline, from `file://` YAML/JSON/JSONL/CSV files and globs; CSV columns follow
promptfoo's conventions (`__expected*`, `__description`, `__threshold`, `__metadata:key`,
`__metadata:key[]`, `__config:__expectedN:threshold`, `__prefix`/`__suffix`, ...). Vars
loaded from `file://` are read; a var holding a list makes one case per item (per
combination for several), as promptfoo expands them. Every key without an equivalent is
reported with its place.
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass
from typing import Any

from promptops.evals.assertions import lookup
from promptops.evals.promptfoo.asserts import assertion_from_string, convert_assertion, model_name
from promptops.evals.promptfoo.report import Conversion
from promptops.evals.promptfoo.sources import (
    LoadedTest,
    is_file_ref,
    load_tests_file,
    read_value_file,
    resolve,
)
from promptops.evals.promptfoo.where import Where

VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TEST_KEYS = {"description", "vars", "assert", "threshold", "metadata", "options"}
OPTION_KEYS = {"provider", "rubricPrompt", "disableVarExpansion"}
REASONS = {
    "transform": "the output transform is code run before the assertions; they check the raw output",
    "postprocess": "the output transform is code run before the assertions; they check the raw output",
    "prefix": "promptops sends the agent's prompt as it is, without a per-test prefix",
    "suffix": "promptops sends the agent's prompt as it is, without a per-test suffix",
    "provider": "a case runs on the agent's model",
    "providers": "a case runs on the agent's model",
    "providerOutput": "promptops judges real model outputs only",
    "assertScoringFunction": "cases are scored by the weighted mean of their assertions (and threshold)",
    "prompts": "every case runs the agent's prompts",
}


@dataclass(frozen=True)
class ConvertedCase:
    where: Where
    data: dict[str, Any]


@dataclass(frozen=True)
class Defaults:
    where: Where | None
    data: dict[str, Any]  # promptops `defaults`
    metadata: dict[str, Any]
    options: dict[str, Any]


def collect_tests(data: dict[str, Any], root: Where, state: Conversion) -> list[LoadedTest]:
    """Every test of the suite, inline or from files, with its place."""
    tests = data.get("tests")
    where = root.child("tests")
    if tests is None:
        raise root.error("expected `tests` (a list of tests, or file:// tests files)")
    entries = [tests] if isinstance(tests, str) else tests
    if not isinstance(entries, list):
        raise where.error("expected `tests` as a list of tests or file:// paths")
    out: list[LoadedTest] = []
    for i, entry in enumerate(entries):
        place = where if isinstance(tests, str) else where.child(i)
        if isinstance(entry, str):
            out.extend(_tests_from_ref(entry, place, state))
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
            out.extend(_tests_from_ref(entry["path"], place.child("path"), state))
        else:
            out.append(LoadedTest(place, entry))
    return out


def _tests_from_ref(ref: str, where: Where, state: Conversion) -> list[LoadedTest]:
    if not is_file_ref(ref):
        raise where.error(
            f"{ref!r}: tests from URLs, sheets or datasets are not imported; download them to a CSV, "
            "YAML or JSONL file and point at it with file://"
        )
    loaded = []
    for path in resolve(ref, state.base, where):
        loaded.extend(load_tests_file(path, state.report.source))
    return loaded


def convert_defaults(data: dict[str, Any], root: Where, state: Conversion) -> Defaults:
    raw = data.get("defaultTest")
    where = root.child("defaultTest")
    if raw is None:
        return Defaults(None, {}, {}, {})
    if is_file_ref(raw):
        (path,) = resolve(raw, state.base, where)
        (loaded,) = load_tests_file(path, state.report.source)
        raw, where = loaded.test, loaded.where
    if not isinstance(raw, dict):
        raise where.error("expected defaultTest as a mapping (vars, assert, options, ...)")
    options = _options(raw.get("options"), where.child("options"), state, {})
    out: dict[str, Any] = {}
    variables = load_vars(raw.get("vars"), where.child("vars"), state)
    if variables:
        out["vars"] = variables
    asserts = _assertions(raw.get("assert"), where, state, options)
    if asserts:
        out["assert"] = asserts
    if "threshold" in raw:
        out["threshold"] = raw["threshold"]
    metadata = raw.get("metadata") or {}
    if metadata:
        state.report.note(where.child("metadata"), "copied into every case's metadata")
    _report_extra_keys(raw, where, state)
    return Defaults(where, out, metadata, options)


def convert_test(loaded: LoadedTest, state: Conversion, defaults: Defaults) -> list[ConvertedCase]:
    where, test = loaded.where, loaded.test
    if isinstance(test, dict) and "__csv__" in test:
        test = csv_row_test(test["__csv__"], where, state)
    if not isinstance(test, dict):
        raise where.error("expected a test mapping (vars, assert, ...)")
    options = _options(test.get("options"), where.child("options"), state, defaults.options)
    variables = load_vars(test.get("vars"), where.child("vars"), state)
    case: dict[str, Any] = {}
    if isinstance(test.get("description"), str):
        case["description"] = test["description"]
    asserts = _assertions(test.get("assert"), where, state, options)
    if asserts:
        case["assert"] = asserts
    if "threshold" in test:
        case["threshold"] = test["threshold"]
    metadata = {**defaults.metadata, **(test.get("metadata") or {})}
    if metadata:
        case["metadata"] = metadata
    _report_extra_keys(test, where, state)
    expanded = expand_vars(variables, where.child("vars"), state, bool(options.get("disableVarExpansion")))
    return [ConvertedCase(where, _ordered(copy.deepcopy(case), v)) for v in expanded]


def _ordered(case: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any]:
    """Keys in the order people read a case: description, vars, assertions, the rest."""
    head = {k: case.pop(k) for k in ("description",) if k in case}
    return {**head, **({"vars": variables} if variables else {}), **case}


def _assertions(raw: Any, where: Where, state: Conversion, options: dict[str, Any]) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise where.child("assert").error("expected `assert` as a list of assertions")
    out = []
    for i, item in enumerate(raw):
        converted = convert_assertion(
            item, where.child("assert", i), state, options.get("judge"), options.get("embedder")
        )
        if converted is None:
            continue
        rubric = options.get("rubricPrompt")
        if rubric is not None and "rubricPrompt" not in converted and lookup(converted["type"])[0].graded:
            converted["rubricPrompt"] = rubric
        out.append(converted)
    return out


def _options(raw: Any, where: Where, state: Conversion, inherited: dict[str, Any]) -> dict[str, Any]:
    """The options promptops honours (judge, embedder, rubricPrompt, disableVarExpansion)."""
    out = dict(inherited)
    if raw is None:
        return out
    if not isinstance(raw, dict):
        raise where.error("expected options as a mapping")
    provider = raw.get("provider")
    if isinstance(provider, str):
        out["embedder" if ":embedding:" in provider or ":embeddings:" in provider else "judge"] = provider
    elif isinstance(provider, dict):
        for role, key in (("judge", "text"), ("embedder", "embedding")):
            inner = provider.get(key, provider if "id" in provider else None)
            if isinstance(inner, dict | str):
                out[role] = inner["id"] if isinstance(inner, dict) else inner
    if "provider" in raw and out.get("judge"):
        state.report.note(
            where.child("provider"),
            f"judge model {model_name(str(out['judge']))!r} for model-graded assertions",
        )
    if "rubricPrompt" in raw:
        rubric = raw["rubricPrompt"]
        if is_file_ref(rubric):
            (path,) = resolve(rubric, state.base, where.child("rubricPrompt"))
            rubric = read_value_file(path)
        out["rubricPrompt"] = rubric
    if "disableVarExpansion" in raw:
        out["disableVarExpansion"] = bool(raw["disableVarExpansion"])
    for key in sorted(set(raw) - OPTION_KEYS):
        reason = REASONS.get(key, "no promptops equivalent")
        state.report.skip(where.child(key), reason)
    return out


def _report_extra_keys(test: dict[str, Any], where: Where, state: Conversion) -> None:
    for key in sorted(set(test) - TEST_KEYS):
        reason = REASONS.get(key, "no promptops equivalent")
        state.report.skip(where.child(key), reason)


def load_vars(raw: Any, where: Where, state: Conversion) -> dict[str, Any]:
    """Vars with `file://` values read (a glob gives a list of them); bad names are reported."""
    if raw is None:
        return {}
    if is_file_ref(raw):
        (path,) = resolve(raw, state.base, where)
        raw = read_value_file(path)
        state.report.note(where, f"vars loaded from {path.name}")
    if not isinstance(raw, dict):
        raise where.error("expected vars as a mapping of name: value")
    out: dict[str, Any] = {}
    for name, value in raw.items():
        place = where.child(str(name))
        if not VAR_NAME.match(str(name)):
            state.report.skip(
                place, "left out: a var name must be letters, digits and _ (it cannot be a {{var}})"
            )
            continue
        out[str(name)] = _var_value(value, place, state)
    return out


def _var_value(value: Any, where: Where, state: Conversion) -> Any:
    if isinstance(value, list):
        return [_var_value(v, where, state) for v in value]
    if not is_file_ref(value):
        return value
    paths = resolve(value, state.base, where)
    if any(p.suffix in (".py", ".js", ".ts", ".mjs", ".cjs") for p in paths):
        raise where.error(
            f"{value!r}: vars computed by code are not imported (write the value, or a text file)"
        )
    loaded = [read_value_file(p) for p in paths]
    return loaded if len(paths) > 1 or "*" in value else loaded[0]


def expand_vars(
    variables: dict[str, Any], where: Where, state: Conversion, disabled: bool
) -> list[dict[str, Any]]:
    """One vars mapping per combination of the list vars' items, as promptfoo expands them."""
    lists = {k: v for k, v in variables.items() if isinstance(v, list)}
    if not lists or disabled:
        return [variables]
    if any(not v for v in lists.values()):
        empty = next(k for k, v in lists.items() if not v)
        raise where.child(empty).error("an empty list expands into no test; remove the var or give it items")
    combos = [dict(zip(lists, items, strict=True)) for items in itertools.product(*lists.values())]
    sizes = " x ".join(f"{k} ({len(v)})" for k, v in lists.items())
    state.report.note(
        where,
        f"list var{'s' * (len(lists) > 1)} {sizes} expanded into {len(combos)} cases, as promptfoo does",
    )
    return [{**variables, **combo} for combo in combos]


def csv_row_test(row: dict[str, str], where: Where, state: Conversion) -> dict[str, Any]:
    """A promptfoo test from one CSV row: `__` columns are test fields, the others vars."""
    test: dict[str, Any] = {"vars": {}, "assert": [], "metadata": {}}
    configs: dict[str, dict[str, Any]] = {}
    columns: dict[str, int] = {}
    metric = None
    for column, cell in row.items():
        place = where.child(column)
        if column.startswith("__expected"):
            if cell.strip():
                columns[column] = len(test["assert"])
                test["assert"].append(assertion_from_string(cell))
        elif column == "__description":
            test["description"] = cell
        elif column == "__threshold":
            if cell.strip():
                test["threshold"] = _number(cell, place)
        elif column.startswith("__metadata:"):
            key = column[len("__metadata:") :]
            if key.endswith("[]"):
                parts = re.split(r"(?<!\\),", cell)
                test["metadata"][key[:-2]] = [p.replace("\\,", ",").strip() for p in parts if p.strip()]
            elif cell:
                test["metadata"][key] = cell
        elif column.startswith("__config:"):
            target, _, key = column[len("__config:") :].partition(":")
            if cell.strip():
                configs.setdefault(target, {})[key] = _number(cell, place)
        elif column in ("__prefix", "__suffix"):
            if cell:
                test.setdefault("options", {})[column[2:]] = cell
        elif column == "__providerOutput":
            if cell:
                test["providerOutput"] = cell
        elif column == "__metric":
            metric = cell or None
        elif column.startswith("__"):
            state.report.skip(place, "an unknown promptfoo CSV column")
        else:
            if column.startswith("_") and column[1:].split(":")[0] in (
                "expected",
                "description",
                "threshold",
                "metadata",
            ):
                state.report.note(place, f"kept as a var; did you mean `_{column}` (two underscores)?")
            test["vars"][column] = cell
    for target, settings in configs.items():
        index = columns.get(target)
        for key, value in settings.items():
            if index is None or key not in ("threshold", "weight"):
                state.report.skip(
                    where.child(f"__config:{target}:{key}"),
                    "no such assertion setting (only threshold, weight)",
                )
            else:
                test["assert"][index][key] = value
    if metric:
        for assertion in test["assert"]:
            assertion.setdefault("metric", metric)
    return {k: v for k, v in test.items() if v not in ({}, [])}


def _number(cell: str, where: Where) -> float:
    try:
        return float(cell)
    except ValueError:
        raise where.error(f"expected a number, got {cell!r}") from None
