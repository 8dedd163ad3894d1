"""`promptops lint`: every problem of the agents under some paths, one finding per line.

Unlike loading (which stops at the first error so a command never runs on a broken
agent), lint keeps going and reports everything it can: schema violations, files that
are missing or leave the agent folder, template variables, invariants, token budgets,
and text hygiene. Codes are stable; docs/commands.md lists them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.config import Config
from promptops.errors import InputError
from promptops.files import Document, decode_text, format_json_path, parse_document
from promptops.repo.agents import AGENT_ID, EMPTY_PROMPT, SLOTS
from promptops.repo.lint_text import duplicated_sentences, trailing_whitespace
from promptops.repo.rollouts import ROLLOUT_FILE, load_agent_rollout
from promptops.repo.sources import AGENT_FILE, WorkingTreeSource, is_safe_relative
from promptops.repo.templates import malformed_placeholders, variable_uses
from promptops.repo.tokens import count_tokens
from promptops.schemas import describe, schema_errors, schema_problem

CODES: dict[str, tuple[str, str]] = {
    "PO001": ("error", "file is not valid YAML or JSON, or names a key twice in one mapping"),
    "PO002": ("error", "file is not valid UTF-8"),
    "PO101": ("error", "agent.yaml does not match its schema"),
    "PO102": ("error", "a file named in agent.yaml does not exist"),
    "PO103": (
        "error",
        "a path leaves the agent folder ('..', absolute, or a symlink out of the prompts folder)",
    ),
    "PO104": ("error", "agent.yaml `id` differs from the folder name, or a name is declared twice"),
    "PO105": ("error", "the examples file does not match its schema"),
    "PO106": ("error", "a prompt file is empty"),
    "PO107": ("error", "a tool's input_schema_file is not a valid JSON Schema object"),
    "PO108": ("error", "rollout.yaml does not match its schema, its agent or its candidate file"),
    "PO201": ("warning", "template variable used but not declared in invariants.variables"),
    "PO202": ("error", "variable declared in invariants.variables but not used by the user template"),
    "PO203": ("error", "a must_contain phrase is missing from the agent's prompts"),
    "PO204": ("error", "the agent's prompts exceed invariants.max_tokens"),
    "PO205": ("error", "a malformed `{{ }}` placeholder in the user or assistant template"),
    "PO301": ("warning", "a sentence is repeated in the same file"),
    "PO302": ("warning", "trailing whitespace"),
    "PO401": ("warning", "a folder in the prompts folder has no agent.yaml"),
    "PO501": ("error", "the eval cases file does not match its schema"),
    "PO502": ("error", "two eval cases have the same id"),
    "PO503": ("error", "an assertion has an unknown type or a value its type cannot use"),
    "PO504": ("error", "an eval case lacks a variable the agent's templates use"),
}
ERROR_LINE = re.compile(r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$", re.S)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    column: int
    code: str
    message: str

    @property
    def severity(self) -> str:
        return CODES[self.code][0]


@dataclass(frozen=True)
class PromptText:
    name: str
    rel_path: str
    text: str


# Checks an agent's eval cases file, given the templates its cases fill (None when a
# prompt could not be read). Supplied by the evals package, which owns the case format.
CasesCheck = Callable[[Path, "dict[str, str] | None"], list[Finding]]


def error_finding(exc: InputError, code: str, fallback: Path) -> Finding:
    """A `path:line:col: error: message` InputError as a finding (at `fallback` when unplaced)."""
    match = ERROR_LINE.match(str(exc))
    if match:
        return Finding(Path(match["path"]), int(match["line"]), int(match["col"]), code, match["msg"])
    return Finding(fallback, 1, 1, code, str(exc).split(": error: ", 1)[-1])


def lint_paths(config: Config, paths: Iterable[Path], check_cases: CasesCheck | None = None) -> list[Finding]:
    """Findings for every agent folder under (or containing) one of `paths`, sorted."""
    source = WorkingTreeSource(config)
    targets = [_checked_target(config, p) for p in paths] or [config.prompts_dir.resolve()]
    findings: list[Finding] = []
    prompts = config.prompts_dir.resolve()
    for folder in _agent_folders(config):
        where = prompts / folder.name  # where it sits, not where a symlink leads
        if any(where.is_relative_to(t) or t.is_relative_to(where) for t in targets):
            agent_lint = AgentLint(source, folder.name, check_cases)
            findings.extend(agent_lint.run())
            if agent_lint.complete and not any(f.severity == "error" for f in agent_lint.findings):
                findings.extend(_rollout_findings(config, folder.name))
    return sorted(findings, key=lambda f: (str(f.path), f.line, f.column, f.code))


def _rollout_findings(config: Config, agent_id: str) -> list[Finding]:
    """PO108 when the agent's rollout.yaml cannot be used (checked only on a valid agent)."""
    try:
        load_agent_rollout(config, agent_id)
    except InputError as exc:
        match = ERROR_LINE.match(str(exc))
        if match:
            where = Path(match["path"]), int(match["line"]), int(match["col"])
            return [Finding(*where, "PO108", match["msg"])]
        message = str(exc).split(": error: ", 1)[-1]
        return [Finding(config.prompts_dir / agent_id / ROLLOUT_FILE, 1, 1, "PO108", message)]
    return []


