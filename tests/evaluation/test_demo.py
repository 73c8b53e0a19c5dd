"""The evaluation part of the demo: idempotent, and it tells the story the issue asks for."""

from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation import demo, results, services
from evaluation.choices import (
    CriterionKind,
    EvaluationStatus,
    LicenceModel,
    RoundStatus,
    Subject,
)
from evaluation.models import (
    Assignment,
    Candidate,
    Category,
    Consensus,
    CostItem,
    Criterion,
    Evaluation,
    ReferenceCheck,
    Round,
    Score,
    TeamMember,
)
from projectcrm.core.management.commands.seed_demo import DEMO_PROJECT_NAME

pytestmark = pytest.mark.django_db


def evaluation_counts() -> dict:
    """Rows of every evaluation model, history tables included."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label == "evaluation"}


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def evaluation(name: str) -> Evaluation:
    return Evaluation.objects.get(project__name=DEMO_PROJECT_NAME, name=name)


def software() -> Evaluation:
    return evaluation(demo.SOFTWARE_NAME)


def partner() -> Evaluation:
    return evaluation(demo.PARTNER_NAME)


def test_seed_demo_twice_leaves_the_same_evaluation_rows():
    seed_demo()
    first = evaluation_counts()
    seed_demo()
    assert evaluation_counts() == first
    assert first["evaluation.Evaluation"] == 2
    assert first["evaluation.Score"] == first["evaluation.HistoricalScore"]  # one history row per score
    assert first["evaluation.Consensus"] == first["evaluation.HistoricalConsensus"]
    assert first["evaluation.Round"] == 2


def test_the_software_evaluation_is_decided_on_a_ranking_with_a_clear_winner():
    seed_demo()
    ev = software()
    assert ev.subject == Subject.SOFTWARE and ev.lead.username == "evaluator"
    assert ev.status == EvaluationStatus.DECIDED
    assert (ev.horizon_years, ev.discount_rate, ev.users, ev.close_call_margin) == (5, Decimal(8), 60, Decimal(3))
    today = timezone.localdate()
    assert ev.long_list_date < ev.rfi_date < ev.short_list_date < ev.demos_date < ev.references_date <= ev.decided_on
    assert ev.decided_on < today

    assert Candidate.objects.filter(evaluation=ev).count() == 5
    criteria = Criterion.objects.filter(evaluation=ev)
    assert 38 <= criteria.count() <= 45
    demos = criteria.filter(kind=CriterionKind.DEMO)
    assert demos.count() == 2 and all(c.script and c.category.name == "Scripted demos" for c in demos)
    assert set(TeamMember.objects.filter(evaluation=ev).values_list("user__username", flat=True)) == {
        "evaluator", "pm", "evaluator2", "evaluator3"
    }

    rounds = Round.objects.filter(evaluation=ev)
    assert [r.status for r in rounds] == [RoundStatus.CLOSED]
    assert rounds[0].opened_at < rounds[0].closed_at < timezone.now()
    assert Score.objects.filter(round=rounds[0]).count() == 5 * criteria.count() * 4

    outcome = results.compute(ev, with_sensitivity=False)
    assert not outcome.problems and not outcome.error  # top-level weights still add up to 100
    assert sum(c.weight for c in Category.objects.filter(evaluation=ev, parent=None)) == 100
    assert outcome.complete  # every competing candidate has a consensus on every criterion
    assert [outcome.by_id[r.candidate].name for r in outcome.totals.excluded] == [demo.KNOCKED_OUT]
    assert len(outcome.ranking) == 4
    first, second = outcome.ranking[:2]
    assert 3 <= first.total - second.total <= 8
    assert ev.selected_id == first.candidate and ev.selected.name == demo.WINNER
    assert ev.decision_rationale and demo.WINNER in ev.decision_rationale


def test_the_software_panel_disagrees_and_the_consensus_says_why():
    seed_demo()
    ev = software()
    round_ = Round.objects.get(evaluation=ev)
    panel = services.panel_of(round_)
    criteria = {c.pk: c for c in Criterion.objects.filter(evaluation=ev)}
    flagged = [key for key, scores in panel.items() if services.flagged(ev, criteria[key[1]], list(scores.values()))]
    wide = [key for key, scores in panel.items() if not criteria[key[1]].knockout
            and max(s.value for s in scores.values()) - min(s.value for s in scores.values()) >= 3]
    assert len(wide) >= 5
    for key in wide:
        assert any(s.comment for s in panel[key].values()), key
    consensus = {(c.candidate_id, c.criterion_id): c for c in Consensus.objects.filter(evaluation=ev)}
    for key in flagged:
        assert consensus[key].rationale and not consensus[key].rationale.startswith("Proposal accepted"), key
    assert Score.objects.filter(round=round_).exclude(evidence="").count() >= 20
    assert Score.objects.filter(round=round_).exclude(comment="").count() >= 20

    knocked_out = Candidate.objects.get(evaluation=ev, name=demo.KNOCKED_OUT)
    residency = Criterion.objects.get(evaluation=ev, catalogue_key="software:data-residency")
    assert set(Score.objects.filter(round=round_, candidate=knocked_out, criterion=residency)
               .values_list("passed", flat=True)) == {False}
    assert Consensus.objects.filter(evaluation=ev, passed=False).count() == 1

    # Generous and strict evaluators show in their scores.
    means = defaultdict(list)
    for username, value in Score.objects.filter(round=round_, value__isnull=False).values_list(
        "evaluator__username", "value"
    ):
        means[username].append(value)
    average = {name: sum(values) / len(values) for name, values in means.items()}
    assert average["evaluator3"] > average["evaluator"] > average["pm"]


def test_the_software_candidates_have_terms_costs_and_references():
    seed_demo()
    ev = software()
    candidates = {c.name: c for c in Candidate.objects.filter(evaluation=ev)}
    models = [c.licence_model for c in candidates.values()]
    assert models.count(LicenceModel.PERPETUAL) == 1 and models.count(LicenceModel.SUBSCRIPTION) == 4
    perpetual = next(c for c in candidates.values() if c.licence_model == LicenceModel.PERPETUAL)
    assert perpetual.perpetual_fee > 0 and perpetual.maintenance_percent == 20
    prices = {c.price_per_user_year for c in candidates.values() if c.licence_model == LicenceModel.SUBSCRIPTION}
    assert len(prices) == 4
    for candidate in candidates.values():
        categories = set(CostItem.objects.filter(candidate=candidate).values_list("category", flat=True))
        assert {"implementation", "data_migration", "training", "internal_staff"} <= categories, candidate.name
        assert CostItem.objects.filter(candidate=candidate, category="internal_staff", every_year=True).exists()
        references = ReferenceCheck.objects.filter(candidate=candidate)
        if candidate.name == demo.KNOCKED_OUT:
            assert not references.exists()
        else:
            assert 2 <= references.count() <= 3, candidate.name
            assert all(r.rating and r.questions and r.answers and r.checked_on for r in references)


def test_history_names_the_people_who_acted():
    seed_demo()
    ev = software()
    scorers = set(Score.history.filter(evaluation_id=ev.pk).values_list("history_user__username", flat=True))
    assert scorers == {"evaluator", "pm", "evaluator2", "evaluator3"}
    recorders = set(Consensus.history.filter(evaluation_id=ev.pk).values_list("history_user__username", flat=True))
    assert recorders == {"evaluator"}
    decided = Evaluation.history.filter(id=ev.pk, status=EvaluationStatus.DECIDED)
    assert set(decided.values_list("history_user__username", flat=True)) == {"evaluator"}


def test_the_partner_evaluation_is_half_way_through_a_blind_round():
    seed_demo()
    ev = partner()
    assert ev.subject == Subject.PARTNER and ev.lead.username == "pm"
    assert ev.status == EvaluationStatus.IN_PROGRESS and ev.selected is None
    assert Candidate.objects.filter(evaluation=ev).count() == 4
    assert set(Candidate.objects.filter(evaluation=ev).values_list("licence_model", flat=True)) == {LicenceModel.NONE}
    assert CostItem.objects.filter(evaluation=ev, category="implementation").count() == 4
    assert Category.objects.filter(evaluation=ev).exclude(catalogue_key="").exists()
    assert Assignment.objects.filter(evaluation=ev).exists()

    rounds = Round.objects.filter(evaluation=ev)
    assert [r.status for r in rounds] == [RoundStatus.OPEN]
    scores = Score.objects.filter(round=rounds[0])
    assert set(scores.values_list("evaluator__username", flat=True)) == {"evaluator", "evaluator2"}
    full = Candidate.objects.filter(evaluation=ev).count() * Criterion.objects.filter(evaluation=ev).count()
    for username in ("evaluator", "evaluator2"):
        assert 0 < scores.filter(evaluator__username=username).count() < full
    assert not Consensus.objects.filter(evaluation=ev).exists()
    lead = get_user_model().objects.get(username="pm")
    assert not services.visible_scores(rounds[0], lead).exists()  # blind: the lead has not scored yet
    assert results.compute(ev, with_sensitivity=False).consensus_count == 0


def test_the_software_plan_is_deterministic():
    one, two = demo.software_plan(), demo.software_plan()
    assert one.seed == two.seed and one.totals == two.totals
    assert {k: {u: m.raw for u, m in v.items()} for k, v in one.marks.items()} == {
        k: {u: m.raw for u, m in v.items()} for k, v in two.marks.items()
    }


def test_the_demo_evaluation_pages_open():
    seed_demo()
    User = get_user_model()
    ev, other = software(), partner()
    round_ = Round.objects.get(evaluation=ev)
    open_round = Round.objects.get(evaluation=other)
    lead = Client()
    lead.force_login(User.objects.get(username="evaluator"))
    pages = [
        ("evaluation:results", ev.pk), ("evaluation:round", round_.pk), ("evaluation:tco", ev.pk),
        ("evaluation:criteria-tree", ev.pk), ("evaluation:scoring", other.pk), ("evaluation:scoresheet", open_round.pk),
    ]
    for name, pk in pages:
        response = lead.get(reverse(name, kwargs={"project": ev.project_id, "pk": pk}))
        assert response.status_code == 200, name
