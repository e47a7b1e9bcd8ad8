"""Layers run one way (issue 20, point 1): each package of leadqueue imports only
packages of a lower rank, never one of its own rank or above.

    domain  <-  store, io, settings  <-  services  <-  sync, export, demo  <-  tui, cli

The domain is pure Python: no Textual, no SQLAlchemy. Only the TUI draws with
Textual. The CLI reaches the store only through services.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import leadqueue

ROOT = Path(leadqueue.__file__).parent

RANK = {
    "domain": 0,
    "store": 1,
    "io": 1,
    "settings": 1,
    "services": 2,
    "sync": 3,
    "export": 3,
    "demo": 3,
    "tui": 4,
    "cli": 4,
    # gcpause is a tiny utility any layer may use: it imports nothing of leadqueue.
    "gcpause": -1,
    # `python -m leadqueue` runs the CLI: above everything.
    "__main__": 5,
}
# The one import across a rank: `leadqueue tui` launches the app.
ALLOWED_ACROSS = {("cli", "tui")}

# Third-party packages a layer may not import, and outer layers it may not reach.
FORBIDDEN = {
    "domain": ("textual", "sqlalchemy"),
    "store": ("textual",),
    "io": ("textual", "sqlalchemy"),
    "settings": ("textual", "sqlalchemy"),
    "services": ("textual",),
    "sync": ("textual",),
    "export": ("textual",),
    "demo": ("textual",),
    "cli": ("textual", "sqlalchemy", "leadqueue.store"),
}


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import, those inside functions and TYPE_CHECKING
    blocks too; `from leadqueue import store` names leadqueue.store."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: a relative import hides its layer"
            assert node.module
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def layer_of(path: Path) -> str:
    """The package (or top-level module) of a file of leadqueue."""
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def leadqueue_files() -> list[Path]:
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) > 100
    return files


def names(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_every_package_and_module_has_a_rank() -> None:
    unranked = {layer_of(f) for f in leadqueue_files()} - set(RANK) - {"__init__"}
    assert unranked == set()


def test_each_layer_imports_only_layers_below_it() -> None:
    offenders = []
    for f in leadqueue_files():
        source = layer_of(f)
        if source == "__init__":
            assert list(imported_modules(f)) == [], "the package's __init__ holds only its version"
            continue
        for line, module in imported_modules(f):
            parts = module.split(".")
            # `leadqueue` itself (its __version__) and the same package are always fine
            if parts[0] != "leadqueue" or len(parts) < 2 or parts[1] == source:
                continue
            target = parts[1]
            if target not in RANK or (source, target) in ALLOWED_ACROSS:
                continue  # `from leadqueue import __version__`
            if RANK[target] >= RANK[source]:
                offenders.append(f"{f.relative_to(ROOT)}:{line} ({source}) imports {module} ({target})")
    assert offenders == []


def test_no_layer_imports_what_is_forbidden_to_it() -> None:
    offenders = [
        f"{f.relative_to(ROOT)}:{line} imports {module}"
        for f in leadqueue_files()
        for line, module in imported_modules(f)
        if any(names(module, bad) for bad in FORBIDDEN.get(layer_of(f), ()))
    ]
    assert offenders == []


def test_the_contract_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from leadqueue import store\n", encoding="utf-8")
    assert (2, "leadqueue.store") in set(imported_modules(module))
