"""Governance pages and calculations: risk score and rating, heat map, RACI matrix, the risk
library, the communication log and the calendar feed."""

import datetime
from html.parser import HTMLParser

import icalendar
import pytest
from django.test import override_settings
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


def test_the_heat_map_links_list_only_open_risks(pm_client, project):
    Risk.objects.create(project=project, title="open one", probability=4, impact=5)
    Risk.objects.create(project=project, title="closed one", probability=4, impact=5, status=RiskStatus.CLOSED)
    Risk.objects.create(project=project, title="elsewhere", probability=1, impact=2)
    response = pm_client.get(gurl("risks-list", project))
    html = response.content.decode()
    link = "?view=open&amp;probability=4&amp;impact=5"
    assert f'<a href="{link}"' in html
    cell = pm_client.get(gurl("risks-list", project) + link.replace("&amp;", "&"))
    assert [row["obj"].title for row in cell.context["rows"]] == ["open one"]
    # The open view on its own: everything not closed.
    opened = pm_client.get(gurl("risks-list", project), {"view": "open"})
    assert sorted(row["obj"].title for row in opened.context["rows"]) == ["elsewhere", "open one"]
    assert "15 and above is high, 8 to 14 medium, below 8 low" in html


def test_the_library_badges_use_the_rating_colour(pm_client, project):
    from projectcrm.governance import scoring

    entries = pm_client.get(gurl("risk-library", project)).context["entries"]
    assert {e["colour"] for e in entries} <= {"red", "amber", "green"}
    for entry in entries:
        assert entry["colour"] == scoring.rating_colour(entry["probability"] * entry["impact"])


def test_overdue_on_the_project_home_uses_the_quick_filters(project):
    from projectcrm.governance.choices import ActionStatus, IssueStatus
    from projectcrm.governance.models import ActionItem, Issue
    from projectcrm.governance.registers import ActionItemRegister, IssueRegister

    today = timezone.localdate()
    past = today - datetime.timedelta(days=3)
    Issue.objects.create(project=project, title="late", due_date=past)
    Issue.objects.create(project=project, title="done", due_date=past, status=IssueStatus.CLOSED, resolution="ok")
    Issue.objects.create(project=project, title="not yet", due_date=today)
    ActionItem.objects.create(project=project, title="late", due_date=past)
    ActionItem.objects.create(project=project, title="done", due_date=past, status=ActionStatus.DONE)
    issues = IssueRegister.overdue(IssueRegister.queryset(project), today)
    assert [i.title for i in issues] == ["late"]
    assert list(issues) == list(IssueRegister.quick_filters["overdue"][1](IssueRegister.queryset(project), project))
    actions = ActionItemRegister.overdue(ActionItemRegister.queryset(project), today)
    assert [a.title for a in actions] == ["late"]


@override_settings(TIME_ZONE="Asia/Shanghai")
def test_dates_default_to_the_local_day_not_the_servers(project, users):
    """20:00 UTC on 1 January is already 2 January in Shanghai (the server's clock may say the 1st)."""
    from unittest import mock

    from projectcrm.governance.models import Issue

    evening_utc = datetime.datetime(2025, 1, 1, 20, 0, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=evening_utc):
        item = CommunicationItem.objects.create(project=project, deliverable="d", audience="a")
        entry = CommunicationLog.objects.create(project=project, item=item)
        issue = Issue.objects.create(project=project, title="t")
    assert item.start_date == entry.sent_on == issue.raised_on == datetime.date(2025, 1, 2)


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

    # Changing a cell and clearing another: one history row each. These posts carry no orig-*
    # values (a client older than them): a cell's orig is then taken as its stored value.
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


class RaciForm(HTMLParser):
    """The cells of a rendered RACI matrix: select name -> selected value, hidden name -> value, and
    the htmx attributes of each select."""

    def __init__(self, html):
        super().__init__()
        self.selects, self.hidden, self.htmx = {}, {}, {}
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select" and attrs.get("name", "").startswith("cell-"):
            self._select = attrs["name"]
            self.selects[self._select] = ""
            self.htmx[self._select] = {k: v for k, v in attrs.items() if k.startswith("hx-")}
        elif tag == "option" and self._select and "selected" in attrs:
            self.selects[self._select] = attrs["value"]
        elif tag == "input" and attrs.get("type") == "hidden" and attrs.get("name", "").startswith("orig-"):
            self.hidden[attrs["name"]] = attrs["value"] or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def post_data(self):
        """What the Save button sends: every cell as shown, with its orig."""
        return {**self.selects, **self.hidden}


