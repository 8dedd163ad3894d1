"""Agents and their prompts, read from `prompts/<agent>/agent.yaml` and the files it names.

Everything else (evals, optimizer, bot) works on these records. Loading goes through a
`FileSource`, so the working tree and any git ref share one loader, and every path an
agent names is checked to stay inside its folder before it is read.
"""

from __future__ import annotations

import copy
import posixpath
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from promptops.config import Config
from promptops.errors import InputError, NotFoundError
from promptops.files import BOM, Document, decode_text, parse_document
from promptops.repo.sources import AGENT_FILE, FileSource, is_safe_relative, open_source
from promptops.repo.tokens import count_tokens
from promptops.schemas import validate_document
from promptops.version_ids import version_id

PromptType = Literal["system", "user_template", "assistant_template", "tool_description", "few_shot"]

SLOTS: tuple[PromptType, ...] = ("system", "user_template", "assistant_template")
AGENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PROMPT_NAME = re.compile(r"^(tool:)?[A-Za-z0-9_-]{1,64}$")
DEFAULT_INPUT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}
EMPTY_PROMPT = "the prompt file is empty; write the prompt, or remove the file from agent.yaml"


@dataclass(frozen=True)
class Prompt:
    """One prompt file of an agent, with the text it holds."""

    id: str
    agent: str
    name: str
    type: PromptType
    rel_path: str
    text: str
    bom: bool = False  # the file starts with a byte-order mark, which `text` leaves out

    @property
    def version_id(self) -> str:
        """The git blob id of the file as stored, so it matches history and production logs."""
        return version_id(BOM + self.text if self.bom else self.text)

    @property
    def tokens(self) -> int:
        return count_tokens(self.text)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]


@dataclass(frozen=True)
class Example:
    """One few-shot exchange from examples.yaml."""

    user: str
    assistant: str


@dataclass(frozen=True)
class Invariants:
    """What every variant of the agent's prompts must keep."""

    must_contain: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()
    max_tokens: int | None = None


@dataclass(frozen=True)
class Agent:
    """An agent as loaded from the working tree or a git ref (`ref`, None for the working tree).

    `folder` and `evals_path` are working-tree paths even when the agent was read at a ref;
    the prompt texts are the ref's.
    """

    id: str
    folder: Path
    model: str | None
    params: dict[str, Any]
    prompts: dict[str, Prompt]
    tools: tuple[Tool, ...]
    examples: tuple[Example, ...]
    invariants: Invariants
    evals_path: Path | None
    ref: str | None = field(default=None, compare=False)

    def prompt(self, name: str) -> Prompt:
        """The prompt called `name` ("system", "tool:lookup_order", ...), or a NotFoundError."""
        if name in self.prompts:
            return self.prompts[name]
        raise NotFoundError(_unknown(f"prompt {self.id}/{name}", name, list(self.prompts)))

    def with_texts(self, texts: dict[str, str]) -> Agent:
        """The same agent with some prompts' text replaced (a variant, or `--prompt NAME=FILE`)."""
        prompts = dict(self.prompts)
        for name, text in texts.items():
            prompts[name] = replace(self.prompt(name), text=text, bom=False)
        tools = tuple(
            replace(t, description=texts[f"tool:{t.name}"]) if f"tool:{t.name}" in texts else t
            for t in self.tools
        )
        examples = self.examples
        if "few_shot" in texts:
            few_shot = prompts["few_shot"]
            examples = parse_examples(few_shot.text, Path(f"<variant of {few_shot.id}>"))
        return replace(self, prompts=prompts, tools=tools, examples=examples)


def closest(wanted: str, known: list[str], limit: int = 3) -> list[str]:
    """The known names most like `wanted`: near the best match only, so a typo names one."""
    import difflib  # only for an error message: every command that loads an agent would pay for it

    scored = sorted(((difflib.SequenceMatcher(None, wanted, k).ratio(), k) for k in known), reverse=True)
    if not scored:
        return []
    floor = max(0.5, scored[0][0] - 0.1)
    return [k for score, k in scored[:limit] if score >= floor]


def _unknown(what: str, wanted: str, known: list[str]) -> str:
    close = closest(wanted, known)
    if close:
        return f"unknown {what}; closest: {', '.join(close)}"
    if known:
        return f"unknown {what}; known: {', '.join(sorted(known)[:10])}"
    return f"unknown {what}; there is none yet (try `promptops init` or `promptops extract`)"


def check_agent_id(agent_id: str) -> None:
    """Refuse ids that are not a plain folder name (no `..`, no `/`, not absolute)."""
    if not AGENT_ID.match(agent_id) or agent_id in (".", ".."):
        raise InputError(
            f"invalid agent id {agent_id!r}: expected a folder name of letters, digits, '.', '_' or '-' "
            "(no '/', no '..')"
        )


