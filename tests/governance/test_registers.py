"""Governance pages and calculations: risk score and rating, heat map, RACI matrix, the risk
library, the communication log and the calendar feed."""

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from projectcrm.core.models import Membership
from projectcrm.governance import charts, library
from projectcrm.governance.choices import Frequency, Raci, RiskStatus
from projectcrm.governance.models import (
    CommunicationItem,
    CommunicationLog,
    RaciAssignment,
    Risk,
    Stakeholder,
    Workstream,
)

pytestmark = pytest.mark.django_db


def gurl(name, project, **kwargs):
    return reverse(f"governance:{name}", kwargs={"project": project.pk, **kwargs})


# --- Risks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "impact", "score", "rating", "colour"),
    [
        (1, 1, 1, "Low", "green"),
        (2, 3, 6, "Low", "green"),
        (1, 5, 5, "Low", "green"),
        (2, 4, 8, "Medium", "amber"),
        (3, 3, 9, "Medium", "amber"),
        (3, 4, 12, "Medium", "amber"),
        (3, 5, 15, "High", "red"),
        (4, 4, 16, "High", "red"),
        (5, 5, 25, "High", "red"),
    ],
)
def test_risk_score_and_rating(project, probability, impact, score, rating, colour):
    risk = Risk.objects.create(project=project, title="r", probability=probability, impact=impact)
    assert risk.score == score == probability * impact
    assert str(risk.rating) == rating
    assert risk.rating_colour == colour
    assert charts.heat_colour(probability, impact) == colour


def test_the_score_follows_edits_through_the_form(pm_client, project):
    risk = Risk.objects.create(project=project, title="Vendor delay", probability=2, impact=2)
    data = {
        "title": risk.title, "description": "", "category": risk.category, "probability": 5, "impact": 4,
        "owner": "", "mitigation": "", "contingency": "", "trigger": "", "status": RiskStatus.ASSESSED,
        "review_date": "", "version": risk.version,
    }
    response = pm_client.post(gurl("risks-edit", project, pk=risk.pk), data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.score, str(risk.rating)) == (20, "High")


def test_heat_matrix_counts():
    matrix = charts.heat_matrix([(1, 1), (5, 5), (5, 5), (2, 4), (4, 2), (3, 3)])
    assert matrix[0][0] == 1  # impact 1, probability 1
    assert matrix[4][4] == 2  # impact 5, probability 5
    assert matrix[3][1] == 1  # impact 4, probability 2
    assert matrix[1][3] == 1  # impact 2, probability 4
    assert matrix[2][2] == 1
    assert sum(map(sum, matrix)) == 6
    assert charts.heat_matrix([]) == [[0] * 5 for _ in range(5)]


def test_the_risk_list_shows_the_heat_map_of_open_risks(pm_client, project):
    Risk.objects.create(project=project, title="a", probability=5, impact=5)
    Risk.objects.create(project=project, title="b", probability=5, impact=5)
    Risk.objects.create(project=project, title="c", probability=2, impact=4)
    Risk.objects.create(project=project, title="closed", probability=1, impact=1, status=RiskStatus.CLOSED)
    response = pm_client.get(gurl("risks-list", project))
    grid = response.context["heat_grid"]
    assert [row["impact"] for row in grid] == [5, 4, 3, 2, 1]
    counts = {(row["impact"], cell["probability"]): cell["count"] for row in grid for cell in row["cells"]}
    assert counts[(5, 5)] == 2
    assert counts[(4, 2)] == 1
    assert counts[(1, 1)] == 0  # closed risks are not on the map
    assert sum(counts.values()) == 3
    assert grid[0]["cells"][4]["colour"] == "red"
    # The list is ordered by score, highest first; the high quick view keeps scores of 15 and more.
    assert [row["obj"].title for row in response.context["rows"]][:2] == ["a", "b"]
    high = pm_client.get(gurl("risks-list", project), {"view": "high"})
    assert sorted(row["obj"].title for row in high.context["rows"]) == ["a", "b"]


# --- RACI -------------------------------------------------------------------------------------


