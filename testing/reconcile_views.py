"""Reconciliation pages of a mock run: attach a source and a target extract, choose the key columns
and the column mapping, run testing/reconcile.py in the background (testing/tasks.py) and show, or
download as XLSX, the stored result.

    mock-runs/<run>/reconcile/            reconciliation-new      change  upload both extracts (DRAFT)
    reconciliations/<pk>/setup/           reconciliation-setup    change  keys, mapping, options -> QUEUED
    reconciliations/<pk>/                 reconciliation          view    progress (htmx) or the result
    reconciliations/<pk>/report.xlsx      reconciliation-xlsx     view    the result as a workbook
    reconciliations/<pk>/delete/          reconciliation-delete   change  confirm, then delete (history keeps it)

Every view starts from `project_access(..., "testing", ...)`: 404 outside the project (and for a
row of another project), 403 for a role the policy refuses.
"""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

from projectcrm.core import charts
from projectcrm.core.access import project_access
from projectcrm.core.services import delete_row

from . import reconcile as engine
from . import reconciliation as service
from .choices import ReconciliationStatus
from .models import MigrationObject, MockRun, Reconciliation
from .tasks import run_reconciliation

AREA = "testing"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, template, access, title, **context):
    context.update({"project": access.project, "access": access, "area": AREA, "title": title})
    return render(request, template, context)


def _reconciliation(request, project, pk, action: str):
    access = project_access(request.user, project, AREA, action)
    rec = get_object_or_404(
        Reconciliation.objects.select_related("run", "migration_object", "requested_by"), project=access.project, pk=pk
    )
    return access, rec


def title_of(rec: Reconciliation) -> str:
    return f"{rec.source_name} ↔ {rec.target_name}"


# ---------------------------------------------------------------------------------------------
# Upload
# ---------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    migration_object = forms.ModelChoiceField(
        label=gettext_lazy("Migration object"), queryset=MigrationObject.objects.none(), required=False,
        empty_label=gettext_lazy("— none —"),
        help_text=gettext_lazy("When chosen, the run's counts for this object take the reconciled percentage."),
    )
    source = forms.FileField(
        label=gettext_lazy("Source extract"), allow_empty_file=True,
        error_messages={"required": gettext_lazy("Choose the source extract.")},
    )
    target = forms.FileField(
        label=gettext_lazy("Target extract"), allow_empty_file=True,
        error_messages={"required": gettext_lazy("Choose the target extract.")},
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding of CSV files"), required=False,
        help_text=gettext_lazy("Detected from each file unless chosen."),
    )

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["migration_object"].queryset = MigrationObject.objects.filter(project=project)
        self.fields["encoding"].choices = service.encoding_choices()
        accept = ",".join(service.EXTRACT_SUFFIXES)
        self.fields["source"].widget.attrs["accept"] = accept
        self.fields["target"].widget.attrs["accept"] = accept
        self.headers = {}

    def clean(self):
        cleaned = super().clean()
        encoding = cleaned.get("encoding") or ""
        for name in ("source", "target"):
            upload = cleaned.get(name)
            if upload is None:
                continue
            try:
                self.headers[name] = service.check_upload(upload, encoding)
            except engine.ReconcileError as exc:
                self.add_error(name, str(exc))
        return cleaned


