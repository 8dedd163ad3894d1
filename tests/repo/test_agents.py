import os
from pathlib import Path

import pytest

from promptops.config import load_config
from promptops.errors import InputError, NotFoundError
from promptops.git.tree import list_tree, read_blob
from promptops.repo.agents import Example, list_agents, load_agent, resolve_prompt_id
from tests.gitrepo import commit, git, write_files
from tests.repo.samples import AGENT_YAML, SYSTEM, support_agent


def test_loads_every_part_of_an_agent(agent_repo: Path) -> None:
    agent = load_agent(load_config(agent_repo), "support-agent")
    assert list(agent.prompts) == ["system", "user_template", "tool:lookup_order", "few_shot"]
    system = agent.prompt("system")
    assert system.id == "support-agent/system"
    assert system.rel_path == "prompts/support-agent/system.md"
    assert system.text == SYSTEM
    assert system.version_id == git(agent_repo, "hash-object", "prompts/support-agent/system.md")
    assert system.tokens > 5
    assert agent.prompt("tool:lookup_order").type == "tool_description"
    assert agent.tools[0].input_schema["required"] == ["order_id"]
    assert agent.examples == (Example(user="Where is my order?", assistant="Let me look it up."),)
    assert agent.invariants.variables == ("customer_message",)
    assert agent.invariants.max_tokens == 800
    assert agent.evals_path == agent_repo / "prompts/support-agent/evals/cases.yaml"
    assert agent.params == {"temperature": 0, "max_tokens": 512}
    assert agent.folder == agent_repo / "prompts/support-agent"


def test_with_texts_replaces_prompts_tools_and_examples(agent_repo: Path) -> None:
    agent = load_agent(load_config(agent_repo), "support-agent")
    variant = agent.with_texts(
        {
            "system": "Short.\n",
            "tool:lookup_order": "Find an order.\n",
            "few_shot": "- {user: a, assistant: b}\n",
        }
    )
    assert variant.prompt("system").text == "Short.\n"
    assert variant.tools[0].description == "Find an order.\n"
    assert variant.examples == (Example("a", "b"),)
    assert agent.prompt("system").text == SYSTEM
    with pytest.raises(NotFoundError, match="closest: system"):
        agent.with_texts({"sytem": "x"})


def test_list_agents_and_resolve(agent_repo: Path) -> None:
    write_files(agent_repo, {"prompts/notes/readme.md": "not an agent\n"})
    cfg = load_config(agent_repo)
    assert list_agents(cfg) == ["support-agent"]
    assert resolve_prompt_id(cfg, "support-agent/few_shot").rel_path == "prompts/support-agent/examples.yaml"


def test_unknown_prompt_id_lists_closest(agent_repo: Path) -> None:
    cfg = load_config(agent_repo)
    closest = r"unknown prompt 'support-agent/sytem'; closest: support-agent/system"
    with pytest.raises(NotFoundError, match=closest):
        resolve_prompt_id(cfg, "support-agent/sytem")
    with pytest.raises(NotFoundError, match=r"closest: support-agent/system"):
        resolve_prompt_id(cfg, "suport-agent/system")
    with pytest.raises(NotFoundError, match=r"unknown agent 'support'; closest: support-agent"):
        load_agent(cfg, "support")


@pytest.mark.parametrize(
    "bad", ["../etc/system", "support-agent/../x", "/abs/system", "support-agent", "a/b/c"]
)
def test_unsafe_prompt_ids_are_refused(agent_repo: Path, bad: str) -> None:
    with pytest.raises(InputError, match="invalid (prompt|agent) id"):
        resolve_prompt_id(load_config(agent_repo), bad)


def test_dotdot_agent_id_is_refused(agent_repo: Path) -> None:
    with pytest.raises(InputError, match="invalid agent id '..'"):
        load_agent(load_config(agent_repo), "..")


def test_path_leaving_the_agent_folder_is_refused(agent_repo: Path) -> None:
    yaml = AGENT_YAML.replace("system.md", "../../README.md")
    write_files(agent_repo, {"prompts/support-agent/agent.yaml": yaml})
    with pytest.raises(InputError) as err:
        load_agent(load_config(agent_repo), "support-agent")
    assert str(err.value) == (
        f"{agent_repo}/prompts/support-agent/agent.yaml:4:19: error: prompts.system: "
        "expected a path inside the agent folder (no '..', not absolute), got '../../README.md'"
    )


