"""The domain layer is pure Python: no Textual, no SQLAlchemy, no store or UI imports."""

from __future__ import annotations

import ast
from pathlib import Path

import leadqueue.domain

FORBIDDEN = (
    "textual",
    "sqlalchemy",
    "leadqueue.store",
    "leadqueue.services",
    "leadqueue.tui",
    "leadqueue.cli",
    "leadqueue.io",
    "leadqueue.sync",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_imports_nothing_from_outer_layers() -> None:
    folder = Path(leadqueue.domain.__file__).parent
    files = sorted(folder.glob("*.py"))
    assert len(files) > 5
    offenders = [
        f"{f.name} imports {name}"
        for f in files
        for name in imported_modules(f)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]
    assert offenders == []
