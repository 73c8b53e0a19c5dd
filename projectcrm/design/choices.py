"""Choices of the design area: map kinds, step kinds, pain points, gap and use-case vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MapKind(models.TextChoices):
    AS_IS = "as_is", _("As-is")
    TO_BE = "to_be", _("To-be")


class MapStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("process map", "Draft")
    REVIEW = "review", pgettext_lazy("process map", "In review")
    AGREED = "agreed", pgettext_lazy("process map", "Agreed")


class StepKind(models.TextChoices):
    START = "start", _("Start event")
    END = "end", _("End event")
    EVENT = "event", _("Intermediate event")
    TASK = "task", _("Task")
    SYSTEM = "system", _("System action")
    HANDOFF = "handoff", _("Manual hand-off")
    DECISION = "decision", pgettext_lazy("process step", "Decision")
    PARALLEL = "parallel", _("Parallel split or join")


EVENT_KINDS = {StepKind.START, StepKind.END, StepKind.EVENT}
GATEWAY_KINDS = {StepKind.DECISION, StepKind.PARALLEL}
# Steps whose duration counts as work (events and gateways take no time of their own).
WORK_KINDS = {StepKind.TASK, StepKind.SYSTEM, StepKind.HANDOFF}


class PainPoint(models.TextChoices):
    DUPLICATE_ENTRY = "duplicate_entry", _("Duplicate entry")
    NO_VISIBILITY = "no_visibility", _("No visibility")
    LOST_HISTORY = "lost_history", _("Lost history")
    WRONG_PRICE = "wrong_price", _("Wrong or outdated price")
    SLOW_RESPONSE = "slow_response", _("Slow response")
    MANUAL_REKEYING = "manual_rekeying", _("Re-keying between systems")
    NO_OWNER = "no_owner", _("No clear owner")
    MISSING_DATA = "missing_data", _("Missing or bad data")
    APPROVAL_DELAY = "approval_delay", _("Waiting for approval")


class GapKind(models.TextChoices):
    REMOVED = "removed", _("Step removed")
    ADDED = "added", _("Step added")
    CHANGED = "changed", _("Step changed")
    AUTOMATED = "automated", _("Step automated")
    OTHER = "other", pgettext_lazy("gap kind", "Other")


class Resolution(models.TextChoices):
    CONFIGURATION = "configuration", _("Configuration")
    CUSTOMISATION = "customisation", _("Customisation")
    INTEGRATION = "integration", _("Integration")
    DATA = "data", _("Data")
    PROCESS_CHANGE = "process_change", _("Process change")
    TRAINING = "training", _("Training")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


class GapDecision(models.TextChoices):
    OPEN = "open", pgettext_lazy("gap decision", "Open")
    ACCEPTED = "accepted", pgettext_lazy("gap decision", "Accepted")
    DEFERRED = "deferred", pgettext_lazy("gap decision", "Deferred")
    REJECTED = "rejected", pgettext_lazy("gap decision", "Rejected")


class RuleType(models.TextChoices):
    ASSIGNMENT = "assignment", _("Assignment")
    ESCALATION = "escalation", _("Escalation")
    ALERT = "alert", _("Alert")
    VALIDATION = "validation", _("Validation")
    CALCULATION = "calculation", _("Calculation")


class RuleStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("business rule", "Proposed")
    AGREED = "agreed", pgettext_lazy("business rule", "Agreed")
    CONFIGURED = "configured", pgettext_lazy("business rule", "Configured")
    RETIRED = "retired", pgettext_lazy("business rule", "Retired")


class MoSCoW(models.TextChoices):
    MUST = "must", _("Must have")
    SHOULD = "should", _("Should have")
    COULD = "could", _("Could have")
    WONT = "wont", _("Won't have this time")


class UseCaseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("use case", "Draft")
    REVIEWED = "reviewed", pgettext_lazy("use case", "Reviewed")
    APPROVED = "approved", pgettext_lazy("use case", "Approved")
