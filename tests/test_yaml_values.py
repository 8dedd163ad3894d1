"""YAML read straight from the parser's events (promptops.files.yaml_values) is the node-tree load.

`parse_yaml` takes the event reader's values, or, for anything the reader leaves alone,
the node-tree loader's (`parse_yaml_tree`), which is also where every error comes from.
These tests hold the two to the same answer: the same values (types, key order and
shared objects included) on documents using each YAML feature, on randomly generated
documents in every style, and on thousands of mutations of them, where both must give
the same data or the same one-line error.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from promptops.errors import InputError
from promptops.files import parse_document, parse_yaml, parse_yaml_tree
from promptops.files.yaml_values import Unsupported, load_values

PATH = Path("cases.yaml")

# Each of these is read by the event reader itself (no fallback) and gives SafeLoader's data.
READ_DIRECTLY = [
    "",
    "# only a comment\n",
    "---\n",
    "---\na: 1\n...\n",
    "cases:\n  - id: a\n    vars: {x: 1, y: [1, 2]}\n  - id: b\n",
    "plain: text\nsingle: 'it''s'\ndouble: \"tab\\there \\u00e9\"\nempty: ''\n",
    "null1: ~\nnull2: null\nnull3:\nnull4: Null\n",
    "ints: [0, 7, -3, +4, 0x1f, 0o17, 017, 0b101, 1_000, 190:20:30]\n",
    "floats: [1.5, -0.5, 1e3, 1.0e+3, .5, .inf, -.Inf, .nan, 6.8523015e+5, 190:20:30.15]\n",
    "bools: [yes, No, TRUE, false, on, Off, y, n]\n",  # y and n are strings in YAML 1.1 as PyYAML reads it
    "dates: [2026-11-29, 2026-11-29T10:00:00Z, 2026-11-29 10:00:00.5 +02:00]\n",
    "strings: ['1', \"true\", '~', '2026-11-29', '<<', '=', 1.2.3, 0x, 12:30x]\n",
    "block: |\n  line one\n    indented\n\n  last\nfolded: >\n  folded\n  text\n\n  para\n"
    "keep: |+\n  kept\n\nstrip: |-\n  stripped\n",
    "multi line plain: this is\n  one long\n  plain scalar\n",
    '{"cases": [{"id": "a"}], "defaults": {"vars": {"a": 1}}}',  # JSON
    "defaults: &d {vars: {x: 1}}\ncases:\n  - id: a\n    <<: *d\n  - {id: b, vars: *d}\n",
    "base: &b {a: 1, b: 2}\nm:\n  <<: [*b]\n  c: 5\n  b: 3\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nm: {<<: *a, <<: *b, z: 3}\n",  # several merge keys, no key shared
    "m: {z: 0, <<: {a: 1}}\n",  # merged keys come first, as PyYAML orders them
    "list: &l [1, 2]\nagain: *l\nscalar: &s hello\nref: *s\n",
    "cases:\n  - &x {id: a}\n  - *x\n",
    "? a\n: 1\n? b\n: 2\n",
    "=: equals\n",
    "1: int key\n'1': str key\n1.5: float key\nnull: null key\nfalse: bool key\n2026-01-01: date key\n",
    "explicit: [!!str 12, !!int '7', !!float '1', !!bool 'yes', !!null '', !!timestamp 2026-01-01]\n",
    "binary: !!binary aGVsbG8=\n",
    "!!map {a: !!seq [1]}\n",
    "[1, [2, [3, {a: [4]}]]]\n",
    'unicode: "caf\\xe9 \\U0001F600"\nraw: café ☕\n',
    "- a\n- - b\n  - c\n- {d: e}\n",
    "key with spaces: a:b and 10:30\nurl: http://example.com/a?b=c#d\n",
]


def same(a: Any, b: Any) -> bool:
    """Equal with types and key order (True is not 1, 1.0 is not 1): reprs compare all three."""
    return repr(a) == repr(b)


@pytest.mark.parametrize("text", READ_DIRECTLY)
def test_the_event_reader_gives_what_safeloader_gives(text: str) -> None:
    assert same(load_values(text), yaml.load(text, Loader=yaml.SafeLoader))


def test_anchors_are_shared_objects_as_in_safeloader() -> None:
    data = load_values("a: &l [1]\nb: *l\nc: &m {x: 1}\nd: *m\n")
    assert data["a"] is data["b"] and data["c"] is data["d"]


LEFT_TO_THE_TREE = [
    "a: 1\na: 2\n",  # duplicate key
    "a:\n  - {x: 1, y: 2, x: 3}\n",
    "a: [1\n",  # syntax error
    "a: 1\n---\nb: 2\n",  # several documents
    "a: *missing\n",
    "a: &x 1\nb: &x 2\n",  # duplicate anchor
    "s: !!set {a, b}\n",
    "o: !!omap [{a: 1}]\n",
    "t: !custom 1\n",
    "? [a, b]\n: 1\n",  # a collection as a key
    "k: &k key\n*k : 1\n",  # an alias as a key
    "r: &r [*r]\n",  # recursive
    "m: {<<: 1}\n",  # a merge of a scalar
    "a: &a {k: 1}\nb: &b {k: 2}\nm: {<<: [*a, *b]}\n",  # PyYAML versions differ on which k wins
    "a: &a {k: 1}\nb: &b {k: 2}\nm: {<<: *a, <<: *b}\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nm: {<<: [*a, *b]}\n",  # and on the order of x and y
    "d: &d {k: 1}\no: &o {<<: *d, k: 2}\nm: {<<: *o}\n",  # merging a mapping that overrode a merge
    "d: 2026-02-30\n",  # a timestamp that is no date
    "1: a\n1.0: b\n",  # written differently, one key in Python: PyYAML keeps it silently
    "v: !!int abc\n",
]


@pytest.mark.parametrize("text", LEFT_TO_THE_TREE)
def test_errors_and_rare_features_go_to_the_node_tree_loader(text: str) -> None:
    """The event reader hands these over; what the user gets is then PyYAML's data, or one line
    naming the file and place where PyYAML would have taken a duplicate silently or failed."""
    with pytest.raises(Unsupported):
        load_values(text)
    kind, result = outcome(parse_yaml, text)
    try:
        reference: object = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        reference = None
    if kind == "data":
        assert result == repr(reference), text
    else:
        assert kind == "error", (text, result)
        assert result.startswith("cases.yaml:") and ": error: " in result and "\n" not in result, result


def test_a_scalar_its_tag_cannot_build_is_one_line_with_its_place() -> None:
    """PyYAML raises a bare ValueError for these, with no place: once an internal error."""
    with pytest.raises(InputError) as raised:
        parse_yaml("cases:\n  - id: a\n    vars: {day: 2026-02-30}\n", PATH)
    assert str(raised.value) == (
        "cases.yaml:3:17: error: '2026-02-30' is not a valid timestamp (day is out of range for month)"
    )
    with pytest.raises(InputError, match=r"^cases\.yaml:1:4: error: 'abc' is not a valid int"):
        parse_yaml("v: !!int abc\n", PATH)


def outcome(parse: Any, text: str) -> tuple[str, str]:
    """What a user gets: the data (as a typed repr) or the one-line error."""
    try:
        return "data", repr(parse(text, PATH).data)
    except InputError as exc:
        return "error", str(exc)
    except Exception as exc:  # noqa: BLE001 - both loaders must fail the same way, whatever it is
        return "crash", type(exc).__name__


def random_value(rng: random.Random, depth: int = 0) -> Any:
    scalars = [
        lambda: rng.choice(["refund", "yes", "no", "null", "~", "1.5", "007", "a: b", "- x", "#c", ""]),
        lambda: rng.randint(-1000, 10**12),
        lambda: rng.choice([0.5, -2.25, 1e20, float("inf")]),
        lambda: rng.choice([True, False, None]),
        lambda: "line one\nline two\n" if rng.random() < 0.5 else "trailing space \nx",
        lambda: datetime.date(2026, rng.randint(1, 12), rng.randint(1, 28)),
        lambda: rng.choice(["café", "☕ tea", "quote ' and \" both", "tab\there", "{{customer_message}}"]),
    ]
    if depth > 3 or rng.random() < 0.45:
        return rng.choice(scalars)()
    if rng.random() < 0.5:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = [rng.choice(["id", "vars", "assert", "type", "value", "1", "yes", "x y", "k"]) for _ in range(4)]
    return {key: random_value(rng, depth + 1) for key in keys}


def random_documents(count: int) -> list[str]:
    rng = random.Random(15)
    docs = []
    for i in range(count):
        data = {"cases": [random_value(rng) for _ in range(rng.randint(1, 4))], "defaults": random_value(rng)}
        style = [None, True, False][i % 3]
        text = yaml.safe_dump(data, default_flow_style=style, allow_unicode=bool(i % 2), sort_keys=False)
        if i % 5 == 0:  # anchors and merge keys, as people write shared defaults
            shared = "shared: &s {type: contains, value: x}\n"
            text = shared + text + "more:\n  <<: *s\n  value: y\nalias: *s\n"
        docs.append(text)
    return docs


def mutations(text: str, rng: random.Random) -> list[str]:
    lines = text.splitlines(keepends=True)
    out = []
    for _ in range(6):
        i = rng.randrange(len(lines))
        kind = rng.randrange(4)
        if kind == 0:  # a line written twice: a duplicate key, or a longer list
            out.append("".join(lines[: i + 1] + lines[i:]))
        elif kind == 1:  # a line dropped
            out.append("".join(lines[:i] + lines[i + 1 :]))
        elif kind == 2:  # a character changed
            j = rng.randrange(len(text))
            out.append(text[:j] + rng.choice(":-[]{}&*!|>'\"# \t\n,?%@`x1") + text[j + 1 :])
        else:  # indentation changed
            out.append("".join(lines[:i] + [" " + lines[i]] + lines[i + 1 :]))
    return out


def test_generated_documents_and_their_mutations_load_as_the_node_tree_loads_them() -> None:
    rng = random.Random(7)
    checked, direct, errors = 0, 0, 0
    for text in random_documents(150):
        for variant in [text, *mutations(text, rng)]:
            expected = outcome(parse_yaml_tree, variant)
            assert expected[0] != "crash", variant  # bad input is a one-line error, never a crash
            assert outcome(parse_yaml, variant) == expected, variant
            checked += 1
            try:
                load_values(variant)
                direct += 1
            except Unsupported:  # handed to the tree loader: the comparison above is that loader's
                errors += expected[0] == "error"
    # Most texts are read directly (compared with the tree loader); many are errors, one line each.
    assert checked == 150 * 7 and direct > checked // 2 and errors > 100


def test_a_json_file_keeps_json_values_and_places() -> None:
    doc = parse_document('{\n  "a": 1e5,\n  "b": {"c": [1, 2]}\n}\n', Path("tools.json"))
    assert doc.data == {"a": 100000.0, "b": {"c": [1, 2]}}
    assert doc.locate(["b", "c", 1]) == (3, 18)
    assert doc.json_excerpt(["b"]) == '{"c": [1, 2]}'


def test_places_are_found_without_a_tree_kept_from_loading() -> None:
    doc = parse_yaml("cases:\n  - id: a\n  - id: b\n    vars: {x: [1, 2]}\n", PATH)
    assert "node" not in doc.__dict__  # nothing composed while loading
    assert doc.locate(["cases", 1, "vars", "x", 1]) == (4, 19)
    assert str(doc.error(["cases", 1, "id"], "bad")) == "cases.yaml:3:9: error: cases[1].id: bad"


REPOSITORY = Path(__file__).resolve().parents[1]
STORED = sorted(
    p
    for pattern in ("*.yaml", "*.yml", "*.json")
    for p in REPOSITORY.rglob(pattern)
    if not {".venv", "node_modules", ".promptops", ".git"} & set(p.relative_to(REPOSITORY).parts)
)


def test_every_yaml_and_json_file_of_this_repository_loads_as_through_the_node_tree() -> None:
    """Workflows, the dogfooded agent, the promptfoo corpus, the JSON Schemas."""
    assert len(STORED) > 30
    for path in STORED:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            assert outcome(parse_yaml, text) == outcome(parse_yaml_tree, text), path
            assert parse_document(text, path).data is not None
        else:
            assert same(parse_yaml(text, path).data, parse_yaml_tree(text, path).data), path