@login_required
def reconciliation_new(request, project, run):
    """Attach a source and a target extract to a mock run; the row waits for its setup (DRAFT)."""
    access = project_access(request.user, project, AREA, "change")
    run = get_object_or_404(MockRun, project=access.project, pk=run)
    form = UploadForm(access.project, request.POST if request.method == "POST" else None,
                      request.FILES if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            rec = service.create(run, request.user, data["source"], data["target"], data["migration_object"],
                                 data.get("encoding") or "")
            messages.success(request, _("Both extracts are attached. Choose the key columns and how the columns pair up."))
            return redirect("testing:reconciliation-setup", project=access.project.pk, pk=rec.pk)
    return _page(request, "testing/reconciliation_new.html", access, _("New reconciliation"), form=form, run=run,
                 max_mb=service.max_bytes() / 1048576)


# ---------------------------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------------------------


@login_required
def reconciliation_setup(request, project, pk):
    """The key columns, which source column is compared with which target column, and the options.
    Saving queues the reconciliation and starts the background task."""
    access, rec = _reconciliation(request, project, pk, "change")
    if rec.is_running:
        messages.info(request, _("This reconciliation is running; change its setup once it has finished."))
        return redirect(rec.get_absolute_url())
    context = {"rec": rec, "run": rec.run, "labels": service.transform_labels()}
    try:
        source, target = service.stored_headers(rec)
    except engine.ReconcileError as exc:
        return _page(request, "testing/reconciliation_setup.html", access, title_of(rec), file_error=str(exc), **context)
    errors = {}
    if request.method == "POST":
        targets = {col: request.POST.get(f"map-{i}", "") for i, col in enumerate(source.columns)}
        setup, errors = service.check_setup(
            request.POST.getlist("keys"), targets, request.POST.getlist("transforms"), request.POST.get("tolerance"),
            request.POST.get("day_first"), source, target, rec.source_name, rec.target_name,
        )
        tolerance_text = request.POST.get("tolerance", "")
        if not errors:
            if service.queue(rec, setup, source.columns, target.columns):
                run_reconciliation.enqueue(rec.pk, get_language() or "en")
            return redirect(rec.get_absolute_url())
    else:
        setup = service.initial_setup(rec, source.columns, target.columns)
        tolerance_text = format(setup.tolerance.normalize(), "f") if setup.tolerance else "0"
    rows = [
        {"index": i, "source": col, "key": col in setup.keys, "target": setup.targets.get(col, ""),
         "error": errors.get(f"map-{i}")}
        for i, col in enumerate(source.columns)
    ]
    return _page(
        request, "testing/reconciliation_setup.html", access, title_of(rec), source=source, target=target, rows=rows,
        setup=setup, errors=errors, error_list=list(errors.values()), tolerance=tolerance_text,
        transforms=[(t, service.transform_labels()[t], t in setup.transforms) for t in engine.TRANSFORMS],
        **context,
    )


# ---------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------


def status_context(rec: Reconciliation, access) -> dict:
    return {
        "rec": rec, "statuses": ReconciliationStatus, "running": rec.is_running,
        "status_label": rec.get_status_display(), "progress": round(100 * min(1.0, max(0.0, rec.progress or 0))),
        "late": service.queued_too_long(rec), "can_change": access.can(AREA, "change"),
    }


@login_required
def reconciliation_page(request, project, pk):
    """Progress while the task runs (the status part polls itself every second), then the result."""
    access, rec = _reconciliation(request, project, pk, "view")
    context = status_context(rec, access)
    if request.htmx:
        if not rec.is_running:
            return HttpResponseClientRefresh()  # the whole page shows the result
        return _page(request, "testing/_reconciliation_status.html", access, title_of(rec), **context)
    if rec.status == ReconciliationStatus.DONE and rec.result:
        context.update(service.report(rec))
        language = get_language()
        figures = {"outcome": charts.figure_html(charts.localise(service.outcome_figure(rec.result), language))}
        mismatches = service.mismatch_figure(rec.result)
        if mismatches is not None:
            figures["mismatches"] = charts.figure_html(charts.localise(mismatches, language))
        context.update(figures=figures, uses_plotly=True)
    return _page(request, "testing/reconciliation.html", access, title_of(rec), run=rec.run, **context)


@login_required
def reconciliation_xlsx(request, project, pk):
    """The stored result as a workbook (summary, columns, samples) in the reader's language."""
    access, rec = _reconciliation(request, project, pk, "view")
    if rec.status != ReconciliationStatus.DONE or not rec.result:
        raise Http404(_("This reconciliation has no result yet."))
    buffer = io.BytesIO()
    engine.write_xlsx(rec.result, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="reconciliation-{rec.run.ref}-{rec.pk}.xlsx"'
    return response


@login_required
def reconciliation_delete(request, project, pk):
    """GET: confirm. POST: delete the row; its history keeps it and the extracts stay on disk, so a
    restore from history finds them."""
    access, rec = _reconciliation(request, project, pk, "change")
    run_url = reverse("testing:mock-runs-detail", kwargs={"project": access.project.pk, "pk": rec.run_id})
    if request.method == "POST":
        title = title_of(rec)
        delete_row(rec)
        messages.success(request, _("The reconciliation %(name)s is deleted.") % {"name": title})
        return redirect(run_url)
    return _page(request, "testing/reconciliation_delete.html", access, title_of(rec), rec=rec, run=rec.run,
                 run_url=run_url)


urlpatterns = [
    path("mock-runs/<int:run>/reconcile/", reconciliation_new, name="reconciliation-new"),
    path("reconciliations/<int:pk>/", reconciliation_page, name="reconciliation"),
    path("reconciliations/<int:pk>/setup/", reconciliation_setup, name="reconciliation-setup"),
    path("reconciliations/<int:pk>/report.xlsx", reconciliation_xlsx, name="reconciliation-xlsx"),
    path("reconciliations/<int:pk>/delete/", reconciliation_delete, name="reconciliation-delete"),
]
