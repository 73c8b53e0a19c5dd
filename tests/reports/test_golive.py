"""Go-live readiness (reports/golive.py): every evidence kind with its evidence present and met,
present and not met, and absent; the verdict rule; the standard criteria; the page's permissions.

Hand-worked examples: each test states the figures it builds and the outcome they must give.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from projectcrm.governance.choices import Frequency, IssueStatus, Priority, RiskStatus
from projectcrm.governance.models import CommunicationItem, CommunicationLog, Issue, Risk
from projectcrm.reports import golive
from projectcrm.reports.choices import CheckKind, OnFail, Verdict
from projectcrm.reports.models import GoLiveCheck
from roadmap.choices import ChangeStatus, GateStatus, ItemKind, ReleaseStatus
from roadmap.models import ChangeRequest, Gate, Phase, Release, Task
from training import readiness_views
from training.models import Course, CurriculumItem, Department, JobRole, SignOff, Trainee

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def criterion(project, kind, **fields) -> dict:
    """The project's only criterion, of `kind`, assessed today."""
    GoLiveCheck.objects.filter(project=project).delete()
    GoLiveCheck.objects.create(project=project, kind=kind, **fields)
    result = golive.assess(project)
    assert len(result["criteria"]) == 1
    return result["criteria"][0]


@pytest.fixture(autouse=True)
def fresh_training_cache():
    readiness_views.clear_cache()
    yield
    readiness_views.clear_cache()


# --- Pure evaluation ----------------------------------------------------------------------------


def test_limit_of_uses_the_kind_default_when_empty():
    assert golive.limit_of(CheckKind.GATES_PASSED, None) == 100.0
    assert golive.limit_of(CheckKind.HIGH_RISKS, None) == 2.0
    assert golive.limit_of(CheckKind.TRAINING_SIGNOFF, Decimal("80.0")) == 80.0
    assert golive.limit_of(CheckKind.SUPPORT_MODEL, None) is None


def test_evaluate_gates():
    met = golive.evaluate_gates("Pilot", ["Initiation", "Design"], [], 100.0)
    assert (met.met, met.value) == (True, 100.0)
    assert "2 of 2 gates" in met.evidence
    # 1 of 4 passed = 25%: below 100%, and the gates still open are named.
    failed = golive.evaluate_gates("Pilot", ["Initiation"], ["Design", "Build", "Test"], 100.0)
    assert (failed.met, failed.value) == (False, 25.0)
    assert "“Design”" in failed.evidence and "“Test”" in failed.evidence
    # A lower limit lets 75% pass.
    assert golive.evaluate_gates("Pilot", ["A", "B", "C"], ["D"], 75.0).met is True
    # Absent: no release going live, or no gate before go-live.
    assert golive.evaluate_gates(None, [], [], 100.0).met is None
    assert golive.evaluate_gates("Pilot", [], [], 100.0).met is None


def test_evaluate_counts():
    assert golive.evaluate_count(CheckKind.CRITICAL_ISSUES, 0, 0.0).met is True
    one = golive.evaluate_count(CheckKind.CRITICAL_ISSUES, 1, 0.0)
    assert (one.met, one.value, one.threshold) == (False, 1.0, 0.0)
    assert one.evidence == "1 open critical issue; limit 0."
    assert golive.evaluate_count(CheckKind.HIGH_RISKS, 2, 2.0).met is True  # at the limit: met
    three = golive.evaluate_count(CheckKind.HIGH_RISKS, 3, 2.0)
    assert three.met is False and "3 open high risks (score 15 or more); limit 2." == three.evidence
    assert golive.evaluate_count(CheckKind.CHANGE_REQUESTS, 2, 0.0).met is False


