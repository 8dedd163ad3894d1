"""The package layering, read from the modules' own import statements, so it stays true.

Imports point down the stack: cli -> bot -> dashboard -> (optimize, github) -> evals ->
(llm, logs) -> (repo, stats) -> git -> config -> schemas -> charts -> (markdown, ...) -> files ->
errors. A package may import those in
lower layers only: never one beside it, never one above. Within `src/promptops` no two
modules import each other, directly or through others (function-level imports count), and
no module is over 400 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "promptops"
MAX_LINES = 400

# Lowest first; packages in one set are siblings and may not import each other.
LAYERS: list[set[str]] = [
    {"__init__", "errors"},
    {"files"},
    {"version_ids", "markdown", "traffic"},
    {"charts"},
    {"schemas"},
    {"config"},
    {"git"},
    {"repo", "stats", "runtime"},
    {"llm", "logs"},
    {"evals"},
    {"optimize", "github"},
    {"dashboard"},
    {"bot"},
    {"demo"},
    {"cli"},
    {"__main__"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path) -> Iterator[str]:
    """Every promptops module `path` imports, at any depth of the file (TYPE_CHECKING too)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("promptops"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not base.startswith("promptops"):
                continue
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def top_package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def import_graph() -> dict[str, set[str]]:
    return {name: {m for m in imported_modules(path) if m != name} for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), i.e. import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_package_has_a_layer() -> None:
    unplaced = sorted({top_package(m) for m in MODULES} - set(RANK))
    assert not unplaced, f"add these packages to LAYERS in {__file__}: {unplaced}"


def test_imports_only_point_down() -> None:
    upward = [
        f"{src} imports {dst}"
        for src, targets in import_graph().items()
        for dst in sorted(targets)
        if top_package(src) != top_package(dst) and RANK[top_package(src)] <= RANK[top_package(dst)]
    ]
    assert upward == []


def test_no_import_circles() -> None:
    assert cycles(import_graph()) == []


def test_no_module_over_the_size_limit() -> None:
    too_long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
    ],
)
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert sorted(cycles(graph)) == expected


def test_the_import_reader_sees_function_level_imports() -> None:
    path = PACKAGE / "bot" / "ci.py"
    found = set(imported_modules(path))
    assert "promptops.bot.pull_request" in found  # imported inside _dispatch
    assert "promptops.bot.context" in found
