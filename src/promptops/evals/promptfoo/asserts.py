"""promptfoo assertions -> promptops assertions, one at a time, each problem reported by place.

Types promptops shares keep their names; promptfoo's aliases are renamed; `file://`
values are loaded (python/javascript files are copied next to the cases file); simple
JavaScript length checks become native assertions that need no Node.js. What cannot be
converted is left out and reported with the reason from the catalog, never dropped quietly.
"""

from __future__ import annotations

import re
from typing import Any

from promptops.evals.assertions import lookup
from promptops.evals.promptfoo.catalog import NOT, TYPES
from promptops.evals.promptfoo.report import Conversion
from promptops.evals.promptfoo.sources import is_file_ref, read_value_file, resolve
from promptops.evals.promptfoo.where import Where

KEPT = ("type", "value", "weight", "threshold", "provider", "metric", "description", "rubricPrompt")
CODE_TYPES = ("python", "javascript")
DEFAULT_CSV_SIMILAR_THRESHOLD = 0.8  # promptfoo's default for `similar` written in a CSV cell
CSV_THRESHOLD_TYPES = ("answer-relevance", "similar", "starts-with", "latency", "cost", "levenshtein")

# `output.length > 10`, `output.trim().length > 0`, `output.length <= 280;`
JS_LENGTH = re.compile(r"^\s*(?:return\s+)?output(\.trim\(\))?\.length\s*(>=|>|<=|<|!==|!=)\s*(\d+)\s*;?\s*$")


def assertion_from_string(text: str) -> dict[str, Any]:
    """A CSV `__expected` cell as promptfoo reads it: `type: value`, `type(0.8): value`, or equals."""
    for prefix, kind in (("javascript:", "javascript"), ("fn:", "javascript"), ("eval:", "javascript")):
        if text.startswith(prefix):
            return {"type": kind, "value": text[len(prefix) :].strip()}
    for prefix in ("grade:", "llm-rubric:"):
        if text.startswith(prefix):
            return {"type": "llm-rubric", "value": text[len(prefix) :]}
    if text.startswith("python:"):
        return {"type": "python", "value": text[len("python:") :].strip()}
    if text.startswith("file://") and re.search(r"\.py(:|$)", text):
        return {"type": "python", "value": text}
    if text.startswith("file://") and re.search(r"\.(js|ts)(:|$)", text):
        return {"type": "javascript", "value": text}
    names = "|".join(re.escape(t) for t in sorted(TYPES, key=len, reverse=True))
    match = re.match(rf"^(not-)?({names})(?:\((\d+(?:\.\d+)?)\))?(?::([\s\S]*))?$", text)
    if not match:
        return {"type": "equals", "value": text}
    negate, kind, threshold, value = match.groups()
    out: dict[str, Any] = {"type": f"{negate or ''}{kind}"}
    if kind in ("contains-any", "contains-all", "icontains-any", "icontains-all"):
        out["value"] = [v.strip() for v in (value or "").split(",")]
    elif value is not None:
        out["value"] = value.strip()
    if kind in CSV_THRESHOLD_TYPES:
        default = DEFAULT_CSV_SIMILAR_THRESHOLD if kind == "similar" else 0.75
        out["threshold"] = float(threshold) if threshold else default
    return out


def convert_assertion(
    raw: Any, where: Where, state: Conversion, judge: str | None, embedder: str | None
) -> dict[str, Any] | None:
    """The promptops assertion for `raw`, or None (reported) when it cannot be converted."""
    report = state.report
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise where.error("expected an assertion mapping with a `type`")
    written = raw["type"]
    negate = written.startswith("not-") and written[4:] in TYPES and written not in TYPES
    base = written[4:] if negate else written
    if base not in TYPES:
        try:
            lookup(written)  # promptops's own types (tool-call, not-empty, min-length, ...)
        except KeyError:
            report.unsupported[base] += 1
            report.skip(where, f"type {written!r} is not a promptfoo assertion type promptops knows")
            return None
        target = base
    else:
        status, target_or_none, reason = TYPES[base]
        if status == NOT or target_or_none is None:
            report.unsupported[base] += 1
            report.skip(where, f"type {written!r} left out: {reason}")
            return None
        target = target_or_none
        if target != base:
            report.note(where, f"type {written!r} becomes {('not-' if negate else '') + target!r}")
    if "transform" in raw:
        report.skip(
            where, "left out: its `transform` (code run on the output first) would change what is checked"
        )
        return None
    out: dict[str, Any] = {key: raw[key] for key in KEPT if key in raw}
    out["type"] = f"{'not-' if negate else ''}{target}"
    for key in sorted(set(raw) - set(KEPT) - {"assert", "transform"}):
        report.note(where, f"`{key}` dropped (no promptops equivalent)")
    if target == "assert-set":
        return _assert_set(raw, out, where, state, judge, embedder)
    kind, _ = lookup(out["type"])
    _provider(out, kind.mode, where, state, judge, embedder)
    if "value" in out and is_file_ref(out["value"]):
        out["value"] = _file_value(out["value"], target, where.child("value"), state)
    if "rubricPrompt" in out and is_file_ref(out["rubricPrompt"]):
        (path,) = resolve(out["rubricPrompt"], state.base, where.child("rubricPrompt"))
        out["rubricPrompt"] = read_value_file(path)
    if target == "javascript":
        out = _native_length(out, where, state)
    _check_value(out, raw, where)
    report.assertions += 1
    return out


