"""The evaluation report (page and PDF) and the full matrix as XLSX.

Both show closed rounds only: scores of an open round never appear in a report or a workbook,
not even the reader's own (the score sheet is the place for those).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projectcrm.core.pdf import pdf_response, render_pdf
from projectcrm.core.tabular import write_xlsx_sheets

from . import charts, services
from .choices import CostCategory, RoundStatus
from .models import Consensus, ReferenceCheck, Score
from .views import evaluation_for, page, results_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_context(evaluation, language: str | None) -> dict:
    context = results_context(evaluation, language)
    outcome = context["results"]
    tree_rows = []
    weights = outcome.tree.global_weights() if outcome.tree is not None and not outcome.problems else {}
    for depth, node in services.ordered_tree(outcome.categories, outcome.criteria):
        is_category = not hasattr(node, "knockout")
        tree_rows.append({
            "depth": depth, "node": node, "is_category": is_category,
            "indent": depth * 1.2,
            "global": None if is_category or node.knockout else weights.get(node.pk, 0.0) * 100,
        })
    context["tree_rows"] = tree_rows
    context["references"] = list(
        ReferenceCheck.objects.filter(evaluation=evaluation).select_related("candidate").order_by("candidate__name", "-checked_on")
    )
    labels = {key: str(label) for key, label in CostCategory.choices}
    context["cost_rows"] = [
        {"candidate": cost.candidate, "tco": cost.tco,
         "lines": [(labels.get(key, key), total) for key, total in cost.tco.by_category.items()]}
        for cost in outcome.costs.values() if cost.has_costs
    ]
    return context


@login_required
def report_page(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk)
    context = report_context(evaluation, get_language())
    context["charts"] = {name: charts.figure_html(fig) for name, fig in context.pop("figures", {}).items()}
    context["uses_plotly"] = bool(context["charts"])
    context["open_round"] = services.current_round(evaluation)
    return page(request, "evaluation/report.html", access, evaluation, _("Evaluation report"), **context)


@login_required
def report_pdf(request, project, pk):
    access, evaluation = evaluation_for(request, project, pk)
    language = get_language()
    context = report_context(evaluation, language)
    figures = context.pop("figures", {})
    names = list(figures)
    try:
        svgs = charts.figures_svg([figures[name] for name in names]) if names else []
    except RuntimeError as exc:
        # No browser to draw the charts with: the report still prints, with the figures' reason.
        names, svgs = [], []
        context["charts_error"] = str(exc)
    # As images (data URLs): weasyprint draws them the same as inline SVG, without a warning per style.
    context["charts"] = {
        name: mark_safe(f'<img src="{charts.svg_data_url(svg)}" alt="">') for name, svg in zip(names, svgs, strict=True)
    }
    context.update({"project": access.project, "evaluation": evaluation, "title": _("Evaluation report"), "pdf": True})
    pdf = render_pdf("evaluation/report_pdf.html", context, request=request, language=language)
    filename = f"{evaluation.ref}-{slugify(evaluation.name, allow_unicode=True) or 'report'}.pdf"
    return pdf_response(pdf, filename)


def _number(value):
    return None if value is None else float(value)


@login_required
def matrix_xlsx(request, project, pk):
    """Criteria and weights, every evaluator's scores of the closed rounds, consensus, totals, costs."""
    access, evaluation = evaluation_for(request, project, pk)
    context = report_context(evaluation, get_language())
    outcome = context["results"]
    candidates = outcome.candidates
    names = {c.pk: c.name for c in outcome.categories}
    criteria_sheet = []
    for row in context["tree_rows"]:
        node = row["node"]
        if row["is_category"]:
            criteria_sheet.append([_("Category"), "  " * row["depth"] + node.name, names.get(node.parent_id, ""),
                                   float(node.weight), None, "", "", ""])
        else:
            criteria_sheet.append([
                _("Knock-out") if node.knockout else node.get_kind_display(), "  " * row["depth"] + node.name,
                names.get(node.category_id, ""), None if node.knockout else float(node.weight),
                None if row["global"] is None else round(row["global"], 4), node.scale_min, node.scale_max,
                node.description,
            ])
    consensus = {(c.candidate_id, c.criterion_id): c for c in Consensus.objects.filter(evaluation=evaluation)}
    consensus_sheet = []
    for criterion in [r["node"] for r in context["tree_rows"] if not r["is_category"]]:
        line = [names.get(criterion.category_id, ""), criterion.name]
        for candidate in candidates:
            agreed = consensus.get((candidate.pk, criterion.pk))
            if agreed is None:
                line.append(None)
            elif agreed.passed is not None:
                line.append(_("Pass") if agreed.passed else _("Fail"))
            else:
                line.append(_number(agreed.value))
        consensus_sheet.append(line)
    if outcome.totals is not None:
        consensus_sheet.append([_("Total (of 100)"), ""] + [round(outcome.totals.results[c.pk].total, 4) for c in candidates])
        consensus_sheet.append([_("Rank"), ""] + [outcome.totals.results[c.pk].rank or _("Excluded") for c in candidates])
    scores_sheet = [
        [str(s.round), s.evaluator.get_username(), s.candidate.name, s.criterion.name,
         (_("Pass") if s.passed else _("Fail")) if s.passed is not None else _number(s.value), s.comment, s.evidence]
        for s in Score.objects.filter(evaluation=evaluation, round__status=RoundStatus.CLOSED)
        .select_related("round", "evaluator", "candidate", "criterion")
        .order_by("round__number", "criterion__order", "criterion__name", "candidate__name", "evaluator__username")
    ]
    results_sheet = [
        [row["result"].rank, row["candidate"].name, round(row["result"].total, 4), row["topsis_rank"],
         None if row["closeness"] is None else round(row["closeness"], 6),
         None if row["first"] is None else round(row["first"], 6),
         None if row["cost"] is None else float(row["cost"].npv)]
        for row in context.get("rows", [])
    ] + [[_("Excluded"), x["candidate"].name, None, None, None, None, ", ".join(x["result"].failed)]
         for x in context.get("excluded", [])]
    costs_sheet = []
    for row in context["cost_rows"]:
        for label, total in row["lines"]:
            costs_sheet.append([row["candidate"].name, label, float(total)])
        costs_sheet.append([row["candidate"].name, _("Total"), float(row["tco"].total)])
        costs_sheet.append([row["candidate"].name, _("Net present value"), float(row["tco"].npv)])
    data = write_xlsx_sheets([
        (_("Criteria"), [_("Kind"), _("Category or criterion"), _("Category"), _("Weight (%)"), _("Global weight (%)"), _("Scale from"),
                         _("Scale to"), _("Description")], criteria_sheet),
        (_("Consensus"), [_("Category"), _("Criterion")] + [c.name for c in candidates], consensus_sheet),
        (_("Scores"), [_("Round"), _("Evaluator"), _("Candidate"), _("Criterion"), _("Score"), _("Comment"),
                       _("Evidence link")], scores_sheet),
        (_("Results"), [_("Rank"), _("Candidate"), _("Total (of 100)"), _("TOPSIS rank"), _("TOPSIS closeness"),
                        _("Chance of ranking first"), _("Cost (NPV)")], results_sheet),
        (_("Costs"), [_("Candidate"), _("Cost category"), _("Amount")], costs_sheet),
    ])
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{evaluation.ref}-matrix.xlsx"'
    return response


urlpatterns = [
    path("evaluations/<int:pk>/report/", report_page, name="report"),
    path("evaluations/<int:pk>/report.pdf", report_pdf, name="report-pdf"),
    path("evaluations/<int:pk>/matrix.xlsx", matrix_xlsx, name="matrix-xlsx"),
]
