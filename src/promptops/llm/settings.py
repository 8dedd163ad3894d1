"""Provider settings read from one section of `.promptops.yaml`.

`provider:` configures the model under test; `optimizer.provider:` the model that
analyses prompts and writes variants. Keys the optimizer section leaves out are taken
from `provider:`, so a key variable or base URL is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from promptops.config import Config
from promptops.errors import ConfigError

BATCH_MODES = ("auto", "always", "never")  # provider.batch


@dataclass(frozen=True)
class ProviderSettings:
    name: str
    model: str
    base_url: str | None
    api_key_env: str
    max_concurrency: int
    timeout_s: float
    max_retries: int
    batch: str = "auto"  # auto | always | never: Message Batches (see promptops.llm.batches)


def provider_settings(config: Config, section: str = "provider") -> ProviderSettings:
    """The merged settings of `section` ("provider" or "optimizer.provider")."""
    try:
        value: Any = config.get(section)
    except (KeyError, TypeError):
        value = None
    if section != "provider" and value is None:
        raise ConfigError(
            f"{section} is not set in .promptops.yaml; add a `{section}:` section with at "
            "least `model:` (other keys default to those of `provider:`)"
        )
    if not isinstance(value, dict):
        raise ConfigError(f"{section} in .promptops.yaml must be a mapping with name, model, base_url, ...")
    merged = {**config.get("provider"), **value} if section != "provider" else dict(value)
    return ProviderSettings(
        name=str(merged["name"]),
        model=str(merged["model"]),
        base_url=merged.get("base_url"),
        api_key_env=str(merged["api_key_env"]),
        max_concurrency=int(merged["max_concurrency"]),
        timeout_s=float(merged["timeout_s"]),
        max_retries=int(merged["max_retries"]),
        batch=str(merged.get("batch", "auto")),
    )


def configured_models(config: Config) -> list[str]:
    """Every model name .promptops.yaml mentions, for 'unknown model' messages."""
    names = [config.get("provider.model"), config.get("evals.judge_model")]
    optimizer = config.get("optimizer.provider")
    if isinstance(optimizer, dict):
        names.append(optimizer.get("model"))
    return sorted({name for name in names if name})


def resolve_batch_mode(configured: str, requested: bool | None, *, waiting_ok: bool) -> str:
    """The mode a run uses: `--batch`/`--no-batch` win over `provider.batch`; `auto` batches
    only where the caller says waiting for results is acceptable (a scheduled run)."""
    if requested is not None:
        return "always" if requested else "never"
    if configured not in BATCH_MODES:
        raise ConfigError(f"provider.batch must be one of {', '.join(BATCH_MODES)}, got {configured!r}")
    return "never" if configured == "auto" and not waiting_ok else configured
