"""The TUI reaches the store only through services: no module under leadqueue/tui
imports the store or SQLAlchemy (issue 20, point 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import leadqueue.tui

FORBIDDEN = ("sqlalchemy", "leadqueue.store")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from leadqueue import store` names the store as an imported name
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_tui_imports_neither_the_store_nor_sqlalchemy() -> None:
    folder = Path(leadqueue.tui.__file__).parent
    files = sorted(folder.rglob("*.py"))
    assert len(files) > 20
    offenders = [
        f"{f.relative_to(folder)} imports {name}"
        for f in files
        for name in imported_modules(f)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offenders == []
