"""`.promptops.yaml`: defaults for every key, validated by `schemas/config.schema.json`.

The file is optional. What a user writes is deep-merged over DEFAULTS, so every later
module can read any key without checking whether it was set.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from promptops.errors import ConfigError
from promptops.files import Document, load_document, parse_document
from promptops.schemas import validate_document

CONFIG_FILE = ".promptops.yaml"
GOALS = ("accuracy", "conciseness", "clarity", "safety", "speed")

DEFAULTS: dict[str, Any] = {
    "prompts_dir": "prompts",
    "default_branch": None,
    "provider": {
        "name": "anthropic",
        "model": "claude-sonnet-5-5",
        "base_url": None,
        "api_key_env": "ANTHROPIC_API_KEY",
        "max_concurrency": 8,
        "timeout_s": 60.0,
        "max_retries": 4,
        "batch": "auto",
    },
    "batch": {"poll_seconds": 30.0},
    "optimizer": {
        "provider": None,
        "goal": "conciseness",
        "variants": 3,
        "rounds": 1,
        "budget": {"calls": 300, "usd": 5.0},
    },
    "evals": {
        "holdout_fraction": 0.3,
        "repeat": 1,
        "judge_model": None,
        "code_assertions": "auto",
        "code_timeout_s": 20.0,
        # Pull requests on the reusable workflow: shard jobs (docs/github-actions.md, "Sharded evaluation").
        "shards": 1,
        "shard_samples": None,
        "max_shards": 8,
        "embeddings": {"base_url": None, "model": None, "api_key_env": "OPENAI_API_KEY"},
    },
    "decision": {
        "alpha": 0.05,
        "min_success_delta": 0.05,
        "min_token_reduction_pct": 10.0,
        "min_latency_reduction_pct": 5.0,
    },
    "cache": {"path": ".promptops/cache.sqlite", "enabled": True, "max_mb": 512},
    "history": {"notes_max_age_minutes": 60},
    "pricing": {},
    "github": {
        "branch_prefix": "promptops",
        "labels": ["promptops"],
        "max_open_prs": 5,
        "base_url": None,
        "run_on_drafts": False,
        "not_recommended": "draft",
        "dashboard": True,
    },
    "schedule": {"prompts": [], "min_pass_rate": None},
    "deploy": {"command": None},
    "rollout": {"logs": []},
    # The promptops/eval check on pull requests (docs/github-actions.md, "The promptops/eval check").
    "gate": {"inconclusive": "neutral", "min_paired_samples": 3},
}


@dataclass(frozen=True)
class Config:
    """The merged settings of one repository."""

    root: Path
    data: dict[str, Any]
    source: Path | None

    def get(self, dotted: str) -> Any:
        """`cfg.get("provider.model")`; every key exists because defaults are merged in."""
        value: Any = self.data
        for part in dotted.split("."):
            value = value[part]
        return value

    @property
    def prompts_dir(self) -> Path:
        return self.root / self.data["prompts_dir"]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "pricing":
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_config(root: Path) -> Config:
    """Settings for the repository at `root`; defaults alone when there is no file."""
    path = root / CONFIG_FILE
    if not path.exists():
        return Config(root=root, data=copy.deepcopy(DEFAULTS), source=None)
    return _checked(root, load_document(path), path)


def config_from_text(root: Path, text: str, source: Path) -> Config:
    """Settings from a `.promptops.yaml` text read elsewhere (a commit: `source` is `REF:.promptops.yaml`)."""
    return _checked(root, parse_document(text, source), source)


def _checked(root: Path, doc: Document, source: Path) -> Config:
    """The settings of a parsed config document: schema, defaults, then the cross-field rules."""
    validate_document(doc, "config")
    data = _merge(DEFAULTS, doc.data or {})
    _check_prompts_dir(root, data["prompts_dir"], doc)
    _check_shards(data, doc)
    return Config(root=root, data=data, source=source)


def _check_prompts_dir(root: Path, prompts_dir: str, doc: Document) -> None:
    target = (root / prompts_dir).resolve()
    if Path(prompts_dir).is_absolute() or not target.is_relative_to(root.resolve()):
        raise doc.error(["prompts_dir"], "must be a folder inside the repository")


def _check_shards(data: dict[str, Any], doc: Document) -> None:
    """A fixed shard count and an automatic one cannot both be meant."""
    evals = data["evals"]
    if evals["shard_samples"] is not None and evals["shards"] != 1:
        raise doc.error(
            ["evals", "shard_samples"],
            "set either evals.shards (a fixed number of shard jobs) or evals.shard_samples "
            "(one shard job per that many samples), not both",
        )


def find_repo_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding `.git` or `.promptops.yaml`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists() or (folder / CONFIG_FILE).exists():
            return folder
    raise ConfigError(
        f"{start}: error: not inside a git repository or a folder with {CONFIG_FILE} "
        "(run `promptops init` or `git init` first)"
    )
