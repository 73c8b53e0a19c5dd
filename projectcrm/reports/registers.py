"""The reports registers: the go-live rules and the steering reports (drafts and the archive)."""


from projectcrm.core.registers import Register

from .models import GoLiveCheck, SteeringReport


class GoLiveCheckRegister(Register):
    model = GoLiveCheck
    area = "reports"
    slug = "golive-checks"
    list_columns = ["order", "kind", "text", "threshold", "on_fail", "active"]
    filter_fields = ["kind", "on_fail", "active"]
    search_fields = ["text", "note"]
    form_fields = ["kind", "text", "threshold", "on_fail", "met", "note", "evidence_link", "order", "active"]
    ordering = ["order", "pk"]


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


REGISTERS = [GoLiveCheckRegister, SteeringReportRegister]