def test_evaluate_training_every_department_must_reach_the_limit():
    # Sales 9/10 = 90%, Service 19/20 = 95%: both reach 90%; the figure is the lowest, 90%.
    met = golive.evaluate_training([("Sales", 9, 10), ("Service", 19, 20)], 90.0)
    assert (met.met, met.value) == (True, 90.0)
    # Service 17/20 = 85% < 90%: not met although the overall 26/30 = 86.7% is close.
    failed = golive.evaluate_training([("Sales", 9, 10), ("Service", 17, 20)], 90.0)
    assert (failed.met, failed.value) == (False, 85.0)
    assert "“Service” 85%" in failed.evidence and "Below the limit: “Service”" in failed.evidence
    # A department with nothing required is left out; nothing required anywhere: no evidence.
    assert golive.evaluate_training([("Sales", 9, 10), ("Finance", 0, 0)], 90.0).met is True
    assert golive.evaluate_training([("Finance", 0, 0)], 90.0).met is None
    assert golive.evaluate_training([], 90.0).met is None


def test_communications_due_and_sent_hand_worked():
    as_of = datetime.date(2025, 3, 15)
    items = [
        # Weekly from 1 March: due 1, 8 and 15 March; the 15th is today, not yet late -> 2 due; 1 sent.
        ("Status report", "weekly", datetime.date(2025, 3, 1), None, [datetime.date(2025, 3, 1)]),
        # Monthly from 15 January: due 15 Jan and 15 Feb -> 2 due; sent three times: counts 2.
        ("Newsletter", "monthly", datetime.date(2025, 1, 15), None,
         [datetime.date(2025, 1, 15), datetime.date(2025, 2, 1), datetime.date(2025, 2, 15)]),
        # Once, due 10 March, not sent -> 1 due, 0 sent.
        ("Notice", "once", datetime.date(2025, 3, 10), None, []),
        # As needed: never due.
        ("Ad hoc", "as_needed", datetime.date(2025, 1, 1), None, []),
        # Fortnightly from 1 Feb but ended 10 Feb: due 1 Feb only; sent -> 1 due, 1 sent.
        ("Workshop", "fortnightly", datetime.date(2025, 2, 1), datetime.date(2025, 2, 10), [datetime.date(2025, 2, 1)]),
        # Starts after today: nothing due; a log sent after the day does not count.
        ("Later", "weekly", datetime.date(2025, 4, 1), None, [datetime.date(2025, 4, 1)]),
    ]
    due, sent, behind = golive.communications_due_sent(items, as_of)
    assert (due, sent) == (6, 4)
    assert behind == ["Status report", "Notice"]


def test_evaluate_communications():
    met = golive.evaluate_communications(10, 9, ["Notice"], 90.0)
    assert (met.met, met.value) == (True, 90.0)
    failed = golive.evaluate_communications(10, 8, ["Notice", "Status report"], 90.0)
    assert (failed.met, failed.value) == (False, 80.0)
    assert "8 of 10 communications" in failed.evidence and "“Notice”" in failed.evidence
    assert golive.evaluate_communications(0, 0, [], 90.0).met is None


def test_support_model_and_own_manual_checks():
    assert golive.evaluate_manual(CheckKind.SUPPORT_MODEL, True, "").evidence == "Checked by hand."
    assert golive.evaluate_manual(CheckKind.SUPPORT_MODEL, False, "").met is False
    note = golive.evaluate_manual(CheckKind.MANUAL, True, "Hypercare rota signed by the partner.")
    assert (note.met, note.evidence, note.manual) == (True, "Hypercare rota signed by the partner.", True)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ([], Verdict.GO),
        ([(True, OnFail.NO_GO), (True, OnFail.CONDITIONS)], Verdict.GO),
        ([(True, OnFail.NO_GO), (False, OnFail.CONDITIONS)], Verdict.CONDITIONS),
        ([(False, OnFail.NO_GO), (True, OnFail.CONDITIONS)], Verdict.NO_GO),
        ([(False, OnFail.NO_GO), (False, OnFail.CONDITIONS)], Verdict.NO_GO),
        # No evidence counts as not met.
        ([(None, OnFail.CONDITIONS), (True, OnFail.NO_GO)], Verdict.CONDITIONS),
        ([(None, OnFail.NO_GO), (False, OnFail.CONDITIONS)], Verdict.NO_GO),
    ],
)
def test_verdict_rule(criteria, expected):
    assert golive.verdict(criteria) == expected