def _check_value(out: dict[str, Any], raw: dict[str, Any], where: Where) -> None:
    """Check the value as the cases loader will, but at its place in the promptfoo files;
    a `{{var}}` stands for some text there (the loader fills it per case)."""
    kind, _ = lookup(out["type"])
    value = out.get("value")
    if value is None and kind.name in ("latency", "cost"):
        value = out.get("threshold")
    if isinstance(value, str):
        value = re.sub(r"\{\{\s*[A-Za-z_]\w*\s*\}\}", "x", value)
    try:
        kind.prepare(value)
    except ValueError as exc:
        raise (where.child("value") if "value" in raw else where).error(f"{kind.name}: {exc}") from None


def _assert_set(
    raw: dict[str, Any],
    out: dict[str, Any],
    where: Where,
    state: Conversion,
    judge: str | None,
    embedder: str | None,
) -> dict[str, Any] | None:
    children = []
    for i, child in enumerate(raw.get("assert") or []):
        converted = convert_assertion(child, where.child("assert", i), state, judge, embedder)
        if converted is not None:
            children.append(converted)
    if not children:
        state.report.skip(where, "assert-set left out: none of its assertions could be converted")
        return None
    if len(children) < len(raw.get("assert") or []):
        state.report.note(
            where, "assert-set keeps only the assertions that could be converted (listed above)"
        )
    out.pop("value", None)
    out["assert"] = children
    return out


def _provider(
    out: dict[str, Any], mode: str, where: Where, state: Conversion, judge: str | None, embedder: str | None
) -> None:
    """A judge or embedding provider as a model name (`anthropic:messages:claude-x` -> `claude-x`)."""
    raw = out.get("provider")
    if isinstance(raw, dict):
        inner = raw.get("embedding" if mode == "embedding" else "text")
        raw = (
            inner.get("id") if isinstance(inner, dict) else inner if isinstance(inner, str) else raw.get("id")
        )
    inherited = raw is None
    if raw is None:
        raw = embedder if mode == "embedding" else judge if mode == "judge" else None
        if raw is None:
            out.pop("provider", None)
            return
    if mode not in ("judge", "embedding"):
        state.report.note(where, f"provider {raw!r} dropped: {out['type']} calls no model")
        out.pop("provider", None)
        return
    model = model_name(str(raw))
    if model != raw and not inherited:
        state.report.note(
            where, f"{'judge' if mode == 'judge' else 'embedding'} provider {raw!r} becomes model {model!r}"
        )
    out["provider"] = model


def model_name(provider_id: str) -> str:
    """The model of a promptfoo provider id: the part after the last `:`."""
    return provider_id.rsplit(":", 1)[-1] if ":" in provider_id else provider_id


def _file_value(ref: str, target: str, where: Where, state: Conversion) -> Any:
    paths = resolve(ref, state.base, where)
    if target in CODE_TYPES:
        function = ref.rsplit(":", 1)[1] if re.search(r"\.(py|js|cjs|mjs|ts):\w+$", ref) else None
        name = state.code_file(paths[0])
        state.report.note(where, f"{paths[0].name} is copied next to the cases file as {name}")
        return f"file://{name}" + (f":{function}" if function else "")
    if len(paths) > 1:
        raise where.error(f"{ref!r} matches {len(paths)} files; an assertion value is one file")
    return read_value_file(paths[0])


def _native_length(out: dict[str, Any], where: Where, state: Conversion) -> dict[str, Any]:
    """`output.length > 10` needs no Node.js: it becomes min-length 11 (and so on)."""
    value = out.get("value")
    match = JS_LENGTH.match(value) if isinstance(value, str) and "threshold" not in out else None
    if not match:
        return out
    trimmed, op, number = match.group(1), match.group(2), int(match.group(3))
    negate = out["type"].startswith("not-")
    if (op in (">", "!==", "!=") and number == 0) or (op == ">=" and number == 1):
        native: dict[str, Any] = {"type": "not-empty"} if trimmed else {"type": "min-length", "value": 1}
    elif trimmed:
        return out  # a bound on the trimmed length has no native equivalent
    elif op in ("!==", "!="):
        return out
    else:
        bound = {">": number + 1, ">=": number, "<": number - 1, "<=": number}[op]
        native = {"type": "min-length" if op.startswith(">") else "max-length", "value": max(bound, 0)}
    if negate:
        native["type"] = f"not-{native['type']}"
    native.update({k: out[k] for k in ("weight", "metric", "description") if k in out})
    state.report.note(
        where, f"javascript {value.strip()!r} becomes {native['type']} {native.get('value', '')}".rstrip()
    )
    return native