def test_absolute_path_is_refused(agent_repo: Path) -> None:
    yaml = AGENT_YAML.replace("evals/cases.yaml", "/etc/passwd")
    write_files(agent_repo, {"prompts/support-agent/agent.yaml": yaml})
    with pytest.raises(InputError, match=r"agent.yaml:11:8: error: evals: expected a path inside"):
        load_agent(load_config(agent_repo), "support-agent")


def test_symlink_escaping_the_prompts_folder_is_refused(agent_repo: Path) -> None:
    system = agent_repo / "prompts/support-agent/system.md"
    system.unlink()
    os.symlink(agent_repo / "README.md", system)
    with pytest.raises(InputError, match="system.md: error: refusing to read outside the prompts folder"):
        load_agent(load_config(agent_repo), "support-agent")


def test_symlink_inside_the_prompts_folder_is_followed(agent_repo: Path) -> None:
    system = agent_repo / "prompts/support-agent/system.md"
    write_files(agent_repo, {"prompts/shared/base.md": "Shared base.\n"})
    system.unlink()
    os.symlink("../shared/base.md", system)
    assert load_agent(load_config(agent_repo), "support-agent").prompt("system").text == "Shared base.\n"


def test_schema_violation_names_file_line_and_json_path(agent_repo: Path) -> None:
    yaml = AGENT_YAML.replace("description_file: tools/lookup_order.md", "description_file: 3")
    yaml = yaml.replace("tools:\n", "tools:\n  - {name: a, description_file: a.md}\n")
    write_files(agent_repo, {"prompts/support-agent/agent.yaml": yaml})
    with pytest.raises(InputError) as err:
        load_agent(load_config(agent_repo), "support-agent")
    assert str(err.value) == (
        f"{agent_repo}/prompts/support-agent/agent.yaml:8:23: error: tools[1].description_file: "
        "expected string, got int 3"
    )


def test_missing_referenced_file_is_named(agent_repo: Path) -> None:
    (agent_repo / "prompts/support-agent/tools/lookup_order.md").unlink()
    with pytest.raises(
        InputError,
        match=r"agent.yaml:7:23: error: tools\[0\].description_file: file "
        r"prompts/support-agent/tools/lookup_order.md does not exist",
    ):
        load_agent(load_config(agent_repo), "support-agent")


def test_malformed_examples_point_into_their_file(agent_repo: Path) -> None:
    write_files(agent_repo, {"prompts/support-agent/examples.yaml": "- user: hi\n  assistnt: yo\n"})
    expected = r"examples.yaml:1:3: error: \[0\]: .*'assistnt' was unexpected.*allowed: assistant, user"
    with pytest.raises(InputError, match=expected):
        load_agent(load_config(agent_repo), "support-agent")


def test_agent_id_must_match_folder(agent_repo: Path) -> None:
    yaml = AGENT_YAML.replace("id: support-agent", "id: x")
    write_files(agent_repo, {"prompts/support-agent/agent.yaml": yaml})
    with pytest.raises(InputError, match=r"agent.yaml:1:5: error: id: expected 'support-agent'"):
        load_agent(load_config(agent_repo), "support-agent")


def test_reads_the_agent_at_a_git_ref(agent_repo: Path) -> None:
    first = git(agent_repo, "rev-parse", "HEAD")
    commit(agent_repo, {"prompts/support-agent/system.md": "Changed. refund policy\n"}, "edit")
    write_files(agent_repo, {"prompts/support-agent/system.md": "Uncommitted.\n"})
    cfg = load_config(agent_repo)
    assert load_agent(cfg, "support-agent", ref=first).prompt("system").text == SYSTEM
    assert load_agent(cfg, "support-agent", ref="HEAD").prompt("system").text == "Changed. refund policy\n"
    assert load_agent(cfg, "support-agent").prompt("system").text == "Uncommitted.\n"
    assert list_agents(cfg, ref=first) == ["support-agent"]
    assert resolve_prompt_id(cfg, "support-agent/system", ref=first).version_id == git(
        agent_repo, "rev-parse", f"{first}:prompts/support-agent/system.md"
    )


