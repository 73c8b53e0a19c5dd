from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_LOW = 1, _("1 – very low")
    LOW = 2, _("2 – low")
    MEDIUM = 3, _("3 – medium")
    HIGH = 4, _("4 – high")
    VERY_HIGH = 5, _("5 – very high")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


PRIORITY_RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3, Priority.CRITICAL: 4}


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ISSUE_DONE = [IssueStatus.RESOLVED, IssueStatus.CLOSED]


class EscalateTo(models.TextChoices):
    PROJECT_MANAGER = "pm", _("Project manager")
    STEERING = "steering", _("Steering committee")
    SPONSOR = "sponsor", _("Executive sponsor")


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    ASSESSED = "assessed", _("Assessed")
    MITIGATING = "mitigating", _("Mitigating")
    OCCURRED = "occurred", _("Occurred")
    CLOSED = "closed", _("Closed")


RISK_DONE = [RiskStatus.CLOSED]


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTION_DONE = [ActionStatus.DONE, ActionStatus.CANCELLED]


class DeliveryMethod(models.TextChoices):
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    REPORT = "report", _("Written report")
    INTRANET = "intranet", _("Intranet / portal")
    NEWSLETTER = "newsletter", _("Newsletter")
    WORKSHOP = "workshop", _("Workshop")
    CHAT = "chat", _("Chat group")
    OTHER = "other", _("Other")


class Frequency(models.TextChoices):
    ONCE = "once", _("Once")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    AS_NEEDED = "as_needed", _("As needed")


class Raci(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class RiskCategory(models.TextChoices):
    DATA = "data", _("Data")
    PEOPLE = "people", _("People and organisation")
    PROCESS = "process", _("Process")
    TECHNOLOGY = "technology", _("Technology")
    VENDOR = "vendor", _("Vendor and partner")
    PROJECT = "project", _("Project management")
    STRATEGY = "strategy", _("Strategy and sponsorship")
    ADOPTION = "adoption", _("Adoption")
