"""Real-looking prompts the optimizer tests share."""

from __future__ import annotations

from promptops.repo.agents import Invariants

__all__ = ["Invariants", "SUPPORT_SYSTEM", "TIGHT_PROMPT", "USER_TEMPLATE"]

SUPPORT_SYSTEM = """You are a helpful customer support agent for Acme Shop.

Please note that you must always be polite and professional.
It is important to answer in the customer's language.  Always answer in the customer's language.
In order to look up an order, call the lookup_order tool with the order id.


Rules:
* Never promise a refund before checking the refund policy.
* make sure to quote the order id in your answer.
+ Keep answers short.
* Never promise a refund before checking the refund policy.

Basically, if you don't know, say so and offer to escalate to a human.

```json
{"order_id": "in order to", "note": "Please note that this block is data"}
```
"""

USER_TEMPLATE = """Customer tier: {{ tier }}

Please note that the customer wrote the following message:
{{customer_message}}

Make sure to reply to the message above. Make sure to reply to the message above.
"""

TIGHT_PROMPT = "Classify the ticket as billing, shipping or other. Reply with the label only.\n"
