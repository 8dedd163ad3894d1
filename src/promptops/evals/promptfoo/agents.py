"""The files an import writes: a new agent folder, or an existing agent's cases (and prompts).

A new agent gets agent.yaml (model and params from the first promptfoo provider),
system.md, user.md, examples.yaml when the chat prompt has earlier turns, and
evals/cases.yaml with any python/javascript files beside it. An existing agent keeps its
own prompt files unless `--force`. Before anything is written the cases are loaded as
`promptops eval` loads them, against the agent's templates, and a failure is reported at
the promptfoo place the offending case came from.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from promptops.config import Config
from promptops.errors import InputError, NotFoundError
from promptops.evals.cases import check_template_vars, parse_suite
from promptops.evals.promptfoo.asserts import model_name
from promptops.evals.promptfoo.prompts import ImportedPrompt
from promptops.evals.promptfoo.report import AgentImport, Conversion
from promptops.evals.promptfoo.where import Where
from promptops.files import dump_yaml, parse_document, parse_yaml
from promptops.repo.agents import Agent, Example, Invariants, Prompt, load_agent
from promptops.repo.folders import write_folder
from promptops.repo.templates import template_variables
from promptops.schemas import validate_document

CASES_FILE = "evals/cases.yaml"
PARAMS = {"temperature": float, "max_tokens": int, "top_p": float, "top_k": int}


@dataclass
class AgentPlan:
    result: AgentImport
    folder: Path
    new_folder: dict[str, str] | None = None  # every file of a new agent
    writes: dict[Path, str] = field(default_factory=dict)  # an existing agent's files


def plan_agent(
    config: Config,
    agent_id: str,
    prompt: ImportedPrompt | None,
    cases_data: dict[str, Any],
    origins: list[Where],
    defaults_where: Where | None,
    state: Conversion,
    *,
    force: bool,
) -> AgentPlan:
    """What to write for one agent, checked; raises (writing nothing) when it would not load."""
    try:
        agent: Agent | None = load_agent(config, agent_id)
    except NotFoundError as exc:
        if prompt is None:
            raise NotFoundError(f"{exc} (the promptfoo config has no `prompts:` to create it from)") from None
        agent = None
    text = cases_text(cases_data, state.report.source.name)
    if agent is None:
        assert prompt is not None
        plan, checked = _new_agent(config, agent_id, prompt, text, state)
    else:
        plan, checked = _existing_agent(config, agent, prompt, text, state, force)
    _check_cases(config, text, checked, origins, defaults_where, state)
    return plan


def cases_text(data: dict[str, Any], source_name: str) -> str:
    return f"# Converted from {source_name} by `promptops import-promptfoo`.\n" + dump_yaml(data)


def _new_agent(
    config: Config, agent_id: str, prompt: ImportedPrompt, cases: str, state: Conversion
) -> tuple[AgentPlan, Agent]:
    folder = config.prompts_dir / agent_id
    system, user = prompt.system, prompt.user
    if template_variables(system):
        state.report.note(
            prompt.where,
            "the system message uses vars, and promptops system prompts are not templated: "
            "it opens the user template instead",
        )
        system, user = "", f"{system.rstrip()}\n\n{user}"
    files = {"user.md": user}
    spec: dict[str, Any] = {"id": agent_id}
    model, params = _model(state)
    if model:
        spec["model"] = model
    if params:
        spec["params"] = params
    spec["prompts"] = {**({"system": "system.md"} if system else {}), "user_template": "user.md"}
    if system:
        files["system.md"] = system if system.endswith("\n") else system + "\n"
    if prompt.examples:
        spec["examples"] = "examples.yaml"
        files["examples.yaml"] = dump_yaml([{"user": u, "assistant": a} for u, a in prompt.examples])
    spec["evals"] = CASES_FILE
    agent_yaml = f"# Created from {state.report.source.name} by `promptops import-promptfoo`.\n" + dump_yaml(
        spec
    )
    validate_document(parse_document(agent_yaml, folder / "agent.yaml"), "agent")
    files.update({"agent.yaml": agent_yaml, CASES_FILE: cases})
    for name, source in state.code_files.items():
        files[f"evals/{name}"] = source.read_text(encoding="utf-8")
    rel = f"{config.data['prompts_dir']}/{agent_id}"
    prompts = {"user_template": _prompt(agent_id, "user_template", f"{rel}/user.md", user)}
    if system:
        prompts["system"] = _prompt(agent_id, "system", f"{rel}/system.md", system)
    agent = Agent(
        id=agent_id,
        folder=folder,
        model=model,
        params=params,
        prompts=prompts,
        tools=(),
        examples=tuple(Example(u, a) for u, a in prompt.examples),
        invariants=Invariants(),
        evals_path=folder / CASES_FILE,
    )
    result = AgentImport(agent_id, True, folder / CASES_FILE, sorted(files))
    return AgentPlan(result, folder, new_folder=files), agent


def _prompt(agent_id: str, name: str, rel: str, text: str) -> Prompt:
    kind = "user_template" if name == "user_template" else "system"
    return Prompt(f"{agent_id}/{name}", agent_id, name, kind, rel, text)


def _model(state: Conversion) -> tuple[str | None, dict[str, Any]]:
    """agent.yaml's model and params from the first promptfoo provider, when it names a model."""
    providers = state.providers
    first = providers[0] if isinstance(providers, list) and providers else providers
    where = Where(state.report.source, state.report.source).child("providers")
    config: dict[str, Any] = {}
    if isinstance(first, dict):
        config = first.get("config") or {}
        first = first.get("id")
    if not isinstance(first, str):
        return None, {}
    if re.match(r"^(file|exec|python|http|https|ws|wss|golang)[:]", first):
        state.report.note(
            where, f"provider {first!r} is custom code or an endpoint; the new agent uses provider.model"
        )
        return None, {}
    model = model_name(first)
    state.report.note(where, f"provider {first!r} becomes the new agent's model {model!r}")
    params: dict[str, Any] = {}
    for key, value in config.items():
        if key in PARAMS and isinstance(value, int | float) and not isinstance(value, bool):
            params[key] = PARAMS[key](value)
        else:
            state.report.note(
                where.child(0, "config", key),
                "provider setting dropped (agent.yaml params take temperature, max_tokens, top_p, top_k)",
            )
    return model, params


