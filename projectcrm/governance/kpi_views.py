"""KPI pages beyond the registers: the scorecard, refreshing the computed values, the KPI history
workbook, and recording a value from a KPI's page. Calculations live in kpis.py and kpi_sources.py."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core import tabular
from projectcrm.core.access import project_access
from projectcrm.core.charts import figure_html
from projectcrm.core.services import save_versioned

from . import kpi_sources, kpis
from .choices import KpiSource, ValueOrigin
from .models import Kpi, KpiValue

AREA = "governance"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class KpiValueQuickForm(forms.ModelForm):
    """A value of one KPI (the KPI comes from the page); origin "entered"."""

    class Meta:
        model = KpiValue
        fields = ["measured_on", "value", "note"]
        widgets = {"measured_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def parse_day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def kpi_detail_context(kpi, access) -> dict:
    """The KPI page's extra panel: its chart, its values and the quick form (KpiRegister.detail_context)."""
    values = list(KpiValue.objects.filter(kpi=kpi).order_by("measured_on").values_list("measured_on", "value"))
    row = kpis.build_row(kpi, values)
    return {
        "kpi_row": row,
        "kpi_chart": figure_html(kpis.kpi_figure(row, get_language())),
        "kpi_values": KpiValue.objects.filter(kpi=kpi).order_by("-measured_on")[:60],
        "kpi_value_form": KpiValueQuickForm(initial={"measured_on": timezone.localdate()}),
        "kpi_can_record": access.can(AREA, "change") and kpi.source == KpiSource.ENTERED,
    }


@login_required
def kpi_scorecard(request, project):
    """The scorecard: each KPI's baseline, target, latest actual, status and trend, warnings, charts.
    `?as_of=YYYY-MM-DD` shows it as it was on an earlier day."""
    access = project_access(request.user, project, AREA, "view")
    project = access.project
    today = timezone.localdate()
    as_of = today
    if request.GET.get("as_of"):
        as_of = parse_day(request.GET["as_of"])
        if as_of is None:
            messages.error(request, _("As of: enter a date as YYYY-MM-DD."))
            as_of = today
    card = kpis.scorecard(project, as_of)
    language = get_language()
    charts = [(row, figure_html(kpis.kpi_figure(row, language))) for row in card["rows"]]
    has_computed = Kpi.objects.filter(project=project).exclude(source=KpiSource.ENTERED).exists()
    return render(request, "governance/kpi_scorecard.html", {
        "project": project,
        "access": access,
        "area": AREA,
        "title": _("KPI scorecard"),
        "scorecard": card,
        "charts": charts,
        "as_of": as_of,
        "today": today,
        "is_today": as_of == today,
        "has_computed": has_computed,
        "can_change": access.can(AREA, "change"),
        "uses_plotly": bool(charts),
    })


@login_required
@require_POST
def kpi_refresh(request, project):
    """Record today's value of every computed KPI (replacing today's if there is one)."""
    access = project_access(request.user, project, AREA, "view")
    access.require(AREA, "change")
    results = kpi_sources.record_computed(access.project, timezone.localdate())
    recorded = [kpi for kpi, value in results if value is not None]
    missing = [kpi for kpi, value in results if value is None]
    if not results:
        messages.info(request, _("No KPI is computed by the app; nothing to refresh."))
    if recorded:
        messages.success(request, _("Computed values recorded for today: %(kpis)s.")
                         % {"kpis": ", ".join(k.ref for k in recorded)})
    if missing:
        messages.warning(request, _("Nothing to measure yet for %(kpis)s; no value recorded.")
                         % {"kpis": ", ".join(f"{k.ref} {k.name}" for k in missing)})
    return redirect("governance:kpi-scorecard", project=access.project.pk)


@login_required
@require_POST
def kpi_record(request, project, pk):
    """Record a value of an entered KPI from its page; a day that already has a value is refused."""
    access = project_access(request.user, project, AREA, "view")
    access.require(AREA, "change")
    kpi = get_object_or_404(Kpi, project=access.project, pk=pk)
    form = KpiValueQuickForm(request.POST)
    if kpi.source != KpiSource.ENTERED:
        messages.error(request, _("%(kpi)s is computed by the app: use “Refresh computed values” on the scorecard.")
                       % {"kpi": kpi})
    elif not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    else:
        value = form.save(commit=False)
        with transaction.atomic():
            if KpiValue.objects.select_for_update().filter(kpi=kpi, measured_on=value.measured_on).exists():
                messages.error(request, _("Measured on: %(kpi)s already has a value on %(day)s; edit it instead.")
                               % {"kpi": kpi.ref, "day": value.measured_on.isoformat()})
            else:
                value.project = access.project
                value.kpi = kpi
                value.origin = ValueOrigin.ENTERED
                save_versioned(value, None)
                messages.success(request, _("Recorded %(value)s for %(kpi)s on %(day)s.")
                                 % {"value": value.value.normalize(), "kpi": kpi.ref, "day": value.measured_on.isoformat()})
    return redirect("governance:kpis-detail", project=access.project.pk, pk=kpi.pk)


def history_workbook(project, as_of: datetime.date) -> bytes:
    """The KPI history workbook: the scorecard on `as_of`, then every value of every KPI."""
    card = kpis.scorecard(project, as_of)
    score_headers = [
        _("Reference"), _("KPI"), _("Owner"), _("Unit"), _("Direction"), _("Baseline"), _("Baseline date"),
        _("Target"), _("Target date"), _("Latest actual"), _("Measured on"), _("Status"), _("Trend"), _("Source"),
    ]
    score_rows = [
        [r["ref"], r["name"], r["owner"], r["unit"], r["direction_label"], r["baseline"], r["baseline_date"] or "",
         r["target"], r["target_date"] or "", r["actual"], r["actual_on"] or "", r["status_label"], r["trend_label"],
         r["source"]]
        for r in card["rows"]
    ]
    history_headers = [_("Reference"), _("KPI"), _("Unit"), _("Measured on"), _("Value"), _("Origin"), _("Note")]
    origins = dict(ValueOrigin.choices)
    values = (
        KpiValue.objects.filter(project=project).select_related("kpi")
        .order_by("kpi__order", "kpi__number", "measured_on")
    )
    history_rows = [
        [v.kpi.ref, v.kpi.name, v.kpi.unit, v.measured_on, float(v.value), str(origins.get(v.origin, v.origin)),
         v.note]
        for v in values
    ]
    return tabular.write_xlsx_sheets([
        (_("Scorecard"), score_headers, score_rows),
        (_("History"), history_headers, history_rows),
    ])


@login_required
def kpi_history_xlsx(request, project):
    """The KPI history workbook (sheets Scorecard and History); `?as_of=` dates the scorecard sheet."""
    access = project_access(request.user, project, AREA, "view")
    as_of = parse_day(request.GET.get("as_of")) or timezone.localdate()
    response = HttpResponse(history_workbook(access.project, as_of), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kpi-history-{as_of.isoformat()}.xlsx"'
    return response


urlpatterns = [
    path("kpis/scorecard/", kpi_scorecard, name="kpi-scorecard"),
    path("kpis/refresh/", kpi_refresh, name="kpi-refresh"),
    path("kpis/history.xlsx", kpi_history_xlsx, name="kpi-history-xlsx"),
    path("kpis/<int:pk>/record/", kpi_record, name="kpi-record"),
]