def split_prompt_id(prompt_id: str) -> tuple[str, str]:
    """`"support-agent/tool:lookup"` -> ("support-agent", "tool:lookup"), refusing unsafe ids."""
    agent_id, sep, name = prompt_id.partition("/")
    if not sep or not PROMPT_NAME.match(name) or prompt_id.startswith("/"):
        raise InputError(
            f"invalid prompt id {prompt_id!r}: expected AGENT/NAME such as support-agent/system "
            "or support-agent/tool:lookup_order (no '..', not a path)"
        )
    check_agent_id(agent_id)
    return agent_id, name


def list_agents(config: Config, ref: str | None = None) -> list[str]:
    """Ids of every folder under the prompts folder that holds an agent.yaml, sorted."""
    with open_source(config, ref) as source:
        return _agent_ids(source)


def _agent_ids(source: FileSource) -> list[str]:
    prefix = f"{source.prompts_rel}/" if source.prompts_rel else ""
    ids = set()
    for path in source.agent_files():
        parts = path[len(prefix) :].split("/")
        if len(parts) == 2 and parts[1] == AGENT_FILE and AGENT_ID.match(parts[0]):
            ids.add(parts[0])
    return sorted(ids)


def load_agent(config: Config, agent_id: str, ref: str | None = None) -> Agent:
    """The agent `agent_id` from the working tree (ref=None) or as committed at `ref`."""
    check_agent_id(agent_id)
    with open_source(config, ref) as source:
        return AgentLoader(source, ref).load(agent_id)


def load_all_agents(config: Config, ref: str | None = None) -> list[Agent]:
    """Every agent, in id order; the first invalid one raises."""
    with open_source(config, ref) as source:
        loader = AgentLoader(source, ref)
        return [loader.load(agent_id) for agent_id in _agent_ids(source)]


def resolve_prompt_id(config: Config, prompt_id: str, ref: str | None = None) -> Prompt:
    """The prompt `AGENT/NAME`; unknown ids list the closest existing ones."""
    agent_id, name = split_prompt_id(prompt_id)
    with open_source(config, ref) as source:
        loader = AgentLoader(source, ref)
        agent_ids = _agent_ids(source)
        if agent_id in agent_ids:
            agent = loader.load(agent_id)
            if name in agent.prompts:
                return agent.prompts[name]
        raise NotFoundError(_unknown(f"prompt {prompt_id!r}", prompt_id, _all_prompt_ids(loader, agent_ids)))


def _all_prompt_ids(loader: AgentLoader, agent_ids: list[str]) -> list[str]:
    """Ids of every prompt that loads; a broken agent is listed by its slots only."""
    ids: list[str] = []
    for agent_id in agent_ids:
        try:
            ids.extend(p.id for p in loader.load(agent_id).prompts.values())
        except InputError:
            ids.extend(f"{agent_id}/{slot}" for slot in SLOTS)
    return ids


