"""The optimizer's own instructions: the project's meta-prompts, as one record.

The texts live in the dogfood agent (`prompts/promptops/`, shipped as package data) and
are read through `promptops.repo.meta.meta_prompt`; the analyzer, the variant writer and
the reflection step take this record as an argument so they do not care where it came
from, and so a test can say exactly what instructions it gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from promptops.config import GOALS
from promptops.errors import PromptopsError

# Names of the meta-prompts in the dogfood agent.
ANALYSIS, VARIANT, REFLECT, HINTS = "analysis", "variant", "reflect", "variation_hints"


@dataclass(frozen=True)
class MetaPrompts:
    analysis: str
    variant: str
    reflect: str
    goals: dict[str, str]  # goal -> instructions
    hints: tuple[str, ...]  # variation hints, one per variant (cycled)

    def hint(self, index: int) -> str:
        return self.hints[index % len(self.hints)] if self.hints else ""


def parse_hints(text: str) -> tuple[str, ...]:
    """The items of a markdown list (`- ...`), one hint each."""
    return tuple(m.group(1).strip() for m in re.finditer(r"^\s*[-*]\s+(.+)$", text, re.MULTILINE))


def load_meta_prompts() -> MetaPrompts:
    """The shipped meta-prompts; a clear error if this installation lacks them."""
    try:
        from promptops.repo.meta import meta_prompt
    except ImportError as exc:
        raise PromptopsError(
            "this promptops has no meta-prompts (promptops.repo.meta); the LLM optimizer cannot run. "
            "Set `optimizer.provider: null` to use the edit-based generator"
        ) from exc
    return MetaPrompts(
        analysis=meta_prompt(ANALYSIS),
        variant=meta_prompt(VARIANT),
        reflect=meta_prompt(REFLECT),
        goals={goal: meta_prompt(f"goal_{goal}") for goal in GOALS},
        hints=parse_hints(meta_prompt(HINTS)),
    )
