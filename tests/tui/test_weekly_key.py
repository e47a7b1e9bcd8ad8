"""`W` on the metrics screen writes the weekly report for the period shown, in a
worker, where the screen's other exports go, and says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from leadqueue.export.weekly_html import html_report
from leadqueue.services.context import Services
from leadqueue.services.weekly_report import period_of, weekly_report
from leadqueue.tui.app import LeadqueueApp
from leadqueue.tui.screens.metrics import MetricsScreen
from tests.tui.helpers import settle


@pytest.fixture(autouse=True)
def _exports_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exports go to the current directory: keep them out of the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("period_key", ["1", "2"], ids=["this-week", "four-weeks"])
async def test_w_writes_the_weekly_report_of_the_period_shown(
    app: LeadqueueApp, demo_services: Services, tmp_path: Path, period_key: str
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m", period_key)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        await pilot.press("W")
        await settle(pilot)
        (written,) = tmp_path.glob("weekly-report-*.html")
        period = period_of(screen.since, screen.until, demo_services.policy.zone)
        assert written.read_text(encoding="utf-8") == html_report(weekly_report(demo_services, period))
        said = [n.message for n in app._notifications if n.title == "Exported"]
        assert said == [f"Weekly report → {written}"]
        label = "2026-W47 to Fri 20 Nov 15:00 EST" if period_key == "1" else period.label
        assert f"Weekly lead report · {label}" in written.read_text(encoding="utf-8")


async def test_w_says_why_when_the_folder_cannot_be_written(
    app: LeadqueueApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("leadqueue.tui.screens.metrics.write_export", refuse)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m", "W")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ["Weekly report failed: [Errno 13] Permission denied"]
        assert not list(tmp_path.glob("weekly-report-*"))
