"""The steering report's charts, drawn from its snapshot (plain data), so an issued report draws the
same charts from its frozen data as on the day it was issued.

    figures = report_figures(data, language)   # {name: plotly figure}, in the report's order

Pages embed `figure_html(fig)`; the PDF passes all of them to `figures_svg` in one call.
"""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils import translation
from django.utils.translation import gettext as _

from projectcrm.core.charts import LAYOUT, localise

RAG_COLOURS = {"green": "#16a34a", "amber": "#d97706", "red": "#dc2626"}
GREY = "#94a3b8"
BLUE = "#2563eb"
MARGIN = {"l": 60, "r": 20, "t": 30, "b": 50}


def _empty(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"color": "#64748b"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def risk_heat_figure(risks: dict) -> go.Figure:
    """Open risks by probability (x) and impact (y): counts in a 5 x 5 grid, coloured by score zone."""
    heat = risks.get("heat") or [[0] * 5 for _i in range(5)]
    zone = [[(i + 1) * (p + 1) for p in range(5)] for i in range(5)]  # the score of each cell
    fig = go.Figure(go.Heatmap(
        z=zone, x=[1, 2, 3, 4, 5], y=[1, 2, 3, 4, 5],
        text=[[str(n) if n else "" for n in row] for row in heat], texttemplate="%{text}", textfont={"size": 16},
        colorscale=[[0, "#dcfce7"], [0.3, "#fef3c7"], [0.55, "#fde68a"], [0.6, "#fecaca"], [1, "#f87171"]],
        zmin=1, zmax=25, showscale=False, xgap=2, ygap=2,
        hovertemplate=_("Probability") + " %{x}, " + _("impact") + " %{y}: %{text}<extra></extra>",
    ))
    fig.update_layout(
        **LAYOUT, height=380, margin=MARGIN,
        xaxis={"title": _("Probability"), "dtick": 1}, yaxis={"title": _("Impact"), "dtick": 1},
    )
    return fig


def release_figure(releases: list[dict]) -> go.Figure:
    """Per release: % complete, the bar coloured by its RAG status."""
    fig = go.Figure()
    if not releases:
        return _empty(fig, _("No releases yet."))
    names = [f"{r['ref']} {r['name']}"[:40] for r in releases][::-1]
    values = [r.get("percent") or 0 for r in releases][::-1]
    # A light track to 100% behind each bar, so a release at 0% still shows its row and RAG.
    fig.add_trace(go.Bar(x=[100] * len(names), y=names, orientation="h", marker={"color": "#f1f5f9"},
                         hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Bar(
        x=values, y=names, orientation="h", showlegend=False,
        marker={"color": [RAG_COLOURS.get(r.get("rag"), GREY) for r in releases][::-1]},
        hovertemplate="%{y}: %{x:.0f}%<extra></extra>",
    ))
    for name, value, release in zip(names, values, releases[::-1], strict=True):
        fig.add_annotation(x=100, y=name, text=f"{value:.0f}% · {release.get('rag_label', '')}", showarrow=False,
                           xanchor="right", font={"size": 11, "color": "#334155"})
    fig.update_layout(
        **LAYOUT, height=max(220, 60 + 42 * len(releases)), margin={**MARGIN, "l": 220}, barmode="overlay",
        xaxis={"title": _("Complete (%)"), "range": [0, 100]},
    )
    return fig


def milestone_figure(milestones: dict) -> go.Figure:
    """Slip against the baseline (days) of the milestones due soon and those already slipped."""
    rows = {m["ref"]: m for m in (milestones.get("slipped") or []) + (milestones.get("due") or [])}
    rows = [m for m in rows.values() if m.get("slip_days") is not None][:20]
    fig = go.Figure()
    if not rows:
        return _empty(fig, _("No milestones with a baseline."))
    rows.sort(key=lambda m: m.get("planned") or "")
    labels = [f"{m['ref']} {m['name']}"[:40] for m in rows][::-1]
    slips = [m["slip_days"] for m in rows][::-1]
    fig.add_trace(go.Bar(
        x=slips, y=labels, orientation="h",
        marker={"color": ["#dc2626" if s > 10 else "#d97706" if s > 0 else "#16a34a" for s in slips]},
        text=[str(s) for s in slips], textposition="auto",
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    fig.update_layout(
        **LAYOUT, height=max(220, 60 + 30 * len(rows)), margin={**MARGIN, "l": 240},
        xaxis={"title": _("Slip against the baseline (days)"), "zeroline": True},
    )
    return fig


def training_figure(training: dict | None) -> go.Figure:
    """Training readiness per department (% of required courses signed off)."""
    fig = go.Figure()
    departments = (training or {}).get("departments") or []
    if not departments:
        return _empty(fig, _("No training required yet."))
    departments = departments[:25]
    names = [d["department"] or _("No department") for d in departments][::-1]
    values = [d.get("percent") or 0 for d in departments][::-1]
    fig.add_trace(go.Bar(
        x=values, y=names, orientation="h", marker={"color": BLUE},
        text=[f"{v:.0f}%" for v in values], textposition="auto", hovertemplate="%{y}: %{x:.0f}%<extra></extra>",
    ))
    fig.update_layout(
        **LAYOUT, height=max(220, 60 + 30 * len(departments)), margin={**MARGIN, "l": 180},
        xaxis={"title": _("Required training signed off (%)"), "range": [0, 100]},
    )
    return fig


def budget_figure(budget: dict) -> go.Figure:
    """Planned, actual and committed spend by budget category."""
    fig = go.Figure()
    rows = budget.get("rows") or []
    if not budget.get("has_data") or not rows:
        return _empty(fig, _("No budget lines yet."))
    categories = [r["category"] for r in rows]
    for key, label, colour in (("planned", _("Planned"), GREY), ("actual", _("Actual"), BLUE),
                               ("committed", _("Committed"), "#0d9488")):
        fig.add_trace(go.Bar(name=label, x=categories, y=[r.get(key) or 0 for r in rows], marker={"color": colour}))
    fig.update_layout(
        **LAYOUT, height=380, barmode="group", margin=MARGIN,
        legend={"orientation": "h", "y": 1.08}, yaxis={"title": _("Amount"), "separatethousands": True},
    )
    return fig


def issues_figure(issues: dict) -> go.Figure:
    """Open issues by priority, with how many of them are overdue and escalated."""
    fig = go.Figure()
    rows = issues.get("by_priority") or []
    if not rows:
        return _empty(fig, _("No open issues."))
    labels = [r["label"] for r in rows]
    for key, label, colour in (("open", _("Open"), GREY), ("overdue", _("Overdue"), "#d97706"),
                               ("escalated", _("Escalated"), "#dc2626")):
        fig.add_trace(go.Bar(name=label, x=labels, y=[r.get(key, 0) for r in rows], marker={"color": colour}))
    fig.update_layout(**LAYOUT, height=340, barmode="group", margin=MARGIN, legend={"orientation": "h", "y": 1.1})
    return fig


def report_figures(data: dict, language: str | None = None) -> dict[str, go.Figure]:
    """The report's charts from its snapshot, in the order the report shows them (six or seven)."""
    from projectcrm.governance import assessment, kpis

    language = language or translation.get_language()
    sections = data.get("sections") or {}
    figures = {}
    with translation.override(language):
        figures["releases"] = release_figure(sections.get("releases") or [])
        figures["milestones"] = milestone_figure(sections.get("milestones") or {})
        figures["risks"] = risk_heat_figure(sections.get("risks") or {})
        figures["issues"] = issues_figure(sections.get("issues") or {})
        if (data.get("kpis") or {}).get("rows"):
            figures["kpis"] = kpis.scorecard_figure(data["kpis"], language)
        if (data.get("assessment") or {}).get("latest"):
            figures["readiness"] = assessment.radar_figure(data["assessment"], language)
        figures["training"] = training_figure(sections.get("training"))
        if (sections.get("budget") or {}).get("has_data"):
            figures["budget"] = budget_figure(sections["budget"])
    return {name: localise(fig, language) for name, fig in figures.items()}