def test_ref_errors_name_the_ref_and_path(agent_repo: Path) -> None:
    commit(agent_repo, {"prompts/support-agent/agent.yaml": "prompts: {system: [x]}\n"}, "break")
    cfg = load_config(agent_repo)
    expected = r"^HEAD:prompts/support-agent/agent.yaml:1:19: error: prompts.system"
    with pytest.raises(InputError, match=expected):
        load_agent(cfg, "support-agent", ref="HEAD")
    with pytest.raises(NotFoundError, match="unknown git ref 'nope'"):
        load_agent(cfg, "support-agent", ref="nope")


def test_committed_symlink_escaping_is_refused_at_a_ref(agent_repo: Path) -> None:
    system = agent_repo / "prompts/support-agent/system.md"
    system.unlink()
    os.symlink("../../README.md", system)
    commit(agent_repo, {}, "link out")
    expected = "HEAD:prompts/support-agent/system.md: error: refusing to read outside"
    with pytest.raises(InputError, match=expected):
        load_agent(load_config(agent_repo), "support-agent", ref="HEAD")


def test_tree_reading_functions(agent_repo: Path) -> None:
    assert read_blob(agent_repo, "HEAD", "prompts/support-agent/system.md") == SYSTEM.encode()
    assert read_blob(agent_repo, "HEAD", "prompts/nope.md") is None
    assert "prompts/support-agent/tools/lookup_order.md" in list_tree(agent_repo, "HEAD", "prompts")
    assert list_tree(agent_repo, "HEAD", "missing") == []


def test_symlinked_agent_folder_leaving_the_prompts_folder_is_refused(
    agent_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    write_files(outside, support_agent("evil"))
    os.symlink(outside / "evil", agent_repo / "prompts/evil")
    cfg = load_config(agent_repo)
    assert "evil" in list_agents(cfg)
    with pytest.raises(
        InputError, match="evil/agent.yaml: error: refusing to read outside the prompts folder"
    ):
        load_agent(cfg, "evil")


def test_non_utf8_prompt_names_the_byte(agent_repo: Path) -> None:
    write_files(agent_repo, {"prompts/support-agent/user.md": b"ok\nbad \xff here\n"})
    with pytest.raises(InputError, match=r"user.md:2:5: error: not valid UTF-8"):
        load_agent(load_config(agent_repo), "support-agent")


def test_extra_prompts_are_addressable(agent_repo: Path) -> None:
    yaml = AGENT_YAML + "extra_prompts: {judge: judge.md}\n"
    write_files(
        agent_repo, {"prompts/support-agent/agent.yaml": yaml, "prompts/support-agent/judge.md": "Grade.\n"}
    )
    judge = resolve_prompt_id(load_config(agent_repo), "support-agent/judge")
    assert (judge.type, judge.rel_path, judge.text) == (
        "system",
        "prompts/support-agent/judge.md",
        "Grade.\n",
    )
    write_files(
        agent_repo, {"prompts/support-agent/agent.yaml": AGENT_YAML + "extra_prompts: {system: judge.md}\n"}
    )
    with pytest.raises(InputError, match="extra_prompts.system: 'system' is already a prompt of this agent"):
        load_agent(load_config(agent_repo), "support-agent")


def test_custom_prompts_dir(agent_repo: Path) -> None:
    files = {".promptops.yaml": "prompts_dir: ai/prompts\n", **support_agent("ai/prompts/support-agent")}
    write_files(agent_repo, files)
    cfg = load_config(agent_repo)
    assert list_agents(cfg) == ["support-agent"]
    system = load_agent(cfg, "support-agent").prompt("system")
    assert system.rel_path == "ai/prompts/support-agent/system.md"
    commit(agent_repo, {}, "second prompts folder")
    assert list_agents(cfg, ref="HEAD") == ["support-agent"]
    assert load_agent(cfg, "support-agent", ref="HEAD").prompt("system").rel_path == system.rel_path
