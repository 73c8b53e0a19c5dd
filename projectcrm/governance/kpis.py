"""KPIs for the steering committee: status against target, trend, warnings, and the scorecard.

Plain calculations first (numbers in, words out; no ORM, no request), then `scorecard(project,
as_of)`, which reads a project's KPIs and values once and applies them, and the figures.

Status of a KPI (its latest actual against its target):

* Target T, amber tolerance t (percent of |T|, default 10), latest actual A.
* Higher is better: A >= T is green; A >= T - t/100·|T| is amber; below that red.
* Lower is better, mirrored: A <= T is green; A <= T + t/100·|T| is amber; above that red.
* No target, or no actual yet: "none".
* Edges count as the better colour (A exactly at T is green, exactly at the band's edge amber);
  the comparison is done in decimals, so 3.3 against T 3 with 10% is amber, not red by rounding.
* The status compares with the target whatever the date: before the target date a red KPI may
  still be on its way. `progress` shows how far it has come: (A - baseline) / (T - baseline),
  clamped to 0..1, when the KPI has both a baseline and a target that differ.

Trend: the last two values (in date order) are compared. "up" or "down" when they differ (by at
least 1e-9), "flat" when equal, "none" with fewer than two values. `better` is True when the
move is in the KPI's direction (up for higher-is-better, down for lower-is-better), False when
against it, None when flat or unknown.

Warnings: more KPIs on the scorecard than the limit (setting PROJECTCRM_SCORECARD_LIMIT, default
7: a committee cannot follow more), and each KPI without an owner, a target (or its date), or a
baseline.

The scorecard reads stored values only (entered, imported, or computed and recorded by
`kpi_sources.record_computed`), and none measured after `as_of`: a report for an earlier date
shows what was known then.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_LIMIT = 7
DEFAULT_TOLERANCE = 10
EPSILON = 1e-9

STATUSES = ("green", "amber", "red", "none")
STATUS_LABELS = {
    "green": gettext_lazy("On target"),
    "amber": gettext_lazy("Close to target"),
    "red": gettext_lazy("Off target"),
    "none": gettext_lazy("No status"),
}
TREND_LABELS = {
    "up": gettext_lazy("Rising"),
    "down": gettext_lazy("Falling"),
    "flat": gettext_lazy("Unchanged"),
    "none": gettext_lazy("No trend yet"),
}
TREND_ARROWS = {"up": "↑", "down": "↓", "flat": "→", "none": ""}

ACTUAL_COLOUR = "#1d4ed8"
TARGET_COLOUR = "#15803d"
BASELINE_COLOUR = "#94a3b8"


# --- Plain calculations ---------------------------------------------------------------------------


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def status(actual, target, direction: str = "higher", tolerance=DEFAULT_TOLERANCE) -> str:
    """"green", "amber", "red" or "none" for the latest actual against the target (see the module doc)."""
    if actual is None or target is None:
        return "none"
    actual, target = _decimal(actual), _decimal(target)
    band = abs(target) * _decimal(tolerance if tolerance is not None else DEFAULT_TOLERANCE) / 100
    if direction == "lower":
        if actual <= target:
            return "green"
        return "amber" if actual <= target + band else "red"
    if actual >= target:
        return "green"
    return "amber" if actual >= target - band else "red"


def progress(actual, baseline, target) -> float | None:
    """How far from the baseline towards the target the actual has come, 0..1 (None without all three)."""
    if actual is None or baseline is None or target is None:
        return None
    span = float(target) - float(baseline)
    if abs(span) < EPSILON:
        return None
    share = (float(actual) - float(baseline)) / span
    return min(1.0, max(0.0, share))


def trend(values, direction: str = "higher") -> tuple[str, bool | None]:
    """(trend, better) from the values in date order: compares the last two (see the module doc)."""
    values = [float(v) for v in values if v is not None]
    if len(values) < 2:
        return "none", None
    change = values[-1] - values[-2]
    if abs(change) < EPSILON:
        return "flat", None
    moved = "up" if change > 0 else "down"
    return moved, (moved == "up") == (direction != "lower")


def kpi_gaps(kpi: dict) -> list[str]:
    """What a KPI (a scorecard row or a dict with owner/target/target_date/baseline) lacks, as words."""
    gaps = []
    if not (kpi.get("owner") or "").strip():
        gaps.append(_("owner"))
    if kpi.get("target") is None:
        gaps.append(_("target"))
    elif not kpi.get("target_date"):
        gaps.append(_("target date"))
    if kpi.get("baseline") is None:
        gaps.append(_("baseline"))
    return gaps


def scorecard_warnings(rows: list[dict], limit: int) -> list[str]:
    """The scorecard's warnings: too many KPIs, then each KPI's missing owner, target or baseline."""
    found = []
    if len(rows) > limit:
        found.append(
            _(
                "The scorecard has %(count)d KPIs; keep it to %(limit)d or fewer so the committee can follow "
                "them (take some off the scorecard)."
            )
            % {"count": len(rows), "limit": limit}
        )
    for row in rows:
        gaps = kpi_gaps(row)
        if gaps:
            found.append(
                _("%(kpi)s is missing: %(missing)s.")
                % {"kpi": f"{row['ref']} {row['name']}", "missing": ", ".join(gaps)}
            )
    return found


def sparkline(values, width: int = 96, height: int = 24, pad: int = 2) -> str:
    """The points of an SVG <polyline> for the values ("" with fewer than two values)."""
    values = [float(v) for v in values if v is not None]
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = high - low or 1.0
    step = (width - 2 * pad) / (len(values) - 1)
    points = []
    for index, value in enumerate(values):
        x = pad + index * step
        y = height - pad - (value - low) / span * (height - 2 * pad) if high > low else height / 2
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def scorecard_limit() -> int:
    return int(getattr(settings, "PROJECTCRM_SCORECARD_LIMIT", DEFAULT_LIMIT))


def _number(value) -> float | None:
    return None if value is None else float(value)


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def build_row(kpi, series: list[tuple[datetime.date, Decimal]]) -> dict:
    """One scorecard row of a KPI (model instance) and its values up to the scorecard's day, oldest first."""
    from .choices import KpiDirection, KpiFrequency, KpiSource

    values = [value for _day, value in series]
    actual = values[-1] if values else None
    row_status = status(actual, kpi.target, kpi.direction, kpi.tolerance)
    moved, better = trend(values, kpi.direction)
    return {
        "pk": kpi.pk,
        "ref": kpi.ref,
        "name": kpi.name,
        "owner": kpi.owner,
        "objective": kpi.objective,
        "unit": kpi.unit,
        "direction": kpi.direction,
        "direction_label": str(KpiDirection(kpi.direction).label),
        "frequency_label": str(KpiFrequency(kpi.frequency).label) if kpi.frequency in KpiFrequency.values else "",
        "baseline": _number(kpi.baseline),
        "baseline_date": _iso(kpi.baseline_date),
        "target": _number(kpi.target),
        "target_date": _iso(kpi.target_date),
        "tolerance": _number(kpi.tolerance),
        "actual": _number(actual),
        "actual_on": _iso(series[-1][0]) if series else None,
        "status": row_status,
        "status_label": str(STATUS_LABELS[row_status]),
        "trend": moved,
        "trend_label": str(TREND_LABELS[moved]),
        "arrow": TREND_ARROWS[moved],
        "better": better,
        "progress": progress(actual, kpi.baseline, kpi.target),
        "source": str(KpiSource(kpi.source).label) if kpi.source in KpiSource.values else kpi.source,
        "computed": kpi.source != KpiSource.ENTERED,
        "series": [[day.isoformat(), float(value)] for day, value in series],
        "spark": sparkline(values[-12:]),
    }


