"""Loading an agent's test cases: everything that can be wrong is caught here, before any call.

A cases file is validated by `schemas/cases.schema.json`, then each assertion's value is
checked by its type (regex compiles, JSON Schema is valid, ...), ids are checked for
duplicates, and every variable the agent's templates need is checked against each case.
Errors point at file:line:col with the JSON path (`cases[3].assert[1]`) and the case id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptops.config import Config
from promptops.errors import InputError, NotFoundError
from promptops.evals.assertions import THRESHOLD_VALUED, AssertionSpec, lookup
from promptops.evals.template import render_template, template_vars
from promptops.files import Document, format_json_path, load_document, parse_yaml
from promptops.schemas import validate_items

if TYPE_CHECKING:
    from promptops.repo.agents import Agent

SPLITS = ("dev", "holdout")
DEFAULT_USER_TEMPLATE = "{{input}}"  # an agent without a user_template sends the `input` var


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    index: int  # position in the file's `cases` list
    vars: dict[str, Any]
    assertions: tuple[AssertionSpec, ...]
    split: str
    repeat: int | None = None
    tags: tuple[str, ...] = ()
    threshold: float | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    messages: tuple[dict[str, str], ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Suite:
    """An agent's cases plus the settings they were loaded with (default model, judge, repeats)."""

    path: Path
    cases: tuple[Case, ...]
    model: str  # provider.model, used when the agent names no model
    judge_model: str | None = None
    repeat: int = 1
    rel_path: str = ""  # the cases file relative to the repository root, for reports
    # The file's text, re-parsed only when an error needs a line number: a node tree kept
    # for the whole run cost 25 KB per case.
    source: str = field(default="", repr=False, compare=False)
    digest: str = ""  # sha256 of that text: shards of one run must come from the same cases

    def select(
        self, split: str = "all", case_ids: Sequence[str] | None = None, text: str | None = None
    ) -> list[Case]:
        """Cases in `split` (dev, holdout or all), with one of `case_ids`, matching `text`."""
        chosen = [c for c in self.cases if split == "all" or c.split == split]
        if case_ids is not None:
            wanted = set(case_ids)
            chosen = [c for c in chosen if c.id in wanted]
        if text:
            needle = text.casefold()
            chosen = [c for c in chosen if needle in c.id.casefold() or needle in map(str.casefold, c.tags)]
        return chosen


def assign_split(case_id: str, holdout_fraction: float) -> str:
    """Deterministic dev/holdout split by a hash of the id: stable across runs and machines."""
    digest = hashlib.sha256(case_id.encode("utf-8")).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    return "holdout" if position < holdout_fraction else "dev"


def load_suite(agent: Agent, config: Config) -> Suite:
    """The agent's cases file, fully checked against the agent's templates."""
    if agent.evals_path is None:
        raise NotFoundError(
            f"agent {agent.id!r} declares no eval cases; add `evals: evals/cases.yaml` to "
            f"{agent.folder / 'agent.yaml'} and write the cases there"
        )
    suite = parse_suite(load_document(agent.evals_path, items_of="cases"), config)
    check_template_vars(suite, agent)
    return suite


