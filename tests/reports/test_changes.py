"""“What changed since the previous report”, read from history (projectcrm/reports/changes.py).

A scripted sequence of edits, each saved with a chosen history date (simple-history's
`_history_date`), before, between and after two report moments; the changes list exactly what
happened between them.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projectcrm.governance.choices import DecisionStatus, IssueStatus, RiskStatus
from projectcrm.governance.models import Decision, Issue, Risk
from projectcrm.reports import changes
from roadmap.choices import ChangeStatus, GateStatus, ItemKind, Rag, ReleaseStatus, TaskStatus
from roadmap.models import ChangeRequest, Gate, Phase, Release, Task

UTC = datetime.UTC
BASE = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SINCE = BASE + datetime.timedelta(days=10)
UNTIL = BASE + datetime.timedelta(days=20)


def at(days: float):
    return BASE + datetime.timedelta(days=days)


def save(obj, when, **values):
    for name, value in values.items():
        setattr(obj, name, value)
    obj._history_date = when
    obj.save()
    return obj


@pytest.fixture
def story(project):
    """Rows made before SINCE, edited between SINCE and UNTIL, and edited again after UNTIL."""
    p = project
    rows = {}
    # Before the previous report.
    rows["old_issue"] = save(Issue(project=p, title="Label printer jams"), at(1))
    rows["later_issue"] = save(Issue(project=p, title="Duplicate buyers"), at(2))
    rows["rising_risk"] = save(Risk(project=p, title="Key user leaves", probability=2, impact=3), at(1))
    rows["closing_risk"] = save(Risk(project=p, title="Licence delay", probability=3, impact=3), at(1))
    rows["quiet_risk"] = save(Risk(project=p, title="Nothing happens", probability=1, impact=1), at(1))
    release = save(Release(project=p, name="Pilot", start_date=datetime.date(2026, 1, 5)), at(1))
    phase = save(Phase(project=p, release=release, name="Build"), at(1))
    rows["milestone"] = save(Task(project=p, release=release, phase=phase, name="Pilot go-live", kind=ItemKind.MILESTONE,
                                  duration=0, planned_start=datetime.date(2026, 3, 2)), at(1))
    rows["early_milestone"] = save(Task(project=p, release=release, name="Kick-off", kind=ItemKind.MILESTONE,
                                        duration=0, planned_start=datetime.date(2026, 2, 2)), at(1))
    rows["task"] = save(Task(project=p, release=release, name="Configure quotes", duration=5,
                             planned_start=datetime.date(2026, 2, 2)), at(1))
    gate = save(Gate(project=p, phase=phase, name="Build gate"), at(1))
    decision = save(Decision(project=p, title="Use the partner's hosting"), at(1))
    cr = save(ChangeRequest(project=p, title="Add a sample-request form", description="Sales asks for it"), at(1))

    # Between the two reports.
    rows["new_issue"] = save(Issue(project=p, title="Quote PDF wrong currency"), at(11))
    save(rows["old_issue"], at(12), status=IssueStatus.RESOLVED, resolution="Driver updated")
    save(rows["rising_risk"], at(12), probability=4, impact=4)  # 6 -> 16
    save(rows["closing_risk"], at(13), status=RiskStatus.CLOSED)
    rows["new_risk"] = save(Risk(project=p, title="Data cleansing late", probability=3, impact=4), at(14))
    save(rows["milestone"], at(15), planned_start=datetime.date(2026, 3, 16))  # two weeks later
    save(rows["early_milestone"], at(15), planned_start=datetime.date(2026, 1, 26))  # earlier: no slip
    save(rows["task"], at(16), status=TaskStatus.DONE)
    save(release, at(16), status=ReleaseStatus.ACTIVE)
    save(phase, at(16), rag_override=Rag.AMBER, rag_reason="Partner short of people")
    save(gate, at(17), status=GateStatus.PASSED, decided_on=datetime.date(2026, 1, 22))
    save(decision, at(17), status=DecisionStatus.APPROVED, decided_on=datetime.date(2026, 1, 22))
    save(cr, at(18), status=ChangeStatus.APPROVED, decided_on=datetime.date(2026, 1, 23))
    # Renamed and put back: the same state at both moments, nothing to report.
    save(rows["quiet_risk"], at(18), title="Nothing happens (renamed)")
    save(rows["quiet_risk"], at(19), title="Nothing happens")

    # After the report date: must not appear.
    save(rows["later_issue"], at(21), status=IssueStatus.CLOSED, resolution="Merged")
    save(Issue(project=p, title="Too late to count"), at(22))
    save(rows["milestone"], at(22), planned_start=datetime.date(2026, 4, 6))
    save(decision, at(23), status=DecisionStatus.SUPERSEDED)
    rows.update(release=release, phase=phase, gate=gate, decision=decision, cr=cr)
    return rows


def by_key(result):
    return {g["key"]: g for g in result["groups"]}


def titles(group):
    return sorted(item["title"] for item in group["items"])


def test_changes_between_two_reports_list_exactly_what_happened(project, story):
    result = changes.changes_since(project, SINCE, UNTIL, kpis=False)
    groups = by_key(result)

    assert titles(groups["issues_new"]) == ["Quote PDF wrong currency"]
    assert titles(groups["issues_closed"]) == ["Label printer jams"]
    closed = groups["issues_closed"]["items"][0]
    assert (closed["before"], closed["after"]) == ("Open", "Resolved")
    assert closed["ref"] == story["old_issue"].ref
    assert closed["url"] == f"/p/{project.pk}/governance/issues/{story['old_issue'].pk}/"

    assert titles(groups["risks_new"]) == ["Data cleansing late"]
    assert titles(groups["risks_closed"]) == ["Licence delay"]
    assert [(i["title"], i["before"], i["after"], i["high"]) for i in groups["risks_rose"]["items"]] == [
        ("Key user leaves", 6, 16, True)
    ]
    slipped = groups["milestones_slipped"]["items"]
    assert [(i["title"], i["before"], i["after"], i["days"]) for i in slipped] == [
        ("Pilot go-live", "2026-03-02", "2026-03-16", 14)
    ]
    assert titles(groups["tasks_done"]) == ["Configure quotes"]
    assert [(i["title"], i["before"], i["after"]) for i in groups["releases_status"]["items"]] == [
        ("Pilot", "Planned", "Active")
    ]
    assert [(i["title"], i["before"], i["after"]) for i in groups["rag_overrides"]["items"]] == [("Build", "", "Amber")]
    assert [(i["title"], i["after"]) for i in groups["gates"]["items"]] == [("Build gate", "Passed")]
    assert [(i["title"], i["after"]) for i in groups["decisions_made"]["items"]] == [("Use the partner's hosting", "Approved")]
    assert [(i["title"], i["after"]) for i in groups["changes_decided"]["items"]] == [("Add a sample-request form", "Approved")]
    assert result["total"] == 12
    # JSON-serialisable as it is: the issued report stores it.
    import json

    assert json.loads(json.dumps(result)) == result


def test_edits_after_the_later_moment_are_ignored_and_the_window_moves(project, story):
    later = by_key(changes.changes_since(project, UNTIL, at(30), kpis=False))

    assert titles(later["issues_new"]) == ["Too late to count"]
    assert titles(later["issues_closed"]) == ["Duplicate buyers"]
    assert [(i["before"], i["after"], i["days"]) for i in later["milestones_slipped"]["items"]] == [
        ("2026-03-16", "2026-04-06", 21)
    ]
    assert later["decisions_made"]["count"] == 0  # approved -> superseded is not a decision made
    assert later["risks_new"]["count"] == 0


def test_a_row_made_and_closed_in_the_window_is_new_and_closed(project):
    issue = save(Issue(project=project, title="Short-lived"), at(11))
    save(issue, at(12), status=IssueStatus.CLOSED, resolution="Fixed at once")

    groups = by_key(changes.changes_since(project, SINCE, UNTIL, kpis=False))

    assert titles(groups["issues_new"]) == ["Short-lived"]
    assert titles(groups["issues_closed"]) == ["Short-lived"]


def test_a_deleted_row_is_neither_new_nor_closed(project):
    issue = save(Issue(project=project, title="Entered by mistake"), at(11))
    issue._history_date = at(12)
    issue.delete()

    groups = by_key(changes.changes_since(project, SINCE, UNTIL, kpis=False))

    assert groups["issues_new"]["count"] == 0


def test_an_empty_or_reversed_window_has_no_changes(project, story):
    assert changes.changes_since(project, UNTIL, SINCE)["groups"] == []
    quiet = changes.changes_since(project, at(24), at(25), kpis=False)
    assert quiet["total"] == 0


def test_the_query_count_does_not_grow_with_the_project(project, story):
    with CaptureQueriesContext(connection) as few:
        changes.changes_since(project, SINCE, UNTIL, kpis=False)
    for n in range(30):
        save(Issue(project=project, title=f"Bulk {n}"), at(11))
        save(Risk(project=project, title=f"Bulk risk {n}", probability=5, impact=5), at(12))
    with CaptureQueriesContext(connection) as many:
        result = changes.changes_since(project, SINCE, UNTIL, kpis=False)

    assert len(many) == len(few) == len(changes.specs())
    assert by_key(result)["issues_new"]["count"] == 31


def test_pure_state_at_takes_the_latest_row_at_or_before_the_moment():
    rows = [
        {"history_date": at(1), "history_type": "+", "status": "open"},
        {"history_date": at(5), "history_type": "~", "status": "closed"},
        {"history_date": at(8), "history_type": "-", "status": "closed"},
    ]
    assert changes.state_at(rows, at(0)) is None
    assert changes.state_at(rows, at(1))["status"] == "open"
    assert changes.state_at(rows, at(6))["status"] == "closed"
    assert changes.state_at(rows, at(9)) is None  # deleted


def test_pure_diffs():
    pairs = {
        1: (None, {"status": "open", "score": 4}),
        2: ({"status": "open", "score": 4}, {"status": "closed", "score": 4}),
        3: ({"status": "open", "score": 4}, {"status": "open", "score": 9}),
        4: ({"status": "closed", "score": 9}, {"status": "closed", "score": 2}),
    }
    assert [pk for pk, *_ in changes.appeared(pairs)] == [1]
    assert [pk for pk, *_ in changes.entered(pairs, "status", ["closed"])] == [2]
    assert [pk for pk, *_ in changes.rose(pairs, "score")] == [3]
    assert [pk for pk, *_ in changes.changed(pairs, "score")] == [3, 4]
    kpi = changes.kpi_status_changes(
        {"rows": [{"pk": 1, "ref": "KPI-001", "name": "Quote errors", "status": "red"}]},
        {"rows": [{"pk": 1, "ref": "KPI-001", "name": "Quote errors", "status": "green"}]},
        {"red": "Red", "green": "Green"},
    )
    assert kpi == [{"ref": "KPI-001", "title": "Quote errors", "before": "Red", "after": "Green", "url": ""}]