# --- Reading a project ------------------------------------------------------------------------------


def scorecard(project, as_of: datetime.date | None = None) -> dict:
    """The scorecard of a project on a day: the KPIs on the scorecard with their status and trend.

    JSON-serialisable (dates as ISO strings, numbers as floats, labels in the active language), so
    the steering report can freeze it. Values measured after `as_of` (default today) are ignored.
    """
    from .models import Kpi, KpiValue

    as_of = as_of or timezone.localdate()
    kpis = list(Kpi.objects.filter(project=project, on_scorecard=True).order_by("order", "number"))
    series: dict[int, list] = {kpi.pk: [] for kpi in kpis}
    values = (
        KpiValue.objects.filter(kpi__in=[k.pk for k in kpis], measured_on__lte=as_of)
        .order_by("kpi_id", "measured_on")
        .values_list("kpi_id", "measured_on", "value")
    )
    for kpi_id, day, value in values:
        series[kpi_id].append((day, value))
    rows = [build_row(kpi, series[kpi.pk]) for kpi in kpis]
    limit = scorecard_limit()
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row["status"]] += 1
    return {
        "as_of": as_of.isoformat(),
        "limit": limit,
        "warnings": scorecard_warnings(rows, limit),
        "rows": rows,
        "counts": counts,
    }


# --- Figures -------------------------------------------------------------------------------------------


def _extent(row: dict) -> tuple[str, str] | None:
    """The first and last day a KPI's chart spans: baseline, values and target date."""
    days = [d for d in (row.get("baseline_date"), row.get("target_date")) if d]
    days += [day for day, _value in row.get("series") or []]
    if not days:
        return None
    return min(days), max(days)


