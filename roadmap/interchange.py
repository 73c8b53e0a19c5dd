"""MS Project XML and releases: a release as an `mspdi.Plan` (export) and a `Plan` as a new
release (import). The file format itself is `mspdi.py`; what MSPDI has no field for (a task being
a deliverable) travels in a custom text field named "ProjectCRM kind".
"""

import xml.etree.ElementTree as ET

from defusedxml import ElementTree as SafeET
from django.db import transaction
from django.utils.translation import gettext as _

from . import mspdi, schedule
from .choices import ItemKind, TaskStatus
from .models import Dependency, Phase, Release, Task

# --- Release -> MS Project XML ------------------------------------------------------------------

# Phases get UIDs of their own, far above any task number (a task's UID is its number, T-007 -> 7),
# so a UID names the same row in every export of the release.
PHASE_UID_OFFSET = 1_000_000
# Text1, renamed "ProjectCRM kind": deliverable, task or milestone. Files from elsewhere that use
# Text1 for something else are recognised by the alias and their values ignored.
KIND_FIELD_ID = "188743731"
KIND_FIELD_NAME = "Text1"
KIND_ALIAS = "ProjectCRM kind"


def release_as_plan(release: Release) -> tuple[mspdi.Plan, dict[int, str]]:
    """The release as a plan (tasks without a phase first, then each phase with its tasks) and
    each task UID's kind. Phases without tasks are left out: MSPDI has no empty summary task."""
    tasks = list(Task.objects.filter(release=release).order_by("order", "planned_start", "number"))
    links: dict[int, list[tuple[int, int]]] = {}
    numbers = {t.pk: t.number for t in tasks}
    for dep in Dependency.objects.filter(successor__release=release, predecessor__release=release).order_by("pk"):
        links.setdefault(dep.successor_id, []).append((numbers[dep.predecessor_id], dep.lag))
    kinds: dict[int, str] = {}

    def plan_task(task: Task) -> mspdi.PlanTask:
        kinds[task.number] = task.kind
        return mspdi.PlanTask(
            uid=task.number, name=task.name, start=task.planned_start, finish=task.planned_finish,
            duration=task.duration, milestone=task.kind == ItemKind.MILESTONE,
            percent_complete=task.percent_complete, outline_level=2, notes=task.description,
            predecessors=links.get(task.pk, []),
        )

    rows = []
    for task in (t for t in tasks if t.phase_id is None):
        row = plan_task(task)
        row.outline_level = 1
        rows.append(row)
    for phase in Phase.objects.filter(release=release).order_by("order", "pk"):
        own = [t for t in tasks if t.phase_id == phase.pk]
        if not own:
            continue
        start = min(t.planned_start for t in own)
        finish = max(t.planned_finish for t in own)
        weight = sum(max(t.duration, 1) for t in own)
        percent = round(sum(max(t.duration, 1) * t.percent_complete for t in own) / weight)
        rows.append(
            mspdi.PlanTask(
                uid=PHASE_UID_OFFSET + phase.pk, name=phase.name, start=start, finish=finish,
                duration=max(1, mspdi.working_days(start, finish)), milestone=False, percent_complete=percent,
                outline_level=1, notes=phase.description,
            )
        )
        rows.extend(plan_task(t) for t in own)
    return mspdi.Plan(name=release.name, start=release.start_date, tasks=rows), kinds


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(element, name):
    return next((child for child in element if _local(child.tag) == name), None)


def _add_kinds(data: bytes, kinds: dict[int, str]) -> bytes:
    """The exported file with each task's kind in the "ProjectCRM kind" text field."""
    ET.register_namespace("", mspdi.MSPDI_NAMESPACE)
    root = ET.fromstring(data)  # our own output: no DTD, no entities
    ns = f"{{{mspdi.MSPDI_NAMESPACE}}}"
    definitions = ET.Element(f"{ns}ExtendedAttributes")
    definition = ET.SubElement(definitions, f"{ns}ExtendedAttribute")
    for tag, value in (("FieldID", KIND_FIELD_ID), ("FieldName", KIND_FIELD_NAME), ("Alias", KIND_ALIAS)):
        ET.SubElement(definition, f"{ns}{tag}").text = value
    calendars = _find(root, "Calendars")
    root.insert(list(root).index(calendars) if calendars is not None else len(root), definitions)
    tasks = _find(root, "Tasks")
    for task in tasks if tasks is not None else ():
        uid = int(_find(task, "UID").text)
        if uid in kinds:
            attribute = ET.SubElement(task, f"{ns}ExtendedAttribute")
            ET.SubElement(attribute, f"{ns}FieldID").text = KIND_FIELD_ID
            ET.SubElement(attribute, f"{ns}Value").text = kinds[uid]
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body + "\n").encode("utf-8")


def export_release(release: Release) -> bytes:
    plan, kinds = release_as_plan(release)
    return _add_kinds(mspdi.export_xml(plan), kinds)


