"""JSON text from one kept C encoder: what hot paths write thousands of times per run.

`json.dumps` (and `JSONEncoder.encode`) builds a new C encoder on every call, plus a dict
that catches circular references, which records and requests cannot hold. A cached run
keys every sample (llm.cache) and every run writes every result (evals.results): building
the encoder once is a third of keying a sample. The text is exactly `json.dumps`'s with the
same options, so stored cache keys still match; the kept encoder is checked against json's
own at import, and json's own is used if another Python's internals differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_PROBE = {"b": [1.5, "é", None, True], "a": {"z": 1, "y": "\u2028"}}


def compact_encoder(
    *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None
) -> Callable[[Any], str]:
    """`json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=..., default=...)`."""
    python = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys, default=default)
    make = json.encoder.c_make_encoder
    if make is None:  # an interpreter without the C accelerator
        return python.encode
    try:  # the accelerator's arguments are the stdlib's internals
        encode = make(
            None, python.default, json.encoder.encode_basestring, None, ":", ",", sort_keys, False, True
        )
        if "".join(encode(_PROBE, 0)) != python.encode(_PROBE):
            return python.encode
    except TypeError:
        return python.encode
    return lambda value: "".join(encode(value, 0))