# --- Each evidence source, read from the project -------------------------------------------------


def release_with_gates(project, statuses, status=ReleaseStatus.ACTIVE, start=None, name="Pilot"):
    """A release with one phase per gate status, then a go-live phase (milestone "go-live") and an
    aftercare phase; every phase has a gate. Returns the release."""
    release = Release.objects.create(project=project, name=name, start_date=start or days(-60), status=status)
    phases = [f"Phase {i + 1}" for i in range(len(statuses))] + ["Launch", "Aftercare"]
    for order, phase_name in enumerate(phases, start=1):
        phase = Phase.objects.create(project=project, release=release, name=phase_name, order=order)
        gate = Gate.objects.create(project=project, phase=phase, name=f"{phase_name} gate")
        if order <= len(statuses) and statuses[order - 1] != GateStatus.OPEN:
            Gate.objects.filter(pk=gate.pk).update(status=statuses[order - 1], decided_on=days(-order))
        if phase_name == "Launch":
            Task.objects.create(project=project, release=release, phase=phase, name="Go-live", kind=ItemKind.MILESTONE,
                                planned_start=days(30), duration=0, template_key="go-live")
    return release


def test_gates_met_counts_only_the_gates_before_go_live(project):
    # Two gates before the launch phase, both passed (one with conditions); the launch and
    # aftercare gates are open but come at or after go-live: 2 of 2 = 100%.
    release_with_gates(project, [GateStatus.PASSED, GateStatus.PASSED_CONDITIONS])
    c = criterion(project, CheckKind.GATES_PASSED)
    assert (c["met"], c["value"], c["threshold"]) == (True, 100.0, 100.0)
    assert "2 of 2 gates" in c["evidence"]
    assert c["url"] == reverse("roadmap:gates-list", kwargs={"project": project.pk})


def test_gates_failed(project):
    # Passed, not passed, open: 1 of 3 = 33.3%.
    release_with_gates(project, [GateStatus.PASSED, GateStatus.FAILED, GateStatus.OPEN])
    c = criterion(project, CheckKind.GATES_PASSED)
    assert (c["met"], c["value"]) == (False, 33.3)
    assert "“Phase 2 gate”" in c["evidence"] and "“Phase 3 gate”" in c["evidence"]
    # The limit is the criterion's: 30% is reached.
    assert criterion(project, CheckKind.GATES_PASSED, threshold=30)["met"] is True


def test_gates_decided_after_the_day_do_not_count(project):
    release_with_gates(project, [GateStatus.PASSED])  # decided yesterday
    GoLiveCheck.objects.create(project=project, kind=CheckKind.GATES_PASSED)
    assert golive.assess(project, as_of=days(-1))["criteria"][0]["met"] is True
    assert golive.assess(project, as_of=days(-2))["criteria"][0]["met"] is False


def test_gates_read_the_next_release_going_live(project):
    # A live release is past its go-live; the planned one after the active one is not next.
    release_with_gates(project, [GateStatus.FAILED], status=ReleaseStatus.LIVE, start=days(-300), name="Old")
    release_with_gates(project, [GateStatus.PASSED], name="Pilot")
    release_with_gates(project, [GateStatus.OPEN], status=ReleaseStatus.PLANNED, start=days(100), name="Wave 2")
    c = criterion(project, CheckKind.GATES_PASSED)
    assert c["met"] is True and "“Pilot”" in c["evidence"]


