from django.db import models
from django.utils.translation import gettext_lazy as _


class ReleaseKind(models.TextChoices):
    PILOT = "pilot", _("Pilot")
    PROOF = "poc", _("Proof of concept")
    WAVE = "wave", _("Wave")


class ReleaseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    LIVE = "live", _("Live")
    CLOSED = "closed", _("Closed")


class ItemKind(models.TextChoices):
    DELIVERABLE = "deliverable", _("Deliverable")
    TASK = "task", _("Task")
    MILESTONE = "milestone", _("Milestone")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")
    ACCEPTED = "accepted", _("Accepted")


TASK_FINISHED = [TaskStatus.DONE, TaskStatus.ACCEPTED]


class Rag(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class CriterionKind(models.TextChoices):
    MANUAL = "manual", _("Manual check")
    DELIVERABLES_ACCEPTED = "deliverables_accepted", _("All deliverables of the phase accepted")
    NO_OPEN_CRITICAL_ISSUES = "no_open_critical_issues", _("No open critical issues")
    TEST_PASS_RATE = "test_pass_rate", _("Latest test cycle's pass rate at least the threshold")
    MOCK_MIGRATION = "mock_migration", _("Latest mock migration within its error threshold")
    TRAINING_SIGNOFF = "training_signoff", _("Share of the required training signed off at least the threshold")


class GateRule(models.TextChoices):
    SPONSOR_AND_MAJORITY = "sponsor_majority", _("Sponsor plus a majority of the committee")
    MAJORITY = "majority", _("Majority of the committee")
    UNANIMOUS = "unanimous", _("Every committee member")
    SPONSOR = "sponsor", _("Sponsor alone")


class GateStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PASSED = "passed", _("Passed")
    PASSED_CONDITIONS = "passed_conditions", _("Passed with conditions")
    FAILED = "failed", _("Not passed")


class Vote(models.TextChoices):
    GO = "go", _("Go")
    GO_CONDITIONS = "go_conditions", _("Go with conditions")
    NO_GO = "no_go", _("No-go")


class ChangeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Assessed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IMPLEMENTED = "implemented", _("Implemented")
