"""Rendering a steering report and issuing it (freezing its data and PDFs).

A draft is drawn live: `snapshot()` in the reader's language, its charts, the PDF template. Issuing
takes the snapshot in every language at one moment, renders the three PDFs (the charts of all three
in one chromium run), and then, in one transaction, stores the data, the PDFs (with sha256 and page
count) and the issuer and time. From then on the page and the PDFs come from what was stored.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

from django.conf import settings
from django.db import transaction
from django.template import loader
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML

from projectcrm.core import services
from projectcrm.core.charts import figures_svg, svg_data_url
from projectcrm.core.pdf import LOCAL_ORIGIN, LockedURLFetcher

from .choices import ReportStatus
from .models import ReportDocument, SteeringReport
from .report_charts import report_figures
from .snapshot import charted_parts, snapshot

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PDF_TEMPLATE = "reports/report_pdf.html"
DATA_VERSION = 1


class IssueRefused(Exception):
    """The report cannot be issued (already issued, or changed while it was being issued)."""


# --- Frozen data -----------------------------------------------------------------------------------


def frozen(report, language: str | None) -> dict | None:
    """An issued report's snapshot in `language` (else English, else any), or None for a draft."""
    if not report.issued or not report.data:
        return None
    languages = report.data.get("languages") or {}
    if not languages:
        return None
    return languages.get(language) or languages.get(settings.LANGUAGE_CODE) or next(iter(languages.values()))


def report_data(report, language: str | None = None) -> dict:
    """What the report shows: the frozen snapshot when issued, else a live one for its report date."""
    data = frozen(report, language)
    if data is not None:
        return data
    with translation.override(language) if language else nullcontext():
        return snapshot(report.project, report)


# --- PDFs ------------------------------------------------------------------------------------------


# Charts drawn lately, by the figure's JSON: a draft downloaded again, or issued after a preview,
# with the same data needs no chromium run for them. Process-local, small, oldest dropped first.
SVG_CACHE: OrderedDict[str, str] = OrderedDict()
SVG_CACHE_SIZE = 64
SVG_CACHE_LOCK = threading.Lock()


def clear_svg_cache():
    with SVG_CACHE_LOCK:
        SVG_CACHE.clear()


def chart_images(figures: dict) -> tuple[dict, str]:
    """{name: <img> tag} of the figures drawn as SVG (one chromium run for those not drawn lately),
    and an error text if the charts could not be drawn (the PDF then prints without them)."""
    keys = {name: hashlib.sha256(fig.to_json().encode()).hexdigest() for name, fig in figures.items()}
    with SVG_CACHE_LOCK:
        found = {name: SVG_CACHE[key] for name, key in keys.items() if key in SVG_CACHE}
    missing = [name for name in figures if name not in found]
    try:
        svgs = figures_svg([figures[name] for name in missing]) if missing else []
    except RuntimeError as exc:
        return {}, str(exc)
    found.update(zip(missing, svgs, strict=True))
    with SVG_CACHE_LOCK:
        for name in figures:
            SVG_CACHE[keys[name]] = found[name]
            SVG_CACHE.move_to_end(keys[name])
        while len(SVG_CACHE) > SVG_CACHE_SIZE:
            SVG_CACHE.popitem(last=False)
    return {name: image(found[name]) for name in figures}, ""


def image(svg: str):
    return mark_safe(f'<img src="{svg_data_url(svg)}" alt="">')


def render_document(data: dict, language: str, charts: dict, charts_error: str = "", request=None) -> tuple[bytes, int]:
    """The report's PDF in `language` and its page count (weasyprint with the locked URL fetcher)."""
    context = {"data": data, "charts": charts, "charts_error": charts_error, "pdf": True,
               "title": data["report"]["title"]}
    with translation.override(language):
        html = loader.get_template(PDF_TEMPLATE).render(context, request)
    origin = request.build_absolute_uri("/") if request is not None else LOCAL_ORIGIN
    document = HTML(string=html, base_url=origin, url_fetcher=LockedURLFetcher(origin)).render()
    return document.write_pdf(), len(document.pages)


def all_figures(datas: dict[str, dict]) -> dict:
    """{(language, name): figure} of the snapshots (or their charted parts) by language."""
    return {
        (language, name): fig
        for language, data in datas.items()
        for name, fig in report_figures(data, language).items()
    }


def render_all(datas: dict[str, dict], images: dict, error: str = "", request=None) -> dict[str, tuple[bytes, int]]:
    result = {}
    for language, data in datas.items():
        charts = {name: tag for (lang, name), tag in images.items() if lang == language}
        result[language] = render_document(data, language, charts, error, request)
    return result


