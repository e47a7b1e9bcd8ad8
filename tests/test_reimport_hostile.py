"""A hostile tester's re-imports and one-row files: what the import summary says,
what a re-import keeps, what `show` carries, when a clock starts (issue 17,
points 5, 8 and 10). Every fixture is written here, shaped like the CRMs'
documented exports (see tests/data/import/crm/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

from leadqueue.services.context import Services
from leadqueue.services.importing import ImportOptions, import_file


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


OURS_FULL = (
    "crm_id,first_name,last_name,email,company,title,phone,rep,crm_status,assigned_at\n"
    "RO-1,Ann,One,a@r.example,RCo,VP Sales,+1 555 0100,Maria Santos,Open,2026-11-20T14:00:00Z\n"
)


# ---------------------------------------------------------------- the summary's words


def test_a_one_row_file_says_1_row(services: Services, tmp_path: Path) -> None:
    summary = import_file(services, _write(tmp_path, "one.csv", OURS_FULL))
    assert ": 1 row, 1 new, 0 updated, 0 unchanged" in summary.line()
    two = OURS_FULL + "RO-2,Bo,Two,b@r.example,RCo,CFO,,Maria Santos,Open,2026-11-20T14:00:00Z\n"
    assert (
        ": 2 rows, 1 new, 0 updated, 1 unchanged"
        in import_file(services, _write(tmp_path, "two.csv", two), ImportOptions()).line()
    )
