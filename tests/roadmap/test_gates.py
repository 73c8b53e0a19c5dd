"""Phase gates: exit criteria read from evidence, the committee's votes, the pass rules worked out
by hand, and the decision turning conditions into action items. Everything leaves history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from projectcrm.governance.choices import IssueStatus, Priority
from projectcrm.governance.models import ActionItem, Issue
from roadmap import gates
from roadmap.choices import CriterionKind, GateRule, GateStatus, ItemKind, TaskStatus, Vote
from roadmap.models import Gate, GateVote, Phase, Release, Task

from .conftest import BOOK_START, messages_of, rurl

pytestmark = pytest.mark.django_db

GO, COND, NO = Vote.GO, Vote.GO_CONDITIONS, Vote.NO_GO


@pytest.fixture
def bare_gate(project):
    """A gate without criteria: only the votes decide it."""
    release = Release.objects.create(project=project, name="Pilot", start_date=BOOK_START)
    phase = Phase.objects.create(project=project, release=release, name="Build", order=1)
    return Gate.objects.create(project=project, phase=phase, name="Build gate")


@pytest.fixture
def initiation_gate(book_release):
    return Gate.objects.get(phase__release=book_release, phase__order=1)


def criterion(gate, kind):
    return gate.criteria.get(kind=kind)


def vote(gate, user, decision, conditions="", comment=""):
    return gates.cast_vote(gate, user, decision, comment, conditions)


# --- Criteria from evidence -------------------------------------------------------------------


def test_deliverables_accepted_until_every_deliverable_is(project, book_release, initiation_gate):
    c = criterion(initiation_gate, CriterionKind.DELIVERABLES_ACCEPTED)
    deliverables = list(Task.objects.filter(phase=initiation_gate.phase, kind=ItemKind.DELIVERABLE).order_by("number"))
    assert [t.template_key for t in deliverables] == ["vision", "current-state", "comms-plan", "charter"]

    result = gates.evaluate(c)
    assert result.automatic and not result.met
    assert result.evidence == "0 of 4 deliverables of the phase accepted."
    assert result.link == rurl("tasks-list", project) + f"?phase={initiation_gate.phase.pk}&kind=deliverable"

    for t in deliverables[:3]:
        t.status = TaskStatus.ACCEPTED
        t.save()
    # Done is not accepted.
    deliverables[3].status = TaskStatus.DONE
    deliverables[3].save()
    result = gates.evaluate(c)
    assert not result.met and result.evidence == "3 of 4 deliverables of the phase accepted."

    deliverables[3].status = TaskStatus.ACCEPTED
    deliverables[3].save()
    result = gates.evaluate(c)
    assert result.met and result.evidence == "4 of 4 deliverables of the phase accepted."
    # Tasks and milestones of the phase are not deliverables: they need not be accepted.
    assert Task.objects.filter(phase=initiation_gate.phase).exclude(status=TaskStatus.ACCEPTED).count() == 2


def test_the_evidence_link_lists_the_phase_deliverables(pm_client, project, initiation_gate):
    link = gates.evaluate(criterion(initiation_gate, CriterionKind.DELIVERABLES_ACCEPTED)).link
    response = pm_client.get(link)
    assert response.status_code == 200
    shown = {row["obj"].template_key for row in response.context["rows"]}
    assert shown == {"vision", "current-state", "comms-plan", "charter"}


def test_no_open_critical_issues_reads_the_issue_log(project, book_release):
    build_gate = Gate.objects.get(phase__release=book_release, phase__order=3)
    c = criterion(build_gate, CriterionKind.NO_OPEN_CRITICAL_ISSUES)
    result = gates.evaluate(c)
    assert result.automatic and result.met and result.evidence == "0 open critical issues."
    assert result.link == reverse("governance:issues-list", kwargs={"project": project.pk}) + "?priority=critical&view=open"

    Issue.objects.create(project=project, title="Minor typo", priority=Priority.HIGH)
    critical = Issue.objects.create(project=project, title="Interface drops orders", priority=Priority.CRITICAL)
    result = gates.evaluate(c)
    assert not result.met and result.evidence == "1 open critical issues."

    critical.status = IssueStatus.IN_PROGRESS
    critical.save()
    assert not gates.evaluate(c).met
    critical.status, critical.resolution = IssueStatus.RESOLVED, "Fixed the mapping."
    critical.save()
    assert gates.evaluate(c).met


def test_critical_issues_of_another_project_do_not_count(project, other_project, book_release):
    Issue.objects.create(project=other_project, title="Elsewhere", priority=Priority.CRITICAL)
    c = criterion(Gate.objects.get(phase__release=book_release, phase__order=3), CriterionKind.NO_OPEN_CRITICAL_ISSUES)
    assert gates.evaluate(c).met


@pytest.mark.parametrize(
    ("order", "kind", "note"),
    [
        (5, CriterionKind.MOCK_MIGRATION, "The data migration area is not built yet: check this by hand."),
        (6, CriterionKind.TEST_PASS_RATE, "The testing area is not built yet: check this by hand."),
    ],
)
def test_areas_not_built_yet_are_manual(book_release, order, kind, note):
    c = criterion(Gate.objects.get(phase__release=book_release, phase__order=order), kind)
    result = gates.evaluate(c)
    assert not result.automatic and not result.met
    assert str(result.evidence) == note
    c.met, c.note = True, "Cycle 3: 97% passed (report in the shared drive)."
    c.save()
    result = gates.evaluate(c)
    assert result.met and result.evidence == c.note


def test_training_criterion_reads_the_sign_offs(project, users, book_release):
    """2 people in a role that needs 1 course: 1 signed off = 50%, below a threshold of 80, then 100%."""
    from training import services as training_services
    from training.models import Course, CurriculumItem, Department, JobRole, Trainee

    c = criterion(Gate.objects.get(phase__release=book_release, phase__order=7), CriterionKind.TRAINING_SIGNOFF)
    c.threshold = 80
    c.save()
    result = gates.evaluate(c)
    assert result.automatic and not result.met
    assert str(result.evidence) == "No training is required yet: add curricula and trainees."
    sales = Department.objects.create(project=project, name="Sales")
    role = JobRole.objects.create(project=project, name="Salesperson")
    course = Course.objects.create(project=project, title="Accounts and contacts")
    CurriculumItem.objects.create(project=project, job_role=role, course=course)
    ann, bo = (Trainee.objects.create(project=project, name=n, department=sales, job_role=role) for n in ("Ann", "Bo"))
    training_services.sign_off(ann, course, users["trainer"])
    result = gates.evaluate(c)
    assert result.automatic and not result.met
    assert "50.0% of the required training signed off (1 of 2)" in str(result.evidence)
    training_services.sign_off(bo, course, users["trainer"])
    assert gates.evaluate(c).met


def test_threshold_from_the_template(book_release):
    c = criterion(Gate.objects.get(phase__release=book_release, phase__order=6), CriterionKind.TEST_PASS_RATE)
    assert c.threshold == 95


def test_manual_criterion_marked_met_through_the_view(pm_client, project, initiation_gate):
    c = initiation_gate.criteria.filter(kind=CriterionKind.MANUAL).first()
    result = gates.evaluate(c)
    assert not result.automatic and not result.met and result.evidence == "Not checked yet."

    response = pm_client.post(rurl("criterion-check", project, pk=c.pk), {"met": "1", "note": "Charter signed 3 Feb."})
    assert response.status_code == 302
    assert response["Location"] == rurl("gates-detail", project, pk=initiation_gate.pk)
    c.refresh_from_db()
    assert c.met and c.note == "Charter signed 3 Feb."
    assert gates.evaluate(c).evidence == "Charter signed 3 Feb."
    assert c.history.count() == 2

    pm_client.post(rurl("criterion-check", project, pk=c.pk), {"met": "0", "note": ""})
    c.refresh_from_db()
    assert not c.met
    assert gates.evaluate(c).evidence == "Not checked yet."


@pytest.mark.parametrize("role", ["steering", "viewer"])
def test_criterion_check_needs_the_right_to_change(client_for, project, initiation_gate, role):
    c = initiation_gate.criteria.filter(kind=CriterionKind.MANUAL).first()
    response = client_for(role).post(rurl("criterion-check", project, pk=c.pk), {"met": "1"})
    assert response.status_code == 403
    c.refresh_from_db()
    assert not c.met


def test_gate_page_shows_the_review(client_for, project, committee, initiation_gate):
    vote(initiation_gate, committee["steering2"], GO, comment="Fine by me.")
    response = client_for("steering").get(rurl("gates-detail", project, pk=initiation_gate.pk))
    assert response.status_code == 200
    review = response.context["review"]
    assert len(review["results"]) == 4
    assert len(review["unmet"]) == 4
    assert review["tally"].yes == 1 and len(review["tally"].committee) == 3
    assert not review["can_pass"]
    assert "Fine by me." in response.content.decode()


# --- The committee and the rules, worked by hand ----------------------------------------------

# Committee of three: the sponsor and two others. A majority is two of three.
RULE_CASES = [
    # rule, votes (sponsor, steering2, steering3; None = not voted), rule met, rule failed
    (GateRule.SPONSOR_AND_MAJORITY, (GO, GO, None), True, False),
    (GateRule.SPONSOR_AND_MAJORITY, (COND, None, GO), True, False),
    (GateRule.SPONSOR_AND_MAJORITY, (GO, NO, NO), False, True),  # sponsor alone is no majority
    (GateRule.SPONSOR_AND_MAJORITY, (None, GO, GO), False, False),  # majority without the sponsor: wait
    (GateRule.SPONSOR_AND_MAJORITY, (NO, GO, GO), False, True),  # the sponsor's no-go fails it
    (GateRule.SPONSOR_AND_MAJORITY, (GO, None, None), False, False),
    (GateRule.MAJORITY, (None, GO, GO), True, False),
    (GateRule.MAJORITY, (NO, GO, COND), True, False),
    (GateRule.MAJORITY, (GO, NO, None), False, False),  # the third vote decides
    (GateRule.MAJORITY, (GO, NO, NO), False, True),
    (GateRule.UNANIMOUS, (GO, GO, None), False, False),
    (GateRule.UNANIMOUS, (GO, COND, GO), True, False),
    (GateRule.UNANIMOUS, (GO, GO, NO), False, True),
    (GateRule.UNANIMOUS, (None, NO, None), False, True),
    (GateRule.SPONSOR, (GO, NO, NO), True, False),
    (GateRule.SPONSOR, (None, GO, GO), False, False),
    (GateRule.SPONSOR, (NO, GO, GO), False, True),
]


@pytest.mark.parametrize(("rule", "votes", "met", "failed"), RULE_CASES)
def test_pass_rules(committee, bare_gate, rule, votes, met, failed):
    bare_gate.rule = rule
    bare_gate.save()
    for name, decision in zip(("sponsor", "steering2", "steering3"), votes, strict=True):
        if decision:
            vote(bare_gate, committee[name], decision, conditions="Keep the old system read-only" if decision == COND else "")
    t = gates.tally(bare_gate)
    assert t.yes == sum(1 for d in votes if d in (GO, COND))
    assert t.no == votes.count(NO)
    assert t.sponsor_yes == (votes[0] in (GO, COND))
    assert t.sponsor_no == (votes[0] == NO)
    assert gates.rule_met(rule, t) is met
    assert gates.rule_failed(rule, t) is failed

    if met:
        assert gates.decide(bare_gate) in (GateStatus.PASSED, GateStatus.PASSED_CONDITIONS)
    elif failed:
        assert gates.decide(bare_gate) == GateStatus.FAILED
    else:
        with pytest.raises(ValidationError) as refused:
            gates.decide(bare_gate)
        assert refused.value.messages == ["The votes do not meet the gate's rule yet."]
        bare_gate.refresh_from_db()
        assert bare_gate.status == GateStatus.OPEN and bare_gate.decided_on is None


def test_committee_is_the_steering_members(project, committee, users):
    assert [u.username for u in gates.committee(project)] == ["steering", "steering2", "steering3"]


def test_a_vote_of_someone_who_left_the_committee_does_not_count(project, committee, bare_gate):
    from projectcrm.core.choices import Role
    from projectcrm.core.models import Membership

    vote(bare_gate, committee["steering2"], GO)
    Membership.objects.filter(project=project, user=committee["steering2"]).update(role=Role.MEMBER)
    t = gates.tally(bare_gate)
    assert t.yes == 0 and len(t.committee) == 2


def test_votes_through_the_view(login, project, committee, bare_gate):
    url = rurl("gate-vote", project, pk=bare_gate.pk)
    response = login(committee["sponsor"]).post(url, {"decision": GO, "comment": "Ready.", "conditions": ""})
    assert response.status_code == 302
    assert response["Location"] == rurl("gates-detail", project, pk=bare_gate.pk)
    assert messages_of(response) == ["Your vote is recorded."]
    v = GateVote.objects.get(gate=bare_gate, voter=committee["sponsor"])
    assert (v.decision, v.comment) == (GO, "Ready.")

    # Voting again changes the vote; the first one stays in history.
    login(committee["sponsor"]).post(url, {"decision": NO, "comment": "Data not ready.", "conditions": ""})
    assert GateVote.objects.filter(gate=bare_gate).count() == 1
    v.refresh_from_db()
    assert v.decision == NO and v.version == 2
    assert [h.decision for h in v.history.order_by("history_id")] == [GO, NO]


@pytest.mark.parametrize("role", ["pm", "member", "viewer"])
def test_a_non_committee_vote_is_refused_with_a_message(client_for, project, committee, bare_gate, role):
    response = client_for(role).post(rurl("gate-vote", project, pk=bare_gate.pk), {"decision": GO})
    assert response.status_code == 302
    assert messages_of(response) == ["Only steering committee members vote on gates."]
    assert not GateVote.objects.exists()


def test_a_non_committee_vote_is_refused_by_the_service(users, committee, bare_gate):
    with pytest.raises(PermissionDenied):
        vote(bare_gate, users["pm"], GO)


def test_outsiders_cannot_reach_the_vote(client_for, project, committee, bare_gate):
    assert client_for("outsider").post(rurl("gate-vote", project, pk=bare_gate.pk), {"decision": GO}).status_code == 404


def test_go_with_conditions_needs_the_conditions(login, project, committee, bare_gate):
    url = rurl("gate-vote", project, pk=bare_gate.pk)
    response = login(committee["steering2"]).post(url, {"decision": COND, "conditions": "  \n "})
    assert messages_of(response) == ["Name the conditions of a go with conditions."]
    assert not GateVote.objects.exists()
    with pytest.raises(ValidationError):
        vote(bare_gate, committee["steering2"], COND, conditions="")


def test_a_vote_needs_a_decision(login, project, committee, bare_gate):
    response = login(committee["steering2"]).post(rurl("gate-vote", project, pk=bare_gate.pk), {"decision": "maybe"})
    assert messages_of(response) == ["Choose a decision."]
    assert not GateVote.objects.exists()


# --- Deciding ---------------------------------------------------------------------------------


def accept_everything(gate, pm_client, project):
    Task.objects.filter(phase=gate.phase, kind=ItemKind.DELIVERABLE).update(status=TaskStatus.ACCEPTED)
    for c in gate.criteria.filter(kind=CriterionKind.MANUAL):
        pm_client.post(rurl("criterion-check", project, pk=c.pk), {"met": "1", "note": "Seen."})


def test_deciding_with_unmet_criteria_is_refused_with_the_list(pm_client, project, committee, initiation_gate):
    vote(initiation_gate, committee["sponsor"], GO)
    vote(initiation_gate, committee["steering2"], GO)
    assert gates.gate_review(initiation_gate)["rule_met"]
    response = pm_client.post(rurl("gate-decide", project, pk=initiation_gate.pk))
    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith("The gate cannot pass while criteria are unmet: ")
    for c in initiation_gate.criteria.all():
        assert c.text in message
    initiation_gate.refresh_from_db()
    assert initiation_gate.status == GateStatus.OPEN

    # Once only one criterion is left, the message names just that one.
    Task.objects.filter(phase=initiation_gate.phase, kind=ItemKind.DELIVERABLE).update(status=TaskStatus.ACCEPTED)
    manual = list(initiation_gate.criteria.filter(kind=CriterionKind.MANUAL))
    for c in manual[:-1]:
        pm_client.post(rurl("criterion-check", project, pk=c.pk), {"met": "1", "note": "Seen."})
    with pytest.raises(ValidationError) as refused:
        gates.decide(initiation_gate)
    assert refused.value.messages == [f"The gate cannot pass while criteria are unmet: {manual[-1].text}."]


def test_decide_with_conditions_creates_action_items(pm_client, login, project, committee, initiation_gate):
    accept_everything(initiation_gate, pm_client, project)
    vote_url = rurl("gate-vote", project, pk=initiation_gate.pk)
    login(committee["sponsor"]).post(vote_url, {"decision": GO, "comment": "Well prepared."})
    login(committee["steering2"]).post(
        vote_url,
        {"decision": COND, "conditions": "Name a data owner for every source\n\n  Send the charter to the works council  \n"},
    )
    login(committee["steering3"]).post(vote_url, {"decision": NO, "comment": "Budget unclear."})
    assert GateVote.objects.filter(gate=initiation_gate).count() == 3
    before = ActionItem.objects.count()

    response = pm_client.post(rurl("gate-decide", project, pk=initiation_gate.pk))
    assert messages_of(response)[-1] == "Gate decided: Passed with conditions."
    initiation_gate.refresh_from_db()
    assert initiation_gate.status == GateStatus.PASSED_CONDITIONS
    assert initiation_gate.decided_on is not None

    actions = ActionItem.objects.filter(project=project).order_by("number")
    assert actions.count() == before + 2
    assert [a.title for a in actions] == ["Name a data owner for every source", "Send the charter to the works council"]
    for a in actions:
        assert a.description == f"Condition of {initiation_gate.name}"
        assert a.source_meeting == initiation_gate.name
        assert a.history.count() == 1

    # History: the gate's decision, every vote.
    statuses = [h.status for h in initiation_gate.history.order_by("history_id")]
    assert statuses == [GateStatus.OPEN, GateStatus.PASSED_CONDITIONS]
    assert GateVote.history.filter(gate_id=initiation_gate.pk).count() == 3


def test_decide_without_conditions_passes(pm_client, project, committee, initiation_gate):
    accept_everything(initiation_gate, pm_client, project)
    vote(initiation_gate, committee["sponsor"], GO)
    vote(initiation_gate, committee["steering3"], GO)
    assert gates.decide(initiation_gate) == GateStatus.PASSED
    assert not ActionItem.objects.exists()


def test_a_failed_gate(pm_client, project, committee, initiation_gate):
    vote(initiation_gate, committee["sponsor"], NO, comment="Not ready.")
    response = pm_client.post(rurl("gate-decide", project, pk=initiation_gate.pk))
    assert messages_of(response) == ["Gate decided: Not passed."]
    initiation_gate.refresh_from_db()
    assert initiation_gate.status == GateStatus.FAILED


def test_a_decided_gate_cannot_be_voted_or_decided_again(pm_client, login, project, committee, bare_gate):
    vote(bare_gate, committee["sponsor"], GO)
    vote(bare_gate, committee["steering2"], GO)
    assert gates.decide(bare_gate) == GateStatus.PASSED
    bare_gate.refresh_from_db()

    response = login(committee["steering3"]).post(rurl("gate-vote", project, pk=bare_gate.pk), {"decision": NO})
    assert messages_of(response) == ["This gate is already decided."]
    assert not GateVote.objects.filter(voter=committee["steering3"]).exists()
    response = login(committee["sponsor"]).post(rurl("gate-vote", project, pk=bare_gate.pk), {"decision": NO})
    assert GateVote.objects.get(voter=committee["sponsor"]).decision == GO

    response = pm_client.post(rurl("gate-decide", project, pk=bare_gate.pk))
    assert messages_of(response) == ["This gate is already decided."]
    with pytest.raises(ValidationError):
        gates.decide(bare_gate)
    assert bare_gate.history.count() == 2


def test_criteria_of_a_decided_gate_are_frozen(pm_client, project, committee, initiation_gate):
    vote(initiation_gate, committee["sponsor"], NO)
    gates.decide(initiation_gate)
    c = initiation_gate.criteria.filter(kind=CriterionKind.MANUAL).first()
    response = pm_client.post(rurl("criterion-check", project, pk=c.pk), {"met": "1"})
    assert messages_of(response) == ["This gate is already decided."]
    c.refresh_from_db()
    assert not c.met


@pytest.mark.parametrize("role", ["steering", "member", "viewer"])
def test_only_who_may_change_the_roadmap_records_the_decision(client_for, project, committee, bare_gate, role):
    vote(bare_gate, committee["sponsor"], GO)
    vote(bare_gate, committee["steering2"], GO)
    status = client_for(role).post(rurl("gate-decide", project, pk=bare_gate.pk)).status_code
    bare_gate.refresh_from_db()
    if role == "member":  # team members may change the roadmap
        assert status == 302 and bare_gate.status == GateStatus.PASSED
    else:
        assert status == 403 and bare_gate.status == GateStatus.OPEN



def test_not_built_notes_follow_the_readers_language():
    """The notes are built at import: they must stay lazy, or every reader sees the import's language."""
    from django.utils.functional import Promise

    assert all(isinstance(note, Promise) for note in gates.NOT_YET_BUILT.values())
