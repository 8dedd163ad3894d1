import json
import shutil
from pathlib import Path

import pytest

from promptops.config import load_config
from promptops.errors import NotFoundError
from promptops.git.branches import resolve_default_branch
from promptops.git.change_counts import change_counts
from promptops.repo.history import prompt_history
from promptops.repo.listing import list_prompts
from promptops.repo.tokens import count_tokens
from tests.conftest import run_cli
from tests.gitrepo import commit, git, make_repo, write_files
from tests.repo.samples import AGENT_YAML, support_agent

SYSTEM_PATH = "prompts/support-agent/system.md"


@pytest.fixture(scope="module")
def history_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: initial, an edit, a rename, a merged feature branch; plus an unmerged branch.

    Built once per module (with the same isolated identity as every test) and copied per
    test, because its twenty git calls are most of this module's time.
    """
    root = tmp_path_factory.mktemp("history")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(root))
        env.setenv("GIT_CONFIG_NOSYSTEM", "1")
        env.setenv("GIT_AUTHOR_NAME", "Test Author")
        env.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
        env.setenv("GIT_COMMITTER_NAME", "Test Committer")
        env.setenv("GIT_COMMITTER_EMAIL", "committer@example.com")
        repo = make_repo(root, support_agent())
        commit(repo, {SYSTEM_PATH: "Second. refund policy\n"}, "second edit")
        commit(repo, {"prompts/support-agent/user.md": "{{customer_message}}?\n"}, "touch user only")
        git(repo, "mv", SYSTEM_PATH, "prompts/support-agent/sys.md")
        yaml = AGENT_YAML.replace("system: system.md", "system: sys.md")
        commit(repo, {"prompts/support-agent/agent.yaml": yaml}, "rename system")
        git(repo, "checkout", "-q", "-b", "feature")
        commit(repo, {"prompts/support-agent/sys.md": "Feature. refund policy\n"}, "feature edit")
        git(repo, "checkout", "-q", "main")
        git(repo, "merge", "-q", "--no-ff", "feature", "-m", "Merge feature")
        git(repo, "checkout", "-q", "-b", "unmerged")
        commit(repo, {"prompts/support-agent/sys.md": "Unmerged. refund policy\n"}, "unmerged edit")
        git(repo, "checkout", "-q", "main")
    return repo


@pytest.fixture
def history_repo(history_template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "work"
    shutil.copytree(history_template, copy, symlinks=True)
    return copy


def test_history_follows_renames_and_counts_first_parent_commits(history_repo: Path) -> None:
    history = prompt_history(load_config(history_repo), "support-agent/system")
    assert history.branch == "main"
    assert history.path == "prompts/support-agent/sys.md"
    assert [(v.number, v.subject) for v in history.versions] == [
        (4, "Merge feature"),
        (3, "rename system"),
        (2, "second edit"),
        (1, "initial commit"),
    ]
    newest = history.versions[0]
    assert newest.version_id == git(history_repo, "rev-parse", "main:prompts/support-agent/sys.md")
    assert newest.commit == git(history_repo, "rev-parse", "main")
    assert newest.author == "Test Author"
    assert newest.tokens == count_tokens("Feature. refund policy\n")
    assert history.versions[-1].path == SYSTEM_PATH


def test_history_limit_and_all_branches(history_repo: Path) -> None:
    cfg = load_config(history_repo)
    limited = prompt_history(cfg, "support-agent/system", limit=1)
    assert [v.number for v in limited.versions] == [4] and limited.total == 4
    everything = prompt_history(cfg, "support-agent/system", all_branches=True)
    subjects = {v.subject: v.number for v in everything.versions}
    assert subjects["unmerged edit"] is None
    assert subjects["feature edit"] is None
    assert subjects["Merge feature"] == 4


def test_history_cli_table_and_json(history_repo: Path) -> None:
    result = run_cli(history_repo, "history", "support-agent/system")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "support-agent/system (prompts/support-agent/sys.md): 4 versions on main"
    header = ["vN", "VERSION", "COMMIT", "DATE", "AUTHOR", "SUBJECT", "TOKENS", "PR", "EVAL"]
    assert lines[1].split() == header
    assert lines[2].startswith("v4* ") and "Merge feature" in lines[2]
    assert lines[-1] == "* deployed: v4, the tip of main"
    data = json.loads(run_cli(history_repo, "history", "support-agent/system", "--json").stdout)
    assert [v["version"] for v in data["versions"]] == ["v4", "v3", "v2", "v1"]


def test_history_of_unknown_prompt_lists_closest(history_repo: Path) -> None:
    result = run_cli(history_repo, "history", "support-agent/sytem")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "promptops: unknown prompt 'support-agent/sytem'; closest: support-agent/system"
    ]


def test_default_branch_from_config_origin_head_or_fallback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    git(repo, "remote", "set-head", "origin", "-a")
    assert resolve_default_branch(repo, load_config(repo)).name == "main"
    (repo / ".promptops.yaml").write_text("default_branch: trunk\n")
    assert resolve_default_branch(repo, load_config(repo)).name == "trunk"
    local = tmp_path / "local"
    local.mkdir()
    git(local, "init", "-q", "-b", "master")
    commit(local, {"a.md": "a\n"}, "first")
    assert resolve_default_branch(local, load_config(local)).name == "master"
    git(local, "branch", "-q", "-m", "master", "other")
    with pytest.raises(NotFoundError, match="cannot tell the default branch.*set `default_branch`"):
        resolve_default_branch(local, load_config(local))


def test_list_shows_vn_only_for_the_default_branch_version(history_repo: Path) -> None:
    cfg = load_config(history_repo)
    entries = {e.name: e for e in list_prompts(cfg)}
    assert entries["system"].number == 4
    assert entries["user_template"].number == 2
    assert entries["tool:lookup_order"].number == 1
    assert entries["system"].version_id == git(history_repo, "rev-parse", "main:prompts/support-agent/sys.md")
    write_files(history_repo, {"prompts/support-agent/sys.md": "edited\n"})
    assert {e.name: e.number for e in list_prompts(cfg)}["system"] is None
    git(history_repo, "checkout", "-q", "-f", "unmerged")
    assert {e.name: e.number for e in list_prompts(cfg)}["system"] is None


def test_list_cli_table_and_json(history_repo: Path) -> None:
    result = run_cli(history_repo, "list")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PROMPT", "TYPE", "TOKENS", "VERSION", "vN"]
    system = lines[1].split()
    assert system[0] == "support-agent/system" and system[1] == "system" and system[4] == "v4"
    data = json.loads(run_cli(history_repo, "list", "--json").stdout)
    assert [d["id"] for d in data] == [
        "support-agent/system",
        "support-agent/user_template",
        "support-agent/tool:lookup_order",
        "support-agent/few_shot",
    ]
    assert data[0]["version"] == "v4" and data[0]["tokens"] == count_tokens("Feature. refund policy\n")


def test_list_outside_git_shows_no_version_numbers(tmp_path: Path) -> None:
    write_files(tmp_path, {".promptops.yaml": "{}\n", **support_agent()})
    entries = list_prompts(load_config(tmp_path))
    assert len(entries) == 4 and all(e.number is None for e in entries)


def test_list_reports_a_broken_agent(history_repo: Path) -> None:
    write_files(history_repo, {"prompts/support-agent/agent.yaml": "prompts: [\n"})
    result = run_cli(history_repo, "list")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"promptops: {history_repo}/prompts/support-agent/agent.yaml:2:1: error:")


def test_change_counts_cache_follows_the_branch_and_recomputes_after_a_rewrite(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"prompts/a.md": "1\n", "prompts/b.md": "1\n"})
    head = git(repo, "rev-parse", "HEAD")
    assert change_counts(repo, head, "prompts") == {"prompts/a.md": 1, "prompts/b.md": 1}
    assert (repo / ".git/promptops/change-counts.json").is_file()
    commit(repo, {"prompts/a.md": "2\n"}, "a2")
    git(repo, "mv", "prompts/a.md", "prompts/c.md")
    moved = commit(repo, {}, "rename a to c")
    assert change_counts(repo, moved, "prompts") == {"prompts/c.md": 3, "prompts/b.md": 1}
    git(repo, "reset", "-q", "--hard", head)
    rewritten = commit(repo, {"prompts/b.md": "other\n"}, "b2 on a rewritten branch")
    assert change_counts(repo, rewritten, "prompts") == {"prompts/a.md": 1, "prompts/b.md": 2}
    (repo / ".git/promptops/change-counts.json").write_text("not json")
    assert change_counts(repo, moved, "prompts") == {"prompts/c.md": 3, "prompts/b.md": 1}


def test_history_of_a_prompt_removed_from_the_working_tree(history_repo: Path) -> None:
    (history_repo / "prompts/support-agent/tools/lookup_order.md").unlink()
    yaml = AGENT_YAML.replace("system: system.md", "system: sys.md")
    write_files(history_repo, {"prompts/support-agent/agent.yaml": yaml.split("tools:")[0]})
    history = prompt_history(load_config(history_repo), "support-agent/tool:lookup_order")
    assert [v.number for v in history.versions] == [1]
    assert history.path == "prompts/support-agent/tools/lookup_order.md"
