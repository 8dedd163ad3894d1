"""Cases files are read an item at a time, giving exactly what a whole-file YAML load gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from promptops.errors import InputError
from promptops.files import load_with_list_items, parse_yaml

DOCUMENTS = [
    "cases:\n  - id: a\n    vars: {x: 1, y: [1, 2]}\n  - id: b\n",
    "defaults: &d {vars: {x: 1}}\ncases:\n  - id: a\n    <<: *d\n  - {id: b, vars: *d}\n",  # anchors, merges
    "cases: []\n",
    "",
    "cases:\n",
    "description: dates stay dates\ncases:\n- id: one\n  metadata: {when: 2026-11-25, n: 0x1f}\n",
    "<<: {a: 1}\ncases: [1]\n",  # a top-level merge key: loaded whole
    "[1, 2]\n",  # not a mapping: loaded whole
    "cases: &c [1, 2]\nother: *c\n",  # the list itself is anchored: loaded whole
    "cases:\n  - &x {id: a}\n  - *x\n",  # an alias between items
    '{"cases": [{"id": "a"}], "defaults": {"vars": {"a": 1}}}',  # JSON
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_same_data_as_a_whole_load(text: str) -> None:
    assert load_with_list_items(text, "cases") == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("cases:\n  - id: a\n   b: c\n", "cases.yaml:3:4: error: did not find expected '-' indicator"),
        ("cases:\n  - id: a\n---\ncases: []\n", "cases.yaml:3:1: error: but found another document"),
        ("cases: [\n", "cases.yaml:2:1: error:"),
    ],
)
def test_bad_yaml_is_reported_as_a_whole_load_reports_it(text: str, where: str) -> None:
    with pytest.raises(InputError) as item_by_item:
        parse_yaml(text, Path("cases.yaml"), items_of="cases")
    with pytest.raises(InputError) as whole:
        parse_yaml(text, Path("cases.yaml"))
    assert str(item_by_item.value) == str(whole.value) and str(whole.value).startswith(where)
