"""The weekly report as one self-contained HTML file: inline CSS and inline SVG
charts (export.svg_charts), no script, no font, image or link from anywhere
else, so it reads the same in a browser, from a mail attachment or offline.
It follows the reader's light or dark scheme, and prints.

Every text from the data (names, sources, notes) is escaped here or in the
charts; nothing from the store is ever markup.
"""

from __future__ import annotations

from typing import Any

from leadqueue.export.svg_charts import CHART_CSS, chart_ident, text
from leadqueue.export.weekly_layout import Section, Table
from leadqueue.export.weekly_sections import sections, summary

PAGE_CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #57606a; --bg: #ffffff; --rule: #d0d7de;
  --panel: #f6f8fa; --accent: #0072B2; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --rule: #30363d; --panel: #161b22;
    --accent: #56B4E9; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 900px; padding: 24px 20px 48px; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 36px 0 6px; padding-top: 12px; border-top: 1px solid var(--rule); }
h3 { font-size: 1em; margin: 18px 0 4px; }
a { color: var(--accent); }
.meta, .note { color: var(--muted); margin: 2px 0; }
.empty { padding: 10px 14px; background: var(--panel); border-left: 4px solid var(--rule); margin: 8px 0; }
.banner { padding: 12px 16px; background: var(--panel); border-left: 4px solid #E69F00; margin: 16px 0;
  font-weight: 600; }
figure { margin: 10px 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 0.9em; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 3px 10px 3px 0; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
td.n { text-align: right; }
details { margin: 6px 0; }
summary { cursor: pointer; color: var(--muted); }
nav ol { columns: 2; padding-left: 20px; margin: 8px 0; }
@media print { h2 { break-before: auto; } figure, table { break-inside: avoid; } details { display: block; } }
"""

# Tables longer than this are folded under a <details>: the chart says it at a glance.
FOLD_ROWS = 12


def html_report(report: dict[str, Any]) -> str:
    """The whole page."""
    parts = sections(report)
    period, previous = report["period"], report["previous_period"]
    title = f"Weekly lead report · {period['label']}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>{text(title)}</title>",
        f"<style>{PAGE_CSS}{CHART_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{text(title)}</h1>",
        f'<p class="meta">From {text(period["since"])} to {text(period["until"])}'
        f" · compared with {text(previous['label'])} ({text(previous['since'])} to {text(previous['until'])})"
        f" · times in UTC, weeks in {text(report['time_zone'])}</p>",
        f'<p class="meta">Generated {text(report["generated_at"])} by leadqueue from the same'
        " aggregates as <code>leadqueue report metrics</code>.</p>",
    ]
    if report["empty"]:
        out.append(
            '<p class="banner">Nothing happened in this period: no lead was decided or accepted,'
            " and no SLA clock stopped or ran out. There is nothing to chart.</p>"
        )
    out += _table(summary(report), fold=False)
    out.append('<nav aria-label="Sections"><ol>')
    out += [f'<li><a href="#{s.key}">{text(s.title)}</a></li>' for s in parts]
    out += ["</ol></nav>", "</header>", "<main>"]
    for section in parts:
        out += _section(section)
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _section(section: Section) -> list[str]:
    out = [f'<section id="{section.key}" aria-labelledby="{section.key}-h">']
    out.append(f'<h2 id="{section.key}-h">{text(section.title)}</h2>')
    out += [f'<p class="note">{text(note)}</p>' for note in section.notes]
    out += [f"<p>{text(fact)}</p>" for fact in section.facts]
    if section.empty:
        out.append(f'<p class="empty">{text(section.empty)}</p>')
    for chart in section.charts:
        if len(section.charts) > 1:  # each chart's own title; one alone has the section's
            out.append(f"<h3>{text(chart.title)}</h3>")
        out += [f'<figure id="{chart_ident(chart.chart_id)}-fig">', chart.svg().rstrip("\n"), "</figure>"]
    for table in section.tables:
        out += _table(table)
    out.append("</section>")
    return out


def _table(table: Table, fold: bool = True) -> list[str]:
    body = ["<table>"]
    if table.caption:
        body.append(f"<caption>{text(table.caption)}</caption>")
    body.append(
        "<thead><tr>" + "".join(f'<th scope="col">{text(c)}</th>' for c in table.columns) + "</tr></thead>"
    )
    body.append("<tbody>")
    for row in table.rows:
        cells = [f'<th scope="row">{text(row[0])}</th>'] + [
            f'<td class="n">{text(v)}</td>' if _numeric(v) else f"<td>{text(v)}</td>" for v in row[1:]
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    body.append("</tbody></table>")
    if not fold or len(table.rows) <= FOLD_ROWS:
        return body
    return [f"<details><summary>The numbers ({len(table.rows)} rows)</summary>", *body, "</details>"]


def _numeric(value: str) -> bool:
    head = value.split(" ", 1)[0].rstrip("%")
    return head.replace(".", "", 1).lstrip("+-").isdigit() or value == "—"
