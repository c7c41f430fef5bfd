"""The API is a face over the use cases: no module of ``trucewatch.api`` imports the store
(``trucewatch.store`` or any of its modules), not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import trucewatch.api

API_DIR = Path(trucewatch.api.__file__).parent
FORBIDDEN = "trucewatch.store"


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every import in ``tree``, at any depth; ``from A import B``
    counts as both ``A`` and ``A.B`` (B may be a module)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _is_store(name: str) -> bool:
    return name == FORBIDDEN or name.startswith(FORBIDDEN + ".")


def test_no_api_module_imports_the_store() -> None:
    files = sorted(API_DIR.rglob("*.py"))
    assert len(files) > 10  # the walk found the package
    offenders = [
        f"{path.relative_to(API_DIR.parent)}:{line}: {name}"
        for path in files
        for line, name in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if _is_store(name)
    ]
    assert not offenders, "the API imports the store:\n" + "\n".join(offenders)


def test_the_check_sees_local_and_from_imports() -> None:
    source = (
        "from trucewatch import store\n"
        "def f():\n"
        "    from trucewatch.store.queries import BatchInfo\n"
        "    import trucewatch.store.engine as e\n"
        "from trucewatch.storehouse import x\n"
    )
    names = [name for _, name in _imported_modules(ast.parse(source)) if _is_store(name)]
    assert names == ["trucewatch.store", "trucewatch.store.queries",
                     "trucewatch.store.queries.BatchInfo", "trucewatch.store.engine"]
