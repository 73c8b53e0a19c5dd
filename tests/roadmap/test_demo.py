"""The roadmap part of the demo: idempotent, and it tells the story the issue asks for."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from projectcrm.core.management.commands.seed_demo import DEMO_PROJECT_NAME
from projectcrm.core.models import Project
from roadmap import demo, gates, methodology, services
from roadmap.choices import ChangeStatus, GateStatus, ItemKind, ReleaseKind, TaskStatus
from roadmap.models import Baseline, ChangeRequest, Gate, Release, Task

pytestmark = pytest.mark.django_db


def roadmap_counts() -> dict:
    """Rows of every roadmap model, history tables included."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label == "roadmap"}


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def demo_project() -> Project:
    return Project.objects.get(name=DEMO_PROJECT_NAME)


def pilot() -> Release:
    return Release.objects.get(project=demo_project(), name=demo.PILOT_NAME)


def test_seed_demo_twice_leaves_the_same_roadmap_rows():
    seed_demo()
    first = roadmap_counts()
    seed_demo()
    assert roadmap_counts() == first
    assert first["roadmap.Release"] == 2
    book = methodology.built_in("book")
    assert first["roadmap.Phase"] == 2 * len(book["phases"])
    assert first["roadmap.Task"] == 2 * sum(len(phase["items"]) for phase in book["phases"])
    assert first["roadmap.Baseline"] == 2  # at plan approval and after the implemented change
    assert first["roadmap.ChangeRequest"] == 2


def test_the_pilot_tells_the_story():
    seed_demo()
    release = pilot()
    assert release.kind == ReleaseKind.PILOT and release.methodology == "book"
    assert release.start_date == demo.pilot_start() and release.start_date.weekday() == 0

    by_status = {g.phase.order: g.status for g in Gate.objects.filter(phase__release=release).select_related("phase")}
    assert by_status[1] == GateStatus.PASSED
    assert by_status[2] == GateStatus.OPEN
    assert all(status == GateStatus.OPEN for order, status in by_status.items() if order > 1)
    passed = Gate.objects.get(phase__release=release, phase__order=1)
    assert passed.decided_on < demo.today()
    assert all(c.met and c.note for c in passed.criteria.filter(kind="manual"))
    pending = Gate.objects.get(phase__release=release, phase__order=2)
    assert pending.votes.count() == 1
    assert not gates.gate_review(pending)["can_pass"]

    changes = {c.status: c for c in ChangeRequest.objects.filter(release=release)}
    assert set(changes) == {ChangeStatus.IMPLEMENTED, ChangeStatus.SUBMITTED}
    implemented = changes[ChangeStatus.IMPLEMENTED]
    assert implemented.impact_days > 0 and implemented.affected_task and implemented.decided_on
    assert "configurator" in implemented.title

    plan_approval = Baseline.objects.get(release=release, name=demo.BASELINE_NAME)
    comparison = services.compare_with_baseline(plan_approval)
    assert comparison.max_slip > 0
    assert any(row["slip"] > 0 for row in comparison.milestones)
    latest = release.baselines.order_by("-created").first()
    assert latest.name == f"After {implemented.ref}"
    assert services.compare_with_baseline(latest).max_slip > 0  # it slipped again after the change

    tasks = Task.objects.filter(release=release)
    today = demo.today()
    assert not [t.ref for t in tasks if t.is_overdue]  # past work is done, so nothing is overdue
    assert tasks.filter(status=TaskStatus.IN_PROGRESS, percent_complete__gt=0).exists()
    assert tasks.filter(status=TaskStatus.ACCEPTED, actual_finish__lt=today).exists()
    assert not tasks.filter(owner=None).exists()

    wave = Release.objects.get(project=demo_project(), name=demo.WAVE2_NAME)
    assert wave.start_date > release.start_date and not wave.baselines.exists()
    assert not Task.objects.filter(release=wave).exclude(status=TaskStatus.NOT_STARTED).exists()


def test_history_names_the_people_who_acted():
    seed_demo()
    release = pilot()
    voters = set(Gate.history.filter(project_id=release.project_id).values_list("history_user__username", flat=True))
    assert "pm" in voters
    from roadmap.models import GateVote

    assert {"sponsor", "steering"} <= set(
        GateVote.history.filter(project_id=release.project_id).values_list("history_user__username", flat=True)
    )
    decided = ChangeRequest.history.filter(project_id=release.project_id, status=ChangeStatus.APPROVED)
    assert set(decided.values_list("history_user__username", flat=True)) == {"steering"}