def parse_suite(doc: Document, config: Config) -> Suite:
    """A Suite from a loaded cases document; raises InputError at the first problem."""
    validate_items(doc, "cases", "cases")
    data = doc.data
    defaults = data.get("defaults") or {}
    fraction = float(config.get("evals.holdout_fraction"))
    seen: dict[str, int] = {}
    cases = []
    for index, raw in enumerate(data.get("cases") or []):
        if raw["id"] in seen:
            raise doc.error(
                ["cases", index, "id"],
                f"duplicate case id {raw['id']!r} (first used at cases[{seen[raw['id']]}])",
            )
        seen[raw["id"]] = index
        cases.append(_parse_case(doc, index, raw, defaults, fraction))
    return Suite(
        path=doc.path,
        cases=tuple(cases),
        model=str(config.get("provider.model")),
        judge_model=config.get("evals.judge_model"),
        repeat=int(config.get("evals.repeat")),
        rel_path=_relative(doc.path, config.root),
        source=doc.text,
        digest=hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _parse_case(
    doc: Document, index: int, raw: dict[str, Any], defaults: dict[str, Any], fraction: float
) -> Case:
    case_id = raw["id"]
    variables = {**(defaults.get("vars") or {}), **(raw.get("vars") or {})}
    sources = [(["defaults", "assert", i], a) for i, a in enumerate(defaults.get("assert") or [])]
    sources += [(["cases", index, "assert", i], a) for i, a in enumerate(raw.get("assert") or [])]
    assertions = tuple(_parse_assertion(doc, path, a, case_id, variables) for path, a in sources)
    tags = tuple(dict.fromkeys([*(defaults.get("tags") or []), *(raw.get("tags") or [])]))
    return Case(
        id=case_id,
        index=index,
        vars=variables,
        assertions=assertions,
        split=raw.get("split") or assign_split(case_id, fraction),
        repeat=raw.get("repeat", defaults.get("repeat")),
        tags=tags,
        threshold=raw.get("threshold", defaults.get("threshold")),
        metadata=raw.get("metadata") or {},
        messages=tuple(raw.get("messages") or ()),
        description=raw.get("description", ""),
    )


def _parse_assertion(
    doc: Document, path: list[str | int], raw: dict[str, Any], case_id: str, variables: dict[str, Any]
) -> AssertionSpec:
    where = f"case {case_id!r}: "
    try:
        kind, negate = lookup(raw["type"])
    except KeyError as exc:
        raise doc.error([*path, "type"], where + exc.args[0]) from None
    value = raw.get("value")
    if kind.name in THRESHOLD_VALUED and value is None:
        value = raw.get("threshold")  # promptfoo writes the maximum of latency/cost as threshold
    try:
        value = _render_value(value, variables)
    except KeyError as exc:
        raise doc.error(
            [*path, "value"], f"{where}uses var {exc.args[0]!r}, which the case does not set"
        ) from None
    if kind.graded and not 0 <= raw.get("threshold", 0) <= 1:
        raise doc.error([*path, "threshold"], f"{where}{kind.name}: threshold is a judge score from 0 to 1")
    try:
        prepared = kind.prepare(value)
    except ValueError as exc:
        raise doc.error([*path, "value"] if "value" in raw else path, f"{where}{kind.name}: {exc}") from None
    return AssertionSpec(
        type=kind.name,
        negate=negate,
        value=prepared,
        weight=float(raw.get("weight", 1.0)),
        threshold=None if kind.name in THRESHOLD_VALUED else raw.get("threshold"),
        provider=raw.get("provider"),
        origin=format_json_path(path),
    )


def _render_value(value: Any, variables: dict[str, Any]) -> Any:
    """`{{var}}` in string values (and lists of strings) take the case's vars, as in promptfoo."""
    if isinstance(value, str):
        return render_template(value, variables)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [render_template(v, variables) for v in value]
    return value


def templates_of(agent: Agent) -> dict[str, str]:
    """The templates a case's vars fill: user_template (or the `{{input}}` default) and assistant_template."""
    out = {"user_template": DEFAULT_USER_TEMPLATE}
    for name in ("user_template", "assistant_template"):
        if name in agent.prompts:
            out[name] = agent.prompts[name].text
    return out


def check_template_vars(suite: Suite, agent: Agent) -> None:
    """Every var the agent's templates use must be set by every case (or by defaults)."""
    for name, text in templates_of(agent).items():
        needed = template_vars(text)
        where = agent.prompts[name].rel_path if name in agent.prompts else f"the default {name} {text!r}"
        for case in suite.cases:
            missing = [v for v in needed if v not in case.vars]
            if missing:
                message = f"case {case.id!r} lacks var {missing[0]!r}, which {where} uses"
                if not suite.source:
                    raise InputError(f"{suite.path}: error: cases[{case.index}]: {message}")
                doc = parse_yaml(suite.source, suite.path)  # re-parsed: only an error needs positions
                path: list[str | int] = ["cases", case.index]
                raw = doc.data["cases"][case.index]
                raise doc.error([*path, "vars"] if "vars" in raw else path, message)