@pytest.fixture
def people(project):
    return [
        Stakeholder.objects.create(project=project, name=name, department="Sales")
        for name in ("Ann", "Bo", "Chen")
    ]


def test_the_raci_matrix_saves_cells_and_warns_about_accountability(pm_client, project, people):
    workstreams = list(Workstream.objects.filter(project=project).order_by("name"))
    assert len(workstreams) == 6
    one, two = workstreams[0], workstreams[1]
    ann, bo, chen = people
    response = pm_client.post(
        gurl("raci", project),
        {
            f"cell-{one.pk}-{ann.pk}": "A",
            f"cell-{one.pk}-{bo.pk}": "R",
            f"cell-{one.pk}-{chen.pk}": "",
            f"cell-{two.pk}-{ann.pk}": "A",
            f"cell-{two.pk}-{bo.pk}": "A",
            f"cell-{two.pk}-{chen.pk}": "X",  # not a RACI letter: ignored
        },
    )
    assert response.status_code == 302
    cells = {(c.workstream_id, c.stakeholder_id): c.role for c in RaciAssignment.objects.filter(project=project)}
    assert cells == {(one.pk, ann.pk): "A", (one.pk, bo.pk): "R", (two.pk, ann.pk): "A", (two.pk, bo.pk): "A"}
    assert all(c.history.count() == 1 for c in RaciAssignment.objects.all())

    page = pm_client.get(gurl("raci", project))
    warnings = [str(w) for w in page.context["warnings"]]
    assert f"{two.name} has 2 people accountable; a workstream needs exactly one." in warnings
    assert not any(w.startswith(f"{one.name} ") for w in warnings)
    for ws in workstreams[2:]:
        assert f"{ws.name} has 0 people accountable; a workstream needs exactly one." in warnings
    assert len(warnings) == 5
    html = page.content.decode()
    assert "2 people accountable" in html

    # Changing a cell and clearing another: one history row each.
    pm_client.post(gurl("raci", project), {f"cell-{two.pk}-{bo.pk}": "C", f"cell-{one.pk}-{bo.pk}": ""})
    cell = RaciAssignment.objects.get(workstream=two, stakeholder=bo)
    assert cell.role == Raci.CONSULTED
    assert cell.version == 2
    assert cell.history.count() == 2
    assert not RaciAssignment.objects.filter(workstream=one, stakeholder=bo).exists()
    warnings = [str(w) for w in pm_client.get(gurl("raci", project)).context["warnings"]]
    assert not any(w.startswith(f"{two.name} ") for w in warnings)


def test_only_changers_may_post_the_raci_matrix(client_for, project, people):
    ws = Workstream.objects.filter(project=project).first()
    viewer = client_for("viewer")
    assert viewer.get(gurl("raci", project)).status_code == 200
    assert viewer.post(gurl("raci", project), {f"cell-{ws.pk}-{people[0].pk}": "A"}).status_code == 403
    assert not RaciAssignment.objects.exists()


# --- Risk library -----------------------------------------------------------------------------


