"""The weekly report's follow-up and review sections: accepted leads with no
first touch, leads waiting, the routing rules' share, and the OTHER reasons
to review. Laid out as export.weekly_layout sections."""

from __future__ import annotations

from typing import Any

from leadqueue.export.svg_charts import BarRow, bar_chart
from leadqueue.export.weekly_layout import Section, Table, lead_text, local_time, num, pairs, pct_text, series

NAMES_SHOWN = 10  # leads named per rep in a list; the rest are counted


def untouched(report: dict[str, Any]) -> Section:
    key = "accepted_without_first_touch"
    title = "Accepted leads with no first touch"
    current, previous = report["metrics"][key], report["previous_metrics"][key]
    if not current:
        accepted = sum(r["accepted"] for r in report["metrics"]["sal_to_sql"])
        said = (
            f"Every lead accepted in this period ({accepted}) has had a first touch."
            if accepted
            else "No leads were accepted in this period."
        )
        return Section(key, title, empty=said)
    bars, rows = [], []
    for rep, now, before in pairs(current, previous, lambda r: r["rep"]):
        n = now["count"] if now else None
        prev = before["count"] if before else None
        bars.append(BarRow(str(rep), n, num(n), prev, num(prev)))
        names = list(now["names"]) if now else []
        more = len(names) - NAMES_SHOWN
        rows.append(
            (
                str(rep),
                num(n),
                num(prev),
                ", ".join(names[:NAMES_SHOWN]) + (f" and {more} more" if more > 0 else ""),
            )
        )
    chart = bar_chart(key, title, bars, series(report))
    return Section(key, title, charts=(chart,), tables=(Table(("rep", "leads", "previous", "which"), rows),))


def waiting(report: dict[str, Any]) -> Section:
    """This period's end only: the store keeps each lead's present state, so a count at
    an earlier end would leave out the leads decided since, and compare falsely."""
    key = "leads_waiting"
    title = "Leads waiting for a decision, and their age"
    current = report["metrics"][key]
    notes = (
        "At the period's end: the leads assigned by then and still undecided now, as `report metrics`"
        " counts them (for a period that ended in the past, a lead decided since is not counted)."
        " No comparison with the previous period: the store keeps no count of what waited then.",
    )
    if not current:
        return Section(key, title, notes, empty="No leads were waiting for a decision at the period's end.")
    label = (report["period"]["label"], "")
    count_bars = [BarRow(str(r["rep"]), r["count"], num(r["count"])) for r in current]
    age_bars = [
        BarRow(
            str(r["rep"]),
            r["median_age_hours"],
            f"{num(r['median_age_hours'], ' h')} (oldest {num(r['oldest_hours'], ' h')})",
        )
        for r in current
    ]
    charts = (
        bar_chart(f"{key}-count", "Leads waiting", count_bars, label, compare=False),
        bar_chart(f"{key}-age", "Median age of the leads waiting (hours)", age_bars, label, compare=False),
    )
    rows = [
        (str(r["rep"]), num(r["count"]), num(r["median_age_hours"], " h"), num(r["oldest_hours"], " h"))
        for r in current
    ]
    columns = ("rep", "waiting", "median age", "oldest")
    return Section(key, title, notes, charts, (Table(columns, rows),))


def routing(report: dict[str, Any]) -> Section:
    """Shown only once assignments carry a routing rule (issue 21's `assigned` events
    by actor `routing`); until then one line says there are none."""
    key = "routing"
    title = "Routing rules' share of the assignments"
    now, before = report["routing"]["this_period"], report["routing"]["previous_period"]
    if not now["routed"] and not before["routed"]:
        return Section(key, title, empty="No routing rules yet: leads are assigned by import or by hand.")
    facts = [
        f"{now['routed']} of {now['assignments']} assignments made by routing rules"
        f" ({pct_text(now['routed_pct'])}); previous period {before['routed']} of"
        f" {before['assignments']} ({pct_text(before['routed_pct'])})."
    ]
    rules = pairs(now["rules"], before["rules"], lambda r: (r["rule"], r["method"]))
    bars = [
        BarRow(
            f"{rule} ({method})" if method else rule,
            r["count"] if r else None,
            f"{r['count']} ({pct_text(r['share_pct'])})" if r else "—",
            b["count"] if b else None,
            f"{b['count']} ({pct_text(b['share_pct'])})" if b else "—",
        )
        for (rule, method), r, b in rules
    ]
    chart = bar_chart(key, "Assignments per routing rule", bars, series(report))
    rows = [
        (
            rule,
            method,
            num(r["count"] if r else None),
            pct_text(r["share_pct"] if r else None),
            num(b["count"] if b else None),
        )
        for (rule, method), r, b in rules
    ]
    table = Table(("rule", "method", "assignments", "share of all", "previous"), rows)
    return Section(key, title, charts=(chart,), tables=(table,), facts=facts)


def other_reasons(report: dict[str, Any]) -> Section:
    key = "other_reasons"
    title = "OTHER reasons to review"
    groups = report["other_reason_groups"]
    notes = (
        "The period's written-out rejection reasons, grouped by similar wording (largest group first),"
        " each named by its most typical reason: a group that recurs is a candidate for a reason code.",
    )
    if not groups:
        return Section(key, title, notes, empty="No rejection reasons were written out in this period.")
    bars = [BarRow(g["label"], g["count"], f"{g['count']} ({pct_text(g['share_pct'])})") for g in groups]
    chart = bar_chart(
        key, "Written-out reasons by group", bars, (report["period"]["label"], ""), compare=False
    )
    zone = report["time_zone"]
    tables = [
        Table(
            ("lead", "rep", "decided", "reason as written"),
            [
                (lead_text(r), str(r["rep"]), local_time(r["decided_at"], zone), str(r["note"]))
                for r in g["reasons"]
            ],
            caption=f"{g['label']} — {g['count']} reason(s); common words: {', '.join(g['common_words'])}",
        )
        for g in groups
    ]
    return Section(key, title, notes, (chart,), tuple(tables))
