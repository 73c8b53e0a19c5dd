"""Roadmap state changes, each in one transaction; schedule arithmetic lives in schedule.py."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projectcrm.core.services import save_versioned

from . import schedule
from .choices import TASK_FINISHED, ChangeStatus, ItemKind, Rag
from .models import Baseline, BaselineItem, ChangeRequest, Dependency, Phase, Release, Task

# --- Dependencies and the schedule -------------------------------------------------------------


def would_form_loop(predecessor: Task, successor: Task, exclude=None) -> str:
    """The message for a link that would close a loop, or ''."""
    links = [
        schedule.Link(d.predecessor_id, d.successor_id, d.lag)
        for d in Dependency.objects.filter(successor__release_id=successor.release_id).exclude(pk=exclude)
    ]
    links.append(schedule.Link(predecessor.pk, successor.pk, 0))
    keys = set(Task.objects.filter(release_id=successor.release_id).values_list("pk", flat=True))
    cycle = schedule.find_cycle(keys, links)
    if not cycle:
        return ""
    refs = dict(Task.objects.filter(pk__in=set(cycle)).values_list("pk", "number"))
    names = [f"{Task.REF_PREFIX}-{refs[k]:03d}" for k in cycle]
    return _("This link would make the tasks wait for each other in a loop: %(loop)s.") % {"loop": " → ".join(names)}


def activities_for(tasks, links) -> list:
    """Schedule inputs of a release's tasks.

    A task that waits for nothing is anchored at its planned start; any task may carry a
    "start no earlier than" date (set when someone moves it by hand), which scheduling from the
    links respects. Everything else starts as early as its links allow.
    """
    has_predecessor = {link.successor for link in links}  # a set: one lookup per task
    activities = []
    for t in tasks:
        anchors = [d for d in (t.start_no_earlier_than, None if t.pk in has_predecessor else t.planned_start) if d]
        activities.append(
            schedule.Activity(
                t.pk,
                0 if t.kind == ItemKind.MILESTONE else t.duration,
                earliest_start=max(anchors) if anchors else None,
                milestone=t.kind == ItemKind.MILESTONE,
            )
        )
    return activities


def release_links(release_ids) -> list:
    """Links within the releases (both ends inside: a link across releases is not scheduled)."""
    return [
        schedule.Link(predecessor, successor, lag)
        for predecessor, successor, lag in Dependency.objects.filter(
            successor__release_id__in=release_ids, predecessor__release_id__in=release_ids
        ).values_list("predecessor_id", "successor_id", "lag")
    ]


def plan_of(release: Release):
    """The release's tasks and links as schedule inputs, and its computed schedule."""
    tasks = list(Task.objects.filter(release=release).select_related("phase", "owner"))
    links = release_links([release.pk])
    result = schedule.schedule(activities_for(tasks, links), links, release.start_date)
    return tasks, links, result


@transaction.atomic
def move_task(task: Task, start, seen_version: int) -> tuple[Task, int]:
    """Start a task no earlier than `start` and move the tasks waiting for it accordingly.

    The date becomes the task's "start no earlier than"; the release is then scheduled from its
    links, so the task lands on `start` unless its predecessors need it later. Returns the task and
    how many other tasks moved. Raises EditConflict when the task changed since `seen_version`.
    """
    task.start_no_earlier_than = schedule.roll_forward(start)
    task.planned_start = task.start_no_earlier_than
    save_versioned(task, seen_version)
    before = dict(Task.objects.filter(release_id=task.release_id).values_list("pk", "planned_start"))
    reschedule(task.release)
    after = dict(Task.objects.filter(release_id=task.release_id).values_list("pk", "planned_start"))
    task.refresh_from_db()
    moved = sum(1 for pk, day in after.items() if pk != task.pk and before.get(pk) != day)
    return task, moved


@transaction.atomic
def reschedule(release: Release, user=None) -> int:
    """Move every task to its earliest dates by its dependencies; returns how many moved."""
    tasks, _links, result = plan_of(release)
    moved = 0
    for task in tasks:
        slot = result.items[task.pk]
        if task.planned_start != slot.early_start:
            task.planned_start = slot.early_start
            save_versioned(task, task.version)
            moved += 1
    return moved


# --- Baselines ----------------------------------------------------------------------------------


@transaction.atomic
def take_baseline(release: Release, name: str, user=None, note: str = "") -> Baseline:
    baseline = Baseline(project=release.project, release=release, name=name, note=note, taken_by=user)
    baseline.save()  # the model freezes the release's dates when a baseline is first saved
    return baseline


def freeze_dates(baseline: Baseline):
    """Write the baseline's items: the current dates of every task of its release."""
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(
        [
            BaselineItem(
                baseline=baseline, task=t, number=t.number, name=t.name, kind=t.kind, start=t.planned_start,
                finish=t.planned_finish,
            )
            for t in Task.objects.filter(release_id=baseline.release_id)
        ],
        BaselineItem,
    )


@dataclass
class Comparison:
    rows: list = field(default_factory=list)  # dicts: task, ref, name, base, now, slip
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    max_slip: int = 0
    milestones: list = field(default_factory=list)
    finish_variance: int = 0  # working days the release's finish moved against the baseline