def test_add_from_library_in_the_request_language_and_skip_duplicates(pm_client, project):
    entries = library.entries()
    keys = [entries[0]["key"], entries[1]["key"]]
    response = pm_client.post(gurl("risk-library", project), {"key": keys}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    risks = {r.library_key: r for r in Risk.objects.filter(project=project)}
    assert set(risks) == set(keys)
    for entry in entries[:2]:
        risk = risks[entry["key"]]
        assert risk.title == entry["title"]["zh-hans"]
        assert risk.mitigation == entry["mitigation"]["zh-hans"]
        assert risk.score == entry["probability"] * entry["impact"]
        assert risk.status == RiskStatus.IDENTIFIED
        assert risk.history.count() == 1
    assert risks["poor_data_quality"].title == "数据质量差"

    # Adding the same ones again (plus a new one, in Traditional Chinese) skips the first two.
    pm_client.cookies["django_language"] = "zh-hant"
    response = pm_client.post(gurl("risk-library", project), {"key": [*keys, entries[2]["key"]]}, follow=True)
    assert Risk.objects.filter(project=project).count() == 3
    third = Risk.objects.get(library_key=entries[2]["key"])
    assert third.title == entries[2]["title"]["zh-hant"]
    assert Risk.objects.get(library_key="poor_data_quality").title == "数据质量差"

    # The library page marks entries already added.
    page = pm_client.get(gurl("risk-library", project))
    added = {e["key"] for e in page.context["entries"] if e["added"]}
    assert added == {*keys, entries[2]["key"]}


def test_add_from_library_in_english_by_default(pm_client, project):
    pm_client.post(gurl("risk-library", project), {"key": ["poor_data_quality", "not-a-key"]})
    assert list(Risk.objects.values_list("title", flat=True)) == ["Poor data quality"]


def test_a_viewer_cannot_add_from_the_library(client_for, project):
    response = client_for("viewer").post(gurl("risk-library", project), {"key": ["poor_data_quality"]})
    assert response.status_code == 403
    assert not Risk.objects.exists()


def test_the_library_has_every_text_in_three_languages():
    for entry in library.entries():
        for field in ("title", "description", "mitigation", "trigger", "contingency"):
            assert set(entry[field]) >= {"en", "zh-hans", "zh-hant"}, (entry["key"], field)
            assert all(entry[field][lang].strip() for lang in ("en", "zh-hans", "zh-hant"))
        assert 1 <= entry["probability"] <= 5 and 1 <= entry["impact"] <= 5
    assert library.text(library.entries()[0], "title", "zh-TW") == library.entries()[0]["title"]["zh-hant"]
    assert library.text(library.entries()[0], "title", "zh-cn") == library.entries()[0]["title"]["zh-hans"]
    assert library.text(library.entries()[0], "title", "fr") == library.entries()[0]["title"]["en"]


# --- Communication plan -----------------------------------------------------------------------


@pytest.fixture
def weekly(project, users):
    today = timezone.localdate()
    return CommunicationItem.objects.create(
        project=project, deliverable="Steering report", delivery_method="meeting", frequency=Frequency.WEEKLY,
        audience="Steering committee", start_date=today - datetime.timedelta(days=14), owner=users["pm"],
        purpose="Decide open points",
    )


def test_logging_a_communication_adds_an_entry_and_moves_next_due(pm_client, project, users, weekly):
    today = timezone.localdate()
    assert weekly.next_due == today - datetime.timedelta(days=14)
    assert weekly.is_overdue
    response = pm_client.post(
        gurl("communications-log", project, pk=weekly.pk),
        {"sent_on": today.isoformat(), "summary": "Went through the status", "feedback_received": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == gurl("communications-detail", project, pk=weekly.pk)
    entry = CommunicationLog.objects.get(item=weekly)
    assert (entry.sent_on, entry.sent_by, entry.project) == (today, users["pm"], project)
    assert entry.history.count() == 1
    item = CommunicationItem.objects.get(pk=weekly.pk)
    assert item.last_sent_on == today
    assert item.next_due == today + datetime.timedelta(days=7)
    assert not item.is_overdue
    page = pm_client.get(gurl("communications-detail", project, pk=weekly.pk))
    html = page.content.decode()
    assert "Went through the status" in html
    assert (today + datetime.timedelta(days=7)).isoformat() in html
    # The list's annotation agrees with the property.
    listed = pm_client.get(gurl("communications-list", project)).context["rows"][0]["obj"]
    assert listed.last_sent == today
    assert listed.next_due == today + datetime.timedelta(days=7)


def test_logging_needs_change_rights_and_a_post(client_for, project, weekly):
    url = gurl("communications-log", project, pk=weekly.pk)
    assert client_for("pm").get(url).status_code == 405
    assert client_for("viewer").post(url, {"sent_on": "2025-01-01"}).status_code == 403
    assert client_for("outsider").post(url, {"sent_on": "2025-01-01"}).status_code == 404
    assert not CommunicationLog.objects.exists()


def test_a_bad_log_entry_is_refused_with_a_message(pm_client, project, weekly):
    response = pm_client.post(gurl("communications-log", project, pk=weekly.pk), {"sent_on": "not a date"}, follow=True)
    assert not CommunicationLog.objects.exists()
    assert "Enter a valid date." in response.content.decode()


def test_an_inactive_item_is_never_due(project, weekly):
    weekly.active = False
    weekly.save()
    assert weekly.next_due is None
    assert not weekly.is_overdue


def feed(client, project):
    page = client.get(gurl("communications-calendar", project))
    assert page.status_code == 200
    feed_url = page.context["feed_url"]
    assert "?token=" in feed_url
    return feed_url.split("testserver", 1)[1]


def test_the_calendar_feed_has_an_event_per_due_date(client_for, project, users, weekly):
    today = timezone.localdate()
    CommunicationItem.objects.create(
        project=project, deliverable="Kick-off newsletter", delivery_method="newsletter", frequency=Frequency.ONCE,
        audience="All staff", start_date=today + datetime.timedelta(days=3),
    )
    CommunicationItem.objects.create(
        project=project, deliverable="Paused item", frequency=Frequency.WEEKLY, audience="x", active=False,
    )
    path = feed(client_for("pm"), project)
    # A calendar program does not log in: the token is enough.
    response = client_for("anonymous").get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries.count("Kick-off newsletter (Newsletter)") == 1
    steering = [e for e in events if str(e["SUMMARY"]).startswith("Steering report")]
    # Weekly, never sent, first due 14 days ago, for 180 days ahead: every Monday-like slot from the start.
    dates = [e.decoded("DTSTART") for e in steering]
    assert dates[0] == today - datetime.timedelta(days=14)
    assert all((b - a).days == 7 for a, b in zip(dates, dates[1:], strict=False))
    assert dates[-1] <= today + datetime.timedelta(days=180)
    assert str(steering[0]["SUMMARY"]) == "Steering report (Meeting)"
    assert "Audience: Steering committee" in str(steering[0]["DESCRIPTION"])
    assert not any("Paused item" in s for s in summaries)
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_the_feed_token_is_bound_to_project_and_membership(client_for, project, other_project, users, weekly):
    path = feed(client_for("pm"), project)
    anonymous = client_for("anonymous")
    token = path.split("token=", 1)[1]
    assert anonymous.get(gurl("communications-calendar", project) + "?token=forged").status_code == 404
    assert anonymous.get(gurl("communications-calendar", other_project) + "?token=" + token).status_code == 404
    # Without a token an anonymous visitor is sent to the login page.
    assert anonymous.get(gurl("communications-calendar", project)).status_code == 302
    # A member who leaves the project loses the feed.
    Membership.objects.filter(project=project, user=users["pm"]).delete()
    assert anonymous.get(path).status_code == 404


# --- Inline actions (htmx) --------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_raci_cell_saves_inline_and_answers_with_the_status_block(pm_client, project, people):
    workstream = Workstream.objects.filter(project=project).order_by("name").first()
    ann = people[0]
    response = pm_client.post(gurl("raci", project), {f"cell-{workstream.pk}-{ann.pk}": "R"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="raci-status"' in html and "<html" not in html
    assert "1" in html  # one cell changed
    assert "exactly one" in html  # the workstream still has no one accountable
    assert RaciAssignment.objects.get(workstream=workstream, stakeholder=ann).role == "R"


def test_logging_a_communication_inline_returns_the_log_panel(pm_client, project, users, weekly):
    today = timezone.localdate()
    response = pm_client.post(
        gurl("communications-log", project, pk=weekly.pk),
        {"sent_on": today.isoformat(), "summary": "Inline log entry", "feedback_received": ""},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="communication-log"' in html and "<html" not in html
    assert "Inline log entry" in html
    assert CommunicationLog.objects.filter(item=weekly).count() == 1
    # A bad date comes back in the panel, nothing saved.
    response = pm_client.post(
        gurl("communications-log", project, pk=weekly.pk), {"sent_on": "not a date", "summary": "x"}, **HTMX
    )
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()
    assert CommunicationLog.objects.filter(item=weekly).count() == 1
