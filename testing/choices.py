"""Choices of the testing area: plan types, statuses, execution results, defect severity and workflow."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanType(models.TextChoices):
    FUNCTIONAL = "functional", _("Functional / unit")
    SYSTEM = "system", _("System")
    INTEGRATION = "integration", _("Integration")
    DATA_MIGRATION = "data_migration", _("Data migration")
    PERFORMANCE = "performance", _("Performance / load")
    SECURITY = "security", _("Security")
    UAT = "uat", _("User acceptance")
    REGRESSION = "regression", _("Regression")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class CycleStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Result(models.TextChoices):
    """The result of one step and of a whole execution."""

    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    BLOCKED = "blocked", _("Blocked")
    PASSED_WITH_REMARKS = "passed_with_remarks", _("Passed with remarks")
    NOT_RUN = "not_run", _("Not run")


PASSING = [Result.PASSED, Result.PASSED_WITH_REMARKS]


class Severity(models.IntegerChoices):
    CRITICAL = 1, _("1 – critical")
    MAJOR = 2, _("2 – major")
    MINOR = 3, _("3 – minor")
    TRIVIAL = 4, _("4 – trivial")


class DefectStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    FIXED = "fixed", _("Fixed")
    RETEST = "retest", _("Retest")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


# A defect is open until it is closed (fixed and retested) or rejected: "fixed" and "retest"
# still count against the exit criteria, because nobody has confirmed the fix yet.
DEFECT_DONE = [DefectStatus.CLOSED, DefectStatus.REJECTED]

S = DefectStatus
# The workflow: from each status, the statuses a defect may move to.
DEFECT_TRANSITIONS: dict[str, list[str]] = {
    S.NEW: [S.TRIAGED, S.REJECTED],
    S.TRIAGED: [S.IN_PROGRESS, S.REJECTED],
    S.IN_PROGRESS: [S.FIXED, S.TRIAGED],
    S.FIXED: [S.RETEST],
    S.RETEST: [S.CLOSED, S.IN_PROGRESS],  # the retest passes, or fails and goes back to the developer
    S.CLOSED: [S.RETEST],  # reopened when the fault comes back
    S.REJECTED: [S.TRIAGED],  # reconsidered
}


class SignOffStatus(models.TextChoices):
    SIGNED = "signed", _("Signed off")
    REFUSED = "refused", _("Refused by the business owner")


class DataQuality(models.TextChoices):
    """The overall judgement of a source system's data, beside the measured rates."""

    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair: cleansing needed")
    POOR = "poor", _("Poor: major cleansing needed")
    UNKNOWN = "unknown", _("Not assessed")


class RunStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class ReconciliationStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for key columns")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CutoverStage(models.TextChoices):
    PREPARATION = "preparation", _("Preparation")
    FREEZE = "freeze", _("Freeze of the old systems")
    MIGRATION = "migration", _("Data migration")
    VERIFICATION = "verification", _("Verification")
    GO_LIVE = "go_live", _("Go-live")
    FALLBACK = "fallback", _("Fallback (only on no-go)")
