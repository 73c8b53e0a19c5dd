"""Blind scoring, closing, consensus and results through the pages (and the services behind them)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation import results, services
from evaluation.models import Consensus, Round, Score


def url(name, project, pk, **extra):
    return reverse(f"evaluation:{name}", kwargs={"project": project.pk, "pk": pk, **extra})


@pytest.fixture
def open_round(evaluation, users):
    return services.open_round(evaluation, users["pm"], "Written proposals")


def save(client, project, round_, candidate, criterion, value, **extra):
    data = {"candidate": candidate.pk, "criterion": criterion.pk, "value": value, **extra}
    return client.post(url("score-save", project, round_.pk), data)


def test_only_the_lead_opens_a_round(client_for, project, evaluation):
    response = client_for("evaluator").post(url("round-open", project, evaluation.pk), {"name": "R1"}, follow=True)
    assert "Only the evaluation lead can open a scoring round." in response.content.decode()
    assert not Round.objects.exists()
    response = client_for("pm").post(url("round-open", project, evaluation.pk), {"name": "R1"})
    assert response.status_code == 302
    assert Round.objects.get().is_open


def test_scores_are_blind_while_the_round_is_open(client_for, project, evaluation, users, named, open_round):
    evaluator = client_for("evaluator")
    response = save(evaluator, project, open_round, named("Alpha"), named("Sales"), "4", comment="Good pipeline views")
    assert response.status_code == 302
    score = Score.objects.get()
    assert (score.value, score.comment, score.evaluator) == (Decimal(4), "Good pipeline views", users["evaluator"])

    # The evaluator sees their own scores...
    own = evaluator.get(url("evaluator-scores", project, open_round.pk, user=users["evaluator"].pk))
    assert own.status_code == 200 and "Good pipeline views" in own.content.decode()
    # ...nobody else does, the lead included: 404, as if the page did not exist.
    for other in ("evaluator2", "pm", "steering", "member"):
        response = client_for(other).get(url("evaluator-scores", project, open_round.pk, user=users["evaluator"].pk))
        assert response.status_code == 404, other
    # The round page and the lead's own sheet show no value of another evaluator.
    for page in (url("round", project, open_round.pk), url("scoring", project, evaluation.pk),
                 url("results", project, evaluation.pk)):
        body = client_for("pm").get(page).content.decode()
        assert "Good pipeline views" not in body
    sheet = client_for("evaluator2").get(url("scoresheet", project, open_round.pk) + f"?candidate={named('Alpha').pk}")
    assert sheet.status_code == 200
    assert "Good pipeline views" not in sheet.content.decode()


def test_no_total_leaks_from_an_open_round(client_for, project, evaluation, named, open_round):
    for name in ("Sales", "Service", "ERP"):
        save(client_for("evaluator"), project, open_round, named("Alpha"), named(name), "5")
    outcome = results.compute(evaluation)
    assert outcome.consensus_count == 0
    assert {r.total for r in outcome.totals.results.values()} == {0.0}


def test_score_outside_the_scale_is_refused_with_the_criterion_named(client_for, project, named, open_round):
    response = client_for("evaluator").post(
        url("score-save", project, open_round.pk),
        {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "7"}, HTTP_HX_REQUEST="true",
    )
    assert "The score of “Sales” must lie between 0 and 5." in response.content.decode()
    assert not Score.objects.exists()


def test_knockout_is_scored_pass_or_fail(client_for, project, named, open_round):
    client = client_for("evaluator")
    save(client, project, open_round, named("Alpha"), named("Hosted in China"), "4")
    assert not Score.objects.exists()
    save(client, project, open_round, named("Alpha"), named("Hosted in China"), "fail")
    assert Score.objects.get().passed is False


def test_not_on_the_team_cannot_score(client_for, project, named, open_round, evaluation):
    from evaluation.models import TeamMember

    TeamMember.objects.filter(evaluation=evaluation, user__username="evaluator2").delete()
    response = client_for("evaluator2").post(
        url("score-save", project, open_round.pk),
        {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "3"}, follow=True,
    )
    assert "You are not assigned to score “Sales”." in response.content.decode()
    assert not Score.objects.exists()


def test_a_stale_edit_of_the_same_score_is_refused(client_for, project, named, open_round):
    client = client_for("evaluator")
    save(client, project, open_round, named("Alpha"), named("Sales"), "3")
    save(client, project, open_round, named("Alpha"), named("Sales"), "4", version="1")
    save(client, project, open_round, named("Alpha"), named("Sales"), "2", version="1")  # opened before the 4
    assert Score.objects.get().value == Decimal(4)


def test_closed_round_shows_the_panel_spread_and_flags(client_for, project, evaluation, named, open_round):
    for username, value in (("pm", "1"), ("evaluator", "4"), ("evaluator2", "5")):
        save(client_for(username), project, open_round, named("Alpha"), named("Sales"), value)
    services.close_round(open_round, evaluation.lead)
    body = client_for("member").get(url("round", project, open_round.pk)).content.decode()
    assert "flagged" in body  # range 4 >= 2: a disagreement to discuss
    assert "4.00" in body  # the range
    # After closing, scores are read-only.
    response = save(client_for("evaluator"), project, open_round, named("Alpha"), named("Sales"), "2")
    assert Score.objects.get(evaluator__username="evaluator").value == Decimal(4)
    assert response.status_code == 302


def test_consensus_is_recorded_by_the_lead_after_closing(client_for, project, evaluation, named, open_round):
    for username, value in (("pm", "3"), ("evaluator", "4"), ("evaluator2", "4")):
        save(client_for(username), project, open_round, named("Alpha"), named("Sales"), value)
    data = {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "4", "rationale": "Demo convinced"}
    # Not while the round is open.
    client_for("pm").post(url("consensus-save", project, open_round.pk), data)
    assert not Consensus.objects.exists()
    services.close_round(open_round, evaluation.lead)
    client_for("evaluator").post(url("consensus-save", project, open_round.pk), data)
    assert not Consensus.objects.exists()
    client_for("pm").post(url("consensus-save", project, open_round.pk), data)
    row = Consensus.objects.get()
    assert (row.value, row.rationale, row.proposal) == (Decimal(4), "Demo convinced", Decimal("3.67"))


def test_accepting_proposals_skips_the_disagreements(client_for, project, evaluation, named, open_round):
    scores = {"Sales": ("3", "4", "4"), "Service": ("1", "4", "5"), "Hosted in China": ("pass", "pass", "fail")}
    for name, values in scores.items():
        for username, value in zip(("pm", "evaluator", "evaluator2"), values, strict=True):
            save(client_for(username), project, open_round, named("Beta"), named(name), value)
    services.close_round(open_round, evaluation.lead)
    client_for("pm").post(url("consensus-accept", project, open_round.pk))
    agreed = {c.criterion.name: c for c in Consensus.objects.select_related("criterion")}
    assert set(agreed) == {"Sales"}  # Service spreads 4 points, the knock-out splits
    assert agreed["Sales"].value == Decimal("3.67")


def test_reopening_needs_a_reason_and_is_recorded(client_for, project, evaluation, open_round):
    services.close_round(open_round, evaluation.lead)
    client_for("pm").post(url("round-reopen", project, open_round.pk), {"reason": ""})
    assert not Round.objects.get().is_open
    client_for("pm").post(url("round-reopen", project, open_round.pk), {"reason": "Beta sent a corrected price list"})
    round_ = Round.objects.get()
    assert round_.is_open and round_.reopen_count == 1
    assert round_.history.filter(reopen_reason="Beta sent a corrected price list").exists()


def agree(evaluation, round_, candidate, criterion, value):
    services.record_consensus(evaluation, round_, candidate, criterion, value, "", evaluation.lead)


def test_results_from_consensus_hand_worked(project, evaluation, named, open_round, client_for):
    """Alpha: Sales 5, Service 3, ERP 4 -> 100 x (0.6 x 0.5 x 1 + 0.6 x 0.5 x 0.6 + 0.4 x 0.8) = 80.
    Beta: 4, 4, 2 -> 100 x (0.3 x 0.8 + 0.3 x 0.8 + 0.4 x 0.4) = 64. Gamma fails the knock-out."""
    services.close_round(open_round, evaluation.lead)
    table = {"Alpha": ("5", "3", "4", "pass"), "Beta": ("4", "4", "2", "pass"), "Gamma": ("5", "5", "5", "fail")}
    for candidate, values in table.items():
        for name, value in zip(("Sales", "Service", "ERP", "Hosted in China"), values, strict=True):
            agree(evaluation, open_round, named(candidate), named(name), value)
    outcome = results.compute(evaluation)
    totals = {outcome.by_id[r.candidate].name: round(r.total, 6) for r in outcome.ranking}
    assert totals == {"Alpha": 80.0, "Beta": 64.0}
    assert [outcome.by_id[r.candidate].name for r in outcome.totals.excluded] == ["Gamma"]
    assert outcome.totals.excluded[0].failed == ["Hosted in China"]
    page = client_for("steering").get(url("results", project, evaluation.pk)).content.decode()
    assert "80.0" in page and "Excluded from the ranking" in page

    # Only the lead re-admits, and only with a written justification.
    gamma = named("Gamma")
    client_for("evaluator").post(url("readmit", project, gamma.pk), {"reason": "x"})
    assert not results.compute(evaluation).by_id[gamma.pk].readmitted
    client_for("pm").post(url("readmit", project, gamma.pk), {"reason": ""})
    assert not results.compute(evaluation).by_id[gamma.pk].readmitted
    client_for("pm").post(url("readmit", project, gamma.pk), {"reason": "Hosting in Hong Kong accepted by legal"})
    outcome = results.compute(evaluation)
    assert outcome.by_id[outcome.ranking[0].candidate].name == "Gamma"  # 100 points
    assert outcome.ranking[0].readmitted


def test_cost_as_a_weighted_criterion(project, evaluation, named, open_round):
    """Cost weight 20%: criteria share 80%. Alpha NPV 100, Beta NPV 200 -> cost scores 1 and 0.5.
    Alpha: 0.8 x 80 + 0.2 x 100 = 84; Beta: 0.8 x 64 + 0.2 x 50 = 61.2."""
    from evaluation.models import CostItem

    services.close_round(open_round, evaluation.lead)
    for candidate, values in {"Alpha": ("5", "3", "4"), "Beta": ("4", "4", "2")}.items():
        for name, value in zip(("Sales", "Service", "ERP"), values, strict=True):
            agree(evaluation, open_round, named(candidate), named(name), value)
    named("Gamma").status = "dropped"
    named("Gamma").save()
    from evaluation.models import Candidate

    Candidate.objects.filter(name="Gamma").update(status="dropped")
    CostItem.objects.create(evaluation=evaluation, candidate=named("Alpha"), year=1, amount=Decimal(100))
    CostItem.objects.create(evaluation=evaluation, candidate=named("Beta"), year=1, amount=Decimal(200))
    evaluation.cost_mode = "criterion"
    evaluation.cost_weight = Decimal(20)
    evaluation.save()
    outcome = results.compute(evaluation)
    totals = {outcome.by_id[r.candidate].name: round(r.total, 6) for r in outcome.ranking}
    assert totals == {"Alpha": 84.0, "Beta": 61.2}


def test_only_the_lead_decides(client_for, project, evaluation, named):
    data = {"selected": named("Alpha").pk, "rationale": "Best fit and cost"}
    client_for("evaluator").post(url("decide", project, evaluation.pk), data)
    evaluation.refresh_from_db()
    assert evaluation.selected is None
    client_for("pm").post(url("decide", project, evaluation.pk), {"selected": named("Alpha").pk, "rationale": ""})
    evaluation.refresh_from_db()
    assert evaluation.selected is None
    client_for("pm").post(url("decide", project, evaluation.pk), data)
    evaluation.refresh_from_db()
    assert evaluation.selected == named("Alpha") and evaluation.status == "decided"