def read_kinds(data: bytes) -> dict[int, str]:
    """UID -> kind from the "ProjectCRM kind" field, when the file has one (our own exports)."""
    root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    definitions = _find(root, "ExtendedAttributes")
    field_id = None
    for definition in definitions if definitions is not None else ():
        alias = _find(definition, "Alias")
        if alias is not None and (alias.text or "").strip() == KIND_ALIAS:
            field_id = (_find(definition, "FieldID").text or "").strip()
    if not field_id:
        return {}
    kinds = {}
    tasks = _find(root, "Tasks")
    for task in tasks if tasks is not None else ():
        uid = _find(task, "UID")
        for attribute in task:
            if _local(attribute.tag) != "ExtendedAttribute":
                continue
            fid, value = _find(attribute, "FieldID"), _find(attribute, "Value")
            if fid is not None and value is not None and (fid.text or "").strip() == field_id:
                try:
                    kinds[int(uid.text)] = (value.text or "").strip()
                except (AttributeError, TypeError, ValueError):
                    pass
    return kinds


# --- MS Project XML -> a new release ------------------------------------------------------------


def import_plan(project, plan: mspdi.Plan, kinds: dict[int, str], name: str, kind: str) -> tuple[Release, list[str]]:
    """Create a release with its phases, tasks and links in one transaction; returns the release
    and the warnings (the file's, then ours). Raises mspdi.MspdiError (nothing saved) when the
    links form a loop."""
    warnings = list(plan.warnings)
    with transaction.atomic():
        release = Release(project=project, name=name[:200], kind=kind, start_date=plan.start)
        release.save()
        phases = {task.uid for index, task in enumerate(plan.tasks) if _is_phase(plan.tasks, index)}
        by_uid: dict[int, Task] = {}
        phase, p_index, i_index = None, 0, 0
        for row in plan.tasks:
            if row.uid in phases:
                p_index, i_index = p_index + 1, 0
                phase = Phase(project=project, release=release, name=_cut(row.name, warnings, row.uid), description=row.notes, order=p_index)
                phase.save()
                continue
            i_index += 1
            by_uid[row.uid] = _task(project, release, phase, row, p_index * 100 + i_index, warnings, kinds)
        links = []
        for row in plan.tasks:
            for predecessor, lag in row.predecessors:
                if row.uid in phases or predecessor in phases:
                    warnings.append(
                        _("The link from UID %(pred)s to UID %(succ)s was left out: links to or from a phase (summary task) are not kept.")
                        % {"pred": predecessor, "succ": row.uid}
                    )
                    continue
                links.append(schedule.Link(predecessor, row.uid, lag))
        cycle = schedule.find_cycle(list(by_uid), links)
        if cycle:
            raise mspdi.MspdiError(
                _("The links form a loop: %(loop)s.") % {"loop": " → ".join(f"UID {uid}" for uid in cycle)}
            )
        for link in links:
            Dependency(
                project=project, predecessor=by_uid[link.predecessor], successor=by_uid[link.successor], lag=link.lag
            ).save()
    return release, warnings


def _task(project, release, phase, row: mspdi.PlanTask, order: int, warnings: list, kinds: dict) -> Task:
    kind = kinds.get(row.uid)
    start, duration = row.start, row.duration
    if row.milestone and duration:
        warnings.append(
            _("Task “%(name)s” (UID %(uid)s) is a milestone lasting %(days)s days; it was imported as a milestone on its finish date.")
            % {"name": row.name, "uid": row.uid, "days": duration}
        )
        start, duration = row.finish, 0
    if duration == 0:
        kind = ItemKind.MILESTONE
    elif kind not in (ItemKind.TASK, ItemKind.DELIVERABLE):
        kind = ItemKind.TASK
    if row.percent_complete >= 100:
        status = TaskStatus.DONE
    elif row.percent_complete > 0:
        status = TaskStatus.IN_PROGRESS
    else:
        status = TaskStatus.NOT_STARTED
    task = Task(
        project=project, release=release, phase=phase, name=_cut(row.name, warnings, row.uid), description=row.notes,
        kind=kind, duration=duration, planned_start=start, percent_complete=row.percent_complete, status=status,
        order=order, actual_finish=row.finish if status == TaskStatus.DONE else None,
    )
    task.save()
    if task.planned_start != start:
        warnings.append(
            _("Task “%(name)s” (UID %(uid)s) started on a weekend (%(date)s); it now starts the next Monday.")
            % {"name": row.name, "uid": row.uid, "date": start.isoformat()}
        )
    return task


def _is_phase(tasks: list[mspdi.PlanTask], index: int) -> bool:
    """A level-1 task followed by level-2 tasks is a phase; other level-1 tasks are plain tasks
    (in the phase before them, or in none when no phase comes before)."""
    return tasks[index].outline_level == 1 and index + 1 < len(tasks) and tasks[index + 1].outline_level == 2


def _cut(name: str, warnings: list, uid: int) -> str:
    if len(name) > 200:
        warnings.append(_("The name of UID %(uid)s was cut to 200 characters.") % {"uid": uid})
    return name[:200]