def test_gates_absent(project):
    # No release at all: no evidence, which counts as not met (the verdict is not go).
    c = criterion(project, CheckKind.GATES_PASSED)
    assert c["met"] is None
    assert "No release is planned or active" in c["evidence"]
    assert golive.assess(project)["verdict"] == Verdict.NO_GO
    # A release whose first phase is the go-live phase has no gate before go-live.
    release = Release.objects.create(project=project, name="Quick", start_date=days(-5), status=ReleaseStatus.ACTIVE)
    phase = Phase.objects.create(project=project, release=release, name="Go-live", order=1)
    Gate.objects.create(project=project, phase=phase, name="Go-live gate")
    Task.objects.create(project=project, release=release, phase=phase, name="Go-live", kind=ItemKind.MILESTONE,
                        planned_start=days(5), duration=0)
    c = criterion(project, CheckKind.GATES_PASSED)
    assert c["met"] is None and "no phase gate before its go-live phase" in c["evidence"]


def test_gates_without_a_go_live_milestone_use_the_phases_before_the_last(project):
    release = Release.objects.create(project=project, name="Custom", start_date=days(-20), status=ReleaseStatus.ACTIVE)
    for order, status in enumerate([GateStatus.PASSED, GateStatus.OPEN], start=1):
        phase = Phase.objects.create(project=project, release=release, name=f"P{order}", order=order)
        gate = Gate.objects.create(project=project, phase=phase, name=f"G{order}")
        Gate.objects.filter(pk=gate.pk).update(status=status, decided_on=days(-1) if status != GateStatus.OPEN else None)
    c = criterion(project, CheckKind.GATES_PASSED)
    assert c["met"] is True and "1 of 1 gates" in c["evidence"]


def issue(project, priority, status=IssueStatus.OPEN):
    extra = {"resolution": "Fixed."} if status in (IssueStatus.RESOLVED, IssueStatus.CLOSED) else {}
    return Issue.objects.create(project=project, title=f"{priority} {status}", priority=priority, status=status, **extra)


def test_critical_issues(project):
    # Absent: an empty issue log is evidence that nothing critical is open.
    c = criterion(project, CheckKind.CRITICAL_ISSUES)
    assert (c["met"], c["value"]) == (True, 0.0)
    assert c["url"] == reverse("governance:issues-list", kwargs={"project": project.pk}) + "?priority=critical&view=open"
    # Present and met: a closed critical issue and an open high one.
    issue(project, Priority.CRITICAL, IssueStatus.CLOSED)
    issue(project, Priority.HIGH)
    assert criterion(project, CheckKind.CRITICAL_ISSUES)["met"] is True
    # Present and not met: one open critical issue against a limit of 0.
    issue(project, Priority.CRITICAL, IssueStatus.IN_PROGRESS)
    c = criterion(project, CheckKind.CRITICAL_ISSUES)
    assert (c["met"], c["value"]) == (False, 1.0)


def risk(project, probability, impact, status=RiskStatus.ASSESSED):
    return Risk.objects.create(project=project, title=f"{probability}x{impact}", probability=probability, impact=impact,
                               status=status)


def test_high_risks(project):
    c = criterion(project, CheckKind.HIGH_RISKS)
    assert (c["met"], c["value"], c["threshold"]) == (True, 0.0, 2.0)  # absent: none open
    assert c["url"].endswith("/governance/risks/?view=high")
    # 5x4 = 20 and 3x5 = 15 are high; 4x3 = 12 is not; a closed 5x5 does not count: 2 <= 2.
    risk(project, 5, 4)
    risk(project, 3, 5)
    risk(project, 4, 3)
    risk(project, 5, 5, RiskStatus.CLOSED)
    assert criterion(project, CheckKind.HIGH_RISKS)["met"] is True
    risk(project, 5, 3)  # 15: the third high risk
    c = criterion(project, CheckKind.HIGH_RISKS)
    assert (c["met"], c["value"]) == (False, 3.0)
    assert criterion(project, CheckKind.HIGH_RISKS, threshold=3)["met"] is True


