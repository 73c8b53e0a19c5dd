"""Choices of the core app. Each status carries its display colour (NetBox style)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROJECT_MANAGER = "pm", _("Project manager")
    STEERING = "steering", _("Steering committee member")
    EVALUATOR = "evaluator", _("Evaluator")
    TRAINER = "trainer", _("Trainer")
    MEMBER = "member", _("Team member")
    VIEWER = "viewer", _("Viewer")


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    LIVE = "live", _("Live")
    CLOSED = "closed", _("Closed")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    VALIDATING = "validating", _("Validating")
    INVALID = "invalid", _("Has errors")
    VALID = "valid", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


# Colour of a choice value in badges; values not listed are grey.
COLOURS = {
    # Testing, meetings and reports.
    "draft": "grey",
    "new": "blue",
    "triaged": "blue",
    "fixed": "teal",
    "retest": "amber",
    "passed_with_remarks": "amber",
    "not_run": "grey",
    "signed": "green",
    "refused": "red",
    "held": "green",
    "issued": "green",
    "planning": "blue",
    "active": "green",
    "on_hold": "amber",
    "live": "teal",
    "closed": "grey",
    "queued": "grey",
    "running": "blue",
    "validating": "blue",
    "invalid": "red",
    "valid": "green",
    "importing": "blue",
    "done": "green",
    "failed": "red",
    # Governance statuses and priorities.
    "open": "blue",
    "in_progress": "blue",
    "resolved": "green",
    "low": "grey",
    "medium": "blue",
    "high": "amber",
    "critical": "red",
    "identified": "grey",
    "assessed": "blue",
    "mitigating": "amber",
    "occurred": "red",
    "proposed": "blue",
    "approved": "green",
    "rejected": "red",
    "superseded": "grey",
    "cancelled": "grey",
    # Roadmap.
    "not_started": "grey",
    "blocked": "red",
    "accepted": "teal",
    "planned": "grey",
    "passed": "green",
    "passed_conditions": "amber",
    "submitted": "blue",
    "implemented": "teal",
    "green": "green",
    "amber": "amber",
    "red": "red",
    # Evaluation.
    "setup": "grey",
    "decided": "green",
    "long_list": "grey",
    "short_list": "blue",
    "dropped": "grey",
    "withdrawn": "grey",
    "pm": "blue",
    "steering": "amber",
    "sponsor": "red",
}
