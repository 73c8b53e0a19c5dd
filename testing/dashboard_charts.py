"""Charts of the test dashboard: plain data in, plotly figures out (no request, no ORM).

- `burnup_figure`: per cycle, cases executed at least once and cases passing per day against the
  scope line; with several cycles, one chart with a drop-down that shows one cycle at a time.
- `pass_rate_figure`: pass rate per cycle as bars (green at or above the cycle's minimum, red below,
  grey when nothing is executed), the minimum as a marker.
- `ageing_figure`: open defects per age bucket, stacked by severity.
- `flow_figure`: defects raised and closed per week (bars) with the open count (line).

Labels are translated when a figure is built. Pages embed `figure_html(fig)` after
`localise(fig, language)` (both from projectcrm.core.charts).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from projectcrm.core.charts import LAYOUT, figure_html, localise  # noqa: F401 (re-exported)

SCOPE_COLOUR = "#64748b"
EXECUTED_COLOUR = "#2563eb"
PASSED_COLOUR = "#16a34a"
FAILED_COLOUR = "#dc2626"
EMPTY_COLOUR = "#cbd5e1"
MINIMUM_COLOUR = "#0f172a"
ARRIVED_COLOUR = "#f59e0b"
CLOSED_COLOUR = "#10b981"
OPEN_COLOUR = "#dc2626"
SEVERITY_COLOURS = {1: "#b91c1c", 2: "#f97316", 3: "#facc15", 4: "#94a3b8"}
GRID = "#e2e8f0"
LEGEND = {"orientation": "h", "y": -0.15, "yanchor": "top", "x": 0, "xanchor": "left"}


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, datetime.date) else str(day)


def _count_axis(title: str, top: float) -> dict:
    """A y axis of whole numbers from 0 (one tick per number while the numbers are small)."""
    axis = {"title": {"text": title}, "range": [0, top * 1.08], "gridcolor": GRID, "automargin": True, "tickformat": ",d"}
    if top <= 10:
        axis["dtick"] = 1
    return axis


@dataclass(frozen=True)
class BurnUpSeries:
    name: str  # the cycle's reference and name
    days: Sequence[datetime.date]
    executed: Sequence[int]
    passed: Sequence[int]
    scope: int


def burnup_figure(series: Sequence[BurnUpSeries], shown: int = 0) -> go.Figure:
    """Executed (at least once) and passed cases per day against the scope, one cycle at a time.

    With more than one cycle a drop-down above the plot picks the cycle; `shown` is the index of
    the one shown first. Each series needs one executed and one passed count per day.
    """
    for s in series:
        if len(s.executed) != len(s.days) or len(s.passed) != len(s.days):
            raise ValueError(_("The burn-up needs one executed and one passed count per day."))
    fig = go.Figure()
    for i, s in enumerate(series):
        x = [_iso(d) for d in s.days]
        visible = i == shown
        day = _("Day %{x|%Y-%m-%d}")
        fig.add_trace(go.Scatter(
            name=_("Scope (cases in the cycle)"), x=x, y=[s.scope] * len(x), mode="lines", visible=visible,
            line={"color": SCOPE_COLOUR, "width": 2, "dash": "dash"}, legendgroup="scope",
            hovertemplate=day + "<br>" + _("Scope") + ": %{y:,d}<extra></extra>",
        ))
        fig.add_trace(go.Scatter(
            name=_("Executed at least once"), x=x, y=list(s.executed), mode="lines", visible=visible,
            line={"color": EXECUTED_COLOUR, "width": 3, "shape": "hv"}, legendgroup="executed",
            hovertemplate=day + "<br>" + _("Executed") + ": %{y:,d}<extra></extra>",
        ))
        fig.add_trace(go.Scatter(
            name=_("Passed (latest execution)"), x=x, y=list(s.passed), mode="lines", visible=visible,
            line={"color": PASSED_COLOUR, "width": 3, "shape": "hv"}, fill="tozeroy",
            fillcolor="rgba(22, 163, 74, 0.10)", legendgroup="passed",
            hovertemplate=day + "<br>" + _("Passed") + ": %{y:,d}<extra></extra>",
        ))
    layout = dict(
        LAYOUT, height=380, margin={"l": 10, "r": 20, "t": 60 if len(series) > 1 else 20, "b": 40},
        hovermode="x unified", legend=LEGEND,
        xaxis={"type": "date", "gridcolor": GRID, "automargin": True, "tickformat": "%Y-%m-%d"},
        yaxis=_count_axis(_("Test cases"), max([s.scope for s in series] + [max(s.executed, default=0) for s in series] + [1])),
    )
    if len(series) > 1:
        buttons = []
        for i, s in enumerate(series):
            visible = [j // 3 == i for j in range(3 * len(series))]
            buttons.append({"label": s.name, "method": "update", "args": [{"visible": visible}, {"xaxis.autorange": True}]})
        layout["updatemenus"] = [{"buttons": buttons, "active": shown, "x": 0, "xanchor": "left", "y": 1.12,
                                  "yanchor": "bottom", "direction": "down", "showactive": True}]
    fig.update_layout(layout)
    return fig


def pass_rate_figure(names: Sequence[str], rates: Sequence[float | None], minimums: Sequence[float],
                     texts: Sequence[str]) -> go.Figure:
    """Pass rate (0..100, None when nothing is executed) per cycle, with each cycle's minimum."""
    if not (len(names) == len(rates) == len(minimums) == len(texts)):
        raise ValueError(_("The pass-rate chart needs one rate, minimum and text per cycle."))
    colours = [EMPTY_COLOUR if r is None else PASSED_COLOUR if r >= m else FAILED_COLOUR
               for r, m in zip(rates, minimums, strict=True)]
    fig = go.Figure()
    fig.add_trace(go.Bar(
        name=_("Pass rate"), x=list(names), y=[0 if r is None else r for r in rates], marker={"color": colours},
        text=list(texts), textposition="outside", cliponaxis=False,
        hovertemplate="%{x}<br>" + _("Pass rate") + ": %{text}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        name=_("Minimum pass rate"), x=list(names), y=list(minimums), mode="markers",
        marker={"symbol": "line-ew-open", "size": 30, "color": MINIMUM_COLOUR, "line": {"width": 3, "color": MINIMUM_COLOUR}},
        hovertemplate="%{x}<br>" + _("Minimum pass rate") + ": %{y:g}%<extra></extra>",
    ))
    fig.update_layout(
        LAYOUT, height=340, margin={"l": 10, "r": 20, "t": 30, "b": 40}, legend=LEGEND, showlegend=True,
        xaxis={"type": "category", "automargin": True},
        yaxis={"title": {"text": _("Pass rate (%)")}, "range": [0, 110], "gridcolor": GRID, "automargin": True,
               "ticksuffix": "%"},
    )
    return fig


