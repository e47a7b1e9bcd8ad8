"""The weekly report opened in a real headless browser (Debian's chromium): every
chart is laid out at a non-zero size and drawn (its pixels on the screenshot are
the report's colours, not the background), in the light and the dark scheme.

Where chromium cannot be had (.ci/run installs it where apt can), these tests
are skipped and say why. No DevTools protocol: chromium's own --dump-dom reads
a copy of the page with a measuring script added (the report itself has none),
and --screenshot paints the report as it is.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leadqueue.cli.demo_command import fresh_demo_copy
from leadqueue.domain.clock import FixedClock
from leadqueue.domain.policy import Policy
from leadqueue.export.weekly_html import html_report
from leadqueue.services.context import Services
from leadqueue.services.weekly_report import week_period, weekly_report
from leadqueue.store.engine import open_store

Image = pytest.importorskip("PIL.Image", reason="pillow (the test extra) reads the screenshots")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed here (.ci/run installs Debian's package where apt can)",
)

FROZEN = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
WIDTH = 1000
BLUE, SKY_BLUE = (0x00, 0x72, 0xB2), (0x56, 0xB4, 0xE9)  # this period's bars, light and dark

# Added to a copy only: where each chart is, how big, and what it holds.
PROBE = """<script>
const charts = [...document.querySelectorAll('svg')].map(s => {
  const r = s.getBoundingClientRect(), b = s.getBBox();
  return {id: s.getAttribute('aria-labelledby'), x: r.left + scrollX, y: r.top + scrollY, w: r.width,
          h: r.height, bw: b.width, bh: b.height, shapes: s.querySelectorAll('rect,polyline,circle').length};
});
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = JSON.stringify({charts, height: document.documentElement.scrollHeight,
  dark: matchMedia('(prefers-color-scheme: dark)').matches, text: document.body.innerText});
document.body.appendChild(pre);
</script>"""


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",  # root in CI: chromium refuses its sandbox there
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-extensions",
        "--disable-dev-shm-usage",
        "--force-device-scale-factor=1",
        f"--user-data-dir={tmp / 'profile'}",
        *args,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def measure(page: Path, tmp: Path, *flags: str) -> dict[str, Any]:
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    # the screenshot's width, so that both lay the page out alike
    dom = chromium(
        tmp,
        *flags,
        f"--window-size={WIDTH},1200",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probe.as_uri(),
    )
    dom = dom.stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    return dict(json.loads(html.unescape(found.group(1))))


def screenshot(page: Path, tmp: Path, height: int, *flags: str) -> Any:
    png = tmp / f"{page.stem}{'-'.join(flags)}.png"
    chromium(tmp, *flags, f"--window-size={WIDTH},{height}", f"--screenshot={png}", page.as_uri())
    return Image.open(png).convert("RGB")


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return sum(abs(a - b) for a, b in zip(pixel, colour, strict=True)) <= 40


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tmp = tmp_path_factory.mktemp("weekly")
    clock = FixedClock(FROZEN)
    store = open_store(fresh_demo_copy(clock, tmp / "demo.db"))
    services = Services(store=store, policy=Policy(), clock=clock)
    try:
        page = tmp / "weekly.html"
        page.write_text(
            html_report(weekly_report(services, week_period("2026-W47", FROZEN, services.policy.zone)))
        )
        empty = tmp / "empty.html"
        empty.write_text(
            html_report(weekly_report(services, week_period("2020-W10", FROZEN, services.policy.zone)))
        )
    finally:
        store.dispose()
    yield page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_chart_is_drawn(report_page: Path, tmp_path: Path, scheme: str) -> None:
    flags = ("--force-dark-mode",) if scheme == "dark" else ()
    laid_out = measure(report_page, tmp_path, *flags)
    assert laid_out["dark"] is (scheme == "dark")
    charts = laid_out["charts"]
    assert len(charts) == report_page.read_text(encoding="utf-8").count("<svg ") >= 10
    for chart in charts:
        assert chart["w"] > 100 and chart["h"] > 40, chart  # laid out at a size
        assert chart["bw"] > 0 and chart["bh"] > 0 and chart["shapes"] > 0, chart  # holds something drawn
    image = screenshot(report_page, tmp_path, min(int(laid_out["height"]) + 20, 16000), *flags)
    background = image.getpixel((3, 3))
    assert (sum(background) < 150) is (scheme == "dark")  # the page follows the reader's scheme
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # not blank
    bar = SKY_BLUE if scheme == "dark" else BLUE
    for chart in charts:
        box = (int(chart["x"]), int(chart["y"]), int(chart["x"] + chart["w"]), int(chart["y"] + chart["h"]))
        assert box[3] <= image.height, chart
        region = image.crop(box)
        drawn = sum(n for n, colour in region.getcolors(maxcolors=1 << 20) or [] if near(colour, bar))
        assert drawn >= 10, (chart["id"], drawn)  # this period's bars or lines, in the palette's blue


def test_an_empty_period_reads_as_such_in_the_browser(report_page: Path, tmp_path: Path) -> None:
    laid_out = measure(report_page.with_name("empty.html"), tmp_path)
    assert laid_out["charts"] == []
    assert "Nothing happened in this period" in laid_out["text"]
    assert laid_out["text"].count("in this period") >= 5
