"""The dashboard's charts, as plotly figures built from the plain data of `sections.build`.

No request, no ORM: each function takes the section's dict (or list) and returns a figure; labels
are translated in the active language. Pages embed them with `core.charts.figure_html`, PDFs as
SVG through `core.charts.figures_svg` (call `localise` first for Chinese fonts).
"""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from projectcrm.core.charts import LAYOUT
from projectcrm.governance import scoring

COLOURS = {"green": "#22c55e", "amber": "#f59e0b", "red": "#ef4444", "grey": "#94a3b8", "blue": "#2563eb"}
# The heat map's cell colours: the same bands as the risk register's table (app.css .heat.*).
HEAT_FILL = {"green": "#bbf7d0", "amber": "#fde68a", "red": "#fca5a5"}
BAR_COLOURS = {"planned": "#94a3b8", "actual": "#1d4ed8", "committed": "#93c5fd"}
PRIORITY_COLOURS = {"critical": "#b91c1c", "high": "#f59e0b", "medium": "#2563eb", "low": "#94a3b8"}


def _layout(fig: go.Figure, height: int, **extra) -> go.Figure:
    fig.update_layout(**LAYOUT, height=height, margin={"l": 60, "r": 20, "t": 30, "b": 50}, **extra)
    return fig


def heat_zone(probability: int, impact: int) -> str:
    """The rating colour of a cell of the 5 x 5 matrix: green, amber or red."""
    return scoring.rating_colour(scoring.risk_score(probability, impact))


def risk_heat_figure(risks: dict) -> go.Figure:
    """Open risks by probability (x) and impact (y): each cell coloured by its rating, with its count."""
    heat = risks["heat"]
    zones = {"green": 0, "amber": 1, "red": 2}
    z = [[zones[heat_zone(p, i)] for p in range(1, 6)] for i in range(1, 6)]
    text = [[str(heat[i - 1][p - 1]) if heat[i - 1][p - 1] else "" for p in range(1, 6)] for i in range(1, 6)]
    scale = [
        [0.0, HEAT_FILL["green"]], [0.333, HEAT_FILL["green"]],
        [0.334, HEAT_FILL["amber"]], [0.666, HEAT_FILL["amber"]],
        [0.667, HEAT_FILL["red"]], [1.0, HEAT_FILL["red"]],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=list(range(1, 6)), y=list(range(1, 6)), text=text, texttemplate="%{text}",
            textfont={"size": 16, "color": "#0f172a"}, colorscale=scale, zmin=0, zmax=2, showscale=False,
            xgap=3, ygap=3, customdata=[[heat[i - 1][p - 1] for p in range(1, 6)] for i in range(1, 6)],
            hovertemplate=_("Probability") + " %{x} · " + _("Impact") + " %{y}: %{customdata}<extra></extra>",
        )
    )
    return _layout(
        fig, 320,
        xaxis={"title": _("Probability"), "dtick": 1, "constrain": "domain"},
        yaxis={"title": _("Impact"), "dtick": 1, "scaleanchor": "x"},
    )


def milestone_slip_figure(milestones: dict) -> go.Figure:
    """Slipped milestones: working days later than the baseline, and days past the planned date."""
    rows = milestones["slipped"][:15]
    labels = [f"{m['ref']} {m['name'][:40]}" for m in rows]
    fig = go.Figure()
    fig.add_bar(
        name=_("Later than the baseline (working days)"), x=[max(0, m["slip_days"] or 0) for m in rows], y=labels,
        orientation="h", marker={"color": COLOURS["amber"]},
    )
    fig.add_bar(
        name=_("Past the planned date (days)"), x=[m["overdue_days"] for m in rows], y=labels,
        orientation="h", marker={"color": COLOURS["red"]},
    )
    return _layout(
        fig, max(200, 90 + 30 * len(rows)), barmode="group", legend={"orientation": "h", "y": -0.2, "x": 0},
        xaxis={"title": _("Days"), "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True},
    )


def budget_figure(budget: dict) -> go.Figure:
    """Planned against actual spend (and committed on top of actual) per budget category."""
    rows = budget["rows"]
    categories = [r["category"] for r in rows]
    actual = [r["actual"] for r in rows]
    fig = go.Figure()
    fig.add_bar(name=_("Planned"), x=categories, y=[r["planned"] for r in rows], offsetgroup="planned",
                marker={"color": BAR_COLOURS["planned"]})
    fig.add_bar(name=_("Actual"), x=categories, y=actual, offsetgroup="spent", marker={"color": BAR_COLOURS["actual"]})
    fig.add_bar(name=_("Committed"), x=categories, y=[r["committed"] for r in rows], base=actual, offsetgroup="spent",
                marker={"color": BAR_COLOURS["committed"]})
    return _layout(
        fig, 320, barmode="group", legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={"title": _("Amount"), "separatethousands": True}, xaxis={"automargin": True},
    )


def issues_figure(issues: dict) -> go.Figure:
    """Open issues by priority, the overdue ones shown apart."""
    rows = issues["by_priority"]
    labels = [r["label"] for r in rows]
    fig = go.Figure()
    fig.add_bar(name=_("Overdue"), x=labels, y=[r["overdue"] for r in rows], marker={"color": COLOURS["red"]})
    fig.add_bar(name=_("Not overdue"), x=labels, y=[r["open"] - r["overdue"] for r in rows],
                marker={"color": [PRIORITY_COLOURS.get(r["priority"], COLOURS["grey"]) for r in rows], "opacity": 0.6})
    return _layout(
        fig, 280, barmode="stack", legend={"orientation": "h", "y": 1.15, "x": 0},
        yaxis={"title": _("Open issues"), "rangemode": "tozero"},
    )


def dashboard_figures(data: dict) -> dict:
    """The figures the dashboard has data for: {"risks", "milestones", "budget", "issues"} (each optional)."""
    figures = {}
    if data["risks"]["open"]:
        figures["risks"] = risk_heat_figure(data["risks"])
    if data["milestones"]["slipped"]:
        figures["milestones"] = milestone_slip_figure(data["milestones"])
    if data["budget"]["has_data"]:
        figures["budget"] = budget_figure(data["budget"])
    if data["issues"]["open"]:
        figures["issues"] = issues_figure(data["issues"])
    return figures
