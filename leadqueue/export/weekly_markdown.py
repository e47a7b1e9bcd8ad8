"""The weekly report as Markdown for a wiki, its charts as SVG files beside it
(each with its own CSS, light and dark), and as JSON: the numbers alone.

Markdown lets inline HTML through, and its own characters (`*`, `[`, `|`,
a `#` at a line's start) change what a line is: every text from the data is
made visible on one line, HTML-escaped and backslash-escaped, so a note can
never become a heading, a link, a table column or markup.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from leadqueue.domain.safe_text import json_document
from leadqueue.export.svg_charts import chart_ident, clean
from leadqueue.export.weekly_layout import Section, Table
from leadqueue.export.weekly_sections import sections, summary

# What can start or end Markdown syntax anywhere in a line: code, emphasis, links,
# table cells, strike-through; '@' and a scheme's '://' or "www." are bare links in
# GitHub-flavoured Markdown. ('(' and '!' only matter next to '[', escaped here; '<'
# is an entity.) At a line's start: a list, a heading, a setext underline.
_MD_SPECIAL = re.compile(r"[\\`*_\[\]|~@]|:(?=//)|(?<=www)\.", re.IGNORECASE)
_LINE_START = re.compile(r"^(\d+)([.)])(?=\s|$)|^([-+=#])")


def md_text(value: object) -> str:
    """Data text for a Markdown line or table cell."""
    escaped = clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MD_SPECIAL.sub(lambda m: "\\" + m.group(), escaped)
    return _LINE_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", escaped
    )


def chart_file_name(stem: str, chart_id: str) -> str:
    """'weekly-2026-W47' and 'acceptance_by_rep' give 'weekly-2026-W47.acceptance-by-rep.svg'."""
    return f"{stem}.{chart_ident(chart_id).removeprefix('lq-')}.svg"


def markdown_report(report: dict[str, Any], stem: str) -> tuple[str, dict[str, str]]:
    """The Markdown text and its charts: {file name beside it: SVG text}. `stem` is
    the Markdown file's name without '.md'."""
    parts = sections(report)
    period, previous = report["period"], report["previous_period"]
    lines = [
        f"# Weekly lead report · {md_text(period['label'])}",
        "",
        f"From {md_text(period['since'])} to {md_text(period['until'])}, compared with"
        f" {md_text(previous['label'])} ({md_text(previous['since'])} to {md_text(previous['until'])});"
        f" times in UTC, weeks in {md_text(report['time_zone'])}. Generated {md_text(report['generated_at'])}"
        " from the same aggregates as `leadqueue report metrics`.",
        "",
    ]
    if report["empty"]:
        lines += [
            "**Nothing happened in this period: no lead was decided or accepted, and no SLA clock"
            " stopped or ran out. There is nothing to chart.**",
            "",
        ]
    lines += _table(summary(report))
    files: dict[str, str] = {}
    for section in parts:
        lines += _section(section, stem, files)
    return "\n".join(lines).rstrip("\n") + "\n", files


def _section(section: Section, stem: str, files: dict[str, str]) -> list[str]:
    out = [f"## {md_text(section.title)}", ""]
    out += [f"*{md_text(note)}*" for note in section.notes]
    out += [md_text(fact) for fact in section.facts]
    if section.notes or section.facts:
        out.append("")
    if section.empty:
        out += [md_text(section.empty), ""]
    for chart in section.charts:
        name = chart_file_name(stem, chart.chart_id)
        files[name] = chart.svg(standalone=True)
        if len(section.charts) > 1:
            out += [f"### {md_text(chart.title)}", ""]
        out += [f"![{md_text(chart.title)}]({quote(name)})", ""]
    for table in section.tables:
        out += _table(table)
    return out


def _table(table: Table) -> list[str]:
    out = [f"**{md_text(table.caption)}**", ""] if table.caption else []
    out.append("| " + " | ".join(md_text(c) for c in table.columns) + " |")
    out.append("|" + "|".join("---" for _ in table.columns) + "|")
    out += ["| " + " | ".join(md_text(v) for v in row) + " |" for row in table.rows]
    return [*out, ""]


def json_report(report: dict[str, Any]) -> str:
    """The numbers alone: the report's data, no chart and no layout."""
    return json_document(report)
