"""Whether `python` and `javascript` assertions may run here.

They run code from the repository being evaluated. On a pull request from a fork that
code is written by a stranger, so in GitHub Actions they are off by default for fork pull
requests (`evals.code_assertions: auto`); `on` and `off` decide for every run. A blocked
assertion is an error in the results, never a pass.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from promptops.config import Config


def code_block_reason(config: Config, environ: dict[str, str] | None = None) -> str | None:
    """Why code assertions may not run in this process, or None when they may."""
    setting = str(config.get("evals.code_assertions"))
    if setting == "on":
        return None
    if setting == "off":
        return "code assertions are off (evals.code_assertions: off)"
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") == "true" and _fork_pull_request(env):
        return (
            "not run on a pull request from a fork: its code would run in this workflow "
            "(set evals.code_assertions: on to allow)"
        )
    return None


def _fork_pull_request(env: Any) -> bool:
    if not str(env.get("GITHUB_EVENT_NAME", "")).startswith("pull_request"):
        return False
    try:
        payload = json.loads(Path(env.get("GITHUB_EVENT_PATH", "")).read_text(encoding="utf-8"))
        pull = payload["pull_request"]
        head = (pull.get("head") or {}).get("repo") or {}
        base = (pull.get("base") or {}).get("repo") or {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True  # a pull request we cannot inspect is treated as a fork: fail closed
    return head.get("full_name") != base.get("full_name")