def _existing_agent(
    config: Config, agent: Agent, prompt: ImportedPrompt | None, cases: str, state: Conversion, force: bool
) -> tuple[AgentPlan, Agent]:
    target = agent.evals_path or agent.folder / CASES_FILE
    _refuse_overwrite(target, force)
    plan = AgentPlan(AgentImport(agent.id, False, target), agent.folder, writes={target: cases})
    for name, source in state.code_files.items():
        path = target.parent / name
        text = source.read_text(encoding="utf-8")
        if path.exists() and path.read_text(encoding="utf-8") != text and not force:
            raise InputError(f"{path}: error: already exists with other content; pass --force to replace it")
        plan.writes[path] = text
    if agent.evals_path is None:
        state.report.hint = (
            f"add `evals: {CASES_FILE}` to {agent.folder / 'agent.yaml'} so promptops finds it"
        )
    if prompt is None:
        return plan, agent
    texts = {"user_template": prompt.user, "system": prompt.system}
    texts = {k: v for k, v in texts.items() if v or k in agent.prompts}
    changed = {k: v for k, v in texts.items() if k not in agent.prompts or agent.prompts[k].text != v}
    if not changed:
        return plan, agent
    if not force:
        state.report.note(
            prompt.where, f"agent {agent.id!r} exists: its own prompt files are kept (--force replaces them)"
        )
        return plan, agent
    missing = [k for k in changed if k not in agent.prompts]
    for name in missing:
        state.report.skip(
            prompt.where, f"agent {agent.id!r} has no {name} file to replace; add it to agent.yaml"
        )
    kept = {k: v for k, v in changed.items() if k in agent.prompts}
    for name, text in kept.items():
        plan.writes[config.root / agent.prompts[name].rel_path] = text
        plan.result.prompt_files.append(agent.prompts[name].rel_path)
    return plan, agent.with_texts(kept)


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


def _check_cases(
    config: Config,
    text: str,
    agent: Agent,
    origins: list[Where],
    defaults_where: Where | None,
    state: Conversion,
) -> None:
    """Load the converted cases as `promptops eval` would; map a failure back to the promptfoo place."""
    with tempfile.TemporaryDirectory() as tmp:
        evals = Path(tmp) / "evals"
        evals.mkdir()
        for name, source in state.code_files.items():
            shutil.copyfile(source, evals / name)
        try:
            suite = parse_suite(parse_yaml(text, evals / "cases.yaml"), config)
            check_template_vars(suite, agent)
        except InputError as exc:
            detail = str(exc).split(": error: ", 1)[-1]
            match = re.match(r"cases\[(\d+)\]", detail)
            if match and int(match.group(1)) < len(origins):
                where: Where | None = origins[int(match.group(1))]
            else:
                where = defaults_where if detail.startswith("defaults") else None
            message = f"would not load as promptops cases: {detail}"
            raise (
                where.error(message) if where else InputError(f"{state.report.source}: error: {message}")
            ) from None


def write_plan(plan: AgentPlan, state: Conversion) -> None:
    if plan.new_folder is not None:
        write_folder(plan.folder, plan.new_folder)
        return
    for path, text in plan.writes.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
