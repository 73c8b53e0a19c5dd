"""Reports: the go-live readiness rules of a project and its steering-committee reports.

An issued report is frozen: its data (a JSON snapshot taken when it was issued) and its PDFs (one
per language, rendered then) are stored and never change; later edits elsewhere do not reach it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projectcrm.core.models import Numbered, ProjectScoped

from .choices import CheckKind, OnFail, ReportStatus

USER = settings.AUTH_USER_MODEL


class GoLiveCheck(ProjectScoped):
    """One criterion of the project's go-live rules: what it reads, its limit, and what a failure means."""

    kind = models.CharField(_("evidence"), max_length=30, choices=CheckKind, default=CheckKind.MANUAL)
    text = models.CharField(_("criterion"), max_length=300, blank=True, help_text=_("Leave empty to use the evidence's name."))
    threshold = models.DecimalField(
        _("limit"), max_digits=7, decimal_places=1, null=True, blank=True,
        help_text=_("A percentage to reach, or a count not to exceed; empty: the evidence's default."),
    )
    on_fail = models.CharField(_("when not met"), max_length=20, choices=OnFail, default=OnFail.NO_GO)
    met = models.BooleanField(_("met (manual check)"), default=False)
    note = models.TextField(_("evidence note"), blank=True)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("applies"), default=True)

    class Meta:
        verbose_name = _("go-live criterion")
        verbose_name_plural = _("go-live criteria")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text or str(self.get_kind_display())


class SteeringReport(Numbered, ProjectScoped):
    """A steering-committee report for a date: a draft is computed live; issuing freezes it."""

    REF_PREFIX = "RPT"

    title = models.CharField(_("title"), max_length=200)
    report_date = models.DateField(_("report date"), default=timezone.localdate)
    summary = models.TextField(_("executive summary"), blank=True)
    meeting = models.ForeignKey(
        "governance.Meeting", verbose_name=_("meeting"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reports",
    )
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus, default=ReportStatus.DRAFT, editable=False)
    issued_by = models.ForeignKey(USER, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    data = models.JSONField(_("frozen data"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("steering report")
        verbose_name_plural = _("steering reports")
        ordering = ["-report_date", "-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="steering_report_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    @property
    def issued(self) -> bool:
        return self.status == ReportStatus.ISSUED

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.pk and SteeringReport.objects.filter(pk=self.pk, status=ReportStatus.ISSUED).exists():
            raise ValidationError(_("An issued report is frozen; it cannot be changed."))


class ReportDocument(models.Model):
    """The PDF of an issued report in one language, stored when it was issued (never changed)."""

    report = models.ForeignKey(SteeringReport, on_delete=models.CASCADE, related_name="documents")
    language = models.CharField(max_length=10)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "language"], name="report_document_once_per_language")]

    def __str__(self):
        return f"{self.report_id} {self.language}"
