"""Loading an agent's test cases: everything that can be wrong is caught here, before any call.

A cases file is validated by `schemas/cases.schema.json`, then each assertion's value is
checked by its type (regex compiles, JSON Schema is valid, ...), ids are checked for
duplicates, and every variable the agent's templates need is checked against each case.
Errors point at file:line:col with the JSON path (`cases[3].assert[1]`) and the case id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from promptops.config import DEFAULTS, Config
from promptops.errors import InputError, NotFoundError
from promptops.evals.assertions import THRESHOLD_VALUED, AssertionSpec, CodeSpec, lookup
from promptops.evals.code_policy import code_block_reason
from promptops.evals.template import render_template, template_vars
from promptops.files import Document, decode_text, format_json_path, parse_document, parse_yaml, read_text
from promptops.files.parsed_cache import FOLDER, MISSING, keep_data, kept_data
from promptops.git.process import git_dir
from promptops.llm.embeddings import EmbeddingSettings, embedding_settings
from promptops.repo.templates import malformed_placeholders
from promptops.schemas import schema_text, validate_items

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
    embeddings: EmbeddingSettings | None = None  # for `similar` (evals.embeddings)
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
    path = agent.evals_path
    if not path.is_file():
        raise InputError(f"{path}: error: file not found")
    text = read_text(path)
    # A large suite's checked data is kept between runs (files.parsed_cache): a re-run on
    # unchanged cases neither parses nor schema-checks them again.
    folder = _parsed_cache_folder(config.root)
    checks = f"cases.schema.json {hashlib.sha256(schema_text('cases').encode('utf-8')).hexdigest()}"
    data = kept_data(folder, path, text, checks) if folder else MISSING
    if data is not MISSING:
        suite = _build_suite(Document(path=path, data=data, text=text), config)
    else:
        doc = parse_document(text, path)
        suite = parse_suite(doc, config)
        if folder:
            keep_data(folder, path, text, doc.data, checks)
    check_template_vars(suite, agent)
    return suite


def _parsed_cache_folder(root: Path) -> Path | None:
    """Where kept cases data lives: the repository's common git directory, like the kept file
    logs (never the working tree, where a pull request could commit one); None outside a
    repository, where nothing is kept."""
    try:
        return git_dir(root) / FOLDER
    except InputError:
        return None


def load_suite_at(agent: Agent, config: Config, ref: str) -> Suite:
    """The agent's cases file as committed at `ref` (a PR is judged on its base's cases)."""
    from promptops.repo.sources import open_source

    if agent.evals_path is None:
        return load_suite(agent, config)  # the NotFoundError saying how to declare cases
    rel = agent.evals_path.relative_to(config.root).as_posix()
    with open_source(config, ref) as source:
        raw = source.read_bytes(rel)
        where = source.display(rel)
    if raw is None:
        raise NotFoundError(f"{where}: error: file not found (the eval cases {agent.id!r} declares)")
    suite = parse_suite(parse_document(decode_text(raw, where), where), config)
    check_template_vars(suite, agent)
    return replace(suite, rel_path=rel)


def parse_suite(doc: Document, config: Config) -> Suite:
    """A Suite from a loaded cases document; raises InputError at the first problem."""
    validate_items(doc, "cases", "cases")
    return _build_suite(doc, config)


def _build_suite(doc: Document, config: Config) -> Suite:
    """A Suite from a cases document that passed the schema; InputError at the first other problem."""
    data = doc.data
    defaults = data.get("defaults") or {}
    fraction = float(config.get("evals.holdout_fraction"))
    loader = _AssertionLoader(doc, code_block_reason(config), float(config.get("evals.code_timeout_s")))
    seen: dict[str, int] = {}
    cases = []
    for index, raw in enumerate(data.get("cases") or []):
        if raw["id"] in seen:
            raise doc.error(
                ["cases", index, "id"],
                f"duplicate case id {raw['id']!r} (first used at cases[{seen[raw['id']]}])",
            )
        seen[raw["id"]] = index
        cases.append(_parse_case(loader, index, raw, defaults, fraction))
    return Suite(
        path=doc.path,
        cases=tuple(cases),
        model=str(config.get("provider.model")),
        judge_model=config.get("evals.judge_model"),
        repeat=int(config.get("evals.repeat")),
        rel_path=_relative(doc.path, config.root),
        embeddings=embedding_settings(config),
        source=doc.text,
        digest=hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _parse_case(
    loader: _AssertionLoader, index: int, raw: dict[str, Any], defaults: dict[str, Any], fraction: float
) -> Case:
    case_id = raw["id"]
    variables = {**(defaults.get("vars") or {}), **(raw.get("vars") or {})}
    sources = [(["defaults", "assert", i], a) for i, a in enumerate(defaults.get("assert") or [])]
    sources += [(["cases", index, "assert", i], a) for i, a in enumerate(raw.get("assert") or [])]
    assertions = tuple(loader.load(path, a, case_id, variables) for path, a in sources)
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


def parse_assertion(
    doc: Document, path: list[str | int], raw: dict[str, Any], case_id: str, variables: dict[str, Any]
) -> AssertionSpec:
    """One assertion checked exactly as loading a suite checks it (what `lint` reports), with the
    default code-assertion settings: lint runs no code, so nothing is blocked here."""
    timeout = float(DEFAULTS["evals"]["code_timeout_s"])
    return _AssertionLoader(doc, None, timeout).load(path, raw, case_id, variables)


@dataclass(frozen=True)
class _AssertionLoader:
    """Checks one assertion (and an assert-set's children) as written in `doc`."""

    doc: Document
    code_blocked: str | None
    code_timeout_s: float

    def load(
        self, path: list[str | int], raw: dict[str, Any], case_id: str, variables: dict[str, Any]
    ) -> AssertionSpec:
        doc, where = self.doc, f"case {case_id!r}: "
        try:
            kind, negate = lookup(raw["type"])
        except KeyError as exc:
            raise doc.error([*path, "type"], f"{where}{exc.args[0]}") from None
        value = raw.get("value")
        if kind.name in THRESHOLD_VALUED and value is None:
            value = raw.get("threshold")  # promptfoo writes the maximum of latency/cost as threshold
        try:
            value = _render_value(value, variables)
        except KeyError as exc:
            raise doc.error(
                [*path, "value"], f"{where}uses var {exc.args[0]!r}, which the case does not set"
            ) from None
        scored = kind.mode in ("judge", "embedding", "set")
        if scored and not 0 <= raw.get("threshold", 0) <= 1:
            raise doc.error(
                [*path, "threshold"],
                f"{where}{kind.name}: threshold is a judge or similarity score from 0 to 1",
            )
        if (kind.mode == "set") != ("assert" in raw):
            problem = "needs its child assertions as `assert`" if kind.mode == "set" else "takes no `assert`"
            raise doc.error(path, f"{where}{kind.name} {problem}")
        if "rubricPrompt" in raw and kind.mode != "judge":
            raise doc.error(
                [*path, "rubricPrompt"], f"{where}{kind.name}: rubricPrompt is for model-graded types"
            )
        try:
            prepared = kind.prepare(value)
        except ValueError as exc:
            raise doc.error(
                [*path, "value"] if "value" in raw else path, f"{where}{kind.name}: {exc}"
            ) from None
        if isinstance(prepared, CodeSpec):
            prepared = self._code(prepared, path, where)
        children = (
            tuple(self.load([*path, "assert", i], c, case_id, variables) for i, c in enumerate(raw["assert"]))
            if raw.get("assert")
            else ()
        )
        return AssertionSpec(
            type=kind.name,
            negate=negate,
            value=prepared,
            weight=float(raw.get("weight", 1.0)),
            threshold=None if kind.name in THRESHOLD_VALUED else raw.get("threshold"),
            provider=raw.get("provider"),
            origin=format_json_path(path),
            rubric_prompt=raw.get("rubricPrompt"),
            children=children,
        )

    def _code(self, code: CodeSpec, path: list[str | int], where: str) -> CodeSpec:
        code = replace(
            code, base_dir=self.doc.path.parent, blocked=self.code_blocked, timeout_s=self.code_timeout_s
        )
        if code.file is not None and not code.file.is_file():
            raise self.doc.error([*path, "value"], f"{where}{code.language}: file {code.path} does not exist")
        return code


def _render_value(value: Any, variables: dict[str, Any]) -> Any:
    """`{{var}}` in string values (and lists of strings) take the case's vars, as in promptfoo."""
    if isinstance(value, str):
        return render_template(value, variables)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [render_template(v, variables) for v in value]
    return value


def check_placeholders(agent: Agent) -> None:
    """InputError at the first malformed `{{ }}` of the agent's user or assistant template."""
    for name in ("user_template", "assistant_template"):
        prompt = agent.prompts.get(name)
        bad = malformed_placeholders(prompt.text) if prompt else []
        if prompt and bad:
            where = f"{agent.ref}:{prompt.rel_path}" if agent.ref else prompt.rel_path
            raise InputError(f"{where}:{bad[0].line}:{bad[0].column}: error: {bad[0].message}")


def templates_of(agent: Agent) -> dict[str, str]:
    """The templates a case's vars fill: user_template (or the `{{input}}` default) and assistant_template."""
    out = {"user_template": DEFAULT_USER_TEMPLATE}
    for name in ("user_template", "assistant_template"):
        if name in agent.prompts:
            out[name] = agent.prompts[name].text
    return out


def check_template_vars(suite: Suite, agent: Agent) -> None:
    """Every var the agent's templates use must be set by every case (or by defaults).

    A malformed placeholder (`{{ bad var }}`, an unclosed `{{`) is refused first: it
    would otherwise reach the model as literal text.
    """
    check_placeholders(agent)
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