def _traces(row: dict, show_legend: bool):
    """The plotly traces of one KPI: actuals, the target line (with its date) and the baseline line."""
    import plotly.graph_objects as go

    traces = []
    extent = _extent(row)
    series = row.get("series") or []
    unit = row.get("unit") or ""
    if series:
        traces.append(go.Scatter(
            x=[d for d, _v in series], y=[v for _d, v in series], mode="lines+markers", name=_("Actual"),
            legendgroup="actual", showlegend=show_legend, line={"color": ACTUAL_COLOUR, "width": 2},
            marker={"size": 6}, hovertemplate="%{x}: %{y} " + unit + "<extra></extra>",
        ))
    if extent and row.get("target") is not None:
        traces.append(go.Scatter(
            x=list(extent), y=[row["target"]] * 2, mode="lines", name=_("Target"), legendgroup="target",
            showlegend=show_legend, line={"color": TARGET_COLOUR, "dash": "dash"},
            hovertemplate=_("Target") + ": %{y} " + unit + "<extra></extra>",
        ))
        if row.get("target_date"):
            traces.append(go.Scatter(
                x=[row["target_date"]], y=[row["target"]], mode="markers", name=_("Target date"),
                legendgroup="target-date", showlegend=show_legend,
                marker={"symbol": "star", "size": 11, "color": TARGET_COLOUR},
                hovertemplate=_("Target date") + ": %{x}<extra></extra>",
            ))
    if extent and row.get("baseline") is not None:
        traces.append(go.Scatter(
            x=list(extent), y=[row["baseline"]] * 2, mode="lines", name=_("Baseline"), legendgroup="baseline",
            showlegend=show_legend, line={"color": BASELINE_COLOUR, "dash": "dot"},
            hovertemplate=_("Baseline") + ": %{y} " + unit + "<extra></extra>",
        ))
    return traces


def _title(row: dict) -> str:
    unit = f" ({row['unit']})" if row.get("unit") else ""
    return f"{row['ref']} {row['name']}{unit}"


def kpi_figure(row: dict, language: str | None = None):
    """One KPI's chart (a scorecard row): actuals over time against its target and baseline lines."""
    import plotly.graph_objects as go

    from projectcrm.core.charts import LAYOUT, localise

    language = language or translation.get_language()
    with translation.override(language):
        fig = go.Figure(_traces(row, show_legend=True))
        if not fig.data:
            fig.add_annotation(text=_("No values yet"), showarrow=False, font={"color": "#64748b"})
            fig.update_xaxes(visible=False)
            fig.update_yaxes(visible=False)
        fig.update_layout(
            **LAYOUT, height=280, margin={"l": 50, "r": 20, "t": 20, "b": 40},
            legend={"orientation": "h", "y": -0.2}, yaxis={"title": row.get("unit") or ""},
        )
    return localise(fig, language)


def scorecard_figure(card: dict, language: str | None = None, columns: int = 3):
    """Small multiples of the scorecard (a `scorecard()` dict): one panel per KPI, actuals against
    the target (dashed) and the baseline (dotted)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    from projectcrm.core.charts import LAYOUT, localise

    language = language or translation.get_language()
    rows = card.get("rows") or []
    with translation.override(language):
        if not rows:
            fig = go.Figure()
            fig.add_annotation(text=_("No KPIs on the scorecard"), showarrow=False, font={"color": "#64748b"})
            fig.update_xaxes(visible=False)
            fig.update_yaxes(visible=False)
            fig.update_layout(**LAYOUT, height=160, margin={"l": 20, "r": 20, "t": 20, "b": 20})
            return localise(fig, language)
        columns = max(1, min(columns, len(rows)))
        lines = math.ceil(len(rows) / columns)
        fig = make_subplots(
            rows=lines, cols=columns, subplot_titles=[_title(r) for r in rows],
            vertical_spacing=min(0.12, 0.5 / lines) if lines > 1 else 0.1, horizontal_spacing=0.07,
        )
        for index, row in enumerate(rows):
            for trace in _traces(row, show_legend=index == 0):
                fig.add_trace(trace, row=index // columns + 1, col=index % columns + 1)
        fig.update_annotations(font={"size": 11})
        fig.update_xaxes(tickformat="%Y-%m", nticks=4, tickfont={"size": 9})
        fig.update_yaxes(tickfont={"size": 9})
        fig.update_layout(
            **LAYOUT, height=70 + 230 * lines, margin={"l": 40, "r": 20, "t": 40, "b": 40},
            legend={"orientation": "h", "y": -0.04 if lines > 1 else -0.15},
        )
    return localise(fig, language)