def test_the_raci_page_renders_each_cells_orig_and_its_own_htmx_post(pm_client, project, people):
    ws = Workstream.objects.filter(project=project).order_by("name").first()
    RaciAssignment.objects.create(project=project, workstream=ws, stakeholder=people[1], role="A")
    page = pm_client.get(gurl("raci", project))
    form = RaciForm(page.content.decode())
    assert len(form.selects) == 6 * 3
    key = f"{ws.pk}-{people[1].pk}"
    assert form.selects[f"cell-{key}"] == "A" and form.hidden[f"orig-{key}"] == "A"
    assert form.hidden[f"orig-{ws.pk}-{people[0].pk}"] == ""
    assert set(form.hidden) == {name.replace("cell-", "orig-") for name in form.selects}
    # One change posts one cell: its own hx-post, with its orig only, answered by its <td>.
    attrs = form.htmx[f"cell-{key}"]
    assert attrs["hx-post"] == gurl("raci", project)
    assert attrs["hx-trigger"] == "change"
    assert attrs["hx-include"] == f"next [name=orig-{key}]"
    assert attrs["hx-params"] == f"cell-{key},orig-{key}"
    assert (attrs["hx-target"], attrs["hx-swap"]) == ("closest td", "outerHTML")
    # The form itself is a plain form (the Save button works without JavaScript).
    assert "<form method=\"post\" action=" in page.content.decode()
    assert 'hx-target="#raci-status"' not in page.content.decode()


def test_saving_a_stale_raci_page_keeps_other_peoples_changes(client_for, project, people):
    """A has the page open; B sets a cell; A saves the whole page: B's cell survives."""
    one, two = list(Workstream.objects.filter(project=project).order_by("name"))[:2]
    ann, bo, chen = people
    alice, bob = client_for("pm"), client_for("steering")
    page_of_a = RaciForm(alice.get(gurl("raci", project)).content.decode())

    # B (on a fresh page) makes ann responsible for the first workstream.
    page_of_b = RaciForm(bob.get(gurl("raci", project)).content.decode())
    bob.post(gurl("raci", project), {**page_of_b.post_data(), f"cell-{one.pk}-{ann.pk}": "R"})
    assert RaciAssignment.objects.get(workstream=one, stakeholder=ann).role == "R"

    # A, on the old page, makes bo accountable for the second workstream and saves everything.
    response = alice.post(gurl("raci", project), {**page_of_a.post_data(), f"cell-{two.pk}-{bo.pk}": "A"}, follow=True)
    cells = {(c.workstream_id, c.stakeholder_id): c.role for c in RaciAssignment.objects.filter(project=project)}
    assert cells == {(one.pk, ann.pk): "R", (two.pk, bo.pk): "A"}
    assert "RACI matrix saved (1 cells changed)." in response.content.decode()
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]

    # A, still on the old page, now sets the cell B changed: refused and reported, B's value kept.
    response = alice.post(
        gurl("raci", project), {**page_of_a.post_data(), f"cell-{one.pk}-{ann.pk}": "C"}, follow=True
    )
    assert RaciAssignment.objects.get(workstream=one, stakeholder=ann).role == "R"
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        f"{one.name} / Ann: someone else set this cell to “R” meanwhile; your change to it was not saved."
    ]
    # The reloaded page shows B's value, so A's next attempt goes through.
    page_of_a = RaciForm(response.content.decode())
    assert page_of_a.hidden[f"orig-{one.pk}-{ann.pk}"] == "R"
    alice.post(gurl("raci", project), {**page_of_a.post_data(), f"cell-{one.pk}-{ann.pk}": "C"})
    assert RaciAssignment.objects.get(workstream=one, stakeholder=ann).role == "C"


def test_an_inline_raci_change_over_someone_elses_change_answers_with_the_stored_value(pm_client, project, people):
    ws = Workstream.objects.filter(project=project).order_by("name").first()
    chen = people[2]
    key = f"{ws.pk}-{chen.pk}"
    RaciAssignment.objects.create(project=project, workstream=ws, stakeholder=chen, role="I")  # someone else
    # The page showed the cell empty; the person picks A.
    response = pm_client.post(gurl("raci", project), {f"cell-{key}": "A", f"orig-{key}": ""}, **HTMX)
    html = response.content.decode()
    assert RaciAssignment.objects.get(workstream=ws, stakeholder=chen).role == "I"
    assert html.lstrip().startswith('<td class="raci-I">')
    cell = RaciForm(html)
    assert cell.selects == {f"cell-{key}": "I"} and cell.hidden == {f"orig-{key}": "I"}
    assert "RACI matrix saved (0 cells changed)." in html
    assert f"{ws.name} / Chen: someone else set this cell to “I” meanwhile" in html
    # Cleared by someone else: said so.
    RaciAssignment.objects.filter(workstream=ws, stakeholder=chen).delete()
    html = pm_client.post(gurl("raci", project), {f"cell-{key}": "R", f"orig-{key}": "I"}, **HTMX).content.decode()
    assert f"{ws.name} / Chen: someone else cleared this cell meanwhile" in html
    assert not RaciAssignment.objects.filter(workstream=ws, stakeholder=chen).exists()


