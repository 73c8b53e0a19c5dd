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


# --- Steering committee: meetings, KPIs, readiness assessments ------------------------------------


class MeetingKind(models.TextChoices):
    STEERING = "steering", _("Steering committee")
    GATE_REVIEW = "gate_review", _("Gate review")
    PROJECT_BOARD = "project_board", _("Project team")
    OTHER = "other", _("Other")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class KpiDirection(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class KpiFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class KpiSource(models.TextChoices):
    """Where a KPI's actual values come from: entered or imported by people, or computed by the app."""

    ENTERED = "entered", _("Entered or imported")
    ADOPTION_RATE = "adoption_rate", _("Computed: active users / licensed users (%)")
    TRAINING_READINESS = "training_readiness", _("Computed: required training signed off (%)")
    OPEN_ISSUES = "open_issues", _("Computed: open issues")
    HIGH_RISKS = "high_risks", _("Computed: open risks rated high or above")
    MILESTONES_ON_TIME = "milestones_on_time", _("Computed: milestones finished on time (%)")
    DATA_COMPLETENESS = "data_completeness", _("Computed: completeness of key CRM fields (%)")


class ValueOrigin(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")
    COMPUTED = "computed", _("Computed")


class ReadinessDimension(models.TextChoices):
    """The dimensions of the organisational readiness questionnaire, in three families."""

    # Culture and people
    DATA_CULTURE = "data_culture", _("Data-driven culture")
    EXECUTIVE_SUPPORT = "executive_support", _("Executive support")
    COMMUNICATION = "communication", _("Communication")
    TRAINING = "training", _("Training")
    FEEDBACK = "feedback", _("Feedback")
    RECOGNITION = "recognition", _("Recognition")
    # Implementation success factors
    EXECUTIVE_SPONSORSHIP = "executive_sponsorship", _("Executive sponsorship")
    PROCESS_FOCUS = "process_focus", _("Focus on process")
    TECHNOLOGY_FIT = "technology_fit", _("Technology fit")
    TEAM_CAPABILITY = "team_capability", _("Team capability")
    PEOPLE_FACTOR = "people_factor", _("People factor")
    PHASED_IMPLEMENTATION = "phased_implementation", _("Phased implementation")
    SYSTEM_INTEGRATION = "system_integration", _("System integration")
    # The five tests of a CRM strategy
    VALUE_PROPOSITION = "value_proposition", _("Distinct value proposition")
    TAILORED_ACTIVITIES = "tailored_activities", _("Activities tailored to it")
    TRADE_OFFS = "trade_offs", _("Clear trade-offs")
    FIT = "fit", _("Fit across activities")
    CONTINUITY = "continuity", _("Continuity over time")


class ReadinessFamily(models.TextChoices):
    CULTURE = "culture", _("Culture and people")
    SUCCESS_FACTORS = "success_factors", _("Implementation success factors")
    STRATEGY_TESTS = "strategy_tests", _("The five tests of a CRM strategy")


D = ReadinessDimension
DIMENSION_FAMILY = {
    **dict.fromkeys(
        [D.DATA_CULTURE, D.EXECUTIVE_SUPPORT, D.COMMUNICATION, D.TRAINING, D.FEEDBACK, D.RECOGNITION],
        ReadinessFamily.CULTURE,
    ),
    **dict.fromkeys(
        [D.EXECUTIVE_SPONSORSHIP, D.PROCESS_FOCUS, D.TECHNOLOGY_FIT, D.TEAM_CAPABILITY, D.PEOPLE_FACTOR,
         D.PHASED_IMPLEMENTATION, D.SYSTEM_INTEGRATION],
        ReadinessFamily.SUCCESS_FACTORS,
    ),
    **dict.fromkeys(
        [D.VALUE_PROPOSITION, D.TAILORED_ACTIVITIES, D.TRADE_OFFS, D.FIT, D.CONTINUITY],
        ReadinessFamily.STRATEGY_TESTS,
    ),
}
del D


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class Agreement(models.IntegerChoices):
    """A five-point answer to a readiness statement."""

    STRONGLY_DISAGREE = 1, _("1 – strongly disagree")
    DISAGREE = 2, _("2 – disagree")
    NEUTRAL = 3, _("3 – neither")
    AGREE = 4, _("4 – agree")
    STRONGLY_AGREE = 5, _("5 – strongly agree")


class BudgetCategory(models.TextChoices):
    LICENCES = "licences", _("Software licences")
    PARTNER = "partner", _("Implementation partner")
    INTERNAL = "internal", _("Internal staff")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and integration")
    DATA = "data", _("Data migration and cleansing")
    TRAINING = "training", _("Training and change management")
    CONTINGENCY = "contingency", _("Contingency")
    OTHER = "other", _("Other")
