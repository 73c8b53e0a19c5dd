"""An evaluation small enough to work by hand: two categories, three weighted criteria, one knock-out.

Weights: Functions 60% (Sales 50%, Service 50%), Integration 40% (ERP 100%); "Hosted in China" is a
knock-out. Candidates Alpha, Beta, Gamma. The pm leads; evaluator and evaluator2 are the team with
the pm.
"""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from evaluation.choices import CandidateStatus
from evaluation.models import Candidate, Category, Criterion, Evaluation, TeamMember
from projectcrm.core.choices import Role
from projectcrm.core.models import Membership


@pytest.fixture
def evaluator2(users, project):
    user = get_user_model().objects.create_user(username="evaluator2", password="pw", first_name="Second")
    Membership.objects.create(project=project, user=user, role=Role.EVALUATOR)
    users["evaluator2"] = user
    return user


@pytest.fixture
def evaluation(project, users, evaluator2):
    evaluation = Evaluation.objects.create(project=project, name="CRM software", lead=users["pm"])
    functions = Category.objects.create(evaluation=evaluation, name="Functions", weight=Decimal(60), order=1)
    integration = Category.objects.create(evaluation=evaluation, name="Integration", weight=Decimal(40), order=2)
    Criterion.objects.create(evaluation=evaluation, category=functions, name="Sales", weight=Decimal(50), order=1,
                             anchors="None\nPoor\nBasic\nGood\nVery good\nExcellent")
    Criterion.objects.create(evaluation=evaluation, category=functions, name="Service", weight=Decimal(50), order=2)
    Criterion.objects.create(evaluation=evaluation, category=integration, name="ERP", weight=Decimal(100), order=1)
    Criterion.objects.create(evaluation=evaluation, category=integration, name="Hosted in China", knockout=True, order=2,
                             anchors="Data centre in mainland China")
    for name in ("Alpha", "Beta", "Gamma"):
        Candidate.objects.create(evaluation=evaluation, name=name, status=CandidateStatus.SHORT_LIST)
    for username in ("pm", "evaluator", "evaluator2"):
        TeamMember.objects.create(evaluation=evaluation, user=users[username])
    return evaluation


@pytest.fixture
def named(evaluation):
    """named("Sales") / named("Alpha") -> the criterion or candidate of that name."""

    def find(name):
        return (
            Criterion.objects.filter(evaluation=evaluation, name=name).first()
            or Candidate.objects.get(evaluation=evaluation, name=name)
        )

    return find
