"""Blind scoring through the API, results through the API, and two evaluators saving at once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from evaluation import services
from evaluation.models import Score


def api_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def scores_url(project, round_):
    return reverse("api-evaluation-scores", kwargs={"project": project.pk, "pk": round_.pk})


@pytest.fixture
def open_round(evaluation, users):
    return services.open_round(evaluation, users["pm"], "API round")


def test_api_scores_are_blind_while_the_round_is_open(project, users, named, open_round):
    evaluator = api_client(users["evaluator"])
    body = {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "4", "comment": "Strong"}
    response = evaluator.post(scores_url(project, open_round), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "4.00"

    own = evaluator.get(scores_url(project, open_round)).json()
    assert [s["comment"] for s in own] == ["Strong"]
    for other in ("evaluator2", "pm", "steering", "member"):
        client = api_client(users[other])
        assert client.get(scores_url(project, open_round)).json() == [], other
        asked = client.get(scores_url(project, open_round), {"evaluator": "evaluator"})
        assert asked.status_code == 404, other
    # The results through the API carry no total from the open round.
    results = api_client(users["pm"]).get(
        reverse("api-evaluation-results", kwargs={"project": project.pk, "pk": open_round.evaluation_id})
    ).json()
    assert {r["total"] for r in results["ranking"]} == {0.0}
    assert results["consensus"]["recorded"] == 0


def test_api_scores_show_after_closing_and_are_read_only(project, users, named, open_round):
    api_client(users["evaluator"]).post(
        scores_url(project, open_round), {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "4"},
        format="json",
    )
    services.close_round(open_round, users["pm"])
    seen = api_client(users["steering"]).get(scores_url(project, open_round)).json()
    assert [(s["evaluator"], s["value"]) for s in seen] == [("evaluator", "4.00")]
    response = api_client(users["evaluator"]).post(
        scores_url(project, open_round), {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert "read-only" in response.content.decode()


def test_api_refuses_bad_scores_and_stale_versions(project, users, named, open_round):
    client = api_client(users["evaluator"])
    url = scores_url(project, open_round)
    bad = client.post(url, {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "9"}, format="json")
    assert bad.status_code == 400 and "between 0 and 5" in bad.content.decode()
    client.post(url, {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "3"}, format="json")
    client.post(url, {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "4", "version": 1},
                format="json")
    stale = client.post(url, {"candidate": named("Alpha").pk, "criterion": named("Sales").pk, "value": "5",
                              "version": 1}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    viewer = api_client(users["viewer"]).get(url)
    assert viewer.status_code == 403


def test_api_results_hand_worked(project, users, evaluation, named, open_round):
    services.close_round(open_round, users["pm"])
    for name, value in (("Sales", "5"), ("Service", "3"), ("ERP", "4"), ("Hosted in China", "pass")):
        services.record_consensus(evaluation, open_round, named("Alpha"), named(name), value, "", users["pm"])
    data = api_client(users["member"]).get(
        reverse("api-evaluation-results", kwargs={"project": project.pk, "pk": evaluation.pk})
    ).json()
    alpha = next(r for r in data["ranking"] if r["name"] == "Alpha")
    assert alpha["total"] == pytest.approx(80.0) and alpha["rank"] == 1
    assert data["consensus"] == {"recorded": 4, "items": 12}


@pytest.mark.django_db(transaction=True)
def test_two_evaluators_saving_at_the_same_time_lose_nothing(project, users, evaluation, named):
    """Every evaluator's scores are their own rows: saving together, in threads with their own
    database connections, both sets arrive whole (SQLite and PostgreSQL)."""
    round_ = services.open_round(evaluation, users["pm"], "Concurrent")
    criteria = [named(n) for n in ("Sales", "Service", "ERP")]
    candidates = [named(n) for n in ("Alpha", "Beta", "Gamma")]
    barrier = threading.Barrier(2)
    errors = []

    def score_all(username, value):
        try:
            barrier.wait(timeout=10)
            for candidate in candidates:
                for criterion in criteria:
                    services.save_score(round_, users[username], candidate, criterion, value, comment=username)
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(f"{username}: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=score_all, args=(name, value)) for name, value in (("evaluator", "4"), ("evaluator2", "2"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    saved = {(s.evaluator.username, s.value) for s in Score.objects.select_related("evaluator")}
    assert saved == {("evaluator", Decimal(4)), ("evaluator2", Decimal(2))}
    assert Score.objects.count() == 18
    assert Score.history.count() == 18
