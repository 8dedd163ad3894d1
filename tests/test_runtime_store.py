"""PromptStore on deployed folders a careless deploy leaves: one bad agent never takes the others down."""

from __future__ import annotations

import logging
import re
import textwrap
from pathlib import Path

import pytest

from promptops.runtime import PromptStore, PromptStoreError
from tests.gitrepo import write_files

GOOD = {
    "support-agent/agent.yaml": "id: support-agent\nprompts: {system: system.md}\n"
    "tools: [{name: lookup_order, description_file: lookup.md}]\n"
    "extra_prompts: {triage: triage.md}\n",
    "support-agent/system.md": "You are a support agent.\n",
    "support-agent/lookup.md": "Look up an order.\n",
    "support-agent/triage.md": "Sort the ticket.\n",
}

SYSTEM = "prompts: {system: s.md}\n"

# folder -> (agent.yaml, the key the error must name, what it must say)
MALFORMED = {
    "not-yaml": ("prompts: {system: [\n", "2:1: error", "did not find expected node content"),
    "duplicate-key": (SYSTEM + "prompts: {system: s.md}\n", "2:1: error", "duplicate key 'prompts'"),
    "top-list": ("- system.md\n", "(top level)", "expected a mapping"),
    "empty": ("", "(top level)", "got null"),
    "prompts-missing": ("model: claude-sonnet-5-5\n", "prompts", "got null"),
    "prompts-list": ("prompts: [system.md]\n", "prompts", "got list"),
    "prompts-int-file": ("prompts: {system: 5}\n", "prompts.system", "got int 5"),
    "prompts-null-file": ("prompts: {system: }\n", "prompts.system", "got null"),
    "prompts-bad-name": ("prompts: {sys tem: s.md}\n", "prompts.sys tem", "a name of letters, digits"),
    "tools-int": (SYSTEM + "tools: 5\n", "tools", "got int 5"),
    "tools-str-item": (SYSTEM + "tools: [lookup]\n", "tools[0]", "got str 'lookup'"),
    "tools-no-file": (SYSTEM + "tools: [{name: lookup}]\n", "tools[0]", "description_file"),
    "tools-bad-name": (
        SYSTEM + "tools: [{name: [x], description_file: s.md}]\n",
        "tools[0].name",
        "got list",
    ),
    "tools-twice": (
        SYSTEM + "tools: [{name: t, description_file: s.md}, {name: t, description_file: s.md}]\n",
        "tools[1].name",
        "already a prompt",
    ),
    "examples-list": (SYSTEM + "examples: [{user: hi}]\n", "examples", "got list"),
    "extra-list": (SYSTEM + "extra_prompts: [s.md]\n", "extra_prompts", "got list"),
    "extra-clash": (SYSTEM + "extra_prompts: {system: s.md}\n", "extra_prompts.system", "already"),
    "extra-slash": (SYSTEM + "extra_prompts: {a/b: s.md}\n", "extra_prompts.a/b", "a name of"),
    "id-list": ("id: [a]\nprompts: {system: s.md}\n", "id", "got list"),
    "id-slash": ("id: a/b\nprompts: {system: s.md}\n", "id", "an agent id"),
    "missing-file": ("prompts: {system: gone.md}\n", "prompts.system", "cannot read gone.md"),
    "outside": ("prompts: {system: ../support-agent/system.md}\n", "prompts.system", "must be a file inside"),
    "absolute": ("prompts: {system: /etc/hostname}\n", "prompts.system", "must be a file inside"),
    "not-utf8": ("prompts: {system: latin.md}\n", "prompts.system", "cannot read latin.md"),
}


def _deploy(root: Path, agents: dict[str, str]) -> None:
    write_files(root, GOOD)
    for folder, agent_yaml in agents.items():
        write_files(root, {f"{folder}/agent.yaml": agent_yaml, f"{folder}/s.md": "text\n"})
    if "not-utf8" in agents:
        (root / "not-utf8" / "latin.md").write_bytes("caf\xe9".encode("latin-1"))


@pytest.mark.parametrize("folder", sorted(MALFORMED))
def test_a_malformed_agent_is_an_error_naming_file_and_key_and_the_others_serve(
    tmp_path: Path, folder: str
) -> None:
    agent_yaml, key, problem = MALFORMED[folder]
    _deploy(tmp_path, {folder: agent_yaml})
    store = PromptStore(tmp_path)
    assert store.get("support-agent/system").text == "You are a support agent.\n"
    [broken] = store.errors
    assert broken.folders == (tmp_path / folder,)
    sep = ":" if key[0].isdigit() else ": "  # a YAML error names the line and column
    assert broken.message.startswith(f"{tmp_path / folder / 'agent.yaml'}{sep}{key}")
    assert problem in broken.message
    assert "\n" not in broken.message
    agent = broken.agent
    with pytest.raises(PromptStoreError, match="not served") as raised:
        store.get(f"{agent}/system")
    assert str(tmp_path / folder / "agent.yaml") in str(raised.value) and problem in str(raised.value)
    with pytest.raises(PromptStoreError, match=re.escape(f"{folder}/agent.yaml{sep}{key}")):
        PromptStore(tmp_path, strict=True)


