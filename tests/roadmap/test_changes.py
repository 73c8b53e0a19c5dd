"""Change control: submitted -> assessed -> approved or rejected by the steering committee, with a
reason -> implemented, optionally pushing the schedule and saving a new baseline."""

import datetime

import pytest
from django.utils import timezone

from roadmap import services
from roadmap.choices import ChangeStatus
from roadmap.models import Baseline, ChangeRequest, Task

from .conftest import messages_of, rurl, task

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def change(client_for, project, users, book_release):
    """A change request entered by a team member through the form: 3 more days on the vision."""
    response = client_for("member").post(
        rurl("changes-create", project),
        {
            "title": "Add the service department to the vision",
            "description": "Service wants its cases in the first release.",
            "reason": "The service director joined the steering committee.",
            "requested_by": users["member"].pk,
            "release": book_release.pk,
            "impact_scope": "Case management joins the scope.",
            "impact_days": 3,
            "impact_cost": "12000.00",
            "impact_risk": "Design phase gets tighter.",
            "affected_task": task(book_release, "vision").pk,
            "priority": "high",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    return ChangeRequest.objects.get(project=project)


def act(client, project, change, action, **data):
    response = client.post(rurl("change-action", project, pk=change.pk, action=action), data)
    change.refresh_from_db()
    return response


def test_a_new_change_is_submitted(change, users):
    assert change.status == ChangeStatus.SUBMITTED
    assert change.ref == "CR-001"
    assert change.requested_by == users["member"]
    assert change.decided_on is None


def test_the_whole_workflow(client_for, project, change):
    response = act(client_for("member"), project, change, "assess", note="Three days on the vision; cost agreed.")
    assert response.status_code == 302 and response["Location"] == rurl("changes-detail", project, pk=change.pk)
    assert messages_of(response) == ["CR-001 is now Assessed."]
    assert change.status == ChangeStatus.ASSESSED
    assert change.decision_note == "Three days on the vision; cost agreed."

    response = act(client_for("steering"), project, change, "approve", note="Service is in scope for the pilot.")
    assert messages_of(response) == ["CR-001 is now Approved."]
    assert change.status == ChangeStatus.APPROVED
    assert change.decided_on == timezone.localdate()
    assert change.decision_note == "Service is in scope for the pilot."

    response = act(client_for("pm"), project, change, "implement")
    assert messages_of(response) == ["CR-001 is now Implemented."]
    assert change.status == ChangeStatus.IMPLEMENTED
    # Without apply=1 the plan is left alone.
    assert task(change.release, "vision").duration == 5
    assert not Baseline.objects.exists()

    statuses = [h.status for h in change.history.order_by("history_id")]
    assert statuses == ["submitted", "assessed", "approved", "implemented"]


def test_a_rejected_change(client_for, project, change):
    act(client_for("member"), project, change, "assess")
    response = act(client_for("steering"), project, change, "reject", note="Not in the pilot; plan it for wave 2.")
    assert messages_of(response) == ["CR-001 is now Rejected."]
    assert change.status == ChangeStatus.REJECTED
    assert change.decided_on == timezone.localdate()
    assert change.decision_note == "Not in the pilot; plan it for wave 2."
    response = act(client_for("pm"), project, change, "implement", apply="1")
    assert messages_of(response)[-1] == "Only an approved change can be implemented."
    assert change.status == ChangeStatus.REJECTED
    assert task(change.release, "vision").duration == 5


@pytest.mark.parametrize("role", ["pm", "member", "viewer", "evaluator"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_the_steering_committee_decides(client_for, project, change, role, action):
    act(client_for("member"), project, change, "assess")
    response = act(client_for(role), project, change, action, note="Looks fine.")
    assert response.status_code == 403
    assert change.status == ChangeStatus.ASSESSED and change.decided_on is None


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_a_decision_needs_a_reason(client_for, project, change, action):
    act(client_for("member"), project, change, "assess")
    response = act(client_for("steering"), project, change, action, note="   ")
    assert response.status_code == 302
    assert messages_of(response) == ["Write down the reason for the decision."]
    assert change.status == ChangeStatus.ASSESSED and change.decided_on is None


def test_the_service_refuses_other_roles(change):
    change.status = ChangeStatus.ASSESSED
    change.save()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decide_change(change, "project_manager", True, "ok")


@pytest.mark.parametrize(("role", "action"), [("viewer", "assess"), ("steering", "assess"), ("steering", "implement")])
def test_assess_and_implement_need_the_right_to_change(client_for, project, change, role, action):
    if action == "implement":
        act(client_for("member"), project, change, "assess")
        act(client_for("steering"), project, change, "approve", note="Yes.")
    before = change.status
    assert act(client_for(role), project, change, action).status_code == 403
    assert change.status == before


def test_illegal_transitions_are_refused_with_a_message(client_for, project, change):
    pm, steering = client_for("pm"), client_for("steering")
    # Submitted: cannot be decided or implemented yet.
    response = act(steering, project, change, "approve", note="Yes.")
    assert messages_of(response) == ["A change is decided after it has been assessed."]
    response = act(pm, project, change, "implement", apply="1")
    assert messages_of(response) == ["Only an approved change can be implemented."]
    assert change.status == ChangeStatus.SUBMITTED

    act(pm, project, change, "assess")
    response = act(pm, project, change, "assess")
    assert messages_of(response)[-1] == "Only a submitted change can be assessed."
    response = act(pm, project, change, "implement")
    assert messages_of(response)[-1] == "Only an approved change can be implemented."
    assert change.status == ChangeStatus.ASSESSED

    act(steering, project, change, "approve", note="Yes.")
    response = act(steering, project, change, "reject", note="Changed my mind.")
    assert messages_of(response)[-1] == "A change is decided after it has been assessed."
    assert change.status == ChangeStatus.APPROVED

    act(pm, project, change, "implement")
    response = act(pm, project, change, "implement", apply="1")
    assert messages_of(response)[-1] == "Only an approved change can be implemented."
    assert change.status == ChangeStatus.IMPLEMENTED
    assert change.history.count() == 4  # refused steps leave no history


def test_an_unknown_action_is_not_a_url(client_for, project, change):
    response = client_for("pm").post(f"/p/{project.pk}/roadmap/changes/{change.pk}/cancel/")
    assert response.status_code == 404


def test_implement_applies_the_schedule_impact(client_for, project, change, book_release):
    approved = services.take_baseline(book_release, "Plan approved")
    act(client_for("member"), project, change, "assess")
    act(client_for("steering"), project, change, "approve", note="Yes.")

    response = act(client_for("pm"), project, change, "implement", apply="1")
    assert change.status == ChangeStatus.IMPLEMENTED
    assert messages_of(response) == ["New baseline “After CR-001” saved.", "CR-001 is now Implemented."]

    # The vision takes 5 + 3 = 8 working days: Monday 6 to Wednesday 15 January.
    vision = task(book_release, "vision")
    assert vision.duration == 8
    assert (vision.planned_start, vision.planned_finish) == (D(2025, 1, 6), D(2025, 1, 15))
    # Its successors follow: current-state starts Thursday 16, the charter and the milestone move too.
    current = task(book_release, "current-state")
    assert (current.planned_start, current.planned_finish) == (D(2025, 1, 16), D(2025, 1, 29))
    assert task(book_release, "charter").planned_start == D(2025, 1, 30)
    assert task(book_release, "initiation-done").planned_finish == D(2025, 2, 12)
    # Tasks that do not wait for the vision stay.
    assert task(book_release, "team").planned_start == D(2025, 1, 6)
    assert task(book_release, "comms-plan").planned_start == D(2025, 1, 13)

    # A new baseline named after the change holds the new dates; the old one shows the slip.
    new = Baseline.objects.get(release=book_release, name="After CR-001")
    assert new.items.count() == Task.objects.filter(release=book_release).count()
    assert new.items.get(task=vision).finish == D(2025, 1, 15)
    assert services.compare_with_baseline(new).max_slip == 0
    comparison = services.compare_with_baseline(approved)
    milestones = {row["task"].template_key: row["slip"] for row in comparison.milestones}
    assert milestones["initiation-done"] == 3
    assert services.release_status(book_release)["baseline"] == new


def test_implement_a_change_on_a_milestone(client_for, project, book_release, users):
    """A milestone takes no time: the impact moves its date, and what waits for it."""
    milestone = task(book_release, "initiation-done")
    change = ChangeRequest.objects.create(
        project=project, title="Works council review", description="The charter goes to the works council.",
        release=book_release, affected_task=milestone, impact_days=5, status=ChangeStatus.APPROVED,
    )
    act(client_for("pm"), project, change, "implement", apply="1")
    assert change.status == ChangeStatus.IMPLEMENTED
    milestone = task(book_release, "initiation-done")
    assert milestone.duration == 0
    assert milestone.planned_finish == D(2025, 2, 14)  # Friday 7 February + 5 working days
    assert task(book_release, "as-is").planned_start == D(2025, 2, 17)
    assert Baseline.objects.filter(name="After CR-001").exists()
    # The delay is written on the links the milestone waits for (kept in their history).
    assert [d.lag for d in milestone.predecessor_links.all()] == [5, 5]


def test_implement_without_an_affected_task_keeps_the_plan(client_for, project, book_release):
    change = ChangeRequest.objects.create(
        project=project, title="More reports", description="Two more dashboards.", release=book_release,
        impact_days=4, status=ChangeStatus.APPROVED,
    )
    response = act(client_for("pm"), project, change, "implement", apply="1")
    assert messages_of(response) == ["CR-001 is now Implemented."]
    assert not Baseline.objects.exists()


def test_change_page_shows_the_workflow(client_for, project, change):
    response = client_for("steering").get(rurl("changes-detail", project, pk=change.pk))
    assert response.status_code == 200
    assert response.context["obj"] == change


def test_implement_a_change_on_a_milestone_without_predecessors(client_for, project, book_release):
    kickoff = Task.objects.create(
        project=project, release=book_release, name="Kick-off", kind="milestone", duration=0, planned_start=D(2025, 1, 6)
    )
    change = ChangeRequest.objects.create(
        project=project, title="Later kick-off", description="The sponsor is away.", release=book_release,
        affected_task=kickoff, impact_days=2, status=ChangeStatus.APPROVED,
    )
    act(client_for("pm"), project, change, "implement", apply="1")
    kickoff.refresh_from_db()
    assert kickoff.planned_finish == D(2025, 1, 8)