def change(project, status):
    return ChangeRequest.objects.create(project=project, title=status, description="A change.", status=status)


def test_change_requests(project):
    assert criterion(project, CheckKind.CHANGE_REQUESTS)["met"] is True  # absent: none waiting
    change(project, ChangeStatus.APPROVED)
    change(project, ChangeStatus.REJECTED)
    change(project, ChangeStatus.IMPLEMENTED)
    c = criterion(project, CheckKind.CHANGE_REQUESTS)
    assert (c["met"], c["value"]) == (True, 0.0)
    change(project, ChangeStatus.SUBMITTED)
    change(project, ChangeStatus.ASSESSED)
    c = criterion(project, CheckKind.CHANGE_REQUESTS)
    assert (c["met"], c["value"]) == (False, 2.0)
    assert c["url"].endswith("/roadmap/changes/?view=waiting")


@pytest.fixture
def training(project, users):
    """Sales: 2 reps x 2 required courses, 4 of 4 signed off (100%). Service: 2 agents x 1 required
    course, 1 of 2 signed off (50%)."""
    sales = Department.objects.create(project=project, name="Sales")
    service = Department.objects.create(project=project, name="Service")
    rep = JobRole.objects.create(project=project, name="Rep")
    agent = JobRole.objects.create(project=project, name="Agent")
    basics = Course.objects.create(project=project, title="CRM basics")
    pipeline = Course.objects.create(project=project, title="Pipeline")
    for role, course in [(rep, basics), (rep, pipeline), (agent, basics)]:
        CurriculumItem.objects.create(project=project, job_role=role, course=course, required=True)
    people = {
        name: Trainee.objects.create(project=project, name=name, department=dept, job_role=role)
        for name, dept, role in [("Ann", sales, rep), ("Bo", sales, rep), ("Cai", service, agent), ("Dan", service, agent)]
    }
    for name, course in [("Ann", basics), ("Ann", pipeline), ("Bo", basics), ("Bo", pipeline), ("Cai", basics)]:
        SignOff.objects.create(project=project, trainee=people[name], course=course, course_version=1,
                               signed_by=users["trainer"], signed_on=days(-3))
    return people


def test_training_failed_and_met(project, users, training):
    c = criterion(project, CheckKind.TRAINING_SIGNOFF)
    assert (c["met"], c["value"], c["threshold"]) == (False, 50.0, 90.0)
    assert "1 of 2 departments" in c["evidence"] and "“Service” 50% (1 of 2)" in c["evidence"]
    assert c["url"] == reverse("training:readiness", kwargs={"project": project.pk})
    # A limit of 50% is reached by both departments.
    assert criterion(project, CheckKind.TRAINING_SIGNOFF, threshold=50)["met"] is True
    # Dan signs off too: Service 2 of 2 -> every department at 100%.
    readiness_views.clear_cache()
    SignOff.objects.create(project=project, trainee=training["Dan"], course=Course.objects.get(title="CRM basics"),
                           course_version=1, signed_by=users["trainer"], signed_on=days(-1))
    c = criterion(project, CheckKind.TRAINING_SIGNOFF)
    assert (c["met"], c["value"]) == (True, 100.0)


def test_training_absent(project):
    # No trainees or curricula: nothing is required, so there is no evidence (not met).
    c = criterion(project, CheckKind.TRAINING_SIGNOFF)
    assert c["met"] is None and "No training is required yet" in c["evidence"]


def plan_item(project, name, frequency, start, **extra):
    return CommunicationItem.objects.create(project=project, deliverable=name, frequency=frequency, start_date=start,
                                            audience="Everyone", **extra)