def test_every_bad_agent_at_once_leaves_the_good_one_serving_everything(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _deploy(tmp_path, {folder: agent_yaml for folder, (agent_yaml, _, _) in MALFORMED.items()})
    with caplog.at_level(logging.WARNING, logger="promptops.runtime"):
        store = PromptStore(tmp_path)
    assert store.ids() == [
        "support-agent/system",
        "support-agent/tool:lookup_order",
        "support-agent/triage",
    ]
    assert store.get("support-agent/tool:lookup_order").text == "Look up an order.\n"
    assert store.get("support-agent/triage").text == "Sort the ticket.\n"
    assert sorted(b.folders[0].name for b in store.errors) == sorted(MALFORMED)
    assert len(caplog.records) == len(MALFORMED)
    with pytest.raises(PromptStoreError) as raised:
        PromptStore(tmp_path, strict=True)
    assert all(f"{folder}/agent.yaml" in str(raised.value) for folder in MALFORMED)


def test_two_folders_declaring_one_id_are_an_error_naming_both(tmp_path: Path) -> None:
    _deploy(
        tmp_path,
        {
            "billing-v1": "id: billing\nprompts: {system: s.md}\n",
            "billing-v2": "id: billing\nprompts: {system: s.md}\n",
        },
    )
    store = PromptStore(tmp_path)
    assert store.get("support-agent/system").text == "You are a support agent.\n"
    [broken] = store.errors
    assert broken.agent == "billing"
    assert broken.folders == (tmp_path / "billing-v1", tmp_path / "billing-v2")
    with pytest.raises(PromptStoreError) as raised:
        store.get("billing/system")
    assert f"declared by both {tmp_path / 'billing-v1'} and {tmp_path / 'billing-v2'}" in str(raised.value)
    with pytest.raises(PromptStoreError, match="agent ids must be unique"):
        PromptStore(tmp_path, strict=True)


def test_a_folder_without_problems_has_no_errors_and_strict_loads_it(tmp_path: Path) -> None:
    write_files(tmp_path, GOOD)
    assert PromptStore(tmp_path).errors == []
    assert PromptStore(tmp_path, strict=True).ids() == PromptStore(tmp_path).ids()


def test_an_unknown_prompt_of_a_good_agent_is_still_not_found(tmp_path: Path) -> None:
    _deploy(tmp_path, {"broken": "tools: 5\n"})
    with pytest.raises(LookupError, match="no deployed prompt 'support-agent/nope'"):
        PromptStore(tmp_path).get("support-agent/nope")


def _doc_blocks(fence: str) -> list[str]:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "production.md").read_text()
    blocks = re.findall(r"^  ```(\w*)\n(.*?)^  ```$", doc, re.MULTILINE | re.DOTALL)
    return [textwrap.dedent(body) for kind, body in blocks if kind == fence]


def test_the_partial_load_messages_and_example_in_the_docs_are_what_happens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    write_files(tmp_path / "prompts", GOOD)
    write_files(
        tmp_path / "prompts",
        {
            "billing/agent.yaml": "prompts: {system: system.md}\ntools: [lookup]\n",
            "billing-v2/agent.yaml": "id: billing\nprompts: {system: system.md}\n",
            "billing-v2/system.md": "You handle invoices.\n",
        },
    )
    [messages] = _doc_blocks("")
    duplicate = messages.splitlines()[2]
    assert [b.message for b in PromptStore("prompts").errors] == [duplicate]

    (tmp_path / "prompts" / "billing-v2" / "agent.yaml").unlink()
    assert [b.message for b in PromptStore("prompts").errors] == [messages.splitlines()[0]]
    (tmp_path / "prompts" / "billing" / "agent.yaml").write_text("prompts: {system: system.md}\n")
    assert [b.message for b in PromptStore("prompts").errors] == [messages.splitlines()[1]]

    [example] = _doc_blocks("python")
    with caplog.at_level(logging.ERROR), pytest.raises(PromptStoreError, match="prompts.system: cannot read"):
        exec(compile(example, "docs/production.md", "exec"), {})
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"prompts not served for billing: {messages.splitlines()[1]}"
    ]


def test_three_folders_declaring_one_id_are_all_named(tmp_path: Path) -> None:
    _deploy(tmp_path, {f"billing-v{n}": "id: billing\nprompts: {system: s.md}\n" for n in (1, 2, 3)})
    [broken] = PromptStore(tmp_path).errors
    folders = [str(tmp_path / f"billing-v{n}") for n in (1, 2, 3)]
    named = f"{folders[0]}, {folders[1]} and {folders[2]}"
    assert broken.message == f"agent id 'billing' is declared by {named}; agent ids must be unique"


def test_a_reload_that_breaks_an_agent_keeps_the_others_serving_even_when_strict(tmp_path: Path) -> None:
    write_files(tmp_path, GOOD)
    write_files(tmp_path, {"billing/agent.yaml": SYSTEM, "billing/s.md": "Invoices.\n"})
    store = PromptStore(tmp_path, strict=True)
    assert store.get("billing/system").text == "Invoices.\n"
    (tmp_path / "billing" / "agent.yaml").write_text(SYSTEM + "tools: 5\n")
    store.reload()
    assert store.get("support-agent/system").text == "You are a support agent.\n"
    with pytest.raises(PromptStoreError, match=r"billing/agent.yaml: tools: expected a list"):
        store.get("billing/system")
    assert [b.agent for b in store.errors] == ["billing"]
