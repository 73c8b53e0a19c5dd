"""seed_evaluation_scale: the requested shape, valid weights, complete results, and a rebuild that replaces."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from evaluation import results, services
from evaluation.choices import RoundStatus
from evaluation.management.commands.seed_evaluation_scale import PROJECT_NAME
from evaluation.models import (
    Candidate,
    Category,
    Consensus,
    CostItem,
    Criterion,
    Evaluation,
    Round,
    Score,
    TeamMember,
)
from projectcrm.core.models import Project

pytestmark = pytest.mark.django_db


def seed(**sizes) -> Evaluation:
    call_command("seed_evaluation_scale", stdout=StringIO(), **sizes)
    return Evaluation.objects.get(project=Project.objects.get(name=PROJECT_NAME))


def test_it_builds_the_requested_shape_and_replaces_it():
    seed(candidates=3, criteria=6, evaluators=2)
    evaluation = seed(candidates=3, criteria=6, evaluators=2)  # replaces the first build
    assert Project.objects.filter(name=PROJECT_NAME).count() == 1
    assert Candidate.objects.filter(evaluation=evaluation).count() == 3
    assert Criterion.objects.filter(evaluation=evaluation).count() == 6
    assert Criterion.objects.filter(evaluation=evaluation, knockout=True).count() == 1
    assert Category.objects.filter(evaluation=evaluation, parent__isnull=False).exists()  # nested
    assert TeamMember.objects.filter(evaluation=evaluation).count() == 2
    assert evaluation.project.memberships.filter(user__username="scale-evaluator-02", role="evaluator").exists()
    round_ = Round.objects.get(evaluation=evaluation)
    assert round_.status == RoundStatus.CLOSED
    assert Score.objects.filter(round=round_).count() == 3 * 6 * 2
    assert Consensus.objects.filter(evaluation=evaluation).count() == 3 * 6
    assert CostItem.objects.filter(evaluation=evaluation).count() == 3 * 5
    assert Score.objects.count() == 3 * 6 * 2  # the old build's rows are gone


def test_its_results_are_complete_with_valid_weights():
    evaluation = seed(candidates=4, criteria=40, evaluators=3)
    outcome = results.compute(evaluation)
    assert outcome.problems == []
    assert outcome.complete
    assert len(outcome.ranking) == 4  # every candidate passes the knock-outs
    assert outcome.monte_carlo is not None
    tree = services.build_tree(services.categories_of(evaluation), services.criteria_of(evaluation))
    assert len(tree.top_categories) == 3 and len(tree.knockouts) == 1
    assert abs(sum(tree.global_weights().values()) - 1) < 1e-9


def test_the_results_and_round_pages_answer_for_the_lead():
    evaluation = seed(candidates=3, criteria=6, evaluators=2)
    client = Client()
    client.force_login(evaluation.lead)
    kwargs = {"project": evaluation.project_id}
    assert client.get(reverse("evaluation:results", kwargs={**kwargs, "pk": evaluation.pk})).status_code == 200
    round_ = Round.objects.get(evaluation=evaluation)
    assert client.get(reverse("evaluation:round", kwargs={**kwargs, "pk": round_.pk})).status_code == 200