def test_communications(project):
    # Absent: no plan at all.
    c = criterion(project, CheckKind.COMMUNICATIONS)
    assert c["met"] is None and "No communication of the plan was due yet" in c["evidence"]
    # Weekly from 21 days ago: due -21, -14, -7 (today is not late yet) -> 3 due, 3 sent: met.
    weekly = plan_item(project, "Status report", Frequency.WEEKLY, days(-21))
    for n in (-21, -14, -7):
        CommunicationLog.objects.create(project=project, item=weekly, sent_on=days(n))
    c = criterion(project, CheckKind.COMMUNICATIONS)
    assert (c["met"], c["value"]) == (True, 100.0)
    assert c["url"] == reverse("governance:communications-list", kwargs={"project": project.pk})
    # A notice due 3 days ago and not sent: 3 of 4 = 75% < 90%.
    plan_item(project, "Notice to agents", Frequency.ONCE, days(-3))
    c = criterion(project, CheckKind.COMMUNICATIONS)
    assert (c["met"], c["value"]) == (False, 75.0)
    assert "“Notice to agents”" in c["evidence"]
    # An inactive item is no longer part of the plan.
    CommunicationItem.objects.filter(deliverable="Notice to agents").update(active=False)
    assert criterion(project, CheckKind.COMMUNICATIONS)["met"] is True


MANUAL = sorted(golive.MANUAL_KINDS)


@pytest.mark.parametrize("kind", MANUAL)
def test_manual_kinds_follow_the_tick(project, kind):
    # Present and met: ticked, with its note and evidence link.
    c = criterion(project, kind, met=True, note="Signed report.", evidence_link="https://example.com/uat")
    assert (c["met"], c["manual"]) == (True, True)
    assert "Signed report." in c["evidence"]
    assert c["url"] == "https://example.com/uat"
    # Present and not met: not ticked; links to the criterion's own page.
    c = criterion(project, kind, met=False)
    assert c["met"] is False
    pk = GoLiveCheck.objects.get(project=project).pk
    assert c["url"] == reverse("reports:golive-checks-detail", kwargs={"project": project.pk, "pk": pk})


# Mock migration and cutover rehearsal: tests/reports/test_golive_migration.py.


# --- The assessment as a whole ------------------------------------------------------------------


def test_standard_criteria_are_assessed_until_the_project_has_its_own(project):
    result = golive.assess(project)
    assert result["standard"] is True
    assert [c["kind"] for c in result["criteria"]] == [kind for kind, _limit, _fail in golive.DEFAULT_CHECKS]
    assert result["verdict"] == Verdict.NO_GO  # manual checks not ticked
    json.dumps(result)  # frozen by the steering report: plain data only
    assert result["counts"]["met"] + result["counts"]["failed"] == len(golive.DEFAULT_CHECKS)
    assert result["counts"]["manual"] == 5


def test_verdict_from_the_project_rules(project, users):
    # Met: no critical issue (no-go if not). Not met: one high risk over a limit of 0 (conditions).
    GoLiveCheck.objects.create(project=project, kind=CheckKind.CRITICAL_ISSUES, on_fail=OnFail.NO_GO, order=1)
    GoLiveCheck.objects.create(project=project, kind=CheckKind.HIGH_RISKS, threshold=0, on_fail=OnFail.CONDITIONS,
                               order=2)
    GoLiveCheck.objects.create(project=project, kind=CheckKind.SUPPORT_MODEL, met=True, order=3)
    GoLiveCheck.objects.create(project=project, kind=CheckKind.CUTOVER_REHEARSAL, active=False)  # switched off
    risk(project, 5, 5)
    result = golive.assess(project)
    assert result["standard"] is False
    assert [c["kind"] for c in result["criteria"]] == ["critical_issues", "high_risks", "support_model"]
    assert (result["verdict"], result["verdict_label"]) == ("conditions", "Go with conditions")
    assert result["counts"] == {"met": 2, "failed": 1, "manual": 1, "no_evidence": 0}
    # The risk is closed: go.
    Risk.objects.update(status=RiskStatus.CLOSED)
    assert golive.assess(project)["verdict"] == Verdict.GO
    # An open critical issue: no-go whatever else.
    issue(project, Priority.CRITICAL)
    assert golive.assess(project)["verdict"] == Verdict.NO_GO