def compare_with_baseline(baseline: Baseline) -> Comparison:
    """Current plan against a baseline: slip per task (working days), added and removed items."""
    items = {i.task_id: i for i in baseline.items.all() if i.task_id}
    gone = [i for i in baseline.items.all() if i.task_id is None]
    tasks = {t.pk: t for t in Task.objects.filter(release_id=baseline.release_id)}
    report = schedule.slip(
        {k: (t.planned_start, t.planned_finish) for k, t in tasks.items()},
        {k: (i.start, i.finish) for k, i in items.items()},
    )
    comparison = Comparison(max_slip=report.max_slip)
    for key, task in sorted(tasks.items(), key=lambda kv: (kv[1].planned_start, kv[1].number)):
        if key not in items:
            comparison.added.append(task)
            continue
        row = {
            "task": task, "base_start": items[key].start, "base_finish": items[key].finish,
            "slip": report.items[key].finish_slip,
        }
        comparison.rows.append(row)
        if task.kind == ItemKind.MILESTONE:
            comparison.milestones.append(row)
    comparison.removed = [items[k] for k in report.removed if k in items] + gone
    # Schedule variance: how many working days later (positive) the release now finishes.
    base_end = max((i.finish for i in baseline.items.all()), default=None)
    now_end = max((t.planned_finish for t in tasks.values()), default=None)
    comparison.finish_variance = schedule.workdays_between(base_end, now_end) if base_end and now_end else 0
    return comparison


# --- RAG ---------------------------------------------------------------------------------------


def computed_rag(tasks, baseline_finish: dict | None = None) -> str:
    """RAG from slip against the latest baseline and from overdue work (schedule.rag's rules)."""
    today = timezone.localdate()
    overdue = sum(1 for t in tasks if t.status not in TASK_FINISHED and t.planned_finish < today)
    max_slip = 0
    if baseline_finish:
        for t in tasks:
            if t.pk in baseline_finish:
                max_slip = max(max_slip, schedule.workdays_between(baseline_finish[t.pk], t.planned_finish))
    return schedule.rag(max_slip, overdue)


def release_status(release: Release, tasks: list | None = None) -> dict:
    """Per phase and for the release: computed RAG, the override (with its reason) and what shows.

    `tasks`: the release's tasks when the caller has them already (from plan_of), to skip a query.
    """
    if tasks is None:
        tasks = list(Task.objects.filter(release=release).select_related("owner"))  # pages show the owner
    latest = release.baselines.order_by("-created").first()
    base = dict(latest.items.exclude(task=None).values_list("task_id", "finish")) if latest else {}
    phases = []
    for phase in Phase.objects.filter(release=release).select_related("gate").order_by("order", "pk"):
        own = [t for t in tasks if t.phase_id == phase.pk]
        computed = computed_rag(own, base)
        phases.append({"phase": phase, "computed": computed, "shown": phase.rag_override or computed, "tasks": own})
    computed = computed_rag(tasks, base)
    return {
        "release": release, "computed": computed, "shown": release.rag_override or computed,
        "phases": phases, "baseline": latest,
    }


# --- Change control ----------------------------------------------------------------------------

DECIDERS = {"steering"}


@transaction.atomic
def assess_change(change: ChangeRequest, note: str = ""):
    if change.status != ChangeStatus.SUBMITTED:
        raise ValueError(_("Only a submitted change can be assessed."))
    change.status = ChangeStatus.ASSESSED
    if note:
        change.decision_note = note
    save_versioned(change, change.version)


@transaction.atomic
def decide_change(change: ChangeRequest, role: str, approve: bool, note: str):
    """The steering committee approves or rejects an assessed change, with a note."""
    if role not in DECIDERS:
        raise PermissionDenied(_("Only the steering committee decides change requests."))
    if change.status != ChangeStatus.ASSESSED:
        raise ValueError(_("A change is decided after it has been assessed."))
    if not note.strip():
        raise ValueError(_("Write down the reason for the decision."))
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_on = timezone.localdate()
    change.decision_note = note
    save_versioned(change, change.version)


@transaction.atomic
def implement_change(change: ChangeRequest, apply_schedule: bool, user=None) -> Baseline | None:
    """Mark an approved change implemented; optionally push the affected task by the schedule
    impact, reschedule the release and take a new baseline named after the change."""
    if change.status != ChangeStatus.APPROVED:
        raise ValueError(_("Only an approved change can be implemented."))
    baseline = None
    if apply_schedule and change.affected_task_id and change.impact_days:
        task = Task.objects.select_for_update().get(pk=change.affected_task_id)
        task.duration = max(1, task.duration + change.impact_days) if task.kind != ItemKind.MILESTONE else 0
        if task.kind == ItemKind.MILESTONE:
            # A milestone takes no time: it moves. Its links place one that waits for others
            # (rescheduling would put it straight back), so those links wait the impact longer.
            waits_for = list(Dependency.objects.select_for_update().filter(successor=task))
            for link in waits_for:
                link.lag += change.impact_days
                save_versioned(link, link.version)
            if not waits_for:
                task.planned_start = schedule.add_workdays(task.planned_start, change.impact_days)
        save_versioned(task, task.version)
        reschedule(task.release, user)
        baseline = take_baseline(task.release, _("After %(ref)s") % {"ref": change.ref}, user)
    change.status = ChangeStatus.IMPLEMENTED
    save_versioned(change, change.version)
    return baseline


RAG_COLOURS = {Rag.GREEN: "green", Rag.AMBER: "amber", Rag.RED: "red"}