class AgentLoader:
    """Reads agents from one FileSource; checks every path before reading it."""

    def __init__(self, source: FileSource, ref: str | None) -> None:
        self.source = source
        self.ref = ref
        self._cache: dict[str, Agent] = {}

    def load(self, agent_id: str) -> Agent:
        if agent_id not in self._cache:
            self._cache[agent_id] = self._load(agent_id)
        return self._cache[agent_id]

    def folder_rel(self, agent_id: str) -> str:
        return posixpath.join(self.source.prompts_rel, agent_id) if self.source.prompts_rel else agent_id

    def _load(self, agent_id: str) -> Agent:
        folder = self.folder_rel(agent_id)
        doc = self.read_agent_document(agent_id)
        data = doc.data
        if data.get("id", agent_id) != agent_id:
            raise doc.error(["id"], f"expected {agent_id!r} (the folder name), got {data['id']!r}")
        prompts: dict[str, Prompt] = {}
        for slot in SLOTS:
            if slot in data["prompts"]:
                prompts[slot] = self._prompt(doc, agent_id, slot, slot, ["prompts", slot])
        tools = tuple(self._tool(doc, agent_id, i, prompts) for i in range(len(data.get("tools", []))))
        examples: tuple[Example, ...] = ()
        if "examples" in data:
            few_shot = self._prompt(doc, agent_id, "few_shot", "few_shot", ["examples"])
            prompts["few_shot"] = few_shot
            examples = parse_examples(few_shot.text, self.source.display(few_shot.rel_path))
        for name in data.get("extra_prompts", {}):
            if name in prompts:
                raise doc.error(["extra_prompts", name], f"{name!r} is already a prompt of this agent")
            prompts[name] = self._prompt(doc, agent_id, name, "system", ["extra_prompts", name])
        evals_path = None
        if "evals" in data:
            evals_path = self.source.root / self._checked_path(doc, folder, ["evals"])
        return Agent(
            id=agent_id,
            folder=self.source.root / folder,
            model=data.get("model"),
            params=dict(data.get("params", {})),
            prompts=prompts,
            tools=tools,
            examples=examples,
            invariants=_invariants(data.get("invariants") or {}),
            evals_path=evals_path,
            ref=self.ref,
        )

    def read_agent_document(self, agent_id: str) -> Document:
        """agent.yaml parsed and schema-checked, or NotFoundError naming the closest agents."""
        rel = posixpath.join(self.folder_rel(agent_id), AGENT_FILE)
        raw = self.source.read_bytes(rel)
        if raw is None:
            where = f" at {self.ref}" if self.ref else ""
            raise NotFoundError(_unknown(f"agent {agent_id!r}{where}", agent_id, _agent_ids(self.source)))
        doc = parse_document(decode_text(raw, self.source.display(rel)), self.source.display(rel))
        validate_document(doc, "agent")
        return doc

    def _checked_path(self, doc: Document, folder: str, json_path: list[str | int]) -> str:
        value = _at(doc.data, json_path)
        if not is_safe_relative(value):
            expected = "expected a path inside the agent folder (no '..', not absolute)"
            raise doc.error(json_path, f"{expected}, got {value!r}")
        return posixpath.normpath(posixpath.join(folder, value))

    def read_bytes(self, doc: Document, rel: str, json_path: list[str | int]) -> bytes:
        raw = self.source.read_bytes(rel)
        if raw is None:
            raise doc.error(json_path, f"file {rel} does not exist")
        return raw

    def _prompt(
        self, doc: Document, agent_id: str, name: str, kind: PromptType, json_path: list[str | int]
    ) -> Prompt:
        rel = self._checked_path(doc, self.folder_rel(agent_id), json_path)
        raw = self.read_bytes(doc, rel, json_path)
        text = decode_text(raw, self.source.display(rel))
        if not text.strip():
            raise InputError(f"{self.source.display(rel)}:1:1: error: {EMPTY_PROMPT}")
        return Prompt(
            id=f"{agent_id}/{name}",
            agent=agent_id,
            name=name,
            type=kind,
            rel_path=rel,
            text=text,
            bom=raw.startswith(BOM.encode("utf-8")),
        )

    def _tool(self, doc: Document, agent_id: str, index: int, prompts: dict[str, Prompt]) -> Tool:
        spec = doc.data["tools"][index]
        name = f"tool:{spec['name']}"
        if name in prompts:
            raise doc.error(["tools", index, "name"], f"tool {spec['name']!r} is declared twice")
        json_path: list[str | int] = ["tools", index, "description_file"]
        prompt = self._prompt(doc, agent_id, name, "tool_description", json_path)
        prompts[name] = prompt
        schema = spec.get("input_schema") or copy.deepcopy(DEFAULT_INPUT_SCHEMA)
        if "input_schema_file" in spec:
            schema = self._schema_file(doc, agent_id, ["tools", index, "input_schema_file"])
        return Tool(name=spec["name"], description=prompt.text, input_schema=schema)

    def _schema_file(self, doc: Document, agent_id: str, json_path: list[str | int]) -> dict[str, Any]:
        rel = self._checked_path(doc, self.folder_rel(agent_id), json_path)
        display = self.source.display(rel)
        schema = parse_document(decode_text(self.read_bytes(doc, rel, json_path), display), display)
        if not isinstance(schema.data, dict):
            raise schema.error([], f"expected a JSON Schema object, got {type(schema.data).__name__}")
        return schema.data


def _at(data: Any, json_path: list[str | int]) -> Any:
    for key in json_path:
        data = data[key]
    return data


def _invariants(data: dict[str, Any]) -> Invariants:
    return Invariants(
        must_contain=tuple(data.get("must_contain", ())),
        variables=tuple(data.get("variables", ())),
        max_tokens=data.get("max_tokens"),
    )


def parse_examples(text: str, display: Path) -> tuple[Example, ...]:
    """The few-shot examples in `text` (examples.yaml), schema-checked with line:col errors."""
    doc = parse_document(text, display)
    validate_document(doc, "examples")
    return tuple(Example(user=e["user"], assistant=e["assistant"]) for e in doc.data or [])


def prompt_texts_at(config: Config, agent: Agent, ref: str) -> dict[str, str]:
    """The texts of `agent`'s prompt files as committed at `ref`, read as blobs.

    For a fork's pull request: only the prompt files come from the fork (the files the
    base's agent.yaml names); agent.yaml, cases and settings stay the base's. A prompt file
    the fork deleted keeps its base text; reads that leave the prompts folder are refused.
    """
    texts: dict[str, str] = {}
    with open_source(config, ref) as source:
        for name, prompt in agent.prompts.items():
            raw = source.read_bytes(prompt.rel_path)
            if raw is not None:
                texts[name] = decode_text(raw, source.display(prompt.rel_path))
    return texts