def ageing_figure(buckets: Sequence[str], counts: dict[int, Sequence[int]], labels: dict[int, str]) -> go.Figure:
    """Open defects per age bucket, stacked by severity (`counts[severity]` has one count per bucket)."""
    fig = go.Figure()
    for severity, values in counts.items():
        if len(values) != len(buckets):
            raise ValueError(_("The ageing chart needs one count per age bucket for each severity."))
        fig.add_trace(go.Bar(
            name=labels.get(severity, str(severity)), x=list(buckets), y=list(values),
            marker={"color": SEVERITY_COLOURS.get(severity, SCOPE_COLOUR)},
            hovertemplate="%{x}<br>" + labels.get(severity, str(severity)) + ": %{y:,d}<extra></extra>",
        ))
    top = max([sum(column) for column in zip(*counts.values(), strict=True)] + [1]) if counts else 1
    fig.update_layout(
        LAYOUT, barmode="stack", height=320, margin={"l": 10, "r": 20, "t": 20, "b": 40},
        legend={**LEGEND, "traceorder": "normal"},
        xaxis={"type": "category", "title": {"text": _("Age")}, "automargin": True},
        yaxis=_count_axis(_("Open defects"), top),
    )
    return fig


def flow_figure(weeks: Sequence[datetime.date], arrived: Sequence[int], closed: Sequence[int],
                open_counts: Sequence[int]) -> go.Figure:
    """Defects raised and closed per week (weeks named by their Monday), and the open count at each week's end."""
    if not (len(weeks) == len(arrived) == len(closed) == len(open_counts)):
        raise ValueError(_("The defect flow chart needs one value of each kind per week."))
    x = [_iso(w) for w in weeks]
    week = _("Week of %{x}")
    fig = go.Figure()
    fig.add_trace(go.Bar(name=_("Raised"), x=x, y=list(arrived), marker={"color": ARRIVED_COLOUR},
                         hovertemplate=week + "<br>" + _("Raised") + ": %{y:,d}<extra></extra>"))
    fig.add_trace(go.Bar(name=_("Closed or rejected"), x=x, y=list(closed), marker={"color": CLOSED_COLOUR},
                         hovertemplate=week + "<br>" + _("Closed or rejected") + ": %{y:,d}<extra></extra>"))
    fig.add_trace(go.Scatter(name=_("Open at the end of the week"), x=x, y=list(open_counts), mode="lines+markers",
                             line={"color": OPEN_COLOUR, "width": 3}, marker={"size": 5},
                             hovertemplate=week + "<br>" + _("Open") + ": %{y:,d}<extra></extra>"))
    fig.update_layout(
        LAYOUT, barmode="group", height=360, margin={"l": 10, "r": 20, "t": 20, "b": 40}, legend=LEGEND,
        hovermode="x unified",
        xaxis={"type": "category", "title": {"text": _("Week (from Monday)")}, "automargin": True},
        yaxis=_count_axis(_("Defects"), max([*arrived, *closed, *open_counts, 1])),
    )
    return fig
