"""Data migration pages: the overview (sources, objects, runs, trend charts, go/no-go), the cutover
runbook with the rehearsals' timings, and the extras of a mock run's detail page.

Figures come from `testing/migration.py`, read once per page by `migration.load_plan` (a fixed
number of queries however many objects, runs and steps). Editing happens on the register pages
these pages link to. Every view starts from `project_access(..., "testing", "view")`: 404 outside
the project, 403 for a role the policy refuses.
"""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projectcrm.core.access import project_access

from . import migration as calc
from . import migration_charts as charts
from .choices import CutoverStage
from .models import SourceSystem

AREA = "testing"


def _page(request, template, access, title, **context):
    context.update({"project": access.project, "access": access, "area": AREA, "title": title,
                    "can_change": access.can(AREA, "change")})
    return render(request, template, context)


def variance_colour(variance: int | None) -> str:
    """Green: on or under the plan; red: over it; grey: not timed."""
    return "grey" if variance is None else "green" if variance <= 0 else "red"


def trend_figures(trend: calc.Trend, language: str | None) -> dict:
    """{"rejected": html, "reconciled": html}, each only when it has a value to draw."""
    figures = {}
    if not trend.runs:
        return figures
    labels = [run.ref for run in trend.runs]
    if trend.has_values("rejected_rate"):
        fig = charts.rejected_trend_figure(
            labels, {s.name: s.rejected_rate for s in trend.objects}, trend.overall.rejected_rate
        )
        figures["rejected"] = charts.figure_html(charts.localise(fig, language))
    if any(value is not None for s in trend.objects for value in s.reconciled):
        fig = charts.reconciled_trend_figure(labels, {s.name: s.reconciled for s in trend.objects})
        figures["reconciled"] = charts.figure_html(charts.localise(fig, language))
    return figures


@login_required
def migration_page(request, project):
    """The migration plan: source systems, objects in order, runs, trends across runs, go/no-go."""
    access = project_access(request.user, project, AREA, "view")
    project = access.project
    plan = calc.load_plan(project)
    trend = calc.trend(project, plan)
    tables = {table.run.pk: table for table in trend.tables}
    sources = list(
        SourceSystem.objects.filter(project=project).select_related("owner")
        .annotate(object_count=Count("migration_objects")).order_by("number")
    )
    figures = trend_figures(trend, get_language())
    return _page(
        request, "testing/migration.html", access, _("Data migration"),
        plan=plan, sources=sources, objects=plan.objects,
        runs=[{"run": run, "table": tables.get(run.pk)} for run in reversed(plan.runs)],
        trend=trend, figures=figures, uses_plotly=bool(figures),
        checklist=calc.go_no_go(project, plan), margin=calc.WINDOW_MARGIN,
        mappings=sum(obj.mappings for obj in plan.objects),
    )


@login_required
def cutover_page(request, project):
    """The cutover runbook by stage with its schedule, and each rehearsal's timings beside the plan."""
    access = project_access(request.user, project, AREA, "view")
    project = access.project
    plan = calc.load_plan(project)
    planned = calc.schedule(project, steps=plan.steps)
    rehearsal_runs = [run for run in plan.runs if run.is_rehearsal or run.pk in plan.timings]
    rehearsals = [(run, calc.schedule(project, timings=plan.timings.get(run.pk, {}), steps=plan.steps))
                  for run in rehearsal_runs]
    positions = [{s.step.pk: s for s in sched.steps} for _run, sched in rehearsals]
    stages = []
    for value, label in CutoverStage.choices:
        rows = []
        for time in planned.steps:
            if time.step.stage != value:
                continue
            cells = []
            for found in positions:
                actual = found[time.step.pk].actual if time.step.pk in found else None
                variance = None if actual is None else actual - time.planned
                cells.append({"actual": actual, "variance": variance, "variance_hhmm": calc.hhmm(variance),
                              "colour": variance_colour(variance)})
            rows.append({"time": time, "cells": cells})
        if rows:
            stages.append({"value": value, "label": label, "rows": rows,
                           "planned": sum(r["time"].planned for r in rows)})
    summaries = []
    checklist = calc.go_no_go(project, plan)
    limit = planned.total * (1 + calc.WINDOW_MARGIN / 100) if planned.ok and planned.total is not None else None
    for run, sched in rehearsals:
        timed = sum(1 for s in sched.steps if s.counted and s.actual is not None)
        elapsed = sched.total if sched.ok and timed else None  # nothing timed: nothing measured
        variance = None if elapsed is None or planned.total is None else elapsed - planned.total
        summaries.append({
            "run": run, "schedule": sched, "elapsed": elapsed, "elapsed_hhmm": calc.hhmm(elapsed),
            "variance": variance, "variance_hhmm": calc.hhmm(variance), "colour": variance_colour(variance),
            "timed": timed, "counted": sum(1 for s in sched.steps if s.counted),
            "within": elapsed is not None and limit is not None and not sched.untimed and elapsed <= limit,
            "last": checklist.rehearsal is not None and run.pk == checklist.rehearsal.pk,
        })
    return _page(
        request, "testing/cutover.html", access, _("Cutover"),
        steps=plan.steps, planned=planned, stages=stages, rehearsals=summaries,
        limit=limit, limit_hhmm=calc.hhmm(math.floor(limit) if limit is not None else None),
        limit_text=calc.number(limit) if limit is not None else None, margin=calc.WINDOW_MARGIN,
        checklist=checklist, colspan=7 + 2 * len(summaries),
    )


# ---------------------------------------------------------------------------------------------
# The mock run's detail page (MockRunRegister.detail_context)
# ---------------------------------------------------------------------------------------------


def mock_run_detail_context(obj, access) -> dict:
    """The run against the plan's thresholds, its errors and defects, its rehearsal timings (when it
    rehearsed the cutover) and its reconciliations (testing/_run_reconciliations.html)."""
    project = access.project
    plan = calc.load_plan(project, run=obj)
    table = calc.run_table(obj, plan)
    context = {
        "run": obj,
        "run_table": table,
        "reconciliations": list(obj.reconciliations.select_related("migration_object", "requested_by")),
        "project": project,
        "can_change": access.can(AREA, "change"),
        "run_schedule": None,
        "planned_schedule": None,
        "margin": calc.WINDOW_MARGIN,
    }
    timings = plan.timings.get(obj.pk, {})
    if (obj.is_rehearsal or timings) and plan.steps:
        planned = calc.schedule(project, steps=plan.steps)
        actual = calc.schedule(project, timings=timings, steps=plan.steps)
        timed = sum(1 for t in actual.steps if t.counted and t.actual is not None)
        elapsed = actual.total if actual.ok and timed else None  # nothing timed: nothing measured
        variance = elapsed - planned.total if elapsed is not None and planned.ok else None
        context.update(
            planned_schedule=planned, run_schedule=actual, elapsed_hhmm=calc.hhmm(elapsed),
            elapsed_variance=variance, elapsed_variance_hhmm=calc.hhmm(variance),
            elapsed_colour=variance_colour(variance),
            timed_steps=timed,
            counted_steps=sum(1 for t in actual.steps if t.counted),
            step_rows=[{"time": t, "variance_hhmm": calc.hhmm(t.variance), "colour": variance_colour(t.variance)}
                       for t in actual.steps],
        )
    return context


urlpatterns = [
    path("migration/", migration_page, name="migration"),
    path("cutover/", cutover_page, name="cutover"),
]
