"""The test dashboard and the traceability matrix download.

Figures come from testing/dashboard.py (six queries, the rest in Python); charts from
testing/dashboard_charts.py. Both views take `?cycle=<pk>` (one of the project's cycles; any other
value is ignored with a message) and `?date=YYYY-MM-DD` (figures as of the end of that day; today
when absent). Every count on the page links to the rows behind it: `?show=<key>` lists them (as an
htmx fragment when asked by htmx), each row linked to its register page.

Every view starts from `project_access(..., "testing", "view")`: 404 outside the project, 403 for a
role the policy refuses.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from projectcrm.core import tabular
from projectcrm.core.access import project_access

from . import dashboard as calc
from . import dashboard_charts as charts
from .choices import CycleStatus, DefectStatus, Result, Severity

AREA = "testing"
SHOWN_ROWS = 300  # rows listed behind a figure; the rest are counted
MATRIX_ROWS = 400  # table lines per traceability table on the page (all with ?matrix=all and in the XLSX)


def _page(request, template, access, title, **context):
    context.update({"project": access.project, "access": access, "area": AREA, "title": title})
    return render(request, template, context)


def read_filters(params) -> tuple[datetime.date, int | None, list[tuple[str, str]]]:
    """(as-of day, cycle pk or None, [(level, message)]) from the query string."""
    today = timezone.localdate()
    notes = []
    as_of = today
    raw = (params.get("date") or "").strip()
    if raw:
        try:
            as_of = datetime.date.fromisoformat(raw)
        except ValueError:
            notes.append(("error", _("“%(value)s” is not a date: write it as YYYY-MM-DD. The figures are as of today.")
                          % {"value": raw}))
        else:
            if as_of > today:
                notes.append(("warning", _("%(value)s is in the future: the figures are as of today.") % {"value": raw}))
                as_of = today
    cycle_pk = None
    raw = (params.get("cycle") or "").strip()
    if raw:
        try:
            cycle_pk = int(raw)
        except ValueError:
            notes.append(("warning", _("“%(value)s” is not a test cycle of this project: all cycles are shown.")
                          % {"value": raw}))
    return as_of, cycle_pk, notes


def base_query(board: calc.Dashboard, today: datetime.date) -> str:
    params = {}
    if board.cycle is not None:
        params["cycle"] = board.cycle.pk
    if board.as_of != today:
        params["date"] = board.as_of.isoformat()
    return urlencode(params)


def board_for(request, access):
    as_of, cycle_pk, notes = read_filters(request.GET)
    board = calc.build(access.project, as_of, cycle_pk)
    if cycle_pk is not None and board.cycle is None:
        notes.append(("warning", _("“%(value)s” is not a test cycle of this project: all cycles are shown.")
                      % {"value": request.GET.get("cycle", "").strip()}))
    return board, notes


# ---------------------------------------------------------------------------------------------
# Page context
# ---------------------------------------------------------------------------------------------


def percent_text(rate) -> str:
    return "—" if rate is None else f"{rate:g}%"


def cycle_rows(board: calc.Dashboard) -> list[dict]:
    rows = []
    for f in board.cycles:
        c = f.counts
        pk = f.cycle.pk
        cells = [
            (c.cases, calc.cycle_key(pk, "scope")),
            (c.executed, calc.cycle_key(pk, "executed")),
            (c.passed, calc.cycle_key(pk, "passed")),
            (c.failed, calc.cycle_key(pk, Result.FAILED)),
            (c.blocked, calc.cycle_key(pk, Result.BLOCKED)),
            (f.not_run, calc.cycle_key(pk, Result.NOT_RUN)),
        ]
        rows.append({
            "cycle": f.cycle, "cells": cells, "pass_rate": f.pass_rate, "minimum": f.cycle.min_pass_rate,
            "met": f.verdict["met"], "failing": f.verdict["failing"],
            "open_defects": (len(f.open_defects), calc.cycle_key(pk, "defects")),
            "burn_up": f.burn_up,
            "ever": (len(f.ever_executed), calc.cycle_key(pk, "ever")),
            "scope": (c.cases, calc.cycle_key(pk, "scope")),
            "passed": (c.passed, calc.cycle_key(pk, "passed")),
        })
    return rows


def ageing_rows(board: calc.Dashboard) -> tuple[list[dict], dict]:
    buckets = range(len(calc.AGE_BUCKETS))
    rows = []
    for severity in Severity.values:
        rows.append({
            "label": calc.severity_label(severity), "severity": severity,
            "cells": [(board.ageing.count(severity, b), calc.age_key(severity, b)) for b in buckets],
            "total": (len(board.ageing.pks(severity, None)), calc.age_key(severity, None)),
        })
    total = {
        "cells": [(len(board.ageing.pks(None, b)), calc.age_key(None, b)) for b in buckets],
        "total": (board.ageing.total, calc.age_key(None, None)),
    }
    return rows, total


def week_rows(board: calc.Dashboard) -> list[dict]:
    return [{
        "start": w.start, "end": w.end,
        "arrived": (len(w.arrived), calc.week_key(w.start, "arrived")),
        "closed": (len(w.closed), calc.week_key(w.start, "closed")),
        "open": (w.open_count, calc.week_key(w.start, "open")),
    } for w in reversed(board.weeks)]


def figures_for(board: calc.Dashboard, language: str | None) -> dict:
    figures = {}

    def html(fig):
        return charts.figure_html(charts.localise(fig, language))

    drawn = [f for f in board.cycles if f.burn_up]
    if drawn:
        series = [charts.BurnUpSeries(f"{f.cycle.ref} {f.cycle.name}", f.burn_up.days, f.burn_up.executed,
                                      f.burn_up.passed, f.burn_up.scope) for f in drawn]
        # Shown first: the latest cycle in progress, else the latest cycle.
        running = [i for i, f in enumerate(drawn) if f.cycle.status == CycleStatus.IN_PROGRESS]
        figures["burnup"] = html(charts.burnup_figure(series, shown=running[-1] if running else len(series) - 1))
    if board.cycles:
        figures["pass_rate"] = html(charts.pass_rate_figure(
            [f.cycle.ref for f in board.cycles], [f.pass_rate for f in board.cycles],
            [f.cycle.min_pass_rate for f in board.cycles],
            [f"{percent_text(f.pass_rate)} ({f.counts.passed}/{f.counts.executed})" for f in board.cycles],
        ))
    if board.ageing.total:
        buckets = range(len(calc.AGE_BUCKETS))
        figures["ageing"] = html(charts.ageing_figure(
            [calc.bucket_label(b) for b in buckets],
            {s: [board.ageing.count(s, b) for b in buckets] for s in Severity.values},
            {s: calc.severity_label(s) for s in Severity.values},
        ))
    if board.weeks:
        figures["flow"] = html(charts.flow_figure(
            [w.start for w in board.weeks], [len(w.arrived) for w in board.weeks], [len(w.closed) for w in board.weeks],
            [w.open_count for w in board.weeks],
        ))
    return figures


class Links:
    """Detail-page URLs of many rows at the cost of one reverse() per register."""

    MARKER = 2147483647

    def __init__(self, project_pk: int):
        self.project_pk = project_pk
        self.parts: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str, pk: int) -> str:
        parts = self.parts.get(name)
        if parts is None:
            url = reverse(name, kwargs={"project": self.project_pk, "pk": self.MARKER})
            head, _marker, tail = url.rpartition(str(self.MARKER))
            parts = self.parts[name] = (head, tail)
        return f"{parts[0]}{pk}{parts[1]}"


def defect_item(d: calc.DefectRow, links: Links) -> dict:
    return {"ref": d.ref, "title": d.title, "severity": d.severity, "url": links("testing:defects-detail", d.pk)}


def case_item(traced: calc.TracedCase, cycles: dict, links: Links) -> dict:
    """A case with its latest execution and open defects, for the tables."""
    run = traced.latest
    cycle = cycles.get(run.cycle_id) if run else None
    return {
        "pk": traced.case.pk, "ref": traced.case.ref, "title": traced.case.title,
        "url": links("testing:cases-detail", traced.case.pk),
        "result": traced.result, "result_label": traced.result_label,
        "run": run.ref if run else "", "run_url": links("testing:executions-detail", run.pk) if run else "",
        "cycle": cycle.ref if cycle else "", "cycle_url": links("testing:cycles-detail", cycle.pk) if cycle else "",
        "day": run.day if run else None,
        "defects": [defect_item(d, links) for d in traced.open_defects],
    }


def first_lines(rows: list[calc.TraceRow], limit: int) -> list[calc.TraceRow]:
    """The first rows that fit in `limit` table lines (one line per case; at least one row)."""
    out, lines = [], 0
    for row in rows:
        lines += max(1, len(row.cases))
        if out and lines > limit:
            break
        out.append(row)
    return out


def trace_context(rows: list[calc.TraceRow], cycles: dict, links: Links) -> list[dict]:
    out = []
    for r in rows:
        flags = r.flags
        out.append({
            "key": r.ref.key, "label": r.ref.label, "passed": r.passed, "count": len(r.cases),
            "span": max(1, len(r.cases)),
            "flags": [(f, calc.flag_label(f), "amber" if f in (calc.NEVER_RUN, calc.BLOCKED_FLAG) else "red") for f in flags],
            "colour": "red" if {calc.NO_CASES, calc.FAILING} & set(flags) else "amber" if flags else "green",
            "cases": [case_item(t, cycles, links) for t in r.cases],
            "named": [defect_item(d, links) for d in r.named_defects],
        })
    return out


def picked_rows(board: calc.Dashboard, picked: calc.Selection, links: Links) -> list[dict]:
    """The first SHOWN_ROWS rows behind a figure, ready for the table."""
    cycles = board.cycles_by_pk
    if picked.kind == "cases":
        return [case_item(t, cycles, links) for t in picked.cases[:SHOWN_ROWS]]
    rows = []
    for d in picked.defects[:SHOWN_ROWS]:
        status = board.statuses.get(d.pk, d.status)
        cycle = cycles.get(d.cycle_id)
        rows.append({
            **defect_item(d, links), "severity_label": d.severity_label, "status": status,
            "status_label": DefectStatus(status).label if status in DefectStatus.values else status,
            "created": d.created_day, "age": (board.as_of - d.created_day).days,
            "cycle": cycle.ref if cycle else "", "cycle_url": links("testing:cycles-detail", cycle.pk) if cycle else "",
        })
    return rows


@login_required
@require_GET
def dashboard_page(request, project):
    """Execution progress, pass rates, open defects by age, defect flow and the traceability matrix."""
    access = project_access(request.user, project, AREA, "view")
    board, notes = board_for(request, access)
    today = timezone.localdate()
    query = base_query(board, today)
    picked, show = None, request.GET.get("show", "").strip()
    if show:
        picked = calc.selection(board, show)
        if picked is None:
            notes.append(("warning", _("Nothing on this dashboard is called “%(value)s”.") % {"value": show}))
    links = Links(access.project.pk)
    rows_context = {
        "picked": picked, "picked_rows": picked_rows(board, picked, links) if picked else [], "shown_rows": SHOWN_ROWS,
        "as_of": board.as_of, "base_query": query,
    }
    if request.htmx and picked is not None:
        return _page(request, "testing/_dashboard_rows.html", access, _("Test dashboard"), **rows_context)
    cycles = cycle_rows(board)
    cycles_by_pk = board.cycles_by_pk
    whole = request.GET.get("matrix") == "all"
    use_cases = board.use_cases if whole else first_lines(board.use_cases, MATRIX_ROWS)
    rules = board.rules if whole else first_lines(board.rules, MATRIX_ROWS)
    unnamed = board.without_use_case if whole else board.without_use_case[:MATRIX_ROWS]
    ageing, ageing_total = ageing_rows(board)
    figures = figures_for(board, get_language())
    context = {
        **rows_context,
        "board": board, "notes": notes, "today": today, "is_today": board.as_of == today,
        "all_cycles": board.inputs.all_cycles, "cycle": board.cycle,
        "cycle_rows": cycles, "burnup_rows": [r for r in cycles if r["burn_up"]],
        "buckets": [calc.bucket_label(b) for b in range(len(calc.AGE_BUCKETS))],
        "ageing_rows": ageing, "ageing_total": ageing_total,
        "weeks": week_rows(board),
        "matrix_rows": MATRIX_ROWS,
        "matrix_cut": not whole and (len(use_cases) < len(board.use_cases) or len(rules) < len(board.rules)
                                     or len(unnamed) < len(board.without_use_case)),
        "use_case_total": len(board.use_cases), "rule_total": len(board.rules),
        "unnamed_total": len(board.without_use_case),
        "use_cases": trace_context(use_cases, cycles_by_pk, links),
        "rules": trace_context(rules, cycles_by_pk, links),
        "without_use_case": [case_item(t, cycles_by_pk, links) for t in unnamed],
        "flagged": sum(1 for r in board.use_cases if r.flagged),
        "figures": figures, "uses_plotly": bool(figures),
        "xlsx_query": query,
    }
    return _page(request, "testing/dashboard.html", access, _("Test dashboard"), **context)


# ---------------------------------------------------------------------------------------------
# Traceability matrix as XLSX
# ---------------------------------------------------------------------------------------------


def _defect_list(defects) -> str:
    return "; ".join(f"{d.ref} {d.title}" for d in defects)


def _case_cells(traced: calc.TracedCase, cycles) -> list:
    run = traced.latest
    cycle = cycles.get(run.cycle_id) if run else None
    return [
        traced.case.ref, traced.case.title, traced.result_label,
        cycle.ref if cycle else "", run.ref if run else "", run.day if run and run.day else "",
        _defect_list(traced.open_defects),
    ]


def trace_sheet(rows: list[calc.TraceRow], cycles, named_column: bool) -> list[list]:
    out = []
    for r in rows:
        flags = ", ".join(calc.flag_label(f) for f in r.flags)
        head = [r.ref.code, r.ref.label, flags, f"{r.passed}/{len(r.cases)}"]
        named = [_defect_list(r.named_defects)] if named_column else []
        if not r.cases:
            out.append(head + [""] * 7 + named)
        for i, traced in enumerate(r.cases):
            out.append(head + _case_cells(traced, cycles) + (named if i == 0 else [""] * len(named)))
    return out


def case_headers() -> list[str]:
    return [_("Test case"), _("Title"), _("Latest result"), _("Cycle"), _("Execution"), _("Executed on"),
            _("Open defects of the case")]


@login_required
@require_GET
def traceability_xlsx(request, project):
    """The traceability matrix (use cases, business rules, cases naming no use case) as a workbook."""
    access = project_access(request.user, project, AREA, "view")
    board, _notes = board_for(request, access)
    cycles = board.cycles_by_pk
    sheets = [
        (_("Use cases"),
         [_("Use case"), _("Label"), _("Flags"), _("Passed"), *case_headers(), _("Other open defects naming it")],
         trace_sheet(board.use_cases, cycles, named_column=True)),
        (_("Business rules"),
         [_("Business rule"), _("Label"), _("Flags"), _("Passed"), *case_headers()],
         trace_sheet(board.rules, cycles, named_column=False)),
        (_("Cases without use case"), case_headers(),
         [_case_cells(t, cycles) for t in board.without_use_case]),
    ]
    data = tabular.write_xlsx_sheets(sheets)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    suffix = f"-{board.cycle.ref}" if board.cycle is not None else ""
    response["Content-Disposition"] = f'attachment; filename="traceability{suffix}-{board.as_of.isoformat()}.xlsx"'
    return response


urlpatterns = [
    path("dashboard/", dashboard_page, name="dashboard"),
    path("dashboard/traceability.xlsx", traceability_xlsx, name="traceability-xlsx"),
]
