"""Rules that hold for every way in (pages, imports, API), and restores that bring data back."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from projectcrm.core import services as core_services
from roadmap import services
from roadmap.models import Baseline, Dependency, Phase, Release, Task

D = datetime.date


@pytest.fixture
def two_tasks(project):
    release = Release.objects.create(project=project, name="Pilot", start_date=D(2026, 3, 2))
    a = Task.objects.create(project=project, release=release, name="A", planned_start=D(2026, 3, 2), duration=3)
    b = Task.objects.create(project=project, release=release, name="B", planned_start=D(2026, 3, 5), duration=2)
    return release, a, b


def test_a_dependency_across_releases_or_closing_a_loop_is_refused_by_the_model(project, two_tasks):
    release, a, b = two_tasks
    Dependency.objects.create(project=project, predecessor=a, successor=b)
    with pytest.raises(ValidationError, match="loop"):
        Dependency(project=project, predecessor=b, successor=a).full_clean()
    other = Release.objects.create(project=project, name="Wave 2", start_date=D(2026, 6, 1))
    c = Task.objects.create(project=project, release=other, name="C", planned_start=D(2026, 6, 1), duration=1)
    with pytest.raises(ValidationError, match="same release"):
        Dependency(project=project, predecessor=a, successor=c).full_clean()


def test_the_api_refuses_a_loop(client_for, project, two_tasks, users):
    release, a, b = two_tasks
    Dependency.objects.create(project=project, predecessor=a, successor=b)
    client = client_for("pm")
    response = client.post(
        f"/api/v1/projects/{project.pk}/roadmap/dependencies/",
        {"predecessor": b.pk, "successor": a.pk, "lag": 0},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Dependency.objects.count() == 1


def test_an_import_whose_rows_close_a_loop_together_saves_nothing(client_for, project, two_tasks):
    import io

    release, a, b = two_tasks
    data = f"Predecessor,Successor,Lag (working days)\n{a.ref},{b.ref},0\n{b.ref},{a.ref},0\n".encode()
    file = io.BytesIO(data)
    file.name = "links.csv"
    client = client_for("pm")
    client.post(f"/p/{project.pk}/roadmap/dependencies/import/", {"file": file})
    from projectcrm.core.models import ImportJob

    job = ImportJob.objects.get()
    assert job.status == "invalid", job.row_errors
    assert any("loop" in e["message"] for e in job.row_errors)
    assert Dependency.objects.count() == 0


def test_a_linked_task_cannot_move_to_another_release(project, two_tasks):
    release, a, b = two_tasks
    Dependency.objects.create(project=project, predecessor=a, successor=b)
    other = Release.objects.create(project=project, name="Wave 2", start_date=D(2026, 6, 1))
    b.release = other
    with pytest.raises(ValidationError, match="dependencies"):
        b.full_clean()


def test_a_phase_with_tasks_stays_in_its_release(project, two_tasks):
    release, a, b = two_tasks
    phase = Phase.objects.create(project=project, release=release, name="Build")
    a.phase = phase
    a.save()
    phase.release = Release.objects.create(project=project, name="Wave 2", start_date=D(2026, 6, 1))
    with pytest.raises(ValidationError):
        phase.full_clean()


def test_a_restored_baseline_keeps_the_dates_it_held(project, two_tasks):
    release, a, b = two_tasks
    baseline = services.take_baseline(release, "Plan approval")
    assert baseline.items.count() == 2
    a.planned_start = D(2026, 3, 16)
    a.save()
    baseline_pk = baseline.pk
    core_services.delete_row(baseline)
    record = Baseline.history.get(id=baseline_pk, history_type="-")
    restored = core_services.restore_row(record)
    dates = {i.task_id: i.start for i in restored.items.all()}
    assert dates == {a.pk: D(2026, 3, 2), b.pk: D(2026, 3, 5)}
    comparison = services.compare_with_baseline(restored)
    assert comparison.max_slip > 0


def test_a_baseline_keeps_its_release(project, two_tasks):
    release, a, b = two_tasks
    baseline = services.take_baseline(release, "Plan approval")
    baseline.release = Release.objects.create(project=project, name="Wave 2", start_date=D(2026, 6, 1))
    with pytest.raises(ValidationError):
        baseline.full_clean()


def test_saved_templates_are_offered_only_to_members_of_their_project(client_for, project, other_project):
    from roadmap.models import PlanTemplate

    mine = PlanTemplate.objects.create(name="Our plan", data={"phases": []}, project=project)
    theirs = PlanTemplate.objects.create(name="Their plan", data={"phases": []}, project=other_project)
    page = client_for("pm").get(f"/p/{project.pk}/roadmap/releases/from-template/").content.decode()
    assert f"saved:{mine.pk}" in page and f"saved:{theirs.pk}" not in page
    response = client_for("pm").post(
        f"/p/{project.pk}/roadmap/releases/from-template/",
        {"template": f"saved:{theirs.pk}", "name": "Copy", "kind": "wave", "start": "2026-03-02"},
    )
    assert response.status_code == 200 and not Release.objects.filter(name="Copy").exists()


def test_a_decided_change_keeps_its_impact(project, two_tasks, users):
    from roadmap.choices import ChangeStatus
    from roadmap.models import ChangeRequest

    release, a, b = two_tasks
    change = ChangeRequest.objects.create(
        project=project, title="Configurator", description="Add it", release=release, impact_days=2,
        affected_task=a, status=ChangeStatus.APPROVED,
    )
    change.impact_days = 40
    with pytest.raises(ValidationError, match="new change request"):
        change.full_clean()
    change.impact_days = 2
    change.title = "Configurator for moulding variants"
    change.full_clean()  # wording may still be corrected


def test_a_decided_gate_keeps_its_rule_and_criteria(project, two_tasks):
    from roadmap.choices import GateRule, GateStatus
    from roadmap.models import Gate, GateCriterion

    release, a, b = two_tasks
    phase = Phase.objects.create(project=project, release=release, name="Build")
    gate = Gate.objects.create(project=project, phase=phase, name="Build complete", status=GateStatus.PASSED)
    criterion = GateCriterion.objects.create(project=project, gate=gate, text="Configured")
    gate.rule = GateRule.MAJORITY
    with pytest.raises(ValidationError):
        gate.full_clean()
    criterion.text = "Changed after the decision"
    with pytest.raises(ValidationError, match="decided"):
        criterion.full_clean()


def test_a_gate_needing_a_sponsor_passes_on_a_majority_when_the_committee_has_none(project, two_tasks, users):
    from roadmap import gates
    from roadmap.choices import GateRule, Vote
    from roadmap.models import Gate

    release, a, b = two_tasks
    phase = Phase.objects.create(project=project, release=release, name="Build")
    gate = Gate.objects.create(project=project, phase=phase, name="Build complete", rule=GateRule.SPONSOR_AND_MAJORITY)
    assert project.sponsor_id is None
    gates.cast_vote(gate, users["steering"], Vote.GO, "", "")
    review = gates.gate_review(gate)
    assert review["no_sponsor"] and review["can_pass"]


def test_the_comparison_reports_the_release_finish_variance(project, two_tasks):
    release, a, b = two_tasks
    baseline = services.take_baseline(release, "Plan approval")
    b.duration = 5  # finish moves from Fri 6 Mar to Wed 11 Mar: 3 working days later
    b.save()
    assert services.compare_with_baseline(baseline).finish_variance == 3


def test_a_gate_that_did_not_pass_can_be_reopened(client_for, project, two_tasks, users):
    from roadmap import gates
    from roadmap.choices import GateRule, GateStatus, Vote
    from roadmap.models import Gate

    release, a, b = two_tasks
    phase = Phase.objects.create(project=project, release=release, name="Build")
    gate = Gate.objects.create(project=project, phase=phase, name="Build complete", rule=GateRule.MAJORITY)
    gates.cast_vote(gate, users["steering"], Vote.NO_GO, "Not ready", "")
    assert gates.decide(gate) == GateStatus.FAILED
    response = client_for("pm").post(f"/p/{project.pk}/roadmap/gates/{gate.pk}/reopen/")
    assert response.status_code == 302
    gate.refresh_from_db()
    assert gate.status == GateStatus.OPEN and gate.votes.count() == 0
    assert gate.history.count() == 3  # created, decided, reopened
