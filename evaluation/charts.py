"""Evaluation charts: plain data in, plotly figures out (no request, no ORM); SVG for the PDFs.

Candidates are always passed in ranking order (best first) and keep one colour each in every
chart (`candidate_colours`); the stacked bar colours its segments by category from a second
palette, so a category is never mistaken for a candidate. Points are out of 100 as in
`scoring.Totals`; probabilities are fractions of 1 as in `sensitivity.MonteCarloResult`. Candidate
names must be distinct (they are the bars' categories); labels are translated when a figure is built.

Pages embed `figure_html(fig)` (plotly.js comes from our static files). PDFs embed the same
figures as inline SVG from `figures_svg([...])`, which starts Debian's chromium once for all the
figures of a report (kaleido). Call `localise(fig, language)` before either for Chinese fonts.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# One colour per candidate, by ranking position (the leader is always blue).
CANDIDATE_PALETTE = [
    "#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6",
    "#06b6d4", "#ec4899", "#84cc16", "#64748b", "#f97316",
]
# Segments of the stacked bar: one colour per criteria category, muted so they read as parts.
CATEGORY_PALETTE = [
    "#1e3a8a", "#3b82f6", "#93c5fd", "#0f766e", "#5eead4",
    "#a16207", "#fcd34d", "#7c3aed", "#c4b5fd", "#9ca3af",
    "#be123c", "#fda4af", "#166534", "#86efac", "#334155",
]
# The shared plumbing (fonts, page embed, SVG export) lives in projectcrm.core.charts.
from projectcrm.core.charts import (  # noqa: E402, F401 (re-exported for the area's callers)
    CHART_FONTS,
    CHROMIUM,
    FONT,
    LAYOUT,
    figure_html,
    figures_svg,
    localise,
    svg_data_url,
)


def candidate_colours(candidates: Sequence[str]) -> dict[str, str]:
    """Candidate -> colour, by position in the ranking order given (the palette repeats after 10)."""
    return {name: CANDIDATE_PALETTE[i % len(CANDIDATE_PALETTE)] for i, name in enumerate(candidates)}


def _check_rows(candidates, categories, rows) -> list[list[float]]:
    if len(rows) != len(candidates) or any(len(row) != len(categories) for row in rows):
        raise ValueError(_("The chart needs one row per candidate and one value per category in each row."))
    return [[float(v) for v in row] for row in rows]


def contributions_figure(
    candidates: Sequence[str], categories: Sequence[str], points: Sequence[Sequence[float]], title: str | None = None
) -> go.Figure:
    """Horizontal stacked bar: each candidate's total out of 100, one segment per category.

    `points[i][j]`: candidate i's points from category j (`CandidateTotal.contributions`).
    The first candidate is drawn at the top; each bar ends with its total.
    """
    rows = _check_rows(candidates, categories, points)
    fig = go.Figure()
    for j, category in enumerate(categories):
        fig.add_trace(
            go.Bar(
                name=category, orientation="h", y=list(candidates), x=[row[j] for row in rows],
                marker={"color": CATEGORY_PALETTE[j % len(CATEGORY_PALETTE)], "line": {"color": "#ffffff", "width": 1}},
                hovertemplate="<b>%{y}</b><br>%{fullData.name}<br>" + _("Points") + ": %{x:.1f}<extra></extra>",
            )
        )
    totals = [sum(row) for row in rows]
    # All labels in one layout update: add_annotation one by one slows down as they pile up.
    annotations = [
        {"x": total, "y": name, "text": f"<b>{total:.1f}</b>", "showarrow": False, "xanchor": "left", "xshift": 4,
         "font": {"size": 12, "color": "#0f172a"}}
        for name, total in zip(candidates, totals, strict=True)
    ]
    fig.update_layout(
        LAYOUT,
        annotations=annotations,
        barmode="stack",
        # The legend (one line per category) sits right of the bars, so many categories never
        # squeeze the bars; the figure is as tall as the taller of the two.
        height=max(280, 110 + 46 * len(candidates), 90 + 21 * len(categories)),
        margin={"l": 10, "r": 20, "t": 50 if title else 20, "b": 50},
        title={"text": title, "x": 0, "xanchor": "left", "y": 0.98, "yref": "container", "yanchor": "top"} if title else None,
        xaxis={
            "title": {"text": _("Points (of 100)")}, "range": [0, max(110, max(totals, default=0) + 10)],
            "tickvals": list(range(0, 101, 10)), "showgrid": True, "gridcolor": "#e2e8f0", "zeroline": False,
        },
        yaxis={"categoryorder": "array", "categoryarray": list(candidates), "autorange": "reversed", "automargin": True},
        legend={"orientation": "v", "y": 1, "yanchor": "top", "x": 1.02, "xanchor": "left", "traceorder": "normal"},
    )
    return fig


def radar_figure(candidates: Sequence[str], categories: Sequence[str], scores: Sequence[Sequence[float]]) -> go.Figure:
    """Each candidate's score per category (0-100, `CandidateTotal.category_scores`), one polygon each.

    Every trace repeats its first point at the end so the outline closes.
    """
    rows = _check_rows(candidates, categories, scores)
    colours = candidate_colours(candidates)
    theta = list(categories) + list(categories[:1])
    fig = go.Figure()
    for name, row in zip(candidates, rows, strict=True):
        fig.add_trace(
            go.Scatterpolar(
                name=name, r=row + row[:1], theta=theta, mode="lines+markers", fill="toself",
                line={"color": colours[name], "width": 2}, marker={"size": 5}, opacity=0.85,
                fillcolor=_transparent(colours[name], 0.08),
                hovertemplate="<b>%{fullData.name}</b><br>%{theta}: %{r:.0f}<extra></extra>",
            )
        )
    fig.update_layout(
        LAYOUT,
        height=520,
        # Room for long category names at the sides of the circle.
        margin={"l": 150, "r": 150, "t": 40, "b": 40},
        polar={
            # The radial scale runs between the first two categories, clear of their labels.
            "radialaxis": {
                "range": [0, 100], "tickvals": [20, 40, 60, 80, 100], "gridcolor": "#e2e8f0",
                "angle": 90 - 180 / max(len(categories), 1), "tickfont": {"size": 10, "color": "#64748b"},
            },
            "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": "#e2e8f0"},
            "bgcolor": "#ffffff",
        },
        legend={"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0.5, "xanchor": "center"},
    )
    return fig


def value_for_money_figure(
    candidates: Sequence[str], value_scores: Sequence[float], costs: Sequence[float], cost_label: str
) -> go.Figure:
    """Value score (0-100, up) against cost (e.g. the NPV of the TCO, right); better is up and left.

    Dotted lines at the median cost and the median value split the field into quadrants.
    """
    if not len(candidates) == len(value_scores) == len(costs):
        raise ValueError(_("Every candidate needs one value score and one cost."))
    values = [float(v) for v in value_scores]
    money = [float(c) for c in costs]
    colours = candidate_colours(candidates)
    fig = go.Figure()
    for name, value, cost in zip(candidates, values, money, strict=True):
        fig.add_trace(
            go.Scatter(
                name=name, x=[cost], y=[value], text=[name], mode="markers+text", textposition="top center",
                marker={"size": 14, "color": colours[name], "line": {"color": "#ffffff", "width": 1}},
                cliponaxis=False, showlegend=False,
                hovertemplate="<b>%{text}</b><br>" + cost_label + ": %{x:,.0f}<br>" + pgettext("value for money", "Value") + ": %{y:.1f}<extra></extra>",
            )
        )
    if money:
        mid_cost, mid_value = statistics.median(money), statistics.median(values)
        hint = {"color": "#94a3b8", "dash": "dot", "width": 1}
        fig.add_shape(type="line", x0=mid_cost, x1=mid_cost, y0=0, y1=1, yref="paper", line=hint)
        fig.add_shape(type="line", x0=0, x1=1, xref="paper", y0=mid_value, y1=mid_value, line=hint)
    fig.add_annotation(
        x=0, y=1, xref="paper", yref="paper", xanchor="left", yanchor="bottom", yshift=4, showarrow=False, align="left",
        text="↖ " + _("Better: lower cost, higher value"), font={"size": 11, "color": "#166534"},
        bgcolor="rgba(220, 252, 231, 0.8)",
    )
    low, high = min(values, default=0.0), max(values, default=100.0)
    cheapest, dearest = min(money, default=0.0), max(money, default=1.0)
    pad = (dearest - cheapest) * 0.12 or abs(dearest) * 0.1 or 1.0  # room for the labels at both ends
    fig.update_layout(
        LAYOUT,
        height=440,
        margin={"l": 10, "r": 30, "t": 40, "b": 40},  # the hint sits above the plot, clear of the points
        xaxis={"title": {"text": cost_label}, "tickformat": ",.0f", "gridcolor": "#e2e8f0", "zeroline": False,
               "range": [cheapest - pad, dearest + pad], "automargin": True},
        yaxis={"title": {"text": _("Value score (of 100)")}, "gridcolor": "#e2e8f0", "zeroline": False,
               "range": [max(0.0, low - 10), min(100.0, high + 10) + 5], "automargin": True},
    )
    return fig


def first_place_figure(candidates: Sequence[str], probabilities: Sequence[float]) -> go.Figure:
    """Each candidate's probability of ranking first (fractions of 1, as `monte_carlo` returns)."""
    if len(candidates) != len(probabilities):
        raise ValueError(_("Every candidate needs one probability."))
    shares = [float(p) for p in probabilities]
    colours = candidate_colours(candidates)
    fig = go.Figure(
        go.Bar(
            x=list(candidates), y=shares, marker={"color": [colours[c] for c in candidates]},
            text=[f"{p:.0%}" for p in shares], textposition="outside", cliponaxis=False,
            hovertemplate="<b>%{x}</b><br>" + _("Probability of ranking first") + ": %{y:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        LAYOUT,
        height=360,
        margin={"l": 10, "r": 20, "t": 30, "b": 40},
        showlegend=False,
        xaxis={"categoryorder": "array", "categoryarray": list(candidates), "automargin": True},
        yaxis={"title": {"text": _("Probability of ranking first")}, "range": [0, 1.08], "tickformat": ".0%",
               "tickvals": [0, 0.25, 0.5, 0.75, 1], "gridcolor": "#e2e8f0", "automargin": True},
    )
    return fig


def _transparent(hex_colour: str, alpha: float) -> str:
    red, green, blue = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"
