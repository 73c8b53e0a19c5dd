from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import tco


class Subject(models.TextChoices):
    SOFTWARE = "software", _("CRM software")
    PARTNER = "partner", _("Implementation partner or consultant")
    OTHER = "other", _("Other (integration tool, data-migration service…)")


class EvaluationStatus(models.TextChoices):
    SETUP = "setup", _("Setting up")
    IN_PROGRESS = "in_progress", _("In progress")
    DECIDED = "decided", _("Decided")
    CANCELLED = "cancelled", _("Cancelled")


class Stage(models.TextChoices):
    """The timeline of a selection, in order."""

    LONG_LIST = "long_list", _("Long list")
    RFI = "rfi", _("Request for information")
    SHORT_LIST = "short_list", _("Short list")
    DEMOS = "demos", _("Scripted demos")
    REFERENCES = "references", _("Reference checks")
    DECISION = "decision", pgettext_lazy("evaluation stage", "Decision")


# Evaluation field holding the planned date of each stage.
STAGE_DATES = {
    Stage.LONG_LIST: "long_list_date",
    Stage.RFI: "rfi_date",
    Stage.SHORT_LIST: "short_list_date",
    Stage.DEMOS: "demos_date",
    Stage.REFERENCES: "references_date",
    Stage.DECISION: "decision_date",
}


class Weighting(models.TextChoices):
    DIRECT = "direct", _("Entered directly")
    AHP = "ahp", _("Pairwise comparisons (AHP)")


class ConsensusMethod(models.TextChoices):
    MEAN = "mean", _("Mean of the panel")
    MEDIAN = "median", _("Median of the panel")


class CostMode(models.TextChoices):
    BESIDE = "beside", _("Shown beside the value score")
    CRITERION = "criterion", _("A weighted criterion (cheaper scores higher)")


class CandidateStatus(models.TextChoices):
    LONG_LIST = "long_list", _("Long list")
    SHORT_LIST = "short_list", _("Short list")
    DROPPED = "dropped", _("Dropped")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Candidates that take part in scoring and the ranking.
COMPETING = [CandidateStatus.LONG_LIST, CandidateStatus.SHORT_LIST]


class LicenceModel(models.TextChoices):
    NONE = "none", _("No licence (services only)")
    SUBSCRIPTION = "subscription", _("Subscription per user per year")
    PERPETUAL = "perpetual", _("Perpetual licence plus maintenance")


class CriterionKind(models.TextChoices):
    CRITERION = "criterion", _("Criterion")
    DEMO = "demo", _("Scripted demo scenario")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open: blind scoring")
    CLOSED = "closed", _("Closed")


class CostCategory(models.TextChoices):
    LICENCE = tco.LICENCE, _("Licences")
    MAINTENANCE = tco.MAINTENANCE, _("Maintenance")
    IMPLEMENTATION = tco.IMPLEMENTATION, _("Implementation")
    CUSTOMISATION = tco.CUSTOMISATION, _("Customisation")
    INTEGRATION = tco.INTEGRATION, _("Integration")
    DATA_MIGRATION = tco.DATA_MIGRATION, _("Data migration")
    TRAINING = tco.TRAINING, _("Training")
    HARDWARE = tco.HARDWARE, _("Hardware")
    INTERNAL_STAFF = tco.INTERNAL_STAFF, _("Internal staff")
    SUPPORT = tco.SUPPORT, _("Support")
    OTHER = tco.OTHER, _("Other")


class Rating(models.IntegerChoices):
    POOR = 1, _("1 – Poor")
    FAIR = 2, _("2 – Fair")
    GOOD = 3, _("3 – Good")
    VERY_GOOD = 4, _("4 – Very good")
    EXCELLENT = 5, _("5 – Excellent")
