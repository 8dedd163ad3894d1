"""promptops.runtime: deployed prompts with git blob ids, and a log safe across processes."""

import json
import multiprocessing
import sys
import threading
from pathlib import Path

import pytest

from promptops.runtime import ExecutionLog, MissingVariable, PromptNotFound, PromptStore, PromptStoreError
from tests.gitrepo import commit, git, make_repo

AGENT_YAML = """\
id: support-agent
model: claude-sonnet-5-5
prompts: {system: system.md, user_template: user.md}
tools:
  - name: lookup_order
    description_file: tools/lookup_order.md
    input_schema: {type: object}
examples: examples.yaml
"""

FILES = {
    "prompts/support-agent/agent.yaml": AGENT_YAML,
    "prompts/support-agent/system.md": "You are a helpful support agent. Quote the refund policy.\n",
    "prompts/support-agent/user.md": "Customer {{ customer_message }} (order {{order_id}}, "
    "again {{order_id}})\n",
    "prompts/support-agent/tools/lookup_order.md": "Look up an order by id.\n",
    "prompts/support-agent/examples.yaml": "- {user: hi, assistant: hello}\n",
}


@pytest.fixture
def deployed(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(repo, FILES, "add support agent")
    return repo


def test_store_gives_text_and_the_git_blob_id_of_each_prompt(deployed: Path) -> None:
    store = PromptStore(deployed / "prompts")
    assert store.ids() == [
        "support-agent/few_shot",
        "support-agent/system",
        "support-agent/tool:lookup_order",
        "support-agent/user_template",
    ]
    system = store.get("support-agent/system")
    assert system.text == FILES["prompts/support-agent/system.md"]
    for prompt_id, rel in (
        ("support-agent/system", "system.md"),
        ("support-agent/tool:lookup_order", "tools/lookup_order.md"),
        ("support-agent/few_shot", "examples.yaml"),
    ):
        expected = git(deployed, "rev-parse", f"HEAD:prompts/support-agent/{rel}")
        assert store.get(prompt_id).version_id == expected


def test_render_substitutes_variables_and_names_a_missing_one(deployed: Path) -> None:
    user = PromptStore(deployed / "prompts").get("support-agent/user_template")
    assert user.variables == ("customer_message", "order_id")
    assert user.render(customer_message="where is it?", order_id=42) == (
        "Customer where is it? (order 42, again 42)\n"
    )
    with pytest.raises(MissingVariable, match="needs variable\\(s\\) order_id \\(given: customer_message\\)"):
        user.render(customer_message="hi")


def test_unknown_prompt_lists_what_is_deployed(deployed: Path) -> None:
    with pytest.raises(PromptNotFound, match="have: support-agent/few_shot, support-agent/system"):
        PromptStore(deployed / "prompts").get("support-agent/nope")


def test_prompt_files_must_stay_inside_the_agent_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "secret.md").write_text("x")
    (tmp_path / "a" / "agent.yaml").write_text("prompts: {system: ../secret.md}\n")
    with pytest.raises(PromptStoreError, match="must be a file inside"):
        PromptStore(tmp_path)


def _write_many(path: str, prompt_dir: str, count: int) -> None:
    store = PromptStore(prompt_dir)
    log = ExecutionLog(path)
    prompt = store.get("support-agent/system")
    threads = [
        threading.Thread(
            target=lambda: [
                log.record(
                    prompt,
                    status="failed",
                    latency_ms=12.5,
                    input_tokens=10,
                    output_tokens=2,
                    error_type="Timeout",
                    error_message="x" * 5000,
                )
                for _ in range(count)
            ]
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_log_lines_stay_whole_across_threads_and_processes(deployed: Path, tmp_path: Path) -> None:
    log_path = tmp_path / "exec.jsonl"
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    procs = [
        ctx.Process(target=_write_many, args=(str(log_path), str(deployed / "prompts"), 100))
        for _ in range(3)
    ]
    for p in procs:
        p.start()
    _write_many(str(log_path), str(deployed / "prompts"), 100)
    for p in procs:
        p.join()
        assert p.exitcode == 0
    lines = log_path.read_bytes().splitlines()
    assert len(lines) == 4 * 2 * 100
    assert all(json.loads(line)["error_message"] == "x" * 5000 for line in lines)


def test_record_refuses_a_bad_status(deployed: Path, tmp_path: Path) -> None:
    prompt = PromptStore(deployed / "prompts").get("support-agent/system")
    log = ExecutionLog(tmp_path / "x.jsonl")
    with pytest.raises(ValueError, match="status must be"):
        log.record(prompt, status="ok", latency_ms=1, input_tokens=1, output_tokens=1)
    with pytest.raises(ValueError, match="needs error_type"):
        log.record(prompt, status="failed", latency_ms=1, input_tokens=1, output_tokens=1)
    assert not (tmp_path / "x.jsonl").exists()


def test_runtime_needs_only_the_standard_library_and_yaml() -> None:
    import subprocess

    code = (
        "import sys, promptops.runtime; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('git', 'click', 'jsonschema', 'rich', 'anthropic', 'github', 'tiktoken') "
        "or (m.startswith('promptops.') and m not in ('promptops.runtime', 'promptops.repo', "
        "'promptops.version_ids'))); print(bad)"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": src}
    )
    assert out.stdout.strip() == "[]"


def test_the_runtime_example_in_the_docs_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "production.md").read_text()
    example = doc.split("```python\n", 1)[1].split("```", 1)[0]
    agent = tmp_path / "prompts" / "support-agent"
    agent.mkdir(parents=True)
    (agent / "agent.yaml").write_text("prompts: {system: system.md, user_template: user.md}\n")
    (agent / "system.md").write_text("You are a support agent for ACME. Quote the refund policy.\n")
    (agent / "user.md").write_text("Customer message: {{ customer_message }} (order {{order_id}})\n")
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "docs/production.md", "exec"), {})
    line = json.loads((tmp_path / "executions.jsonl").read_text())
    assert line["prompt_id"] == "support-agent/system" and line["status"] == "success"
    assert line["request_id"] == "req_123"
