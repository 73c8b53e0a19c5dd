"""The project dashboard for the steering committee: a page of tiles, each linking to its register,
and the same tiles as a PDF (one or two A4 pages, charts as SVG) in the reader's language.

The figures come from `sections.build` (shared with the steering report); the KPI scorecard from
`governance.kpis.scorecard` and the go-live verdict from `reports.golive.assess`.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projectcrm.core.access import project_access
from projectcrm.core.charts import figure_html, figures_svg, localise, svg_data_url
from projectcrm.core.pdf import pdf_response, render_pdf
from projectcrm.governance import kpis, scoring

from . import charts, sections
from .golive import assess

AREA = "reports"
KPI_ROWS = 8  # KPI rows on the tile (the scorecard page has them all)
CRITERIA_ROWS = 5  # go-live criteria not met shown on the tile
# The PDF's shorter lists, so the dashboard prints on one or two pages.
PDF_RELEASES = 5
PDF_ROWS = 5
PDF_KPI_ROWS = 7


def as_of_from(request) -> datetime.date:
    """The day the dashboard shows: ?date=YYYY-MM-DD, else today."""
    text = request.GET.get("date", "").strip()
    if text:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    return timezone.localdate()


def heat_grid(risks: dict, list_url: str) -> list[dict]:
    """The 5 x 5 matrix as rows for the page's table (impact 5 at the top), each cell with its link."""
    from projectcrm.governance.charts import heat_colour

    heat = risks["heat"]
    return [
        {
            "impact": impact,
            "cells": [
                {
                    "probability": p, "count": heat[impact - 1][p - 1], "colour": heat_colour(p, impact),
                    "url": f"{list_url}?view=open&probability={p}&impact={impact}",
                }
                for p in range(1, 6)
            ],
        }
        for impact in range(5, 0, -1)
    ]


def dashboard_context(access, as_of: datetime.date) -> dict:
    project = access.project
    data = sections.build(project, as_of)
    scorecard = kpis.scorecard(project, as_of)
    golive = assess(project, as_of)
    go_live = project.target_go_live
    kwargs = {"project": project.pk}
    risks_list = reverse("governance:risks-list", kwargs=kwargs)
    today = timezone.localdate()
    failed = [c for c in golive["criteria"] if c["met"] is not True][:CRITERIA_ROWS]
    return {
        "project": project,
        "access": access,
        "area": AREA,
        "title": _("Project dashboard"),
        "data": data,
        "as_of": as_of,
        "is_today": as_of == today,
        "today": today,
        "days_to_go_live": (go_live - as_of).days if go_live else None,
        "days_since_go_live": (as_of - go_live).days if go_live else None,
        "rag_counts": sections.rag_counts(data["releases"]),
        "releases_more": max(0, data["releases_total"] - len(data["releases"])),
        "heat_grid": heat_grid(data["risks"], risks_list),
        "heat_columns": range(1, 6),
        "heat_thresholds": {"high": scoring.HIGH, "medium": scoring.MEDIUM, "medium_top": scoring.HIGH - 1},
        "scorecard": scorecard,
        "kpi_rows": scorecard["rows"][:KPI_ROWS],
        "kpi_more": max(0, len(scorecard["rows"]) - KPI_ROWS),
        "golive": golive,
        "golive_open": failed,
        "links": {
            "kpis": reverse("governance:kpi-scorecard", kwargs=kwargs),
            "golive": reverse("reports:golive", kwargs=kwargs),
            "releases": reverse("roadmap:releases-list", kwargs=kwargs),
            "communications": reverse("governance:communications-list", kwargs=kwargs),
            "training": reverse("training:readiness", kwargs=kwargs),
            "adoption": reverse("training:adoption", kwargs=kwargs),
            "evaluations": reverse("evaluation:evaluations-list", kwargs=kwargs),
            "pdf": reverse("reports:dashboard-pdf", kwargs=kwargs),
        },
        "show_evaluation": access.can("evaluation", "view") and bool(data["evaluation"]),
        "can_add_budget": access.can("governance", "change"),
        "adoption_percent": None if not data["adoption"] or data["adoption"]["rate"] is None
        else 100 * data["adoption"]["rate"],
    }


@login_required
def dashboard(request, project):
    access = project_access(request.user, project, AREA, "view")
    context = dashboard_context(access, as_of_from(request))
    language = get_language()
    figures = charts.dashboard_figures(context["data"])
    context["charts"] = {name: mark_safe(figure_html(localise(fig, language))) for name, fig in figures.items()}  # noqa: S308 - plotly's own HTML
    context["uses_plotly"] = bool(context["charts"])
    context["query"] = "" if context["is_today"] else f"?date={context['as_of'].isoformat()}"
    return render(request, "reports/dashboard.html", context)


def shorten(data: dict, context: dict, rows: int = PDF_ROWS) -> None:
    """Shorter lists for the printed dashboard (one or two pages); the counts stay whole."""
    context["releases_more"] += max(0, len(data["releases"]) - PDF_RELEASES)
    data["releases"] = data["releases"][:PDF_RELEASES]
    milestones = data["milestones"]
    for key in ("due", "slipped"):
        milestones[key] = milestones[key][:rows]
    milestones["done_recently"] = []
    for key in ("overdue", "escalated"):
        data["issues"][key] = data["issues"][key][:rows]
    for key in ("decisions", "change_requests", "communications"):
        data[key] = data[key][:rows]
    context["kpi_rows"] = context["kpi_rows"][:PDF_KPI_ROWS]


@login_required
def dashboard_pdf(request, project):
    access = project_access(request.user, project, AREA, "view")
    context = dashboard_context(access, as_of_from(request))
    shorten(context["data"], context)
    language = get_language()
    figures = charts.dashboard_figures(context["data"])
    names = list(figures)
    try:
        svgs = figures_svg([localise(figures[name], language) for name in names], width=700) if names else []
    except RuntimeError as exc:
        # No browser to draw the charts with: the PDF still prints, the figures are in the tiles.
        names, svgs = [], []
        context["charts_error"] = str(exc)
    context["charts"] = {
        name: mark_safe(f'<img src="{svg_data_url(svg)}" alt="">') for name, svg in zip(names, svgs, strict=True)
    }
    context["pdf"] = True
    pdf = render_pdf("reports/dashboard_pdf.html", context, request=request, language=language)
    name = slugify(access.project.name, allow_unicode=True) or "project"
    return pdf_response(pdf, f"{name}-{_('dashboard')}-{context['as_of'].isoformat()}.pdf")


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard.pdf", dashboard_pdf, name="dashboard-pdf"),
]
