"""`promptops import-promptfoo`: a promptfoo config, as its users write it, becomes agents and cases.

The config's `prompts` become an agent's prompt files (the agent is created when it does
not exist; several prompts make one agent each unless `--prompt` picks one), its `tests`
and `defaultTest` become the agent's cases file. Everything is converted and checked
first, as `promptops eval` would load it, with errors pointing into the promptfoo files;
nothing is written unless all of it loads. Each item left out or changed is reported
with its place (see `report.py`), so nothing vanishes silently.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from promptops.config import Config
from promptops.errors import InputError
from promptops.evals.promptfoo.agents import plan_agent, write_plan
from promptops.evals.promptfoo.prompts import ImportedPrompt, PromptRefused, collect_prompts
from promptops.evals.promptfoo.report import AgentImport, Conversion, ImportReport
from promptops.evals.promptfoo.tests import ConvertedCase, collect_tests, convert_defaults, convert_test
from promptops.evals.promptfoo.where import Where
from promptops.files import load_document
from promptops.repo.agents import check_agent_id

__all__ = ["AgentImport", "ImportReport", "import_promptfoo"]

TOP_KEYS = {"description", "prompts", "providers", "tests", "defaultTest"}
TOP_REASONS = {
    "scenarios": "promptops has no scenarios; write the combinations as cases",
    "evaluateOptions": "concurrency, repeats and caching are promptops settings (provider.max_concurrency, "
    "evals.repeat, cache)",
    "outputPath": "promptops writes runs under .promptops/runs (eval --json, --junit, --markdown)",
}


def import_promptfoo(
    config: Config, source: Path, agent_id: str, *, prompt: str | None = None, force: bool = False
) -> ImportReport:
    """Convert `source`; write the agents' files only when everything converts and loads."""
    check_agent_id(agent_id)
    if source.suffix in (".js", ".ts", ".mjs", ".cjs"):
        raise InputError(
            f"{source}: error: a config written in JavaScript cannot be read; write it as YAML or JSON"
        )
    doc = load_document(source)
    if not isinstance(doc.data, dict):
        raise doc.error([], "expected a promptfoo config (a mapping with prompts and tests)")
    report = ImportReport(source=source)
    state = Conversion(report, source.parent, providers=doc.data.get("providers"))
    root = Where(source, source, doc=doc)
    _report_top_keys(doc.data, root, report)
    prompts = choose_prompts(collect_prompts(doc.data, root, state), prompt, root, report)
    cases_data, origins, defaults_where = convert_cases(doc.data, root, state)
    plans = [
        plan_agent(config, target, chosen, cases_data, origins, defaults_where, state, force=force)
        for target, chosen in _targets(agent_id, prompts, report)
    ]
    for plan in plans:
        write_plan(plan, state)
        report.agents.append(plan.result)
    return report


def _report_top_keys(data: dict[str, Any], root: Where, report: ImportReport) -> None:
    for key in sorted(set(data) - TOP_KEYS):
        report.skip(root.child(key), f"not converted: {TOP_REASONS.get(key, 'no promptops equivalent')}")
    providers = data.get("providers")
    if isinstance(providers, list) and len(providers) > 1:
        report.note(
            root.child("providers"), f"{len(providers)} providers; promptops evaluates the agent's one model"
        )


def choose_prompts(
    found: list[ImportedPrompt | PromptRefused], wanted: str | None, root: Where, report: ImportReport
) -> list[ImportedPrompt]:
    """The prompts to import: the one `--prompt` names (label, file name or 1-based number), or all."""
    if wanted is not None:
        labels = [p.label if isinstance(p, ImportedPrompt) else str(p.where) for p in found]
        matches = [
            p
            for i, p in enumerate(found)
            if wanted in (labels[i], str(i + 1), f"{labels[i]}{Path(wanted).suffix}")
        ]
        if not matches:
            raise InputError(
                f"{root.file}: error: prompts: no prompt {wanted!r} (prompts: {', '.join(labels) or 'none'})"
            )
        if isinstance(matches[0], PromptRefused):
            raise matches[0].where.error(matches[0].message)
        if len(found) > 1:
            report.note(
                root.child("prompts"), f"{len(found) - 1} other prompt(s) not imported (--prompt {wanted})"
            )
        return [matches[0]]
    chosen = [p for p in found if isinstance(p, ImportedPrompt)]
    refused = [p for p in found if isinstance(p, PromptRefused)]
    if refused and not chosen:
        raise refused[0].where.error(refused[0].message)
    for item in refused:
        report.skip(item.where, f"prompt not imported: {item.message}")
    return chosen


def convert_cases(
    data: dict[str, Any], root: Where, state: Conversion
) -> tuple[dict[str, Any], list[Where], Where | None]:
    """The cases-file data, the promptfoo place of each case, and of the defaults."""
    defaults = convert_defaults(data, root, state)
    converted: list[ConvertedCase] = []
    for loaded in collect_tests(data, root, state):
        converted.extend(convert_test(loaded, state, defaults))
    seen: set[str] = set()
    cases = [
        {"id": _unique_id(c.data.get("description"), i, seen), **c.data} for i, c in enumerate(converted)
    ]
    out: dict[str, Any] = {}
    if isinstance(data.get("description"), str):
        out["description"] = data["description"]
    if defaults.data:
        out["defaults"] = defaults.data
    out["cases"] = cases
    state.report.cases = len(cases)
    return out, [c.where for c in converted], defaults.where


def _targets(
    agent_id: str, prompts: list[ImportedPrompt], report: ImportReport
) -> list[tuple[str, ImportedPrompt | None]]:
    if len(prompts) <= 1:
        return [(agent_id, prompts[0] if prompts else None)]
    seen: set[str] = set()
    targets = []
    for i, p in enumerate(prompts):
        targets.append((f"{agent_id}-{_unique_id(p.label, i, seen)}", p))
    report.note(
        "prompts",
        f"{len(prompts)} prompts: one agent each ({', '.join(t for t, _ in targets)}); --prompt picks one",
    )
    return targets


def _unique_id(description: Any, index: int, seen: set[str]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", str(description or "").lower()).strip("-")[:48].strip("-")
    base = slug or f"test-{index + 1}"
    candidate, n = base, 2
    while candidate in seen:
        candidate, n = f"{base}-{n}", n + 1
    seen.add(candidate)
    return candidate
