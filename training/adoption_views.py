"""Training pages: adoption after go-live, and the import of usage data exported from the CRM.

Adoption figures come from `training/adoption.py` (pure), fed by `usage.adoption_for()`: one
aggregate query of the usage rows per person and week, the people with their department, role
and manager history, licences, targets, covered weeks and baseline figures. The aggregate and the
figures are kept per process until the data changes (see usage.adoption_data).

Usage files are read by a background task (`tasks.import_usage`); the job page polls its status
with htmx while it runs. Every view starts from `project_access(..., "training", ...)`: 404 outside
the project, 403 for a role the policy refuses (importing needs the training area's change right).
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projectcrm.core import tabular
from projectcrm.core.access import project_access
from projectcrm.core.choices import ImportStatus

from . import adoption as calc
from . import charts, usage
from .models import UsageImport
from .tasks import import_usage

RECENT_WEEKS = 8  # weeks in the table of groups
TREND_WEEKS = 12  # weeks in the activity and data-quality table
CHART_GROUPS = 8  # groups drawn beside the whole project (the lowest rates when there are more)
LAGGARD_MANAGERS = 15  # managers in the laggards chart
LISTED = 50  # people listed per laggard list
NEAR = 0.10  # amber: up to 10 points below the target


def _page(request, template, access, title, **context):
    context.update({"project": access.project, "access": access, "area": "training", "title": title})
    return render(request, template, context)


def grouping_label(by: str) -> str:
    return {calc.DEPARTMENT: _("Department"), calc.ROLE: _("Job role"), calc.MANAGER: _("Manager")}[by]


def percent(value) -> float | None:
    return None if value is None else value * 100


def points(value) -> str:
    """A difference of two rates in percentage points, signed ("+6", "−4")."""
    if value is None:
        return "—"
    number = round(value * 100)
    text = f"{abs(number):d}"
    return ("+" if number > 0 else "−" if number < 0 else "±") + text


def colour(rate, target) -> str:
    """Badge colour of a rate against its target (the 80% rule when there is none)."""
    if rate is None:
        return "grey"
    goal = target if target is not None else calc.DEFAULT_TARGET
    if rate >= goal:
        return "green"
    return "amber" if rate >= goal - NEAR else "red"


def trend(change) -> str:
    if change is None:
        return ""
    if change > 0.005:
        return "▲"
    if change < -0.005:
        return "▼"
    return "▬"


def group_name(key) -> str:
    return _("No manager") if key is None else str(key)


def cell(series: calc.GroupSeries, index: int) -> dict:
    rate, target = series.rate[index], series.target[index]
    return {"rate": percent(rate), "colour": colour(rate, target), "covered": series.covered[index],
            "active": series.active[index], "licensed": series.licensed[index], "target": percent(target)}


def group_row(name: str, series: calc.GroupSeries, columns: list[int], is_total: bool = False) -> dict:
    current = series.current
    return {
        "name": name, "total": is_total, "cells": [cell(series, i) for i in columns],
        "rate": percent(series.current_rate), "target": percent(current.target) if current else None,
        "gap": points(current.gap) if current else "—",
        "colour": colour(series.current_rate, current.target if current else None),
        "change": points(series.current_change), "arrow": trend(series.current_change),
        "active": current.active if current else None, "licensed": current.licensed if current else None,
        "assigned": current.assigned if current else None,
    }


def laggard_rows(people) -> list[dict]:
    return [{"name": p.name, "department": p.department, "role": p.role, "manager": group_name(p.manager),
             "last": p.last_login_week} for p in people[:LISTED]]


def figures_for(data: usage.AdoptionData, result: calc.Adoption, laggards: usage.Laggards, by: str, as_of,
                language: str | None) -> dict:
    """The two charts as HTML, built once per data, grouping, day and language."""
    key = ("figures", by, as_of, language or "")
    if key in data.extra:
        return data.extra[key]
    figures = {}
    weeks = list(result.weeks)
    if weeks and any(c for c in result.overall.covered):
        groups = [(k, s) for k, s in result.groups.items() if s.current_rate is not None]
        if len(groups) > CHART_GROUPS:
            groups = sorted(groups, key=lambda item: item[1].current_rate)[:CHART_GROUPS]
            groups.sort(key=lambda item: (item[0] is None, str(item[0]).casefold()))
        series = {_("Whole project"): list(result.overall.rate)}
        for k, s in groups:
            series[group_name(k)] = list(s.rate)
        fig = charts.adoption_trend_figure(weeks, series, list(result.overall.target))
        figures["trend"] = charts.figure_html(charts.localise(fig, language))
    managers = list(laggards.by_manager[:LAGGARD_MANAGERS])
    if managers:
        fig = charts.laggards_by_manager_figure(
            [group_name(m.manager) for m in managers], [len(m.never_logged_in) for m in managers],
            [len(m.inactive) for m in managers],
        )
        figures["laggards"] = charts.figure_html(charts.localise(fig, language))
    data.extra[key] = figures
    return figures


def baseline_rows(data: usage.AdoptionData, result: calc.Adoption) -> list[dict]:
    """Every baseline figure beside its value after go-live: computed for the adoption metrics, as
    entered for any other measure."""
    computed = {c.metric: c for c in result.baseline}
    rows = []
    for row, metric in data.inputs.baseline_rows:
        is_rate = metric in usage.RATE_METRICS
        comparison = computed.get(metric)
        if comparison is not None:
            scale = 100 if is_rate else 1
            before, after = comparison.baseline * scale, None if comparison.after is None else comparison.after * scale
            unit = "%" if is_rate else row.unit
            source = "computed"
        else:
            before = float(row.value)
            after = None if row.after_value is None else float(row.after_value)
            unit = row.unit
            source = "entered"
        rows.append({
            "metric": row.metric, "captured_on": row.captured_on, "before": before, "after": after, "unit": unit,
            "change": None if after is None else after - before, "source": source, "note": row.note,
            "decimals": 0 if is_rate else 1,
        })
    return rows


@login_required
def adoption_page(request, project):
    """Adoption after go-live: active users against licences and targets by group, trends, laggards,
    top adopters and the baseline."""
    access = project_access(request.user, project, "training", "view")
    project = access.project
    by = request.GET.get("by")
    if by not in calc.GROUPINGS:
        by = calc.DEPARTMENT
    as_of = timezone.localdate()
    result, data = usage.adoption_for(project, as_of, by)
    overall = result.overall
    current = overall.current
    weeks = list(result.weeks)
    covered_columns = [i for i, covered in enumerate(overall.covered) if covered]
    columns = list(range(max(0, len(weeks) - RECENT_WEEKS), len(weeks)))
    trend_columns = list(range(max(0, len(weeks) - TREND_WEEKS), len(weeks)))
    laggards = usage.live_laggards(result, data.inputs, as_of)
    waiting = sorted(name for name, go_live in data.inputs.department_go_live.items() if go_live and go_live > as_of)
    figures = figures_for(data, result, laggards, by, as_of, get_language())
    rows = [group_row(group_name(k), s, columns) for k, s in result.groups.items()]
    context = {
        "by": by, "by_label": grouping_label(by),
        "groupings": [(key, grouping_label(key)) for key in calc.GROUPINGS],
        "as_of": as_of, "result": result, "inputs": data.inputs, "has_data": bool(covered_columns),
        "current": current, "current_week": result.current_week,
        "rate": percent(overall.current_rate), "target": percent(current.target) if current else None,
        "gap": points(current.gap) if current else "—",
        "gap_colour": colour(overall.current_rate, current.target if current else None),
        "rule": percent(calc.DEFAULT_TARGET), "meets_rule": overall.meets_default,
        "rule_gap": points(overall.default_gap),
        "change": points(overall.current_change), "arrow": trend(overall.current_change),
        "week_heads": [weeks[i] for i in columns], "group_rows": rows,
        "total_row": group_row(_("Whole project"), overall, columns, is_total=True),
        "activity": [
            {"week": weeks[i], "covered": overall.covered[i], "active": overall.active[i],
             "licensed": overall.licensed[i], "rate": percent(overall.rate[i]), "logins": overall.logins[i],
             "records": overall.records[i], "per_active": overall.records_per_active[i],
             "completeness": percent(overall.completeness[i])}
            for i in reversed(trend_columns)
        ],
        "never": laggard_rows(laggards.never_logged_in), "never_count": len(laggards.never_logged_in),
        "inactive": laggard_rows(laggards.inactive), "inactive_count": len(laggards.inactive),
        "listed": LISTED, "waiting": waiting,
        "managers": [
            {"name": group_name(m.manager), "never": len(m.never_logged_in), "inactive": len(m.inactive),
             "total": m.total} for m in laggards.by_manager
        ],
        "adopters": result.top_adopters, "top_weeks": result.top_weeks,
        "baseline": baseline_rows(data, result),
        "figures": figures, "uses_plotly": bool(figures),
        "can_change": access.can("training", "change"),
        "go_live": data.inputs.go_live, "last_week_end": result.last_week + datetime.timedelta(days=6),
    }
    return _page(request, "training/adoption.html", access, _("Adoption"), **context)


# ---------------------------------------------------------------------------------------------
# Usage import
# ---------------------------------------------------------------------------------------------


def column_help() -> list[tuple[str, str]]:
    """(column name in the reader's language, what it holds) for the import page."""
    names = usage.column_names()
    meaning = {
        "user": _("CRM user name or e-mail (required)"),
        "date": _("the day, YYYY-MM-DD or an Excel date (required)"),
        "logins": _("logins that day (required)"),
        "accounts_created": _("accounts created"),
        "contacts_created": _("contacts created"),
        "opportunities_created": _("opportunities created"),
        "activities_created": _("activities created"),
        "cases_created": _("service cases created"),
        "accounts_updated": _("accounts updated"),
        "contacts_updated": _("contacts updated"),
        "opportunities_updated": _("opportunities updated"),
        "activities_updated": _("activities updated"),
        "cases_updated": _("service cases updated"),
        "completeness": _("share of key fields filled in: 0 to 1, or a percentage"),
    }
    return [(name, meaning[field_name]) for name, field_name in zip(names, usage.HEADERS, strict=True)]


def template_csv() -> HttpResponse:
    """An empty usage file with the column names in the reader's language."""
    response = HttpResponse(tabular.write_csv(usage.column_names(), []), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="usage-template.csv"'
    return response


@login_required
def usage_import(request, project):
    """GET: the upload form and the project's past imports. POST: store the file and start reading it."""
    action = "change" if request.method == "POST" else "view"
    access = project_access(request.user, project, "training", action)
    project = access.project
    if request.method == "GET" and request.GET.get("template"):
        return template_csv()
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV or XLSX file to import.")
        elif upload.size > usage.max_bytes():
            error = _("%(file)s is %(size).1f MB; the limit is %(cap).1f MB.") % {
                "file": upload.name, "size": upload.size / 1048576, "cap": usage.max_bytes() / 1048576}
        else:
            job = usage.create_import(project, request.user, upload.name, upload.read())
            import_usage.enqueue(job.pk, get_language() or "en")
            return redirect("training:usage-import-job", project=project.pk, pk=job.pk)
    jobs = list(
        UsageImport.objects.filter(project=project).defer("content").select_related("user").order_by("-created")[:20]
    )
    return _page(
        request, "training/usage_import.html", access, _("Usage data"), jobs=jobs, error=error,
        statuses=ImportStatus, columns=column_help(), max_mb=usage.max_bytes() / 1048576,
        can_change=access.can("training", "change"), covered=usage.covered_period(project),
    )


@login_required
def usage_import_job(request, project, pk):
    """One import's progress (polled with htmx while it runs), its problems or its outcome."""
    access = project_access(request.user, project, "training", "view")
    job = get_object_or_404(UsageImport.objects.defer("content").select_related("user"), project=access.project, pk=pk)
    running = job.status in (ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)
    context = {
        "job": job, "report": usage.report_of(job), "statuses": ImportStatus, "running": running,
        "status_label": ImportStatus(job.status).label if job.status in ImportStatus.values else job.status,
        "progress": min(100, round(100 * job.processed_rows / job.total_rows)) if job.total_rows else 0,
        "can_change": access.can("training", "change"),
    }
    if request.htmx:
        return _page(request, "training/usage_import_status.html", access, job.filename, **context)
    return _page(request, "training/usage_import_job.html", access, job.filename, **context)


urlpatterns = [
    path("adoption/", adoption_page, name="adoption"),
    path("usage/import/", usage_import, name="usage-import"),
    path("usage/import/<int:pk>/", usage_import_job, name="usage-import-job"),
]
