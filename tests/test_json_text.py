"""The kept encoder writes json.dumps's text exactly: cache keys hashed from it must match the
ones already stored, and run files must read back the same."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from promptops.files.json_text import compact_encoder

VALUES = [
    {"z": [1, 2.5, -0.0, 1e300, True, None], "é": {"b": 'ünï \u2028 "q" \\', "a": 2}},
    [{"b": 1, "a": {"d": [], "c": {}}}, "", 0],
    "plain",
    {"path": PurePosixPath("/tmp/x"), "tuple": (1, "two")},
]


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(("sort_keys", "default"), [(False, None), (True, str)])
def test_the_text_is_json_dumps(value: object, sort_keys: bool, default: object) -> None:
    if default is None and isinstance(value, dict) and "path" in value:
        with pytest.raises(TypeError):  # as json.dumps: not JSON, and no default to say it
            compact_encoder(sort_keys=sort_keys)(value)
        return
    options = {"sort_keys": sort_keys, "default": default}
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False, **options)
    assert compact_encoder(sort_keys=sort_keys, default=default)(value) == expected
