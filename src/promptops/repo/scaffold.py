"""`promptops init`: a starting `.promptops.yaml` and an example agent with eval cases.

The example is small but complete (a system prompt, a user template with a variable, a
tool, few-shot examples, invariants and cases using each basic assertion), so that
`promptops list`, `lint` and the eval commands have something real to work on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from promptops.config import CONFIG_FILE, DEFAULTS, load_config
from promptops.errors import PromptopsError
from promptops.repo.folders import write_folder
from promptops.repo.workflow import WORKFLOW_PATH, render_caller_workflow

EXAMPLE_AGENT = "support-agent"
IGNORED = ".promptops/"

EXAMPLE_FILES: dict[str, str] = {
    "agent.yaml": """\
# The example agent created by `promptops init`; keys are described in docs/repository.md.
id: support-agent
# model: claude-sonnet-5-5        # absent: provider.model from .promptops.yaml
params: {temperature: 0, max_tokens: 400}
prompts:
  system: system.md
  user_template: user.md
tools:
  - name: lookup_order
    description_file: tools/lookup_order.md
    input_schema:
      type: object
      properties: {order_id: {type: string, description: "The order number, digits only"}}
      required: [order_id]
examples: examples.yaml
invariants:
  must_contain: ["refund policy"]   # every variant must keep these phrases
  variables: [customer_message]     # the user template must keep these variables
  max_tokens: 600                   # budget for all prompts of one request
evals: evals/cases.yaml
""",
    "system.md": """\
You are the customer support assistant of an online shop.

Answer in a friendly, plain tone and keep replies under 120 words.
Always quote the order number the customer gave you.
When a customer asks for money back, explain the refund policy: unused items can be
returned within 30 days for a full refund.
Never promise a delivery date; say that the tracking page shows the latest estimate.
If you need order details, use the lookup_order tool instead of guessing.
""",
    "user.md": """\
Customer message:
{{customer_message}}
""",
    "tools/lookup_order.md": """\
Look up an order by its number and return its status, items and tracking link.
Use it whenever the customer mentions an order number.
""",
    "examples.yaml": """\
- user: "Hi, where is order 1001?"
  assistant: "Thanks for asking about order 1001! The tracking page shows the latest estimate."
""",
    "evals/cases.yaml": """\
# Eval cases: each case fills the user template's variables and checks the reply.
# Assertion types used here: contains, icontains, not-contains, regex.
cases:
  - id: refund-request
    vars: {customer_message: "I want my money back for order 1234, the mug arrived broken."}
    assert:
      - {type: icontains, value: refund}
      - {type: contains, value: "1234"}
  - id: no-delivery-promise
    vars: {customer_message: "Can you guarantee my parcel arrives tomorrow?"}
    assert:
      - {type: not-contains, value: "I guarantee"}
      - {type: icontains, value: tracking}
  - id: quotes-order-number
    vars: {customer_message: "Order 5678 shows the wrong address."}
    assert:
      - {type: regex, value: "\\\\b5678\\\\b"}
""",
}


@dataclass(frozen=True)
class InitResult:
    root: Path
    written: list[str]
    warning: str | None = None  # the workflow pins the action by a mutable tag (--allow-tag)


def render_config() -> str:
    """`.promptops.yaml` with every default written out, commented, so users see the knobs."""
    body = yaml.safe_dump(DEFAULTS, sort_keys=False, default_flow_style=False).rstrip("\n")
    commented = "\n".join(f"# {line}" if line else "#" for line in body.splitlines())
    return (
        "# promptops settings. Every key is optional; the values below are the defaults.\n"
        "# Uncomment and change what you need. Reference: docs/configuration.md\n"
        f"{commented}\n"
    )


def init_repository(
    root: Path,
    *,
    force: bool = False,
    github: bool = False,
    uses: str | None = None,
    allow_tag: bool = False,
    branch: str = "main",
) -> InitResult:
    """Write `.promptops.yaml` and `prompts/support-agent/` under `root`; refuse to overwrite.

    With `github`, also write the caller workflow `.github/workflows/promptops.yml` (running
    the action `uses`, pinned by commit, or installing this exact version; pushes to
    `branch`); an existing config or agent is then kept as it is, even
    with `force` (which then means the workflow), so a repository already using promptops
    can add or regenerate the workflow alone.
    """
    config_path = root / CONFIG_FILE
    agent_folder = root / "prompts" / EXAMPLE_AGENT
    workflow_path = root / WORKFLOW_PATH
    existing = [p for p in (config_path, agent_folder) if p.exists() or p.is_symlink()]
    if github:
        workflow = render_caller_workflow(
            uses=uses, allow_tag=allow_tag, branch=branch, prompts_dir=_prompts_dir(root)
        )
        if (workflow_path.exists() or workflow_path.is_symlink()) and not force:
            raise PromptopsError(f"{root}: error: {WORKFLOW_PATH} already exists; use --force to overwrite")
    elif existing and not force:
        names = ", ".join(str(p.relative_to(root)) for p in existing)
        raise PromptopsError(f"{root}: error: {names} already exist; use --force to overwrite")
    written: list[str] = []
    if not existing or (force and not github):
        write_folder(agent_folder, EXAMPLE_FILES, replace=force)
        config_path.write_text(render_config(), encoding="utf-8")
        written = [CONFIG_FILE] + [f"prompts/{EXAMPLE_AGENT}/{name}" for name in EXAMPLE_FILES]
    if github:
        workflow_path.parent.mkdir(parents=True, exist_ok=True)
        workflow_path.write_text(workflow.text, encoding="utf-8")
        written.append(WORKFLOW_PATH)
    if _ignore_cache_folder(root):
        written.append(".gitignore")
    return InitResult(root, written, workflow.warning if github else None)


def _prompts_dir(root: Path) -> str:
    """prompts_dir of an existing config (the workflow's path filter), else the default."""
    if not (root / CONFIG_FILE).exists():
        return DEFAULTS["prompts_dir"]
    return load_config(root).data["prompts_dir"]


def _ignore_cache_folder(root: Path) -> bool:
    """Add `.promptops/` (response cache, run records) to .gitignore; True if it was added."""
    gitignore = root / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    if IGNORED in lines or IGNORED.rstrip("/") in lines:
        return False
    prefix = "" if not lines or gitignore.read_text(encoding="utf-8").endswith("\n") else "\n"
    with gitignore.open("a", encoding="utf-8") as out:
        out.write(f"{prefix}# promptops caches and run records\n{IGNORED}\n")
    return True
