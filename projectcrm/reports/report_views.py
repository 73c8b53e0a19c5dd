"""The steering report: its page, its PDF, issuing it, and the archive of issued reports.

A draft is computed live for its report date; an issued report is drawn only from what was frozen
when it was issued (its data, its stored PDFs), so later edits anywhere never reach it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access
from projectcrm.core.charts import figure_html

from . import issuing
from .choices import ReportStatus
from .models import ReportDocument, SteeringReport
from .report_charts import report_figures

AREA = "reports"


def report_for(request, project, pk):
    access = project_access(request.user, project, AREA, "view")
    report = get_object_or_404(
        SteeringReport.objects.select_related("project", "issued_by", "meeting").defer("data"),
        project=access.project, pk=pk,
    )
    return access, report


def load_data(report):
    """The report with its frozen data loaded (deferred by report_for)."""
    if report.issued:
        report.refresh_from_db(fields=["data"])
    return report


def pdf_filename(data: dict, language: str) -> str:
    report = data["report"]
    name = slugify(report["title"], allow_unicode=True) or "report"
    return f"{report['ref']}-{name}-{language}.pdf"


@login_required
def report_page(request, project, pk):
    access, report = report_for(request, project, pk)
    language = get_language()
    if not report.issued:  # a draft's PDF draws its charts: have the browser ready for it
        from projectcrm.core.charts import BROWSER

        BROWSER.warm()
    data = issuing.report_data(load_data(report), language)
    charts = {name: figure_html(fig) for name, fig in report_figures(data, language).items()}
    return render(request, "reports/report.html", {
        "project": access.project, "access": access, "area": AREA, "title": data["report"]["title"],
        "report": report, "data": data, "charts": charts, "uses_plotly": bool(charts),
        "can_change": access.can(AREA, "change"), "pdf": False,
    })


@login_required
def report_pdf(request, project, pk):
    from projectcrm.core.pdf import pdf_response

    access, report = report_for(request, project, pk)
    language = request.GET.get("lang") or get_language()
    if language not in dict(settings.LANGUAGES):
        language = get_language()
    if report.issued:
        document = issuing.stored_pdf(load_data(report), language, request)
        if document is not None:
            data = issuing.frozen(load_data(report), document.language)
            return pdf_response(bytes(document.pdf), pdf_filename(data, document.language))
    pdf, _pages = issuing.render_pdf_for(report, language, request)
    return pdf_response(pdf, pdf_filename({"report": {"ref": report.ref, "title": report.title}}, language))


@login_required
@require_POST
def report_issue(request, project, pk):
    access, report = report_for(request, project, pk)
    access.require(AREA, "change")
    page = reverse("reports:report", kwargs={"project": access.project.pk, "pk": report.pk})
    try:
        issued = issuing.issue(report, request.user, request=request)
    except issuing.IssueRefused as refused:
        messages.error(request, str(refused))
        return redirect(page)
    messages.success(request, _("%(report)s issued: its content and PDFs are frozen and listed in the archive.")
                     % {"report": str(issued)})
    return redirect(page)


@login_required
def archive(request, project):
    access = project_access(request.user, project, AREA, "view")
    documents = ReportDocument.objects.only("id", "report_id", "language", "pages", "sha256")
    reports = (
        SteeringReport.objects.filter(project=access.project, status=ReportStatus.ISSUED)
        .select_related("issued_by", "meeting")
        .defer("data")
        .annotate(frozen_title=KT("data__title"))
        .prefetch_related(Prefetch("documents", queryset=documents.order_by("language")))
        .order_by("-report_date", "-issued_at", "-number")
    )
    rows = []
    for r in reports:
        stored = {d.language: d for d in r.documents.all()}
        rows.append({"report": r, "title": r.frozen_title or r.title, "documents": [
            {"language": code, "name": name, "pages": getattr(stored.get(code), "pages", None),
             "sha256": getattr(stored.get(code), "sha256", "")}
            for code, name in settings.LANGUAGES
        ]})
    can_change = access.can(AREA, "change")
    drafts = (SteeringReport.objects.filter(project=access.project, status=ReportStatus.DRAFT).count()
              if can_change else 0)
    return render(request, "reports/archive.html", {
        "project": access.project, "access": access, "area": AREA, "title": _("Steering report archive"),
        "rows": rows, "can_change": can_change, "drafts": drafts,
    })


urlpatterns = [
    path("steering-reports/<int:pk>/report/", report_page, name="report"),
    path("steering-reports/<int:pk>/report.pdf", report_pdf, name="report-pdf"),
    path("steering-reports/<int:pk>/issue/", report_issue, name="report-issue"),
    path("archive/", archive, name="archive"),
]
