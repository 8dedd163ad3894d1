"""A model key read from the variable `provider.api_key_env` names is masked like the
default ones: a careless deploy command that prints it shows `***` in the log and summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ci import payloads
from tests.ci.conftest import AGENT, run_event, write_config
from tests.gitrepo import commit, git
from tests.standins.github_server import GitHubStandin

CUSTOM_KEY = "sk-custom-0123456789abcdef"
OPTIMIZER_KEY = "sk-optimizer-9876543210fedcba"


@pytest.mark.parametrize("section", ["provider", "optimizer"])
def test_a_key_named_by_api_key_env_is_masked(
    agent_repo: Path, github: GitHubStandin, monkeypatch: pytest.MonkeyPatch, section: str
) -> None:
    base = git(agent_repo, "rev-parse", "main")
    config = {
        "provider": {"name": "echo", "model": "echo-1", "api_key_env": "TEAM_LLM_KEY"},
        "deploy": {"command": 'echo "key=$TEAM_LLM_KEY opt=$OPT_LLM_KEY"'},
    }
    if section == "optimizer":
        config["provider"] = {"name": "echo", "model": "echo-1"}
        config["optimizer"] = {"provider": {"name": "echo", "model": "echo-1", "api_key_env": "OPT_LLM_KEY"}}
    write_config(agent_repo, config)
    files = {
        ".promptops.yaml": (agent_repo / ".promptops.yaml").read_text(),
        f"{AGENT}/system.md": "You are a support agent. Be brief.\n",  # a prompt changed: deploy runs
    }
    head = commit(agent_repo, files, "config and a shorter prompt")
    git(agent_repo, "push", "-q", "origin", "main")
    run = run_event(
        agent_repo,
        monkeypatch,
        github,
        "push",
        payloads.push(base, head),
        TEAM_LLM_KEY=CUSTOM_KEY,
        OPT_LLM_KEY=OPTIMIZER_KEY,
    )
    assert run.result.exit_code == 0, run.err
    secret = CUSTOM_KEY if section == "provider" else OPTIMIZER_KEY
    masked = "key=***" if section == "provider" else "opt=***"
    assert masked in run.out and masked in run.summary
    assert secret not in run.out + run.err + run.summary