def render_pdfs(datas: dict[str, dict], request=None) -> dict[str, tuple[bytes, int]]:
    """{language: (pdf, pages)} for snapshots by language; the charts of all of them in one run."""
    images, error = chart_images(all_figures(datas))
    return render_all(datas, images, error, request)


def live_snapshots(report, languages, as_of=None) -> tuple[dict, dict, str]:
    """Snapshots of the report in each language, and their charts as images.

    The charts are drawn (chromium, another process) while the rest of the snapshots is read: the
    charted parts come first, the export runs in a worker thread, the history and go-live
    evidence are read meanwhile in this thread (the worker never touches the database).
    """
    project = report.project
    parts = {}
    for language in languages:
        with translation.override(language):
            parts[language] = charted_parts(project, report)
    figures = all_figures(parts)
    with ThreadPoolExecutor(max_workers=1) as pool:
        drawing = pool.submit(chart_images, figures)
        datas = {}
        for language in languages:
            with translation.override(language):
                datas[language] = snapshot(project, report, as_of=as_of, parts=parts[language])
        images, error = drawing.result()
    return datas, images, error


def render_pdf_for(report, language: str, request=None) -> tuple[bytes, int]:
    """A report's PDF drawn in `language`: live for a draft, from the frozen data when issued (an
    issued report's PDFs are stored: see stored_pdf)."""
    if report.issued:
        return render_pdfs({language: report_data(report, language)}, request)[language]
    datas, images, error = live_snapshots(report, [language])
    return render_all(datas, images, error, request)[language]


def stored_pdf(report, language: str | None, request=None) -> ReportDocument | None:
    """The stored PDF of an issued report in `language` (else English), or None for a draft.

    A report issued without its PDFs (the demo seed does so, to stay quick) gets each one drawn
    from its frozen data on the first download and stored then; from then on it never changes.
    """
    if not report.issued:
        return None
    found = ReportDocument.objects.filter(report=report, language=language).first()
    if found is not None:
        return found
    data = frozen(report, language)
    if data is None:
        return None
    language = data.get("language") if data.get("language") in LANGUAGES else language
    pdf, pages = render_pdfs({language: data}, request)[language]
    with transaction.atomic():
        document, _created = ReportDocument.objects.get_or_create(
            report=report, language=language,
            defaults={"pdf": pdf, "pages": pages, "sha256": hashlib.sha256(pdf).hexdigest()},
        )
    return document


# --- Issuing ---------------------------------------------------------------------------------------


def issue(report: SteeringReport, user, request=None, with_pdfs: bool = True, at=None) -> SteeringReport:
    """Freeze the report: its snapshot in every language, the three PDFs, the issuer and the time.

    The snapshots and PDFs are made before the write transaction (they take seconds); the
    transaction then checks that the report is still the same draft and stores everything at once.
    Raises IssueRefused when the report is issued already or was changed meanwhile.
    `with_pdfs=False` stores the data only; each PDF is then drawn from it on its first download.
    `at`: the moment of issue when it is not now (the demo's reports, issued at their meetings).
    """
    # A fresh copy: the caller's object stays as it was if the issue is refused.
    report = SteeringReport.objects.select_related("project", "meeting").get(pk=report.pk)
    if report.issued:
        raise IssueRefused(_("This report has already been issued; an issued report never changes."))
    project = report.project
    now = at or timezone.now()
    seen_version = report.version
    report.status, report.issued_by, report.issued_at = ReportStatus.ISSUED, user, now
    if with_pdfs:
        datas, images, error = live_snapshots(report, LANGUAGES, as_of=now)
        pdfs = render_all(datas, images, error, request)
    else:
        datas, pdfs = {}, {}
        for language in LANGUAGES:
            with translation.override(language):
                datas[language] = snapshot(project, report, as_of=now)
    with transaction.atomic():
        current = SteeringReport.objects.select_for_update().get(pk=report.pk)
        if current.status == ReportStatus.ISSUED:
            raise IssueRefused(_("This report has already been issued; an issued report never changes."))
        if current.version != seen_version:
            raise IssueRefused(_("The report was changed while it was being issued; check it and issue it again."))
        report.data = {
            "version": DATA_VERSION,
            "title": report.title,
            "issued_at": now.isoformat(),
            "languages": datas,
        }
        services.save_versioned(report, seen_version)
        ReportDocument.objects.bulk_create([
            ReportDocument(report=report, language=language, pdf=pdf, pages=pages,
                           sha256=hashlib.sha256(pdf).hexdigest())
            for language, (pdf, pages) in pdfs.items()
        ])
    return report
