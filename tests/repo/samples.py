"""A sample agent as files, for tests that need a repository of prompts."""

from __future__ import annotations

AGENT_YAML = """\
id: support-agent
model: claude-sonnet-4-5
params: {temperature: 0, max_tokens: 512}
prompts: {system: system.md, user_template: user.md}
tools:
  - name: lookup_order
    description_file: tools/lookup_order.md
    input_schema: {type: object, properties: {order_id: {type: string}}, required: [order_id]}
examples: examples.yaml
invariants: {must_contain: ["refund policy"], variables: [customer_message], max_tokens: 800}
evals: evals/cases.yaml
"""

SYSTEM = "You are a support agent. Follow the refund policy.\n"
USER = "Customer says: {{customer_message}}\n"
TOOL = "Look up an order by its id.\n"
EXAMPLES = "- user: Where is my order?\n  assistant: Let me look it up.\n"
CASES = "cases:\n  - id: greet\n    vars: {customer_message: hi}\n    assert: [{type: contains, value: hi}]\n"


def support_agent(prefix: str = "prompts/support-agent") -> dict[str, str | bytes]:
    """The files of a valid agent `support-agent` under `prefix`."""
    return {
        f"{prefix}/agent.yaml": AGENT_YAML,
        f"{prefix}/system.md": SYSTEM,
        f"{prefix}/user.md": USER,
        f"{prefix}/tools/lookup_order.md": TOOL,
        f"{prefix}/examples.yaml": EXAMPLES,
        f"{prefix}/evals/cases.yaml": CASES,
    }