def test_labels_follow_the_reader_language(project):
    from django.utils import translation

    GoLiveCheck.objects.create(project=project, kind=CheckKind.CRITICAL_ISSUES)
    GoLiveCheck.objects.create(project=project, kind=CheckKind.MANUAL, text="Hypercare rota agreed")
    with translation.override("zh-hans"):
        result = golive.assess(project)
        expected = (str(CheckKind.CRITICAL_ISSUES.label), str(Verdict.NO_GO.label), str(OnFail.NO_GO.label))
    assert result["criteria"][1]["label"] == "Hypercare rota agreed"  # the project's own wording
    assert (result["criteria"][0]["label"], result["verdict_label"], result["criteria"][0]["on_fail_label"]) == expected


def test_ensure_default_checks_is_idempotent(project, users):
    assert golive.ensure_default_checks(project, users["pm"]) == len(golive.DEFAULT_CHECKS)
    assert golive.ensure_default_checks(project, users["pm"]) == 0
    checks = list(GoLiveCheck.objects.filter(project=project).order_by("order"))
    assert [(c.kind, None if c.threshold is None else float(c.threshold), c.on_fail) for c in checks] == [
        (kind, None if limit is None else float(limit), on_fail) for kind, limit, on_fail in golive.DEFAULT_CHECKS
    ]
    assert all(c.version == 1 and c.history.count() == 1 for c in checks)
    # A project with only switched-off criteria keeps them: nothing is added.
    GoLiveCheck.objects.filter(project=project).update(active=False)
    assert golive.ensure_default_checks(project) == 0


# --- The page -----------------------------------------------------------------------------------


def page_url(project, name="golive"):
    return reverse(f"reports:{name}", kwargs={"project": project.pk})


