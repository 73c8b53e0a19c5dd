from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CheckKind(models.TextChoices):
    """What a go-live readiness criterion reads. Everything but MANUAL is computed from evidence."""

    GATES_PASSED = "gates_passed", _("Phase gates passed")
    CRITICAL_ISSUES = "critical_issues", _("No open critical issues")
    HIGH_RISKS = "high_risks", _("Open high risks within the limit")
    UAT_PASS_RATE = "uat_pass_rate", _("User acceptance test pass rate")
    SEVERE_DEFECTS = "severe_defects", _("No open severity 1 or 2 defects")
    MOCK_MIGRATION = "mock_migration", _("Last mock migration within its thresholds")
    CUTOVER_REHEARSAL = "cutover_rehearsal", _("Cutover rehearsed")
    TRAINING_SIGNOFF = "training_signoff", _("Training signed off in every department")
    COMMUNICATIONS = "communications", _("Communication plan carried out")
    CHANGE_REQUESTS = "change_requests", _("No change requests waiting for a decision")
    SUPPORT_MODEL = "support_model", _("Support model in place")
    MANUAL = "manual", _("Manual check")


class OnFail(models.TextChoices):
    NO_GO = "no_go", pgettext_lazy("go-live verdict", "No-go")
    CONDITIONS = "conditions", pgettext_lazy("go-live verdict", "Go with conditions")


class Verdict(models.TextChoices):
    # Their own context: the go-live verdict reads differently from a gate vote's "Go" in Chinese.
    GO = "go", pgettext_lazy("go-live verdict", "Go")
    CONDITIONS = "conditions", pgettext_lazy("go-live verdict", "Go with conditions")
    NO_GO = "no_go", pgettext_lazy("go-live verdict", "No-go")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