def test_a_run_a_week_later_moves_the_story_by_a_week(monkeypatch):
    # One fixed "today" for the first run: a run that crosses midnight would otherwise move twice.
    first = demo.today()
    monkeypatch.setattr(demo, "today", lambda: first)
    seed_demo()
    release = pilot()
    dates = {t.pk: (t.planned_start, t.planned_finish, t.status) for t in Task.objects.filter(release=release)}
    slip = services.compare_with_baseline(Baseline.objects.get(release=release, name=demo.BASELINE_NAME)).max_slip
    counts = {k: v for k, v in roadmap_counts().items() if ".Historical" not in k}

    later = first + datetime.timedelta(weeks=1)
    monkeypatch.setattr(demo, "today", lambda: later)
    seed_demo()

    assert {k: v for k, v in roadmap_counts().items() if ".Historical" not in k} == counts
    week = datetime.timedelta(weeks=1)
    for t in Task.objects.filter(release=release):
        start, finish, status = dates[t.pk]
        assert (t.planned_start, t.planned_finish, t.status) == (start + week, finish + week, status), t.ref
    moved = Baseline.objects.get(release=release, name=demo.BASELINE_NAME)
    assert services.compare_with_baseline(moved).max_slip == slip


def test_the_demo_plan_and_gantt_pages_open():
    seed_demo()
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username="pm"))
    release = pilot()
    for name in ("plan", "gantt-release"):
        response = client.get(reverse(f"roadmap:{name}", kwargs={"project": release.project_id, "pk": release.pk}))
        assert response.status_code == 200, name
    milestone = Task.objects.get(release=release, template_key="initiation-done")
    assert milestone.kind == ItemKind.MILESTONE


# --- Scale data -----------------------------------------------------------------------------------


def test_scale_release_is_a_dag_with_two_links_per_task_and_dates_from_the_links(project, users):
    import random

    from django.db import transaction

    from roadmap.models import Dependency

    members = [users["pm"], users["member"]]
    with transaction.atomic():
        release = demo.scale_release(project, members, "Synthetic", 4, 5, random.Random(3), demo.pilot_start())
    tasks = list(Task.objects.filter(release=release))
    links = Dependency.objects.filter(successor__release=release)
    assert len(tasks) == 20 and links.count() == 40
    assert sorted(t.number for t in tasks) == list(range(1, 21))
    assert Task.history.filter(release_id=release.pk).count() == 20
    assert Dependency.history.filter(project_id=project.pk).count() == 40
    phase_of = {t.pk: t.phase.order for t in tasks}
    for link in links:
        assert phase_of[link.predecessor_id] in (phase_of[link.successor_id] - 1, 1), link
    assert services.reschedule(release) == 0  # stored dates are the schedule's
    assert Gate.objects.filter(phase__release=release).count() == 4
    assert release.baselines.get().items.count() == 20


def test_seed_scale_adds_roadmap_rows_and_replaces_them():
    from roadmap.models import Dependency

    call_command("seed_scale", size="small", stdout=StringIO())
    call_command("seed_scale", size="small", stdout=StringIO())
    project = Project.objects.get(name="Scale test (small)")
    assert Task.objects.filter(project=project).count() == 200
    assert Dependency.objects.filter(project=project).count() == 400
    assert ChangeRequest.objects.filter(project=project).count() == 200
    assert ChangeRequest.history.filter(project_id=project.pk).count() == 200


def test_seed_roadmap_scale_builds_both_releases_and_replaces_them(monkeypatch):
    from roadmap.management.commands import seed_roadmap_scale as command
    from roadmap.models import BaselineItem, Dependency

    monkeypatch.setattr(command, "LARGE", ("Large", 4, 10))
    monkeypatch.setattr(command, "SMALL", ("Small", 4, 5))
    call_command("seed_roadmap_scale", stdout=StringIO())
    call_command("seed_roadmap_scale", stdout=StringIO())  # baseline items go with the old project
    project = Project.objects.get(name=command.PROJECT_NAME)
    large = Release.objects.get(project=project, name="Large")
    assert Task.objects.filter(release=large).count() == 40
    assert Dependency.objects.filter(successor__release=large).count() == 80
    assert BaselineItem.objects.count() == 40 + 20
    assert project.memberships.filter(user__username="scale-pm", role="pm").exists()
