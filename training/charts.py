"""Training and adoption charts: plain data in, plotly figures out (no request, no ORM).

Four figures, each built from lists the views (or a report) compute:

- `readiness_heatmap`: department x course, the share of required people signed off (0..100 %),
  red -> amber -> green, each cell reading "signed/required"; empty where nobody needs the course.
- `burnup_figure`: cumulative signed-off (person, course) pairs by week against the scope, with the
  go-live and today as vertical lines.
- `adoption_trend_figure`: active-user rates by week (fractions 0..1, shown as %), one line per
  series, gaps for weeks without data; the target as a dashed step line and the 80% rule dotted.
- `laggards_by_manager_figure`: per manager, people who never logged in and people inactive for
  7 days, as stacked horizontal bars.

Labels are translated when a figure is built. Pages embed `figure_html(fig)`, PDFs `figures_svg`;
call `localise(fig, language)` first for Chinese fonts (all three re-exported from projectcrm.core.charts).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from projectcrm.core.charts import LAYOUT, figure_html, figures_svg, localise, svg_data_url  # noqa: F401 (re-exported)

# Red (nobody ready) -> amber (half) -> green (everyone), the same stops on every page and PDF; light
# enough for dark cell text (a yellow-green between amber and green, not the olive of a straight blend).
READINESS_SCALE = [[0.0, "#f87171"], [0.5, "#fbbf24"], [0.75, "#a3e635"], [1.0, "#4ade80"]]
WIDE_HEATMAP = 12  # courses beyond which the heat map gets a fixed width of CELL_WIDTH pixels per course
CELL_WIDTH = 64
SIGNED_COLOUR = "#2563eb"
SCOPE_COLOUR = "#64748b"
GO_LIVE_COLOUR = "#dc2626"
TODAY_COLOUR = "#0f172a"
TARGET_COLOUR = "#0f172a"
RULE_COLOUR = "#94a3b8"
NEVER_COLOUR = "#dc2626"
INACTIVE_COLOUR = "#f59e0b"
# One colour per adoption series (the project line first, then departments or roles).
SERIES_PALETTE = [
    "#2563eb", "#10b981", "#f59e0b", "#8b5cf6", "#ef4444",
    "#06b6d4", "#ec4899", "#84cc16", "#64748b", "#f97316",
]
ADOPTION_RULE = 0.8  # the common rule: aim for 80% of the users, then plan for the rest
GRID = "#e2e8f0"


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, datetime.date) else str(day)


def _vertical_line(fig: go.Figure, day, text: str, colour: str, dash: str, side: str = "left", row: int = 0):
    """A vertical line at a date with its label above the plot, on the `side` of the line, in label
    row `row` (0 just above the plot, 1 above that). (add_vline's annotation cannot average date
    strings, so the shape and its label are added separately.)"""
    x = _iso(day)
    fig.add_shape(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper", line={"color": colour, "dash": dash, "width": 2})
    fig.add_annotation(
        x=x, y=1, yref="paper", text=text, showarrow=False, yanchor="bottom", yshift=15 * row,
        xanchor="right" if side == "left" else "left", xshift=-3 if side == "left" else 3,
        font={"size": 11, "color": colour},
    )


# --- Readiness ------------------------------------------------------------------------------------


def readiness_heatmap(
    departments: Sequence[str],
    courses: Sequence[str],
    percents: Sequence[Sequence[float | None]],
    labels: Sequence[Sequence[str]],
    title: str | None = None,
    details: Sequence[Sequence[str]] | None = None,
) -> go.Figure:
    """Department (rows, first at the top) x course (columns): percent of required pairs signed off.

    `percents[i][j]` is 0..100 or None when nobody in department i needs course j (an empty cell);
    `labels[i][j]` is the cell's text, "signed/required" (e.g. "3/4"), "" for an empty cell.
    `details[i][j]`, optional, is more hover text for the cell (e.g. the full course title and
    the counts of each stage; `<br>` breaks lines). Department and course names must be distinct
    (they are the axes' categories).
    """
    if len(percents) != len(departments) or any(len(row) != len(courses) for row in percents):
        raise ValueError(_("The heat map needs one row per department and one value per course in each row."))
    if len(labels) != len(departments) or any(len(row) != len(courses) for row in labels):
        raise ValueError(_("The heat map needs one label per department and course."))
    if details is not None and (len(details) != len(departments) or any(len(row) != len(courses) for row in details)):
        raise ValueError(_("The heat map needs one hover text per department and course."))
    z = [[None if v is None else float(v) for v in row] for row in percents]
    text = [[label if value is not None else "" for label, value in zip(lrow, zrow, strict=True)]
            for lrow, zrow in zip(labels, z, strict=True)]
    extra = [list(row) for row in details] if details is not None else [[""] * len(courses) for _row in departments]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=list(courses), y=list(departments), text=text, texttemplate="%{text}",
            textfont={"size": 13, "color": "#0f172a"}, colorscale=READINESS_SCALE, zmin=0, zmax=100, xgap=2, ygap=2,
            hoverongaps=False,
            colorbar={"title": {"text": _("Signed off")}, "tickmode": "array", "tickvals": [0, 25, 50, 75, 100],
                      "ticktext": ["0%", "25%", "50%", "75%", "100%"],
                      "thickness": 14},
            customdata=extra,
            hovertemplate=(
                "<b>%{y}</b><br>%{x}<br>" + _("Signed off") + ": %{text}<br>" + _("Readiness") + ": %{z:.0f}%"
                + "<br>%{customdata}<extra></extra>"
            ),
        )
    )
    # Past a dozen courses the cells would be too narrow for their text: the figure takes a fixed
    # width instead (the page scrolls it sideways) rather than squeezing the columns.
    wide = len(courses) > WIDE_HEATMAP
    fig.update_layout(
        LAYOUT,
        height=max(260, 150 + 44 * len(departments)),
        width=220 + CELL_WIDTH * len(courses) if wide else None,
        autosize=not wide,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        title={"text": title, "x": 0, "xanchor": "left"} if title else None,
        xaxis={"side": "top", "categoryorder": "array", "categoryarray": list(courses), "automargin": True,
               "tickangle": -30 if len(courses) > 6 else 0},
        yaxis={"categoryorder": "array", "categoryarray": list(departments), "autorange": "reversed",
               "automargin": True},
    )
    return fig


def burnup_figure(
    weeks: Sequence[datetime.date],
    signed: Sequence[float | None],
    scope: Sequence[float | None] | float,
    go_live: datetime.date | None,
    today: datetime.date | None,
) -> go.Figure:
    """Cumulative signed-off (person, course) pairs by week against the scope (required pairs).

    `weeks[i]` is where week i's point is drawn (pass the week's last day: the count is as of then);
    `signed[i]` is the count at the end of that week (None for weeks still to come: the line stops); `scope` is one number, or one per week when people join or leave. The go-live and today
    are vertical lines when given.
    """
    if len(signed) != len(weeks):
        raise ValueError(_("The burn-up needs one signed-off count per week."))
    if isinstance(scope, (int, float)):
        scope_values = [float(scope)] * len(weeks)
    else:
        if len(scope) != len(weeks):
            raise ValueError(_("The burn-up needs one scope value per week."))
        scope_values = [None if v is None else float(v) for v in scope]
    x = [_iso(w) for w in weeks]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            name=_("Required (scope)"), x=x, y=scope_values, mode="lines", line={"color": SCOPE_COLOUR, "width": 2, "shape": "hv"},
            hovertemplate=_("Week of %{x|%Y-%m-%d}") + "<br>" + _("Required") + ": %{y:,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            name=_("Signed off"), x=x, y=[None if v is None else float(v) for v in signed], mode="lines+markers",
            connectgaps=False, line={"color": SIGNED_COLOUR, "width": 3}, marker={"size": 5},
            fill="tozeroy", fillcolor="rgba(37, 99, 235, 0.10)",
            hovertemplate=_("Week of %{x|%Y-%m-%d}") + "<br>" + _("Signed off") + ": %{y:,.0f}<extra></extra>",
        )
    )
    if go_live is not None:
        # The go-live's label sits a row above today's, so the two never overlap when close.
        _vertical_line(fig, go_live, _("Go-live"), GO_LIVE_COLOUR, "dash", side="left", row=1)
    if today is not None:
        _vertical_line(fig, today, _("Today"), TODAY_COLOUR, "dot", side="left" if go_live and today >= go_live else "right")
    top = max([v for v in scope_values if v is not None] + [float(v) for v in signed if v is not None] + [1.0])
    fig.update_layout(
        LAYOUT,
        height=380,
        margin={"l": 10, "r": 20, "t": 50, "b": 40},
        hovermode="x unified",
        xaxis={"type": "date", "gridcolor": GRID, "automargin": True, "tickformat": "%Y-%m-%d"},
        yaxis={"title": {"text": _("People x courses signed off")}, "rangemode": "tozero", "range": [0, top * 1.08],
               "gridcolor": GRID, "automargin": True, "tickformat": ",d"},
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
    )
    return fig


# --- Adoption -------------------------------------------------------------------------------------


def adoption_trend_figure(
    weeks: Sequence[datetime.date],
    series: dict[str, Sequence[float | None]],
    target: Sequence[float | None] | None = None,
) -> go.Figure:
    """Active-user rate by week (fractions 0..1, shown as %), one line per series.

    `series` maps a name (e.g. "Whole project", "Sales") to one rate per week, None for weeks
    without data (the line breaks there; gaps are not bridged). `target` is one rate per week
    (None where no target applies), drawn as a dashed step line; the 80% rule is a dotted line.
    """
    x = [_iso(w) for w in weeks]
    for name, values in series.items():
        if len(values) != len(weeks):
            raise ValueError(_("Every adoption series needs one value per week (%(name)s).") % {"name": name})
    if target is not None and len(target) != len(weeks):
        raise ValueError(_("The adoption target needs one value per week."))
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        colour = SERIES_PALETTE[i % len(SERIES_PALETTE)]
        fig.add_trace(
            go.Scatter(
                name=name, x=x, y=[None if v is None else float(v) for v in values], mode="lines+markers",
                connectgaps=False, line={"color": colour, "width": 3 if i == 0 else 2}, marker={"size": 6 if i == 0 else 4},
                hovertemplate="<b>%{fullData.name}</b><br>" + _("Week of %{x|%Y-%m-%d}") + "<br>"
                + _("Active users") + ": %{y:.0%}<extra></extra>",
            )
        )
    if target is not None and any(v is not None for v in target):
        fig.add_trace(
            go.Scatter(
                name=_("Target"), x=x, y=[None if v is None else float(v) for v in target], mode="lines",
                connectgaps=False, line={"color": TARGET_COLOUR, "width": 2, "dash": "dash", "shape": "hv"},
                hovertemplate=_("Target") + ": %{y:.0%}<extra></extra>",
            )
        )
    fig.add_shape(type="line", x0=0, x1=1, xref="paper", y0=ADOPTION_RULE, y1=ADOPTION_RULE,
                  line={"color": RULE_COLOUR, "dash": "dot", "width": 1.5})
    fig.add_annotation(
        x=0, xref="paper", y=ADOPTION_RULE, text=_("The 80 percent rule"), showarrow=False, xanchor="left", yanchor="bottom",
        font={"size": 11, "color": "#475569"},
    )
    fig.update_layout(
        LAYOUT,
        height=400,
        margin={"l": 10, "r": 20, "t": 30, "b": 40},
        xaxis={"type": "date", "gridcolor": GRID, "automargin": True, "tickformat": "%Y-%m-%d"},
        yaxis={"title": {"text": _("Active users (of licensed)")}, "range": [0, 1.05], "tickformat": ".0%",
               "tickvals": [0, 0.2, 0.4, 0.6, 0.8, 1.0], "gridcolor": GRID, "automargin": True},
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
    )
    return fig


def laggards_by_manager_figure(managers: Sequence[str], never: Sequence[int], inactive: Sequence[int]) -> go.Figure:
    """Per manager (first at the top): people who never logged in, and people inactive 7 days, stacked.

    Manager names must be distinct (they are the bars' categories); each bar ends with its total.
    """
    if not len(managers) == len(never) == len(inactive):
        raise ValueError(_("Every manager needs one count of people who never logged in and one of inactive people."))
    names = list(managers)
    fig = go.Figure()
    for label, values, colour in (
        (_("Never logged in"), never, NEVER_COLOUR),
        (_("Inactive for 7 days"), inactive, INACTIVE_COLOUR),
    ):
        fig.add_trace(
            go.Bar(
                name=label, orientation="h", y=names, x=[int(v) for v in values],
                marker={"color": colour, "line": {"color": "#ffffff", "width": 1}},
                hovertemplate="<b>%{y}</b><br>%{fullData.name}: %{x}<extra></extra>",
            )
        )
    totals = [int(a) + int(b) for a, b in zip(never, inactive, strict=True)]
    annotations = [
        {"x": total, "y": name, "text": f"<b>{total}</b>", "showarrow": False, "xanchor": "left", "xshift": 4,
         "font": {"size": 12, "color": "#0f172a"}}
        for name, total in zip(names, totals, strict=True)
    ]
    fig.update_layout(
        LAYOUT,
        annotations=annotations,
        barmode="stack",
        height=max(240, 110 + 32 * len(names)),
        margin={"l": 10, "r": 30, "t": 20, "b": 40},
        xaxis={"title": {"text": _("People")}, "gridcolor": GRID, "zeroline": False, "tickformat": ",d",
               "range": [0, max(totals, default=0) * 1.12 + 1],
               **({"dtick": 1} if max(totals, default=0) < 10 else {})},  # whole people, no repeated ticks
        yaxis={"categoryorder": "array", "categoryarray": names, "autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "y": -0.15, "yanchor": "top", "x": 0, "xanchor": "left", "traceorder": "normal"},
    )
    return fig
