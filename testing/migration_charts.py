"""Data migration charts: plain data in, plotly figures out (no request, no ORM).

- `rejected_trend_figure`: rejected records (% of extracted) per object across the mock runs, with
  the overall rate as a dashed dark line under them.
- `reconciled_trend_figure`: reconciled % per object across the runs.

x is the run (its reference, in run order); None leaves a gap (the object was not run or not
measured). Labels are translated when a figure is built; pages embed `figure_html(fig)` after
`localise(fig, language)` (both from projectcrm.core.charts).
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from projectcrm.core.charts import LAYOUT, figure_html, localise  # noqa: F401 (re-exported)

PALETTE = ["#2563eb", "#10b981", "#f59e0b", "#8b5cf6", "#ef4444", "#06b6d4", "#ec4899", "#84cc16", "#64748b", "#f97316"]
OVERALL_COLOUR = "#0f172a"
GRID = "#e2e8f0"


def _layout(fig: go.Figure, y_title: str, runs: Sequence[str]) -> go.Figure:
    fig.update_layout(
        **LAYOUT, height=360, margin={"l": 60, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
        hovermode="x unified",
    )
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(runs), title=_("Mock run"),
                     gridcolor=GRID)
    fig.update_yaxes(title=y_title, ticksuffix="%", rangemode="tozero", gridcolor=GRID)
    return fig


def _line(name: str, runs: Sequence[str], values: Sequence[float | None], colour: str, **kwargs) -> go.Scatter:
    return go.Scatter(
        x=list(runs), y=[None if v is None else round(float(v), 2) for v in values], name=name, mode="lines+markers",
        line={"color": colour, **kwargs.pop("line", {})}, connectgaps=False,
        hovertemplate="%{y}%", **kwargs,
    )


def rejected_trend_figure(runs: Sequence[str], series: dict[str, Sequence[float | None]],
                          overall: Sequence[float | None]) -> go.Figure:
    """runs: labels in order; series: object name -> rejected % per run; overall: the run's rate."""
    fig = go.Figure()
    # The overall line first, so that the objects' lines are drawn over it.
    fig.add_trace(_line(_("All objects"), runs, overall, OVERALL_COLOUR, line={"width": 3, "dash": "dash"}))
    for index, (name, values) in enumerate(series.items()):
        fig.add_trace(_line(name, runs, values, PALETTE[index % len(PALETTE)]))
    # xgettext:no-python-format
    return _layout(fig, _("Rejected (% of extracted)"), runs)


def reconciled_trend_figure(runs: Sequence[str], series: dict[str, Sequence[float | None]]) -> go.Figure:
    """runs: labels in order; series: object name -> reconciled % per run."""
    fig = go.Figure()
    for index, (name, values) in enumerate(series.items()):
        fig.add_trace(_line(name, runs, values, PALETTE[index % len(PALETTE)]))
    fig = _layout(fig, _("Reconciled (%)"), runs)
    fig.update_yaxes(range=[0, 101], rangemode=None)
    return fig
