"""The plan: a release from a template, links and loops, rescheduling, baselines and slip, RAG, and
the plan, Gantt, calendar and template pages."""

import datetime

import icalendar
import pytest

from roadmap import methodology, schedule, services
from roadmap.choices import ItemKind, Rag, TaskStatus
from roadmap.models import Baseline, Dependency, Gate, Phase, PlanTemplate, Release, Task

from .conftest import BOOK_START, messages_of, register_form_data, rurl, task

pytestmark = pytest.mark.django_db

D = datetime.date


# --- A release from the book template ---------------------------------------------------------


def test_book_template_becomes_a_dated_release(book_release, book):
    items = [item for phase in book["phases"] for item in phase["items"]]
    assert book_release.start_date == BOOK_START
    assert book_release.methodology == "book"
    assert Phase.objects.filter(release=book_release).count() == len(book["phases"]) == 9
    assert Task.objects.filter(release=book_release).count() == len(items)
    assert Dependency.objects.filter(successor__release=book_release).count() == sum(
        len(item.get("depends_on", [])) for item in items
    )
    # One gate per phase, with the template's criteria.
    for phase in Phase.objects.filter(release=book_release):
        gate = Gate.objects.get(phase=phase)
        assert gate.criteria.count() >= 3
    assert Gate.objects.filter(phase__release=book_release).count() == 9


@pytest.mark.parametrize(
    ("key", "start", "finish"),
    [
        # Working days, inclusive: 5 days from Monday 6 January end on Friday 10 January.
        ("vision", D(2025, 1, 6), D(2025, 1, 10)),
        ("team", D(2025, 1, 6), D(2025, 1, 10)),
        # After vision: the next Monday, 10 days -> Friday 24 January.
        ("current-state", D(2025, 1, 13), D(2025, 1, 24)),
        ("comms-plan", D(2025, 1, 13), D(2025, 1, 15)),
        # After current-state (and team): Monday 27 January, 10 days -> Friday 7 February.
        ("charter", D(2025, 1, 27), D(2025, 2, 7)),
        # A milestone sits on its predecessor's finish day.
        ("initiation-done", D(2025, 2, 7), D(2025, 2, 7)),
        # A task after a milestone on a Friday starts on the Monday.
        ("as-is", D(2025, 2, 10), D(2025, 2, 21)),
        ("to-be", D(2025, 2, 24), D(2025, 3, 7)),
        ("rules", D(2025, 3, 10), D(2025, 3, 14)),
        ("use-cases", D(2025, 3, 10), D(2025, 3, 21)),
        # Waits for the later of its two predecessors (use-cases).
        ("functional-spec", D(2025, 3, 24), D(2025, 4, 4)),
        ("design-signoff", D(2025, 4, 4), D(2025, 4, 4)),
    ],
)
def test_template_dates_follow_the_links(book_release, key, start, finish):
    item = task(book_release, key)
    assert (item.planned_start, item.planned_finish) == (start, finish)


def test_template_links_and_kinds(book_release):
    charter = task(book_release, "charter")
    assert {d.predecessor.template_key for d in charter.predecessor_links.all()} == {"current-state", "team"}
    milestone = task(book_release, "initiation-done")
    assert milestone.kind == ItemKind.MILESTONE and milestone.duration == 0
    assert task(book_release, "vision").kind == ItemKind.DELIVERABLE
    assert task(book_release, "team").phase.name == "Initiation and roadmap"


def test_the_schedule_agrees_with_the_stored_dates(book_release):
    tasks, _links, result = services.plan_of(book_release)
    for t in tasks:
        assert result.items[t.pk].early_start == t.planned_start, t.template_key
    closed = task(book_release, "release-closed")
    assert result.finish == closed.planned_finish
    assert result.critical_path[-1] == closed.pk
    assert services.reschedule(book_release) == 0


# --- Links and loops --------------------------------------------------------------------------