def test_a_raci_cell_that_no_longer_exists_leaves_the_page_alone(pm_client, project, people):
    ws = Workstream.objects.filter(project=project).first()
    response = pm_client.post(gurl("raci", project), {f"cell-{ws.pk}-999999": "R", "orig-x": ""}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert 'hx-swap-oob="true"' in response.content.decode()
    assert "no longer exists" in response.content.decode()
    assert not RaciAssignment.objects.exists()


def test_a_raci_save_is_all_or_nothing(pm_client, project, people, monkeypatch):
    from projectcrm.governance import services

    one, two = list(Workstream.objects.filter(project=project).order_by("name"))[:2]
    real_set_raci = services.set_raci
    calls = []

    def failing_second(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_set_raci(*args)

    monkeypatch.setattr(services, "set_raci", failing_second)
    with pytest.raises(RuntimeError):
        pm_client.post(
            gurl("raci", project),
            {f"cell-{one.pk}-{people[0].pk}": "A", f"orig-{one.pk}-{people[0].pk}": "",
             f"cell-{two.pk}-{people[0].pk}": "A", f"orig-{two.pk}-{people[0].pk}": ""},
        )
    assert len(calls) == 2
    assert not RaciAssignment.objects.exists()  # the first cell was rolled back with the second


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


def test_a_new_feed_address_revokes_the_old_one(client_for, project, users, weekly):
    pm, anonymous = client_for("pm"), client_for("anonymous")
    old_path = feed(pm, project)
    viewer_path = feed(client_for("viewer"), project)
    assert anonymous.get(old_path).status_code == 200
    page = pm.get(gurl("communications-calendar", project))
    rotate = gurl("communications-calendar-rotate", project)
    assert f'action="{rotate}"' in page.content.decode()
    assert "New address (the old one stops working)" in page.content.decode()

    assert pm.get(rotate).status_code == 405  # a change needs a POST
    response = pm.post(rotate, follow=True)
    assert response.redirect_chain[-1][0] == gurl("communications-calendar", project)
    assert "no longer works" in response.content.decode()
    new_path = response.context["feed_url"].split("testserver", 1)[1]
    assert new_path != old_path
    assert anonymous.get(old_path).status_code == 404
    assert anonymous.get(new_path).status_code == 200
    # Only the member's own address changed.
    assert anonymous.get(viewer_path).status_code == 200


def test_a_feed_token_without_the_current_key_is_refused(project, users, weekly, client_for):
    from django.core import signing

    from projectcrm.governance.views import FEED_SALT, feed_token

    anonymous = client_for("anonymous")
    url = gurl("communications-calendar", project)
    membership = Membership.objects.get(project=project, user=users["viewer"])
    assert signing.loads(feed_token(users["viewer"], project), salt=FEED_SALT)["k"] == membership.feed_key
    # A token signed the old way (no key) or with another key opens nothing.
    for payload in ({"u": users["viewer"].pk, "p": project.pk},
                    {"u": users["viewer"].pk, "p": project.pk, "k": "guessed"},
                    ["not", "a", "dict"]):
        token = signing.dumps(payload, salt=FEED_SALT)
        assert anonymous.get(url, {"token": token}).status_code == 404


def test_a_feed_token_follows_the_role(project, users, weekly, client_for):
    """The token only names the member; the policy is asked on every load (project_access)."""
    from projectcrm.core import policy
    from projectcrm.governance.views import feed_token

    url = gurl("communications-calendar", project)
    token = feed_token(users["viewer"], project)
    anonymous = client_for("anonymous")
    assert anonymous.get(url, {"token": token}).status_code == 200
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(policy.POLICY, "governance", {**policy.POLICY["governance"], "viewer": policy.NONE})
        assert anonymous.get(url, {"token": token}).status_code == 403
    users["viewer"].is_active = False
    users["viewer"].save()
    assert anonymous.get(url, {"token": token}).status_code == 404


def test_the_calendar_feed_costs_the_same_queries_for_any_number_of_items(project, users, weekly, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projectcrm.governance.views import feed_token

    url = gurl("communications-calendar", project)
    anonymous = client_for("anonymous")
    token = feed_token(users["pm"], project)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert anonymous.get(url, {"token": token}).status_code == 200
        return len(queries)

    CommunicationLog.objects.create(project=project, item=weekly, sent_on=timezone.localdate())
    one_item = count()
    for n in range(5):
        item = CommunicationItem.objects.create(
            project=project, deliverable=f"Bulletin {n}", frequency=Frequency.MONTHLY, audience="All", owner=users["pm"]
        )
        CommunicationLog.objects.create(project=project, item=item, sent_on=timezone.localdate())
    assert count() == one_item


# --- Inline actions (htmx) --------------------------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_raci_cell_saves_inline_and_answers_with_its_cell_and_the_status_block(pm_client, project, people):
    workstream = Workstream.objects.filter(project=project).order_by("name").first()
    ann = people[0]
    key = f"{workstream.pk}-{ann.pk}"
    response = pm_client.post(gurl("raci", project), {f"cell-{key}": "R", f"orig-{key}": ""}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    # The answer starts with the cell itself (swapped in place), stored value and new orig included.
    assert html.lstrip().startswith('<td class="raci-R">')
    cell = RaciForm(html)
    assert cell.selects == {f"cell-{key}": "R"}
    assert cell.hidden == {f"orig-{key}": "R"}
    # The status block follows, out of band.
    assert '<div id="raci-status" aria-live="polite" hx-swap-oob="true">' in html
    assert "RACI matrix saved (1 cells changed)." in html
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
