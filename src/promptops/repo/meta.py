"""promptops' own meta-prompts (analysis, variant writing, goals, hints), as shipped.

They are an ordinary agent (`promptops`) whose files are package data, loaded with the
same loader as any user's agent, so `promptops lint` and the optimizer can work on them
too. The canonical copy is the repository's top-level `prompts/promptops/`.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from pathlib import Path

from promptops.config import DEFAULTS, Config
from promptops.repo.agents import Agent, load_agent

META_AGENT = "promptops"
# Other names callers use for the same prompts.
ALIASES = {
    "analysis": "system",
    "analyze": "system",
    "write_variant": "variant",
    "hints": "variation_hints",
}


def package_root() -> Path:
    """The installed `promptops` package folder, which holds `prompts/promptops/`."""
    return Path(str(resources.files("promptops")))


@cache
def meta_agent() -> Agent:
    """The shipped `promptops` agent (loaded once per process)."""
    data = copy.deepcopy(DEFAULTS)
    data["prompts_dir"] = "prompts"
    return load_agent(Config(root=package_root(), data=data, source=None), META_AGENT)


def meta_prompt(name: str) -> str:
    """Text of the meta-prompt `name`: "analysis", "variant", "reflect", "goal_<goal>",
    "variation_hints" (aliases: "analyze", "write_variant", "hints"). NotFoundError lists names."""
    return meta_agent().prompt(ALIASES.get(name, name)).text