def test_would_form_loop_names_the_loop(book_release):
    vision, current, charter, done = (
        task(book_release, k) for k in ("vision", "current-state", "charter", "initiation-done")
    )
    message = services.would_form_loop(done, vision)
    assert message.startswith("This link would make the tasks wait for each other in a loop")
    for t in (vision, current, charter, done):
        assert t.ref in message
    assert message.count("→") == 4  # vision → current-state → charter → done → vision
    # A link that closes no loop is fine.
    assert services.would_form_loop(vision, done) == ""
    assert services.would_form_loop(task(book_release, "team"), task(book_release, "as-is")) == ""


def test_dependency_form_refuses_a_loop(pm_client, project, book_release):
    done, vision = task(book_release, "initiation-done"), task(book_release, "vision")
    before = Dependency.objects.count()
    response = pm_client.post(
        rurl("dependencies-create", project), {"predecessor": done.pk, "successor": vision.pk, "lag": 0}
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and "loop" in errors[0] and vision.ref in errors[0] and done.ref in errors[0]
    assert Dependency.objects.count() == before


def test_dependency_form_refuses_a_link_across_releases(pm_client, project, book_release):
    other = Release.objects.create(project=project, name="Wave 2", start_date=BOOK_START)
    stray = Task.objects.create(project=project, release=other, name="Stray", planned_start=BOOK_START, duration=2)
    response = pm_client.post(
        rurl("dependencies-create", project),
        {"predecessor": task(book_release, "vision").pk, "successor": stray.pk, "lag": 0},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Both tasks must belong to the same release."]
    assert not Dependency.objects.filter(successor=stray).exists()


def test_dependency_form_saves_a_good_link(pm_client, project, book_release):
    team, as_is = task(book_release, "team"), task(book_release, "as-is")
    response = pm_client.post(
        rurl("dependencies-create", project), {"predecessor": team.pk, "successor": as_is.pk, "lag": 2}
    )
    assert response.status_code == 302
    link = Dependency.objects.get(predecessor=team, successor=as_is)
    assert link.lag == 2 and link.project == project


# --- Rescheduling -----------------------------------------------------------------------------


def test_lengthening_a_predecessor_moves_its_successor(pm_client, project, book_release):
    current = task(book_release, "current-state")
    response = pm_client.post(
        rurl("tasks-edit", project, pk=current.pk), register_form_data(current, "tasks", duration=12)
    )
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.planned_finish == D(2025, 1, 28)  # 12 working days from Monday 13 January
    # Saving the longer task moves the tasks after it at once (one history row each).
    charter = task(book_release, "charter")
    assert (charter.planned_start, charter.planned_finish) == (D(2025, 1, 29), D(2025, 2, 11))
    assert task(book_release, "initiation-done").planned_finish == D(2025, 2, 11)
    assert task(book_release, "as-is").planned_start == D(2025, 2, 12)
    # Off the critical path and not downstream: unchanged.
    assert task(book_release, "comms-plan").planned_start == D(2025, 1, 13)
    assert any("moved" in m for m in messages_of(response))
    assert charter.history.count() == 2  # created, moved
    # "Schedule from the links" then finds nothing left to move.
    response = pm_client.post(rurl("reschedule", project, pk=book_release.pk))
    assert response.status_code == 302
    assert messages_of(response)[-1].startswith("0 tasks moved")


def test_reschedule_needs_the_right_to_change(client_for, project, book_release):
    assert client_for("viewer").post(rurl("reschedule", project, pk=book_release.pk)).status_code == 403
    assert client_for("steering").post(rurl("reschedule", project, pk=book_release.pk)).status_code == 403


# --- Baselines and slip -----------------------------------------------------------------------


def test_slip_against_a_baseline(pm_client, project, book_release, users):
    response = pm_client.post(rurl("take-baseline", project, pk=book_release.pk), {"name": "Plan approved"})
    baseline = Baseline.objects.get(release=book_release)
    assert response.status_code == 302 and response["Location"] == rurl("baselines-detail", project, pk=baseline.pk)
    assert baseline.name == "Plan approved" and baseline.taken_by == users["pm"]
    assert baseline.items.count() == Task.objects.filter(release=book_release).count()

    # Move the vision 3 working days later (Monday 6 -> Thursday 9 January), then reschedule.
    vision = task(book_release, "vision")
    later = schedule.add_workdays(vision.planned_start, 3)
    assert later == D(2025, 1, 9)
    pm_client.post(rurl("tasks-edit", project, pk=vision.pk), register_form_data(vision, "tasks", planned_start=later))
    pm_client.post(rurl("reschedule", project, pk=book_release.pk))
    # One task added, one removed since the baseline.
    added = Task.objects.create(
        project=project, release=book_release, phase=vision.phase, name="Extra workshop", planned_start=BOOK_START, duration=2
    )
    comms = task(book_release, "comms-plan")
    response = pm_client.post(rurl("tasks-delete", project, pk=comms.pk))
    assert response.status_code == 302

    comparison = services.compare_with_baseline(baseline)
    slips = {row["task"].template_key: row["slip"] for row in comparison.rows}
    assert slips["vision"] == 3
    assert slips["current-state"] == 3
    assert slips["charter"] == 3
    assert slips["team"] == 0
    assert comparison.max_slip == 3
    milestones = {row["task"].template_key: row["slip"] for row in comparison.milestones}
    assert milestones["initiation-done"] == 3
    assert task(book_release, "initiation-done").planned_finish == D(2025, 2, 12)
    assert [t.pk for t in comparison.added] == [added.pk]
    assert [i.name for i in comparison.removed] == ["Communication plan"]

    # The baseline's page shows the same comparison.
    page = pm_client.get(rurl("baselines-detail", project, pk=baseline.pk))
    assert page.status_code == 200
    assert page.context["comparison"].max_slip == 3


def test_a_baseline_added_through_the_register_form_holds_the_dates(pm_client, project, book_release):
    response = pm_client.post(rurl("baselines-create", project), {"release": book_release.pk, "name": "Via the form"})
    assert response.status_code == 302
    baseline = Baseline.objects.get(name="Via the form")
    assert baseline.items.count() == Task.objects.filter(release=book_release).count()
    assert services.compare_with_baseline(baseline).added == []
    # Editing its name keeps the items; its release cannot change under them.
    other = Release.objects.create(project=project, name="Wave 2", start_date=BOOK_START)
    response = pm_client.post(
        rurl("baselines-edit", project, pk=baseline.pk),
        register_form_data(baseline, "baselines", name="Plan approved", release=other.pk),
    )
    assert response.status_code == 302
    baseline.refresh_from_db()
    assert (baseline.name, baseline.release) == ("Plan approved", book_release)
    assert baseline.items.count() == Task.objects.filter(release=book_release).count()


def test_a_baseline_is_frozen(project, book_release):
    baseline = services.take_baseline(book_release, "B1")
    vision = task(book_release, "vision")
    vision.duration = 9
    vision.save()
    item = baseline.items.get(task=vision)
    assert (item.start, item.finish) == (D(2025, 1, 6), D(2025, 1, 10))


# --- RAG --------------------------------------------------------------------------------------


def move(t, days):
    t.planned_start = schedule.add_workdays(t.planned_start, days)
    t.save()


def phase_rag(status, order):
    return next(row for row in status["phases"] if row["phase"].order == order)


def test_rag_green_without_slip_or_overdue_work(future_release):
    status = services.release_status(future_release)
    assert status["computed"] == status["shown"] == Rag.GREEN
    assert status["baseline"] is None
    services.take_baseline(future_release, "B1")
    status = services.release_status(future_release)
    assert status["computed"] == Rag.GREEN
    assert {row["computed"] for row in status["phases"]} == {Rag.GREEN}


@pytest.mark.parametrize(("days", "rag"), [(1, Rag.AMBER), (3, Rag.AMBER), (10, Rag.AMBER), (11, Rag.RED)])
def test_rag_from_slip(future_release, days, rag):
    services.take_baseline(future_release, "B1")
    move(task(future_release, "vision"), days)
    status = services.release_status(future_release)
    assert status["computed"] == rag
    assert phase_rag(status, 1)["computed"] == rag
    assert phase_rag(status, 2)["computed"] == Rag.GREEN  # not rescheduled: only the vision slipped


def test_rag_from_overdue_work(future_release):
    past = D(2024, 3, 4)  # long finished dates, but the tasks are not done
    design = [task(future_release, k) for k in ("as-is", "to-be", "rules")]
    design[0].planned_start = past
    design[0].save()
    status = services.release_status(future_release)
    assert phase_rag(status, 2)["computed"] == Rag.AMBER  # one overdue item
    for t in design[1:]:
        t.planned_start = past
        t.save()
    status = services.release_status(future_release)
    assert phase_rag(status, 2)["computed"] == Rag.RED  # three overdue items
    assert status["computed"] == Rag.RED
    assert phase_rag(status, 1)["computed"] == Rag.GREEN
    # Finished work is not overdue.
    design[2].status = TaskStatus.ACCEPTED
    design[2].save()
    assert phase_rag(services.release_status(future_release), 2)["computed"] == Rag.AMBER


def test_rag_override_with_a_reason_is_shown_and_kept_in_history(pm_client, project, book_release):
    assert services.release_status(book_release)["computed"] == Rag.RED  # everything overdue
    reason = "The sponsor accepted the new dates."
    response = pm_client.post(
        rurl("releases-edit", project, pk=book_release.pk),
        register_form_data(book_release, "releases", rag_override=Rag.AMBER, rag_reason=reason),
    )
    assert response.status_code == 302
    book_release.refresh_from_db()
    status = services.release_status(book_release)
    assert status["computed"] == Rag.RED and status["shown"] == Rag.AMBER
    page = pm_client.get(rurl("plan", project, pk=book_release.pk))
    assert page.context["status"]["shown"] == Rag.AMBER
    assert reason in page.content.decode()
    latest = book_release.history.order_by("-history_id").first()
    assert (latest.rag_override, latest.rag_reason) == (Rag.AMBER, reason)


@pytest.mark.parametrize("slug", ["releases", "phases"])
def test_rag_override_without_a_reason_is_refused(pm_client, project, book_release, slug):
    obj = book_release if slug == "releases" else Phase.objects.filter(release=book_release).first()
    response = pm_client.post(
        rurl(f"{slug}-edit", project, pk=obj.pk), register_form_data(obj, slug, rag_override=Rag.GREEN, rag_reason="")
    )
    assert response.status_code == 200
    assert "Give the reason when you override the computed RAG status." in response.context["form"].errors.as_text()
    obj.refresh_from_db()
    assert obj.rag_override == ""


def test_phase_override_shows_on_its_row(project, book_release):
    phase = Phase.objects.filter(release=book_release).first()
    phase.rag_override, phase.rag_reason = Rag.GREEN, "Dates agreed with the business."
    phase.save()
    row = phase_rag(services.release_status(book_release), phase.order)
    assert (row["computed"], row["shown"]) == (Rag.RED, Rag.GREEN)


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pm", "viewer", "steering"])
def test_plan_page(client_for, project, book_release, role):
    response = client_for(role).get(rurl("plan", project, pk=book_release.pk))
    assert response.status_code == 200
    assert len(response.context["phases"]) == 9
    assert response.context["finish"] == task(book_release, "release-closed").planned_finish
    assert response.context["can_change"] is (role == "pm")
    body = response.content.decode()
    assert "Initiation and roadmap" in body and "Functional specification" in body


def test_plan_page_is_404_for_outsiders_and_other_projects(client_for, project, other_project, book_release):
    assert client_for("outsider").get(rurl("plan", project, pk=book_release.pk)).status_code == 404
    assert client_for("pm").get(rurl("plan", other_project, pk=book_release.pk)).status_code == 404


def test_gantt_of_a_release(pm_client, project, book_release):
    response = pm_client.get(rurl("gantt-release", project, pk=book_release.pk))
    assert response.status_code == 200
    rows = [r for r in response.context["data"].rows if not r.summary]
    assert len(rows) == Task.objects.filter(release=book_release).count()
    # Each phase has a summary bar spanning its tasks.
    phases = [r for r in response.context["data"].rows if r.summary]
    assert len(phases) == book_release.phases.count()
    first = phases[0]
    phase_tasks = Task.objects.filter(phase__release=book_release, phase__name=first.phase)
    assert first.start == min(t.planned_start for t in phase_tasks)
    assert first.finish == max(t.planned_finish for t in phase_tasks)
    assert response.context["release"] == book_release
    closed = next(r for r in rows if r.key == task(book_release, "release-closed").pk)
    assert closed.milestone and closed.critical
    assert not next(r for r in rows if r.key == task(book_release, "comms-plan").pk).critical
    assert "plotly" in response.content.decode()


def test_gantt_of_the_project_with_filters(pm_client, project, book_release, users):
    other = Release.objects.create(project=project, name="Wave 2", start_date=D(2025, 9, 1))
    Task.objects.create(project=project, release=other, name="Wave 2 kick-off", planned_start=D(2025, 9, 1), duration=3)
    total = Task.objects.filter(project=project).count()
    response = pm_client.get(rurl("gantt", project))
    assert response.status_code == 200 and response.context["release"] is None
    assert len([r for r in response.context["data"].rows if not r.summary]) == total

    for key in ("vision", "charter"):
        t = task(book_release, key)
        t.owner = users["trainer"]
        t.save()
    accepted = task(book_release, "team")
    accepted.status = TaskStatus.ACCEPTED
    accepted.save()

    response = pm_client.get(rurl("gantt", project), {"owner": "Trainer"})
    assert "Trainer" in response.context["owners"]
    assert {r.key for r in response.context["data"].rows if not r.summary} == {task(book_release, k).pk for k in ("vision", "charter")}
    response = pm_client.get(rurl("gantt", project), {"status": TaskStatus.ACCEPTED})
    assert [r.key for r in response.context["data"].rows if not r.summary] == [accepted.pk]
    response = pm_client.get(rurl("gantt-release", project, pk=book_release.pk), {"owner": "Trainer", "status": "accepted"})
    assert response.context["data"].rows == []


def test_gantt_shows_baseline_bars(pm_client, project, book_release):
    services.take_baseline(book_release, "B1")
    move(task(book_release, "vision"), 2)
    rows = pm_client.get(rurl("gantt-release", project, pk=book_release.pk)).context["data"].rows
    vision = next(r for r in rows if r.key == task(book_release, "vision").pk)
    assert (vision.base_start, vision.start) == (D(2025, 1, 6), D(2025, 1, 8))


def test_milestones_calendar(client_for, project, book_release):
    response = client_for("viewer").get(rurl("milestones-ics", project, pk=book_release.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(e["summary"]): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    milestones = Task.objects.filter(release=book_release, kind=ItemKind.MILESTONE)
    assert len(events) == milestones.count() == 9
    done = task(book_release, "initiation-done")
    assert events[f"{done.ref} Roadmap approved"] == D(2025, 2, 7)
    assert events[f"{task(book_release, 'design-signoff').ref} Design signed off"] == D(2025, 4, 4)


def test_release_from_template_page(pm_client, project):
    page = pm_client.get(rurl("release-from-template", project))
    assert page.status_code == 200
    response = pm_client.post(
        rurl("release-from-template", project),
        {"template": "book", "name": "Sales pilot", "kind": "pilot", "start": "2025-01-06"},
    )
    release = Release.objects.get(project=project, name="Sales pilot")
    assert response.status_code == 302 and response["Location"] == rurl("plan", project, pk=release.pk)
    assert release.kind == "pilot" and release.start_date == BOOK_START
    assert release.phases.count() == 9
    assert task(release, "charter").planned_start == D(2025, 1, 27)


def test_release_from_template_needs_the_right_to_change(client_for, project):
    data = {"template": "book", "name": "X", "kind": "pilot", "start": "2025-01-06"}
    assert client_for("viewer").post(rurl("release-from-template", project), data).status_code == 403
    assert not Release.objects.exists()


def plan_shape(release):
    """Phases, tasks and links of a release, by name, with their dates."""
    tasks = Task.objects.filter(release=release).select_related("phase")
    return (
        [(p.order, p.name, getattr(p, "gate", None) and p.gate.name) for p in release.phases.order_by("order")],
        sorted(
            (t.phase.name if t.phase else "", t.name, t.kind, t.duration, t.planned_start, t.planned_finish)
            for t in tasks
        ),
        sorted(
            (d.predecessor.name, d.successor.name, d.lag)
            for d in Dependency.objects.filter(successor__release=release).select_related("predecessor", "successor")
        ),
        sorted(
            (c.gate.phase.name, c.text, c.kind)
            for c in Gate.objects.get(phase__release=release, phase__order=3).criteria.all()
        ),
    )


def test_save_as_template_then_add_a_release_from_it(pm_client, project, book_release):
    # Make the plan our own first: a longer task and a lag.
    vision = task(book_release, "vision")
    vision.duration = 7
    vision.save()
    link = Dependency.objects.get(predecessor__template_key="team", successor__template_key="comms-plan")
    link.lag = 2
    link.save()
    # A task outside any phase, which a phase task waits for, travels with the plan too.
    loose = Task.objects.create(
        project=project, release=book_release, name="Hire a CRM consultant", planned_start=BOOK_START, duration=4
    )
    Dependency.objects.create(project=project, predecessor=loose, successor=task(book_release, "current-state"))
    services.reschedule(book_release)

    response = pm_client.post(rurl("save-template", project, pk=book_release.pk), {"name": "Acme way"})
    assert response.status_code == 302
    saved = PlanTemplate.objects.get(name="Acme way")
    assert saved.source_project == project.name
    # The same name twice is refused.
    response = pm_client.post(rurl("save-template", project, pk=book_release.pk), {"name": "Acme way"})
    assert messages_of(response)[-1] == "A template named “Acme way” already exists."
    assert PlanTemplate.objects.count() == 1

    response = pm_client.post(
        rurl("release-from-template", project),
        {"template": f"saved:{saved.pk}", "name": "Wave 2", "kind": "wave", "start": "2025-01-06"},
    )
    assert response.status_code == 302
    copy = Release.objects.get(project=project, name="Wave 2")
    assert plan_shape(copy) == plan_shape(book_release)
    assert task(copy, "comms-plan").planned_start == D(2025, 1, 15)  # team ends Fri 10, lag 2: Wednesday
    copied = Task.objects.get(release=copy, name="Hire a CRM consultant")
    assert copied.phase is None and copied.planned_start == BOOK_START


def test_save_as_template_needs_a_name(pm_client, project, book_release):
    response = pm_client.post(rurl("save-template", project, pk=book_release.pk), {"name": " "})
    assert messages_of(response) == ["Name the template."]
    assert not PlanTemplate.objects.exists()


def test_instantiate_refuses_a_template_with_a_loop(project):
    data = {
        "key": "bad",
        "phases": [{"name": "P", "items": [
            {"key": "a", "name": "A", "duration": 1, "depends_on": [{"key": "b"}]},
            {"key": "b", "name": "B", "duration": 1, "depends_on": [{"key": "a"}]},
        ]}],
    }
    with pytest.raises(methodology.TemplateProblem, match="loop"):
        methodology.instantiate(project, data, "Bad", BOOK_START)
    assert not Release.objects.exists()


def test_gantt_filters_by_phase(pm_client, project, book_release):
    phase = book_release.phases.order_by("order").first()
    response = pm_client.get(rurl("gantt-release", project, pk=book_release.pk) + f"?phase={phase.name}")
    rows = [r for r in response.context["data"].rows if not r.summary]
    assert rows and {r.phase for r in rows} == {phase.name}
    assert len(rows) == phase.tasks.count()
    assert phase.name in response.context["phases"]
