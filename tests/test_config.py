from pathlib import Path

import pytest

from promptops.config import load_config
from promptops.errors import InputError
from tests.conftest import run_cli


def test_defaults_apply_without_a_file(repo: Path) -> None:
    cfg = load_config(repo)
    assert cfg.source is None
    assert cfg.get("provider.max_concurrency") == 8
    assert cfg.prompts_dir == repo / "prompts"


def test_user_values_merge_over_defaults(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("provider:\n  model: my-model\n")
    cfg = load_config(repo)
    assert cfg.get("provider.model") == "my-model"
    assert cfg.get("provider.name") == "anthropic"


def test_schema_violation_names_file_line_and_path(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("decision:\n  alpha: high\n")
    with pytest.raises(InputError) as err:
        load_config(repo)
    msg = str(err.value)
    assert msg.startswith(f"{repo / '.promptops.yaml'}:2:10: error: decision.alpha:")
    assert "expected number" in msg


def test_unknown_key_lists_allowed_keys(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("provider:\n  nmae: x\n")
    with pytest.raises(InputError, match=r"provider: .*'nmae'.*allowed: .*max_concurrency"):
        load_config(repo)


def test_malformed_yaml_is_one_line_exit_2(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("provider: [unclosed\n")
    result = run_cli(repo, "config")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert ".promptops.yaml:2:1: error:" in lines[0]


def test_prompts_dir_outside_repo_is_refused(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("prompts_dir: ../elsewhere\n")
    with pytest.raises(InputError, match="prompts_dir: must be a folder inside the repository"):
        load_config(repo)


def test_config_command_prints_merged_json(repo: Path) -> None:
    (repo / ".promptops.yaml").write_text("github:\n  max_open_prs: 2\n")
    result = run_cli(repo, "config", "--json")
    assert result.exit_code == 0
    assert '"max_open_prs": 2' in result.stdout


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        ("evals:\n  shards: 0\n", "2:11: error: evals.shards:", "0 is less than the minimum of 1"),
        ("evals:\n  shards: 300\n", "2:11: error: evals.shards:", "300 is greater than the maximum of 256"),
        (
            "evals:\n  shard_samples: many\n",
            "2:18: error: evals.shard_samples:",
            "expected ['integer', 'null'], got str 'many'",
        ),
        (
            "evals:\n  shards: 4\n  shard_samples: 500\n",
            "3:18: error: evals.shard_samples:",
            "set either evals.shards (a fixed number of shard jobs) or evals.shard_samples",
        ),
    ],
)
def test_shard_settings_are_checked_in_one_line(repo: Path, text: str, where: str, expected: str) -> None:
    (repo / ".promptops.yaml").write_text(text)
    result = run_cli(repo, "config")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert f".promptops.yaml:{where}" in line
    assert expected in line


def test_shard_settings_default_to_one_job(repo: Path) -> None:
    cfg = load_config(repo)
    assert (cfg.get("evals.shards"), cfg.get("evals.shard_samples"), cfg.get("evals.max_shards")) == (
        1,
        None,
        8,
    )
