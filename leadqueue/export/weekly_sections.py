"""The weekly report laid out once, for HTML and Markdown alike: each section's
title, notes, charts and tables of numbers, from services.weekly_report's data
(the follow-up and review sections are in weekly_review).

Every number comes from the report's data as it is (the period's numbers are
`report metrics`'); this module only formats them and pairs each with the
previous period's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from leadqueue.domain.metrics import (
    COMPLIANCE_NOTE,
    HEALTHY_BAND,
    TOO_FEW,
    TOO_FEW_NOTE,
    compliance,
    judged_rate,
)
from leadqueue.export.svg_charts import BarRow, Chart, TrendRow, bar_chart, trend_chart
from leadqueue.export.weekly_layout import Row, Section, Table, change, nothing, num, pairs, pct_text, series
from leadqueue.export.weekly_review import other_reasons, routing, untouched, waiting
from leadqueue.services.team_metrics import METRIC_TITLES, is_too_few

CLOCKS = ("decision", "first_touch", "discovery", "disposition")


def sections(report: dict[str, Any]) -> list[Section]:
    """Every section of the weekly report, in reading order."""
    return [
        acceptance(report, "acceptance_by_rep", "rep"),
        acceptance(report, "acceptance_by_source", "source"),
        rejections(report),
        trend(report),
        time_to_decision(report),
        sla(report),
        untouched(report),
        sal_to_sql(report),
        waiting(report),
        routing(report),
        other_reasons(report),
    ]


def charts_of(all_sections: Sequence[Section]) -> list[Chart]:
    return [chart for s in all_sections for chart in s.charts]


def summary(report: dict[str, Any]) -> Table:
    """The period at a glance, beside the previous one: sums of the sections' rows,
    judged by the same rules (too few, compliance) as each row."""

    def figures(m: dict[str, Any]) -> list[float | int | None]:
        accepted = sum(r["accepted"] for r in m["acceptance_by_rep"])
        decided = accepted + sum(r["rejected"] for r in m["acceptance_by_rep"])
        decision = [r for r in m["sla_compliance"] if r["clock"] == "decision"]
        return [
            decided,
            judged_rate(accepted, decided),
            sum(r["count"] for r in m["rejection_reasons"]),
            len(m["written_reasons"]),
            compliance(*(sum(r[f] for r in decision) for f in ("met", "missed", "breached_open"))),
            sum(r["count"] for r in m["accepted_without_first_touch"]),
            sum(r["count"] for r in m["leads_waiting"]),
        ]

    names = (
        "leads decided",
        "acceptance rate, whole team",
        "rejections",
        "of which written out (OTHER)",
        "decision SLA compliance, whole team",
        "accepted, no first touch yet",
        "leads waiting at the end",
    )
    rows = []
    for i, (now, before) in enumerate(
        zip(figures(report["metrics"]), figures(report["previous_metrics"]), strict=True)
    ):
        rate = i in (1, 4)
        shown = pct_text if rate else num
        if names[i] == "leads waiting at the end":
            before = None  # the store has no count of what waited at an earlier end (weekly_review.waiting)
        delta = (
            change(now, before)
            if rate
            else (f"{now - before:+d}" if now is not None and before is not None else "—")
        )
        rows.append((names[i], shown(now), shown(before), delta))
    return Table(
        ("", report["period"]["label"], "previous: " + report["previous_period"]["label"], "change"), rows
    )


# -- acceptance, SAL to SQL -----------------------------------------------------------------


def _rate_text(section: str, row: Row | None, field: str, counts: Sequence[str]) -> str:
    if row is None:
        return "—"
    n = sum(int(row.get(c) or 0) for c in counts)
    if is_too_few(section, row):
        return f"{TOO_FEW} ({n})"
    part = int(row.get("advanced" if field == "conversion_pct" else "accepted") or 0)
    return f"{pct_text(row.get(field))} ({part}/{n})"


def _verdict(row: Row | None) -> str:
    """A word beside a rate outside the band, so that colour is never alone."""
    if row is None or row.get("healthy") is None:
        return ""
    return "" if row["healthy"] else ("low" if row["rate_pct"] < HEALTHY_BAND[0] else "high")


def acceptance(report: dict[str, Any], key: str, name: str) -> Section:
    title = METRIC_TITLES[key]
    current, previous = report["metrics"][key], report["previous_metrics"][key]
    notes = (TOO_FEW_NOTE,)
    if not current:
        return Section(key, title, notes, empty=nothing("No leads were decided", previous))
    counts = ("accepted", "rejected")
    bars, rows = [], []
    for label, now, before in pairs(current, previous, lambda r: r[name]):
        value = now.get("rate_pct") if now else None
        prev = before.get("rate_pct") if before else None
        verdict = _verdict(now)
        shown, shown_before = (
            _rate_text(key, now, "rate_pct", counts),
            _rate_text(key, before, "rate_pct", counts),
        )
        bars.append(BarRow(str(label), value, shown, prev, shown_before, verdict))
        healthy = "healthy" if now and now.get("healthy") else ""
        accepted, rejected = (num(now[c]) if now else "—" for c in counts)
        rows.append(
            (str(label), accepted, rejected, shown, verdict or healthy, shown_before, change(value, prev))
        )
    chart = bar_chart(key, title, bars, series(report), 100.0, HEALTHY_BAND, "%")
    columns = (name, "accepted", "rejected", "rate", "verdict", "previous rate", "change")
    return Section(key, title, notes, (chart,), (Table(columns, rows),))


def sal_to_sql(report: dict[str, Any]) -> Section:
    key = "sal_to_sql"
    title = METRIC_TITLES[key]
    current, previous = report["metrics"][key], report["previous_metrics"][key]
    notes = (TOO_FEW_NOTE.replace("decisions", "acceptances"),)
    if not current:
        return Section(key, title, notes, empty=nothing("No leads were accepted", previous))
    bars, rows = [], []
    for rep, now, before in pairs(current, previous, lambda r: r["rep"]):
        value = now.get("conversion_pct") if now else None
        prev = before.get("conversion_pct") if before else None
        shown = _rate_text(key, now, "conversion_pct", ("accepted",))
        shown_before = _rate_text(key, before, "conversion_pct", ("accepted",))
        bars.append(BarRow(str(rep), value, shown, prev, shown_before))
        accepted, advanced = (num(now[c]) if now else "—" for c in ("accepted", "advanced"))
        rows.append((str(rep), accepted, advanced, shown, shown_before, change(value, prev)))
    chart = bar_chart(key, title, bars, series(report), 100.0, None, "%")
    columns = ("rep", "accepted", "advanced to SQL", "conversion", "previous", "change")
    return Section(key, title, notes, (chart,), (Table(columns, rows),))


# -- rejections -----------------------------------------------------------------------------


def rejections(report: dict[str, Any]) -> Section:
    key = "rejection_reasons"
    title = METRIC_TITLES[key]
    current, previous = report["metrics"][key], report["previous_metrics"][key]
    if not current:
        return Section(key, title, empty=nothing("No leads were rejected", previous))
    bars, rows = [], []
    for code, now, before in pairs(current, previous, lambda r: r["code"]):
        label = (now or before or {}).get("label", code)
        n = now["count"] if now else None
        share = pct_text(now["share_pct"]) if now else "—"
        prev = before["count"] if before else None
        bars.append(BarRow(f"{code} · {label}", n, f"{n} ({share})" if now else "—", prev, num(prev)))
        rows.append((str(code), str(label), num(n), share, num(prev)))
    chart = bar_chart(key, title, bars, series(report))
    columns = ("code", "reason", "rejections", "share", "previous")
    return Section(key, title, charts=(chart,), tables=(Table(columns, rows),))


def trend(report: dict[str, Any]) -> Section:
    key = "rejection_trend"
    weeks = report["rejection_trend_weeks"]
    n = len(weeks["weeks"])
    title = f"Rejections by week, the last {n} weeks"
    notes = ("Weeks from Monday in the team's zone; the last one ends with the period.",)
    if not any(weeks["total"]):
        return Section(key, title, notes, empty=f"No leads were rejected in the last {n} weeks.")
    labels = {r["code"]: r["label"] for r in report["metrics"]["rejection_reasons"]}
    lines = [TrendRow("All reasons", tuple(weeks["total"]))]
    lines += [
        TrendRow(f"{code} · {labels[code]}" if code in labels else code, tuple(counts))
        for code, counts in weeks["codes"].items()
    ]
    columns = [f"{date.fromisoformat(w):%d %b}" for w in weeks["weeks"]]
    chart = trend_chart(key, title, columns, lines)
    rows = [(line.label, *(str(v) for v in line.values), str(sum(line.values))) for line in lines]
    table = Table(("reason", *(f"week of {c}" for c in columns), "total"), rows)
    return Section(key, title, notes, (chart,), (table,))


# -- time, SLA ------------------------------------------------------------------------------


def time_to_decision(report: dict[str, Any]) -> Section:
    key = "time_to_decision_hours"
    title = "Time to decision by rep (hours from assignment to the first decision)"
    current, previous = report["metrics"][key], report["previous_metrics"][key]
    if not current:
        return Section(key, title, empty=nothing("No first decisions", previous))
    matched = pairs(current, previous, lambda r: r["rep"])
    charts = []
    for stat, name in (("median", "Median"), ("p90", "90th percentile")):
        bars = [
            BarRow(
                str(rep),
                now[stat] if now else None,
                f"{num(now[stat], ' h')} ({now['decisions']} decided)" if now else "—",
                before[stat] if before else None,
                num(before[stat], " h") if before else "—",
            )
            for rep, now, before in matched
        ]
        charts.append(bar_chart(f"{key}-{stat}", f"{name} time to decision (hours)", bars, series(report)))
    rows = [
        (
            str(rep),
            *(
                num(now[f] if now else None, unit)
                for f, unit in (("decisions", ""), ("median", " h"), ("p90", " h"))
            ),
            *(num(before[f] if before else None, " h") for f in ("median", "p90")),
        )
        for rep, now, before in matched
    ]
    columns = ("rep", "decisions", "median", "90th percentile", "previous median", "previous 90th")
    return Section(key, title, charts=tuple(charts), tables=(Table(columns, rows),))


def sla(report: dict[str, Any]) -> Section:
    key = "sla_compliance"
    title = "SLA compliance per clock and rep"
    current, previous = report["metrics"][key], report["previous_metrics"][key]
    notes = (COMPLIANCE_NOTE,)
    if not current:
        return Section(key, title, notes, empty=nothing("No SLA clock stopped or ran out", previous))
    clocks = sorted({r["clock"] for r in current}, key=lambda c: (CLOCKS.index(c) if c in CLOCKS else 99, c))
    charts, rows = [], []
    for clock in clocks:
        bars = []
        now_rows, before_rows = ([r for r in rows_ if r["clock"] == clock] for rows_ in (current, previous))
        for rep, now, before in pairs(now_rows, before_rows, lambda r: r["rep"]):
            value = now["compliance_pct"] if now else None
            prev = before["compliance_pct"] if before else None
            judged = sum(now[f] for f in ("met", "missed", "breached_open")) if now else 0
            shown = f"{pct_text(value)} ({now['met']} of {judged})" if now else "—"
            bars.append(BarRow(str(rep), value, shown, prev, pct_text(prev) if before else "—"))
            counts = (num(now[f] if now else None) for f in ("met", "missed", "breached_open"))
            rows.append(
                (
                    clock.replace("_", " "),
                    str(rep),
                    *counts,
                    pct_text(value),
                    pct_text(prev),
                    change(value, prev),
                )
            )
        name = clock.replace("_", " ")
        charts.append(
            bar_chart(f"{key}-{clock}", f"SLA compliance, {name} clock", bars, series(report), 100.0)
        )
    columns = ("clock", "rep", "met", "missed", "open breached", "compliance", "previous", "change")
    return Section(key, title, notes, tuple(charts), (Table(columns, rows),))
