"""Nothing cites a file outside the repository (issue 20, point 7): every
Markdown file the code or the README names is in the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
CITED = re.compile(r"\b([\w./-]+/)?([A-Za-z_][\w-]*)\.md\b")
# Placeholders in usage text (`--out FILE.md`), not files.
PLACEHOLDERS = {"FILE.md"}


def test_every_cited_markdown_file_is_in_the_repository() -> None:
    sources = [ROOT / "README.md", *sorted((ROOT / "leadqueue").rglob("*.py"))]
    missing = {
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path in sources
        for m in CITED.finditer(path.read_text(encoding="utf-8"))
        if m.group(0) not in PLACEHOLDERS and not (ROOT / m.group(0)).is_file()
    }
    assert missing == set()


def test_no_docstring_cites_the_domain_notes_by_a_name_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "leadqueue").rglob("*.py"))
        if re.search(r"\bDOMAIN(\.md|:)", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