def _checked_target(config: Config, path: Path) -> Path:
    target = path.resolve()
    if not target.is_relative_to(config.root.resolve()):
        raise InputError(f"{path}: error: outside the repository {config.root}; refusing to lint it")
    if not target.exists():
        raise InputError(f"{path}: error: no such file or folder")
    return target


def _agent_folders(config: Config) -> list[Path]:
    base = config.prompts_dir
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))


class AgentLint:
    """The checks of one agent folder; collects findings instead of raising."""

    def __init__(self, source: WorkingTreeSource, agent_id: str, check_cases: CasesCheck | None) -> None:
        self.source = source
        self.check_cases = check_cases
        self.agent_id = agent_id
        self.folder_rel = posixpath.join(source.prompts_rel, agent_id) if source.prompts_rel else agent_id
        self.findings: list[Finding] = []
        self.read: set[str] = set()
        self.complete = True
        self.cases_file: Path | None = None

    def add(self, path: Path, line: int, column: int, code: str, message: str) -> None:
        self.findings.append(Finding(path, line, column, code, message))

    def add_error(self, exc: InputError, code: str, fallback: Path) -> None:
        self.findings.append(error_finding(exc, code, fallback))

    def run(self) -> list[Finding]:
        doc = self._agent_document()
        if doc is not None:
            texts = self._prompt_texts(doc)
            if self.complete:  # with a prompt unreadable, these would only echo that finding
                self._check_templates(doc, texts)
                self._check_invariants(doc, texts)
            self._check_text(texts)
            self._check_cases(texts)
        self._check_other_files()
        return self.findings

    def _agent_document(self) -> Document | None:
        rel = posixpath.join(self.folder_rel, AGENT_FILE)
        display = self.source.display(rel)
        self.read.add(rel)
        try:
            raw = self.source.read_bytes(rel)
        except InputError as exc:
            self.add_error(exc, "PO103", display)
            self.complete = False
            return None
        if raw is None:
            if any(p.is_file() for p in self.source.display(self.folder_rel).rglob("*")):
                self.add(
                    self.source.display(self.folder_rel), 1, 1, "PO401", f"no {AGENT_FILE}: not an agent"
                )
            return None
        try:
            text = decode_text(raw, display)
        except InputError as exc:
            self.add_error(exc, "PO002", display)
            return None
        try:
            doc = parse_document(text, display)
        except InputError as exc:
            self.add_error(exc, "PO001", display)
            return None
        errors = schema_errors(doc.data, "agent")
        for error in errors:
            line, col = doc.locate(list(error.absolute_path))
            where = format_json_path(error.absolute_path)
            self.add(display, line, col, "PO101", f"{where + ': ' if where else ''}{describe(error)}")
        if errors:
            return None
        if not AGENT_ID.match(self.agent_id):
            self.add(display, 1, 1, "PO104", f"folder name {self.agent_id!r} is not a valid agent id")
        if doc.data.get("id", self.agent_id) != self.agent_id:
            line, col = doc.locate(["id"])
            self.add(display, line, col, "PO104", f"id: expected {self.agent_id!r} (the folder name)")
        return doc

    def _prompt_texts(self, doc: Document) -> list[PromptText]:
        data = doc.data
        refs: list[tuple[str, list[str | int]]] = [(s, ["prompts", s]) for s in SLOTS if s in data["prompts"]]
        refs += [
            (f"tool:{t['name']}", ["tools", i, "description_file"])
            for i, t in enumerate(data.get("tools", []))
        ]
        refs += [("few_shot", ["examples"])] if "examples" in data else []
        refs += [(name, ["extra_prompts", name]) for name in data.get("extra_prompts", {})]
        self._check_duplicate_names(doc, refs)
        texts = []
        for name, json_path in refs:
            found = self._read_referenced(doc, json_path)
            if found is None:
                self.complete = False
            else:
                texts.append(PromptText(name, *found))
        for i, tool in enumerate(data.get("tools", [])):
            if "input_schema_file" in tool:
                self._check_schema_file(doc, ["tools", i, "input_schema_file"])
        if "evals" in data:
            cases = self._read_referenced(doc, ["evals"], text=False)
            if cases is not None and self.check_cases is not None:
                self.cases_file = self.source.display(cases[0])
        few_shot = next((t for t in texts if t.name == "few_shot"), None)
        if few_shot is not None:
            self._check_examples(few_shot)
        return texts

    def _check_schema_file(self, doc: Document, json_path: list[str | int]) -> None:
        found = self._read_referenced(doc, json_path)
        if found is None:
            return
        display = self.source.display(found[0])
        try:
            schema = parse_document(found[1], display)
        except InputError as exc:
            self.add_error(exc, "PO001", display)
            return
        problem = schema_problem(schema.data)
        if problem:
            self.add(display, 1, 1, "PO107", problem)

    def _check_duplicate_names(self, doc: Document, refs: list[tuple[str, list[str | int]]]) -> None:
        seen: set[str] = set()
        for name, json_path in refs:
            if name in seen:
                line, col = doc.locate(json_path[:-1] if json_path[0] == "tools" else json_path)
                self.add(
                    doc.path, line, col, "PO104", f"{format_json_path(json_path)}: {name!r} is declared twice"
                )
            seen.add(name)

    def _read_referenced(
        self, doc: Document, json_path: list[str | int], *, text: bool = True
    ) -> tuple[str, str] | None:
        """(rel path, text) of the file at `json_path` in agent.yaml, or None after a finding."""
        value = doc.data
        for key in json_path:
            value = value[key]
        line, col = doc.locate(json_path)
        where = format_json_path(json_path)
        if not is_safe_relative(value):
            self.add(
                doc.path, line, col, "PO103", f"{where}: {value!r} is not a path inside the agent folder"
            )
            return None
        rel = posixpath.normpath(posixpath.join(self.folder_rel, value))
        self.read.add(rel)
        try:
            raw = self.source.read_bytes(rel)
        except InputError as exc:
            self.add_error(exc, "PO103", self.source.display(rel))
            return None
        if raw is None:
            self.add(doc.path, line, col, "PO102", f"{where}: file {value} does not exist")
            return None
        if not text:
            return rel, ""
        try:
            return rel, decode_text(raw, self.source.display(rel))
        except InputError as exc:
            self.add_error(exc, "PO002", self.source.display(rel))
            return None

    def _check_examples(self, few_shot: PromptText) -> None:
        display = self.source.display(few_shot.rel_path)
        try:
            doc = parse_document(few_shot.text, display)
        except InputError as exc:
            self.add_error(exc, "PO001", display)
            return
        for error in schema_errors(doc.data, "examples"):
            line, col = doc.locate(list(error.absolute_path))
            where = format_json_path(error.absolute_path)
            self.add(display, line, col, "PO105", f"{where + ': ' if where else ''}{describe(error)}")

    def _check_templates(self, doc: Document, texts: list[PromptText]) -> None:
        declared: list[str] = (doc.data.get("invariants") or {}).get("variables", [])
        template = next((t for t in texts if t.name == "user_template"), None)
        uses = variable_uses(template.text) if template else []
        reported: set[str] = set()
        for use in uses:
            if use.name not in declared and use.name not in reported and template is not None:
                reported.add(use.name)
                self.add(
                    self.source.display(template.rel_path),
                    use.line,
                    use.column,
                    "PO201",
                    f"variable {{{{{use.name}}}}} is not declared in invariants.variables",
                )
        for rendered in (t for t in texts if t.name in ("user_template", "assistant_template")):
            for bad in malformed_placeholders(rendered.text):
                display = self.source.display(rendered.rel_path)
                self.add(display, bad.line, bad.column, "PO205", bad.message)
        used = {u.name for u in uses}
        for i, name in enumerate(declared):
            if name not in used:
                line, col = doc.locate(["invariants", "variables", i])
                self.add(
                    doc.path,
                    line,
                    col,
                    "PO202",
                    f"variable {name!r} is declared but the user template never uses it",
                )

    def _check_invariants(self, doc: Document, texts: list[PromptText]) -> None:
        invariants: dict[str, Any] = doc.data.get("invariants") or {}
        extras = set(doc.data.get("extra_prompts", {}))
        request = [t for t in texts if t.name not in extras]
        for i, phrase in enumerate(invariants.get("must_contain", [])):
            if not any(phrase in t.text for t in texts):
                line, col = doc.locate(["invariants", "must_contain", i])
                self.add(
                    doc.path, line, col, "PO203", f"must_contain phrase {phrase!r} is in none of the prompts"
                )
        budget = invariants.get("max_tokens")
        if budget is not None:
            used = sum(count_tokens(t.text) for t in request)
            if used > budget:
                line, col = doc.locate(["invariants", "max_tokens"])
                self.add(
                    doc.path, line, col, "PO204", f"prompts use {used} tokens, over the budget of {budget}"
                )

    def _check_text(self, texts: list[PromptText]) -> None:
        for prompt in texts:
            display = self.source.display(prompt.rel_path)
            if not prompt.text.strip():
                self.add(display, 1, 1, "PO106", EMPTY_PROMPT)
            for issue in trailing_whitespace(prompt.text):
                self.add(display, issue.line, issue.column, "PO302", issue.message)
            if prompt.name != "few_shot":
                for issue in duplicated_sentences(prompt.text):
                    self.add(display, issue.line, issue.column, "PO301", issue.message)

    def _check_cases(self, texts: list[PromptText]) -> None:
        if self.cases_file is None or self.check_cases is None:
            return
        templates = {t.name: t.text for t in texts if t.name in ("user_template", "assistant_template")}
        self.findings.extend(self.check_cases(self.cases_file, templates if self.complete else None))

    def _check_other_files(self) -> None:
        """UTF-8 for every other file in the folder (eval cases, notes, ...)."""
        folder = self.source.display(self.folder_rel)
        if folder.is_symlink():
            return
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(self.source.root).as_posix()
            if rel in self.read or not path.is_file() or path.is_symlink():
                continue
            try:
                decode_text(path.read_bytes(), path)
            except InputError as exc:
                self.add_error(exc, "PO002", path)
