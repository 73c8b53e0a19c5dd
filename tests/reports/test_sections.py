"""The committee's sections (reports.sections.build): hand-worked small projects, as of today and an
earlier day, JSON-ready output, and a query count that does not grow with the registers."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projectcrm.governance.models import (
    BudgetLine,
    CommunicationItem,
    CommunicationLog,
    Decision,
    Issue,
    Risk,
)
from projectcrm.reports import charts, sections
from roadmap import schedule
from roadmap.models import Baseline, ChangeRequest, Phase, Release, Task

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def workday(n: int) -> datetime.date:
    """A working day about n calendar days from today (later when n lands on a weekend)."""
    return schedule.roll_forward(days(n))


# --- Pure helpers ---------------------------------------------------------------------------------


def test_slip_counts_working_days_after_the_baseline():
    monday = datetime.date(2026, 3, 2)
    assert sections.slip_days(datetime.date(2026, 3, 9), monday) == 5  # a week later
    assert sections.slip_days(datetime.date(2026, 2, 27), monday) == -1  # the Friday before
    assert sections.slip_days(monday, None) is None


def test_rag_follows_the_roadmap_rule():
    assert sections.rag(0, 0) == "green"
    assert sections.rag(3, 0) == "amber"  # slipped a little
    assert sections.rag(0, 2) == "amber"  # two overdue
    assert sections.rag(0, 3) == "red"  # three overdue
    assert sections.rag(11, 0) == "red"  # more than ten working days late
    assert sections.rag(-4, 0) == "green"  # earlier than the baseline
    assert sections.shown_rag("red", "green") == "red"
    assert sections.shown_rag("", "amber") == "amber"


def test_heat_matrix_counts_per_impact_and_probability():
    matrix = sections.heat_matrix([(5, 5, 2), (1, 2, 1), (4, 4, 3)])
    assert matrix[4][4] == 2  # impact 5, probability 5
    assert matrix[1][0] == 1  # impact 2, probability 1
    assert matrix[3][3] == 3
    assert sum(map(sum, matrix)) == 6


def test_percent_complete_weights_by_duration():
    # A 10-day task at 50% and a 30-day task at 100%: (500 + 3000) / 40 = 87.5
    assert sections.percent_complete(3500, 40, 150, 2) == 87.5
    assert sections.percent_complete(0, 0, 100, 2) == 50.0  # milestones only: the plain mean
    assert sections.percent_complete(None, None, None, 0) is None


def test_readiness_by_department():
    class P:
        def __init__(self, key, department, role):
            self.key, self.department, self.role = key, department, role

    people = [P(1, "Sales", "rep"), P(2, "Sales", "rep"), P(3, "Finance", "clerk")]
    requirements = {"rep": ["crm", "quotes"], "clerk": ["crm"]}
    signed = {(1, "crm"), (1, "quotes"), (2, "crm")}
    overall, departments = sections.readiness_by_department(people, requirements, signed)
    assert overall == {"required": 5, "signed_off": 3, "percent": 60.0}
    assert departments["Sales"] == {"required": 4, "signed_off": 3, "percent": 75.0}
    assert departments["Finance"] == {"required": 1, "signed_off": 0, "percent": 0.0}


# --- Roadmap: RAG of releases and phases, milestones ----------------------------------------------


def task(release, phase, name, start, duration=1, kind="task", **extra):
    return Task.objects.create(
        project=release.project, release=release, phase=phase, name=name, planned_start=start,
        duration=0 if kind == "milestone" else duration, kind=kind, **extra,
    )


@pytest.fixture
def release(project):
    return Release.objects.create(project=project, name="Pilot", start_date=days(-60), status="active")


def test_release_and_phase_rag(project, release):
    build_phase = Phase.objects.create(project=project, release=release, name="Build", order=1)
    test_phase = Phase.objects.create(project=project, release=release, name="Test", order=2)
    deploy = Phase.objects.create(project=project, release=release, name="Deploy", order=3)
    # Build: one overdue task (amber); Test: three overdue (red); Deploy: on time (green).
    task(release, build_phase, "Design", workday(-20), 5)
    for n in range(3):
        task(release, test_phase, f"Test {n}", workday(-15), 3)
    task(release, deploy, "Cut over", workday(10), 2)
    task(release, deploy, "Old work", workday(-30), 2, status="done")
    data = sections.build(project, TODAY)
    (row,) = data["releases"]
    assert row["ref"] == release.ref and row["status_label"] == "Active"
    assert [(p["name"], p["rag"]) for p in row["phases"]] == [("Build", "amber"), ("Test", "red"), ("Deploy", "green")]
    assert row["rag"] == "red" and row["overdue"] == 4
    deploy_row = row["phases"][2]
    assert deploy_row["percent"] == 50.0  # 2 days at 0% and 2 days done
    # A RAG set by hand (with its reason) is what shows; the computed one stays in the data.
    Release.objects.filter(pk=release.pk).update(rag_override="amber", rag_reason="Recovery plan agreed")
    row = sections.build(project, TODAY)["releases"][0]
    assert row["rag"] == "amber" and row["computed_rag"] == "red" and row["overridden"]
    # 25 days ago the build and test work lay ahead; the old work (finished today) was late then.
    earlier = sections.build(project, days(-25))["releases"][0]
    assert [p["rag"] for p in earlier["phases"]] == ["green", "green", "amber"]


def test_slip_against_the_baseline_makes_a_phase_amber_then_red(project, release):
    phase = Phase.objects.create(project=project, release=release, name="Build", order=1)
    work = task(release, phase, "Configure", workday(5), 5)
    Baseline(project=project, release=release, name="Approved plan").save()
    work.planned_start = schedule.add_workdays(work.planned_start, 4)
    work.save()
    row = sections.build(project, TODAY)["releases"][0]
    assert row["phases"][0]["rag"] == "amber" and row["max_slip"] == 4
    # The same status as the roadmap's own plan page computes.
    from roadmap.services import release_status

    status = release_status(release)
    assert (status["computed"], status["phases"][0]["computed"]) == (row["computed_rag"], row["phases"][0]["rag"])
    work.planned_start = schedule.add_workdays(work.planned_start, 8)
    work.save()
    assert sections.build(project, TODAY)["releases"][0]["phases"][0]["rag"] == "red"  # 12 working days late


def test_milestones_due_slipped_and_done_as_of_today_and_earlier(project, release):
    phase = Phase.objects.create(project=project, release=release, name="Go-live", order=1)
    due = task(release, phase, "Pilot ready", workday(10), kind="milestone")
    task(release, phase, "Wave 2 ready", workday(60), kind="milestone")
    late = task(release, phase, "Data migrated", workday(-5), kind="milestone")
    done = task(release, phase, "Kick-off held", workday(-40), kind="milestone", status="done",
                actual_finish=days(-3))
    moved = task(release, phase, "Training done", workday(20), kind="milestone")
    Baseline(project=project, release=release, name="Approved plan").save()
    planned_before = moved.planned_finish
    moved.planned_start = schedule.add_workdays(moved.planned_start, 5)
    moved.save()

    data = sections.build(project, TODAY)["milestones"]
    assert [m["ref"] for m in data["due"]] == [due.ref, moved.ref]
    slipped = {m["ref"]: m for m in data["slipped"]}
    assert set(slipped) == {late.ref, moved.ref}
    assert slipped[moved.ref]["slip_days"] == 5 and slipped[moved.ref]["overdue_days"] == 0
    assert slipped[moved.ref]["baseline"] == planned_before.isoformat()
    assert slipped[late.ref]["overdue_days"] == (TODAY - late.planned_finish).days
    assert slipped[late.ref]["slip_days"] == 0  # on its baseline date, but not reached
    assert [m["ref"] for m in data["done_recently"]] == [done.ref]
    assert data["due_count"] == 2 and data["slipped_count"] == 2

    # Ten days ago: the baseline (taken today) did not exist, "Data migrated" was still ahead (due),
    # and "Kick-off held" not yet reached (so it was late then).
    before = sections.build(project, days(-10))["milestones"]
    assert late.ref in [m["ref"] for m in before["due"]]
    assert {m["ref"] for m in before["slipped"]} == {done.ref}
    assert before["slipped"][0]["status_label"] == "In progress"
    assert before["done_recently"] == []


# --- Governance -----------------------------------------------------------------------------------


def test_risk_heat_top_five_and_counts(project, users):
    for n, (p, i) in enumerate([(5, 5), (5, 5), (1, 2), (4, 4), (2, 3), (3, 3), (1, 1)]):
        Risk.objects.create(project=project, title=f"Risk {n}", probability=p, impact=i, owner=users["pm"])
    Risk.objects.create(project=project, title="Closed one", probability=3, impact=5, status="closed")
    risks = sections.build(project, TODAY)["risks"]
    assert risks["open"] == 7
    assert risks["high"] == 3  # 25, 25, 16
    assert risks["heat"][4][4] == 2 and risks["heat"][1][0] == 1 and risks["heat"][4][2] == 0
    assert [r["score"] for r in risks["top"]] == [25, 25, 16, 9, 6]
    assert risks["top"][0]["rating"] == "High" and risks["top"][0]["owner"] == "Pm"
    # The chart draws the same counts.
    fig = charts.risk_heat_figure(risks)
    assert fig.data[0].text[4][4] == "2"


def test_issues_open_overdue_escalated_and_critical(project):
    Issue.objects.create(project=project, title="Quotes fail", priority="critical", raised_on=days(-20), due_date=days(-5))
    Issue.objects.create(project=project, title="Slow reports", priority="high", raised_on=days(-20), due_date=days(-2))
    Issue.objects.create(project=project, title="Typo", priority="low", raised_on=days(-20), due_date=days(-30))
    Issue.objects.create(project=project, title="Later", priority="medium", raised_on=days(-20), due_date=days(10))
    Issue.objects.create(project=project, title="Fixed", priority="critical", raised_on=days(-20), due_date=days(-10),
                         status="resolved", resolution="Patched", resolved_on=days(-1))
    issues = sections.build(project, TODAY)["issues"]
    assert issues["open"] == 4 and issues["critical"] == 1 and issues["overdue_count"] == 3
    # Critical 5 days late goes to the sponsor (1 day rule); high 2 days late not yet (3 days rule);
    # low has no rule.
    assert [(i["title"], i["escalated_to"]) for i in issues["escalated"]] == [("Quotes fail", "sponsor")]
    assert issues["escalated"][0]["escalated_to_label"] == "Executive sponsor"
    assert [i["title"] for i in issues["overdue"]] == ["Typo", "Quotes fail", "Slow reports"]
    # Two days ago the fixed one was still open (and escalated), the high one not overdue yet.
    before = sections.build(project, days(-2))["issues"]
    assert before["open"] == 5 and before["critical"] == 2
    assert {i["title"] for i in before["escalated"]} == {"Quotes fail", "Fixed"}


def test_decisions_and_change_requests_waiting(project, release):
    Decision.objects.create(project=project, title="Choose the hosting", status="proposed")
    taken = Decision.objects.create(project=project, title="Pilot in Sales North", status="approved", decided_on=TODAY)
    Decision.objects.create(project=project, title="Old one", status="rejected", decided_on=days(-30))
    Decision.objects.filter(pk=taken.pk).update(created=timezone.now() - datetime.timedelta(days=10))
    for status in ("submitted", "assessed", "approved", "rejected"):
        ChangeRequest.objects.create(project=project, title=f"Change {status}", description="x", status=status,
                                     impact_days=3, impact_cost=Decimal("1500.50"), release=release)
    data = sections.build(project, TODAY)
    assert [d["title"] for d in data["decisions"]] == ["Choose the hosting"] and data["decisions_total"] == 1
    assert [c["title"] for c in data["change_requests"]] == ["Change submitted", "Change assessed"]
    assert data["change_requests_total"] == 2
    assert data["change_requests"][0]["impact_cost"] == 1500.5 and data["change_requests"][0]["release"] == "Pilot"
    # Five days ago the approved decision was still waiting; the rows created today did not exist.
    before = sections.build(project, days(-5))
    assert [d["title"] for d in before["decisions"]] == ["Pilot in Sales North"]
    assert before["change_requests"] == []


def test_budget_totals_by_category(project):
    assert sections.build(project, TODAY)["budget"]["has_data"] is False
    BudgetLine.objects.create(project=project, category="licences", planned=100, actual=40)
    BudgetLine.objects.create(project=project, category="licences", planned=50, actual=10, committed=5)
    BudgetLine.objects.create(project=project, category="partner", planned=200, actual=250)
    BudgetLine.objects.create(project=project, category="training", planned=80, as_of=days(5))  # later figures
    budget = sections.build(project, TODAY)["budget"]
    assert budget["has_data"] is True
    assert [(r["key"], r["planned"], r["actual"], r["committed"]) for r in budget["rows"]] == [
        ("licences", 150.0, 50.0, 5.0), ("partner", 200.0, 250.0, 0.0),
    ]
    assert (budget["planned"], budget["actual"], budget["committed"]) == (350.0, 300.0, 5.0)
    assert budget["remaining"] == 45.0 and budget["spent_percent"] == 85.7
    assert budget["rows"][0]["category"] == "Software licences"


def test_communications_due_in_the_next_two_weeks(project, users):
    weekly = CommunicationItem.objects.create(project=project, deliverable="Weekly status", frequency="weekly",
                                              start_date=days(-28), audience="Team", owner=users["pm"])
    CommunicationLog.objects.create(project=project, item=weekly, sent_on=days(-3))
    CommunicationItem.objects.create(project=project, deliverable="Kick-off mail", frequency="once",
                                     start_date=days(5), audience="All")
    CommunicationItem.objects.create(project=project, deliverable="Quarterly letter", frequency="quarterly",
                                     start_date=days(40), audience="All")
    stale = CommunicationItem.objects.create(project=project, deliverable="Forgotten", frequency="weekly",
                                             start_date=days(-60), audience="All")
    CommunicationLog.objects.create(project=project, item=stale, sent_on=days(-50))
    comms = sections.build(project, TODAY)["communications"]
    assert [(c["deliverable"], c["next_due"]) for c in comms] == [
        ("Weekly status", TODAY.isoformat()), ("Kick-off mail", days(5).isoformat()),  # weekly from day -28
    ]
    assert comms[0]["owner"] == "Pm" and comms[0]["frequency_label"] == "Weekly"


def test_everything_is_json_ready(project, release, users):
    phase = Phase.objects.create(project=project, release=release, name="Build", order=1)
    task(release, phase, "Ready", workday(3), kind="milestone")
    Risk.objects.create(project=project, title="Risk", probability=4, impact=4)
    Issue.objects.create(project=project, title="Issue", priority="high", due_date=days(-9), raised_on=days(-20))
    BudgetLine.objects.create(project=project, category="partner", planned=Decimal("1000.25"))
    ChangeRequest.objects.create(project=project, title="Change", description="x", impact_cost=Decimal("12.5"))
    data = sections.build(project, TODAY)
    assert json.loads(json.dumps(data)) == data
    assert data["as_of"] == TODAY.isoformat() and data["testing"] is None
    assert data["issues"]["escalated"][0]["url"].startswith(f"/p/{project.pk}/governance/issues/")


# --- Bounded queries ------------------------------------------------------------------------------


def fill(project, release, phase, users, start: int, count: int):
    """`count` rows in every register the sections read (numbered from `start`)."""
    for n in range(start, start + count):
        task(release, phase, f"Task {n}", workday(-n % 20 - 5), 3)
        task(release, phase, f"Milestone {n}", workday(n % 40 - 10), kind="milestone")
        Risk.objects.create(project=project, title=f"Risk {n}", probability=n % 5 + 1, impact=(n * 3) % 5 + 1,
                            owner=users["pm"])
        Issue.objects.create(project=project, title=f"Issue {n}", priority=["low", "medium", "high", "critical"][n % 4],
                             raised_on=days(-40), due_date=days(n % 30 - 20), owner=users["member"])
        Decision.objects.create(project=project, title=f"Decision {n}")
        ChangeRequest.objects.create(project=project, title=f"Change {n}", description="x", release=release)
        BudgetLine.objects.create(project=project, category=["licences", "partner", "data"][n % 3], planned=n * 100)
        item = CommunicationItem.objects.create(project=project, deliverable=f"Comms {n}", frequency="weekly",
                                                start_date=days(-n), audience="All", owner=users["pm"])
        CommunicationLog.objects.create(project=project, item=item, sent_on=days(-1))


def counted_build(project) -> int:
    from training import readiness_views, usage

    readiness_views.clear_cache()
    usage.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        sections.build(project, TODAY)
    return len(queries.captured_queries)


def test_query_count_does_not_grow_with_the_registers(project, release, users):
    phase = Phase.objects.create(project=project, release=release, name="Build", order=1)
    Baseline(project=project, release=release, name="Start").save()
    fill(project, release, phase, users, 1, 3)
    small = counted_build(project)
    fill(project, release, phase, users, 4, 27)
    Baseline(project=project, release=release, name="Later").save()
    assert counted_build(project) == small
    assert small < 60