def test_viewer_sees_the_page_with_the_verdict(project, client_for):
    response = client_for("viewer").get(page_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert "golive-verdict" in html and "No-go" in html
    assert "Use the standard criteria" not in html  # a viewer cannot store them
    assert reverse("reports:golive-checks-list", kwargs={"project": project.pk}) in html


def test_pm_sees_the_button_until_the_criteria_are_stored(project, client_for):
    client = client_for("pm")
    assert "Use the standard criteria" in client.get(page_url(project)).content.decode()
    response = client.post(page_url(project, "golive-defaults"))
    assert response.status_code == 302 and response["Location"] == page_url(project)
    assert GoLiveCheck.objects.filter(project=project).count() == len(golive.DEFAULT_CHECKS)
    assert "Use the standard criteria" not in client.get(page_url(project)).content.decode()
    client.post(page_url(project, "golive-defaults"))  # again: nothing added
    assert GoLiveCheck.objects.filter(project=project).count() == len(golive.DEFAULT_CHECKS)


def test_page_permissions(project, client_for, other_project):
    assert client_for("outsider").get(page_url(project)).status_code == 404
    assert client_for("pm").get(page_url(other_project)).status_code == 404
    assert client_for("viewer").post(page_url(project, "golive-defaults")).status_code == 403
    assert client_for("member").post(page_url(project, "golive-defaults")).status_code == 403
    assert not GoLiveCheck.objects.filter(project=project).exists()
    assert client_for("steering").post(page_url(project, "golive-defaults")).status_code == 302
    assert client_for("pm").get(page_url(project, "golive-defaults")).status_code == 405
    anonymous = client_for("anonymous").get(page_url(project))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_page_renders_in_chinese(project, client_for, language):
    client = client_for("viewer")
    client.cookies["django_language"] = language
    response = client.get(page_url(project), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200


# --- UAT pass rate and severe defects from the testing area -------------------------------------


def uat_cycle(project, results):
    """A UAT plan and cycle whose cases were last executed with `results` (None: not run)."""
    from testing.choices import PlanType
    from testing.models import Execution, TestCase, TestCycle, TestPlan

    plan = TestPlan.objects.create(project=project, name="UAT sales", plan_type=PlanType.UAT)
    cycle = TestCycle.objects.create(project=project, plan=plan, name="UAT round 1", business_area="Sales")
    cases = [TestCase.objects.create(project=project, title=f"Case {i}", steps="Open | Opens", plan=plan)
             for i in range(len(results))]
    cycle.cases.set(cases)
    for case, result in zip(cases, results, strict=True):
        if result is not None:
            Execution.objects.create(project=project, cycle=cycle, case=case, result=result)
    return cycle


def test_evaluate_uat_and_severe_defects():
    met = golive.evaluate_uat([("CYC-001 UAT 1", 19, 19), ("CYC-002 UAT 2", 1, 0)], 95.0)
    assert met.met is True and met.value == pytest.approx(95.0)  # 19 of 20: exactly the limit
    assert "19 of 20" in met.evidence and "CYC-001 UAT 1" in met.evidence
    assert golive.evaluate_uat([("CYC-001", 10, 9)], 95.0).met is False  # 90%
    assert golive.evaluate_uat([("CYC-001", 0, 0)], 95.0) is None  # nothing executed: no evidence
    assert golive.evaluate_uat([], 95.0) is None
    severe = golive.evaluate_severe_defects({1: 1, 2: 2, 3: 5}, 0.0)
    assert severe.met is False and severe.value == 3.0 and "1 critical, 2 major" in severe.evidence
    assert golive.evaluate_severe_defects({3: 4}, 0.0).met is True  # minor defects do not count


def test_uat_pass_rate_is_read_from_the_uat_cycles(project):
    from testing.choices import Result

    # Absent: no UAT execution in the app -> the manual check (not ticked: not met).
    absent = criterion(project, CheckKind.UAT_PASS_RATE, threshold=Decimal(75))
    assert absent["manual"] is True and absent["met"] is False
    assert "No test results in the app" in absent["evidence"]
    # Present: 3 of 4 executed cases passed (one with remarks); the not-run case does not count.
    uat_cycle(project, [Result.PASSED, Result.PASSED_WITH_REMARKS, Result.PASSED, Result.FAILED, None])
    met = criterion(project, CheckKind.UAT_PASS_RATE, threshold=Decimal(75))
    assert met["manual"] is False and met["met"] is True and met["value"] == pytest.approx(75.0)
    failed = criterion(project, CheckKind.UAT_PASS_RATE, threshold=Decimal(80))
    assert failed["met"] is False and "3 of 4" in failed["evidence"]
    assert failed["url"] == reverse("testing:cycles-list", kwargs={"project": project.pk})


def test_severe_defects_are_read_from_the_testing_area(project):
    from testing.choices import DefectStatus, Severity
    from testing.models import Defect

    # Absent: the project keeps no tests in the app -> the manual check.
    assert criterion(project, CheckKind.SEVERE_DEFECTS)["manual"] is True
    cycle = uat_cycle(project, [])
    # Present, none open: met (a test plan exists, so zero is evidence).
    Defect.objects.create(project=project, title="Closed one", severity=Severity.CRITICAL, cycle=cycle,
                          status=DefectStatus.CLOSED)
    Defect.objects.create(project=project, title="Cosmetic", severity=Severity.MINOR, cycle=cycle)
    none_open = criterion(project, CheckKind.SEVERE_DEFECTS)
    assert none_open["manual"] is False and none_open["met"] is True and none_open["value"] == 0
    # Present, one major open: not met.
    Defect.objects.create(project=project, title="Quotes lose their discount", severity=Severity.MAJOR, cycle=cycle)
    one = criterion(project, CheckKind.SEVERE_DEFECTS)
    assert one["met"] is False and one["value"] == 1
    assert one["url"] == reverse("testing:defects-list", kwargs={"project": project.pk})
