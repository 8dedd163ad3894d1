import json
from pathlib import Path

from promptops.config import load_config
from promptops.repo.agents import Example, load_agent
from promptops.repo.tokens import count_tokens
from tests.conftest import run_cli

SEED = {
    "model": "claude-sonnet-4-5",
    "temperature": 0.2,
    "system_prompt": "You are a support agent.\nAlways cite the refund policy.\n",
    "user_template": "Customer: {{customer_message}}\nOrder: {{ order_id }}\n",
    "tools": [
        {
            "name": "lookup_order",
            "description": "Look up an order.",
            "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}},
        },
        {"name": "refund", "description": "Refund an order."},
    ],
    "examples": [
        {"user": "Where is my order?", "assistant": "Let me check.\nOne moment."},
        {"input": "Refund please", "output": "Sure."},
    ],
    "owner": "team-a",
}


def write_seed(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


def test_extract_writes_a_loadable_agent_folder(repo: Path) -> None:
    seed = write_seed(repo / "agent.json", SEED)
    result = run_cli(repo, "extract", str(seed), "--agent", "support-agent")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    tokens = count_tokens(SEED["system_prompt"])
    assert f"wrote prompts/support-agent/system.md ({tokens} tokens)" in lines
    assert "wrote prompts/support-agent/agent.yaml" in lines
    assert "wrote prompts/support-agent/evals/cases.yaml" in lines
    assert lines[-1] == f"ignored keys of {seed}: owner"
    agent = load_agent(load_config(repo), "support-agent")
    assert agent.prompt("system").text == SEED["system_prompt"]
    assert agent.prompt("user_template").text == SEED["user_template"]
    assert agent.model == "claude-sonnet-4-5" and agent.params == {"temperature": 0.2}
    assert [t.name for t in agent.tools] == ["lookup_order", "refund"]
    assert agent.tools[0].input_schema["properties"]["order_id"] == {"type": "string"}
    assert agent.tools[1].description == "Refund an order."
    assert agent.examples == (
        Example("Where is my order?", "Let me check.\nOne moment."),
        Example("Refund please", "Sure."),
    )
    assert agent.invariants.variables == ("customer_message", "order_id")
    cases = (repo / "prompts/support-agent/evals/cases.yaml").read_text()
    assert cases.endswith("cases: []\n") and "#     vars: {customer_message:" in cases


def test_extract_reads_yaml_and_reports_json(repo: Path) -> None:
    (repo / "agent.yaml").write_text("system_prompt: |\n  Be brief.\n")
    result = run_cli(repo, "extract", "agent.yaml", "--agent", "brief", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f["path"] for f in data["files"]] == [
        "prompts/brief/system.md",
        "prompts/brief/agent.yaml",
        "prompts/brief/evals/cases.yaml",
    ]
    assert data["files"][0]["tokens"] == count_tokens("Be brief.\n")


def test_extract_refuses_to_overwrite_without_force(repo: Path) -> None:
    seed = write_seed(repo / "agent.json", SEED)
    assert run_cli(repo, "extract", str(seed), "--agent", "support-agent").exit_code == 0
    (repo / "prompts/support-agent/notes.md").write_text("mine\n")
    result = run_cli(repo, "extract", str(seed), "--agent", "support-agent")
    assert result.exit_code == 1
    assert "prompts/support-agent: error: already exists; use --force to replace it" in result.stderr
    assert (repo / "prompts/support-agent/notes.md").exists()
    write_seed(seed, {**SEED, "system_prompt": "New.\n"})
    assert run_cli(repo, "extract", str(seed), "--agent", "support-agent", "--force").exit_code == 0
    assert (repo / "prompts/support-agent/system.md").read_text() == "New.\n"
    assert not (repo / "prompts/support-agent/notes.md").exists()
    assert sorted(p.name for p in (repo / "prompts").iterdir()) == ["support-agent"]


def assert_nothing_written(repo: Path) -> None:
    assert not (repo / "prompts").exists()


def test_malformed_json_is_one_line_exit_2(repo: Path) -> None:
    (repo / "agent.json").write_text('{\n  "system_prompt": "x",\n  "tools": [,]\n}\n')
    result = run_cli(repo, "extract", "agent.json", "--agent", "a")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"promptops: {repo}/agent.json:3:13: error: Expecting value"]
    assert_nothing_written(repo)


def test_malformed_yaml_is_one_line_exit_2(repo: Path) -> None:
    (repo / "agent.yaml").write_text("system_prompt: x\ntools: [\n")
    result = run_cli(repo, "extract", "agent.yaml", "--agent", "a")
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"promptops: {repo}/agent.yaml:3:1: error: ")
    assert_nothing_written(repo)


def test_missing_system_prompt_names_file_and_place(repo: Path) -> None:
    write_seed(repo / "agent.json", {"tools": []})
    result = run_cli(repo, "extract", "agent.json", "--agent", "a")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"promptops: {repo}/agent.json:1:1: error: 'system_prompt' is a required property"
    )
    assert_nothing_written(repo)


def test_bad_tool_and_example_point_at_their_json_path(repo: Path) -> None:
    write_seed(repo / "agent.json", {**SEED, "tools": [SEED["tools"][0], {"name": "x", "description": 5}]})
    result = run_cli(repo, "extract", "agent.json", "--agent", "a")
    assert result.exit_code == 2
    assert "agent.json:21:22: error: tools[1].description: expected string, got int 5" in result.stderr
    write_seed(repo / "agent.json", {**SEED, "examples": [{"question": "a", "answer": "b"}]})
    result = run_cli(repo, "extract", "agent.json", "--agent", "a")
    assert "error: examples[0]: expected {user, assistant} or {input, output}" in result.stderr
    assert_nothing_written(repo)


def test_unsafe_agent_id_is_refused(repo: Path) -> None:
    seed = write_seed(repo / "agent.json", SEED)
    result = run_cli(repo, "extract", str(seed), "--agent", "../outside")
    assert result.exit_code == 2
    assert "invalid agent id '../outside'" in result.stderr
    assert not (repo.parent / "outside").exists()
    assert_nothing_written(repo)


def test_missing_config_file(repo: Path) -> None:
    result = run_cli(repo, "extract", "nope.json", "--agent", "a")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"promptops: {repo}/nope.json: error: file not found"
