"""The architecture as a test: no import runs from a lower layer up to a higher one, no
import cycle between packages or between files, and every package has its test folder
(docs/architecture.md describes the layers)."""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "trucewatch"
TESTS = Path(__file__).resolve().parent

LAYERS: list[set[str]] = [
    {"types", "errors", "gc", "codec", "units", "ids", "kinds", "limits"},
    {"geo", "ledger", "i18n"},
    {"sources", "narrative", "localize", "associate", "agreements", "report", "export",
     "thermal", "media"},
    {"fusion", "sim", "claims"},
    {"store"},
    {"app"},
    {"api"},
    {"cli", "notebook"},
]  # fmt: skip
"""Parts of the package from the lowest layer up."""

SAME_LAYER: dict[str, set[str]] = {
    "codec": {"types", "units"},
    "types": {"units"},
    "kinds": {"types"},
    "ids": {"types"},
    "limits": {"types"},
    "sources": {"narrative", "localize"},
    "narrative": {"localize"},
    "associate": {"localize"},
    "thermal": {"agreements", "sources"},
}
"""Imports allowed within a layer (each the one way only)."""


def _part(module: str) -> str:
    """The top-level part of a ``trucewatch.x.y`` module name (``x``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[str]:
    """Every ``trucewatch`` module imported anywhere in a file (also inside functions and
    under ``TYPE_CHECKING``)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("trucewatch"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([node.module] if node.module else []))  # fmt: skip
            if base.startswith("trucewatch"):
                yield base
                yield from (f"{base}.{a.name}" for a in node.names)


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in files.items():
        for target in _imports(path):
            if target in files and target != name:
                graph[name].add(target)
    return graph


def _layer(part: str) -> int:
    for level, parts in enumerate(LAYERS):
        if part in parts:
            return level
    raise AssertionError(f"trucewatch.{part} is in no layer: add it to LAYERS and to "
                         "docs/architecture.md")  # fmt: skip


GRAPH = _graph()


def test_every_part_has_a_layer():
    parts = {_part(m) for m in GRAPH} | {_part(t) for ts in GRAPH.values() for t in ts}
    placed = {part: _layer(part) for part in parts - {"", "__main__"}}
    assert placed and all(0 <= level < len(LAYERS) for level in placed.values())


def test_no_import_runs_upward():
    wrong = []
    for source, targets in GRAPH.items():
        a = _part(source)
        if not a:
            continue
        for target in targets:
            b = _part(target)
            if a == b or not b:
                continue
            la, lb = _layer(a), _layer(b)
            if lb > la or (lb == la and b not in SAME_LAYER.get(a, set())):
                wrong.append(f"{source} -> {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_cycle_between_packages():
    packages: dict[str, set[str]] = defaultdict(set)
    for source, targets in GRAPH.items():
        for target in targets:
            if _part(source) and _part(target) and _part(source) != _part(target):
                packages[_part(source)].add(_part(target))
    assert _cycles(packages) == []


def test_no_cycle_between_files():
    # a package's __init__ importing its own modules is not a cycle of files
    files = {s: {t for t in ts if not s.startswith(t + ".")} for s, ts in GRAPH.items()}
    assert _cycles(files) == []


@pytest.mark.parametrize("package", sorted(p.name for p in SRC.iterdir()
                                           if (p / "__init__.py").exists()))  # fmt: skip
def test_every_package_has_its_test_folder(package: str):
    if package in {"web", "demo_data"}:
        pytest.skip(f"{package} holds no Python code")
    assert (TESTS / package).is_dir(), f"tests/{package}/ is missing"


@pytest.mark.parametrize("face", ["api", "cli", "notebook"])
def test_faces_never_reach_the_store(face: str):
    """The command line and the API call use cases (``trucewatch.app``), never the store."""
    reached = sorted(f"{s} -> {t}" for s, ts in GRAPH.items() if _part(s) == face
                     for t in ts if _part(t) == "store")  # fmt: skip
    assert reached == []
