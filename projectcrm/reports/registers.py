"""The reports registers: the go-live rules and the steering reports (drafts and the archive)."""

from django.utils.translation import gettext_lazy as _

from projectcrm.core.registers import Register

from .models import GoLiveCheck, SteeringReport


class GoLiveCheckRegister(Register):
    model = GoLiveCheck
    area = "reports"
    slug = "golive-checks"
    list_columns = ["order", "kind", "text", "threshold", "on_fail", "met", "active"]
    filter_fields = ["kind", "on_fail", "active"]
    search_fields = ["text", "note"]
    form_fields = ["kind", "text", "threshold", "on_fail", "met", "note", "evidence_link", "order", "active"]
    ordering = ["order", "pk"]
    list_actions = [("golive", _("Go-live readiness"), "view")]


class SteeringReportRegister(Register):
    model = SteeringReport
    area = "reports"
    slug = "steering-reports"
    list_columns = ["ref", "title", "report_date", "status", "issued_by", "issued_at", "meeting"]
    filter_fields = ["status"]
    search_fields = ["title", "summary"]
    form_fields = ["title", "report_date", "meeting", "summary"]
    ordering = ["-report_date", "-number"]
    importable = False
    list_actions = [("archive", _("Archive of issued reports"), "view")]
    detail_extra_template = "reports/_report_links.html"

    @classmethod
    def locked_reason(cls, obj):
        """Why the row can be neither edited nor deleted: an issued report is frozen."""
        from django.core.exceptions import ValidationError

        try:
            obj.clean()  # refuses any change to an issued report, with the message to show
        except ValidationError as frozen:
            return " ".join(frozen.messages)
        return None

    @classmethod
    def detail_context(cls, obj, access):
        # An issued report offers no Edit or Delete (both are refused: it is frozen).
        return {"can_change": False} if obj.issued else {}


REGISTERS = [GoLiveCheckRegister, SteeringReportRegister]
