"""Governance ratings: the risk score and its rating, and the stakeholder engagement quadrant.

The one place that knows the thresholds; models, registers, charts and templates ask here.
Plain functions of numbers: no request, no ORM, no template.
"""

from django.utils.translation import gettext_lazy as _

# A risk scores probability × impact (each 1 to 5). At or above HIGH it is high, at or above
# MEDIUM medium, below MEDIUM low.
HIGH = 15
MEDIUM = 8

# Influence and interest are rated 1 to 5; 4 and 5 count as high, so the default 3 (medium)
# does not land in "Manage closely". Charts draw the dividing line half way below.
ENGAGEMENT_HIGH = 4
ENGAGEMENT_SPLIT = ENGAGEMENT_HIGH - 0.5

ENGAGEMENT_LABELS = {
    "manage": _("Manage closely"),
    "satisfy": _("Keep satisfied"),
    "inform": _("Keep informed"),
    "monitor": _("Monitor"),
}


def risk_score(probability: int, impact: int) -> int:
    return probability * impact


def rating(score: int):
    """The rating of a risk score: High, Medium or Low (translatable)."""
    if score >= HIGH:
        return _("High")
    if score >= MEDIUM:
        return _("Medium")
    return _("Low")


def rating_colour(score: int) -> str:
    """The badge colour of a risk score: red, amber or green."""
    if score >= HIGH:
        return "red"
    if score >= MEDIUM:
        return "amber"
    return "green"


def engagement(influence: int, interest: int) -> str:
    """The power/interest quadrant: "manage", "satisfy", "inform" or "monitor"."""
    high_influence = influence >= ENGAGEMENT_HIGH
    high_interest = interest >= ENGAGEMENT_HIGH
    if high_influence and high_interest:
        return "manage"
    if high_influence:
        return "satisfy"
    if high_interest:
        return "inform"
    return "monitor"
