"""Governance ratings (projectcrm.governance.scoring): risk rating thresholds and the stakeholder
engagement quadrant, and the places that show them."""

import pytest

from projectcrm.governance import charts, scoring
from projectcrm.governance.models import Risk, Stakeholder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("score", "rating", "colour"),
    [(1, "Low", "green"), (7, "Low", "green"), (8, "Medium", "amber"), (14, "Medium", "amber"),
     (15, "High", "red"), (25, "High", "red")],
)
def test_rating_thresholds(score, rating, colour):
    assert (scoring.HIGH, scoring.MEDIUM) == (15, 8)
    assert str(scoring.rating(score)) == rating
    assert scoring.rating_colour(score) == colour


def test_the_model_and_the_heat_map_ask_scoring(project, monkeypatch):
    """One place decides: moving the threshold moves the model's rating and the heat colour."""
    monkeypatch.setattr(scoring, "HIGH", 12)
    risk = Risk.objects.create(project=project, title="r", probability=3, impact=4)
    assert (str(risk.rating), risk.rating_colour) == ("High", "red")
    assert charts.heat_colour(3, 4) == "red"


@pytest.mark.parametrize(
    ("influence", "interest", "quadrant"),
    [
        (3, 3, "Monitor"),  # the defaults: medium is not high
        (5, 5, "Manage closely"),
        (4, 4, "Manage closely"),
        (4, 3, "Keep satisfied"),
        (5, 1, "Keep satisfied"),
        (3, 4, "Keep informed"),
        (1, 5, "Keep informed"),
        (1, 1, "Monitor"),
    ],
)
def test_the_engagement_quadrant_counts_4_and_5_as_high(project, influence, interest, quadrant):
    person = Stakeholder.objects.create(project=project, name="x", influence=influence, interest=interest)
    assert str(person.quadrant) == quadrant


def test_a_default_stakeholder_is_not_managed_closely(project):
    assert str(Stakeholder.objects.create(project=project, name="new").quadrant) == "Monitor"


def test_the_power_interest_chart_splits_between_3_and_4():
    labels = {k: k for k in ("manage", "satisfy", "inform", "monitor", "influence", "interest")}
    fig = charts.power_interest_figure([("Ann", 4, 4), ("Bo", 3, 3)], labels)
    lines = [(s.x0, s.x1, s.y0, s.y1) for s in fig.layout.shapes]
    assert (3.5, 3.5, 0.5, 5.5) in lines  # interest
    assert (0.5, 5.5, 3.5, 3.5) in lines  # influence
    names = {a.text: (a.x, a.y) for a in fig.layout.annotations}
    assert names["manage"][0] > 3.5 > names["satisfy"][0]
    assert names["inform"][0] > 3.5 > names["monitor"][0]
