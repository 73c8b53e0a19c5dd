"""Training pages: readiness (heat map, tables, people not ready, burn-up, XLSX), champions and
recognition, and the feedback summary.

Readiness is computed by the pure functions of `training/readiness.py`, fed by `readiness_inputs()`:
a handful of `values_list` queries over courses, departments, roles, curricula, trainees, sessions,
enrolments and sign-offs (never one query per person), turned into `Person` and `Status` values.
A sign-off counts when `readiness.sign_off_valid` says so for the course's current version today.
Department and role names (unique in a project) are the keys of the calculation, so its groups
come out in name order; people and courses are keyed by their primary keys.

Go-live: each department's own go-live, else the project's target go-live. People are grouped by
that date and each group is computed on its own (overdue depends on it), then the groups are added
up (`merge`); the burn-up runs to the project's go-live (or the latest department go-live).

Every view starts from `project_access(..., "training", "view")`: 404 outside the project, 403
for a role without the training area (every role has it today).
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Avg, CharField, Count, FloatField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projectcrm.core import tabular
from projectcrm.core.access import project_access
from projectcrm.core.services import change_stamp

from . import charts
from . import readiness as calc
from .choices import EnrolmentStatus, SessionStatus
from .models import (
    Champion,
    ChampionQuestion,
    Course,
    CurriculumItem,
    Department,
    Enrolment,
    JobRole,
    PulseResponse,
    PulseSurvey,
    SessionFeedback,
    SignOff,
    Trainee,
    TrainingSession,
)

PER_PAGE = 50
NO_GO_LIVE = datetime.date.max  # a group without any go-live: nothing is overdue because of it
COUNT_FIELDS = ("required", "enrolled", "attended", "passed", "signed_off", "overdue")


# ---------------------------------------------------------------------------------------------
# Inputs: a few queries, no per-person query
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseInfo:
    pk: int
    number: int
    title: str
    version: int
    material_versions: tuple
    valid_months: int | None
    pass_mark: float | None

    @property
    def ref(self) -> str:
        return f"{Course.REF_PREFIX}-{self.number:03d}"

    @property
    def label(self) -> str:
        return f"{self.ref} {self.title}"


@dataclass
class Inputs:
    """What the readiness calculation needs, read from the database in a few queries."""

    today: datetime.date
    go_live: datetime.date | None  # the project's target go-live
    courses: list  # CourseInfo, in course number order
    departments: dict  # department pk -> (name, own go-live or None)
    roles: dict  # job role pk -> name
    people: list  # readiness.Person of the active trainees (department / role: names)
    trainees: dict  # trainee pk -> (department pk, role pk, employee ID)
    requirements: dict  # role name -> required course pks
    statuses: dict  # (trainee pk, course pk) -> readiness.Status
    first_day: datetime.date | None = None  # the earliest session or sign-off (the burn-up's start)
    signed: dict = field(default_factory=dict)  # (trainee pk, course pk) -> date of the first valid sign-off
    project_pk: int = 0
    sessions: dict | None = None  # session pk -> (course pk, day); None: read without progress

    def course(self, pk) -> CourseInfo | None:
        return self._courses_by_pk.get(pk)

    def __post_init__(self):
        self._courses_by_pk = {c.pk: c for c in self.courses}


def _courses(project) -> list[CourseInfo]:
    rows = Course.objects.filter(project=project).order_by("number").values_list(
        "pk", "number", "title", "content_version", "material_versions", "valid_months", "pass_mark"
    )
    return [
        CourseInfo(pk, number, title, version, tuple(int(v) for v in (materials or ())), valid,
                   None if mark is None else float(mark))
        for pk, number, title, version, materials, valid, mark in rows
    ]


def driver_rows(queryset) -> list[tuple]:
    """The rows of a values_list queryset as the database driver returns them, without Django's
    per-row converters: about half the time for the 150,000-row reads of a large project. Booleans
    may come as 0/1 and dates as ISO text (SQLite): the callers accept both."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _day(value) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def valid_sign_offs(project, courses: list[CourseInfo], today: datetime.date, trainees=None) -> dict:
    """(trainee pk, course pk) -> date of the earliest sign-off still valid today for the course's
    current version (`readiness.sign_off_valid`). `trainees`: only these trainee pks (None: all).

    For a course without a validity period the answer depends on the signed version only, so it is
    asked once per course and version; with one, once per sign-off (its date matters).
    """
    by_pk = {c.pk: c for c in courses}
    rows = SignOff.objects.filter(project=project)
    if trainees is not None:
        rows = rows.filter(trainee_id__in=trainees)

    def valid(course: CourseInfo, version: int, signed_on) -> bool:
        try:
            return calc.sign_off_valid(version, course.version, course.material_versions, signed_on, course.valid_months, today)
        except ValueError:  # a version later than the course's: not a sign-off of this course as it is
            return False

    known: dict = {}  # (course pk, version) -> valid, for courses whose sign-offs never expire
    signed: dict = {}
    days: dict = {}  # the sign-off dates as read -> dates (a few hundred distinct ones)
    if connection.vendor == "sqlite":  # plain text: no per-row date converter of the driver
        rows = rows.annotate(day_text=Cast("signed_on", CharField()))
        columns = ("trainee_id", "course_id", "course_version", "day_text")
    else:
        columns = ("trainee_id", "course_id", "course_version", "signed_on")
    for trainee, course_pk, version, signed_on in driver_rows(rows.values_list(*columns).order_by()):
        course = by_pk.get(course_pk)
        if course is None:
            continue
        day = days.get(signed_on)
        if day is None and signed_on is not None:
            day = days[signed_on] = _day(signed_on)
        signed_on = day
        if course.valid_months is None:
            answer = known.get((course_pk, version))
            if answer is None:
                answer = known[course_pk, version] = valid(course, version, signed_on)
        else:
            answer = valid(course, version, signed_on)
        if answer:
            key = (trainee, course_pk)
            earlier = signed.get(key)
            if earlier is None or (signed_on is not None and signed_on < earlier):
                signed[key] = signed_on
    return signed


def read_people(project, departments: dict, roles: dict, trainee_pks=None) -> tuple[list, dict]:
    """The active trainees as readiness.Person (department and role by name), and pk -> (department
    pk, role pk, employee ID). `trainee_pks`: only these (None: all)."""
    rows = Trainee.objects.filter(project=project, active=True)
    if trainee_pks is not None:
        rows = rows.filter(pk__in=trainee_pks)
    people, trainees = [], {}
    for pk, name, dept, role, employee_id in (
        rows.values_list("pk", "name", "department_id", "job_role_id", "employee_id").order_by()
    ):
        people.append(calc.Person(pk, name, departments[dept][0], roles[role]))
        trainees[pk] = (dept, role, employee_id)
    return people, trainees


def read_sessions(project) -> dict:
    """Session pk -> (course pk, local day) of the sessions not cancelled."""
    sessions = {}
    for pk, course, starts in (
        TrainingSession.objects.filter(project=project).exclude(status=SessionStatus.CANCELLED)
        .values_list("pk", "course_id", "starts").order_by()
    ):
        sessions[pk] = (course, timezone.localtime(starts).date() if timezone.is_aware(starts) else starts.date())
    return sessions


def read_statuses(project, courses: list[CourseInfo], sessions: dict | None, today: datetime.date,
                  trainee_pks=None) -> tuple[dict, dict]:
    """(signed, statuses) of the project's (trainee, course) pairs: the first valid sign-off's day per
    pair, and a readiness.Status per pair with an enrolment or a valid sign-off. `sessions` None:
    sign-offs only. `trainee_pks`: only these trainees (None: all).

    Enrolments of pairs already signed off are skipped (the last stage, whatever the attendance).
    """
    signed = valid_sign_offs(project, courses, today, trainee_pks)
    # Progress of each (trainee, course): attended, best score, the latest session's day. One tuple
    # per pair; a second enrolment in the same course (rare: a repeat) is merged into it.
    found: dict = {}
    if sessions is not None:
        enrolments = Enrolment.objects.filter(project=project, status=EnrolmentStatus.ENROLLED)
        if trainee_pks is not None:
            enrolments = enrolments.filter(trainee_id__in=trainee_pks)
        enrolments = driver_rows(
            enrolments.annotate(points=Cast("score", FloatField()))
            .values_list("trainee_id", "session_id", "attended", "points").order_by()
        )
        session_of, known_of = sessions.get, found.get
        for trainee, session, attended, points in enrolments:
            where = session_of(session)
            if where is None:
                continue
            key = (trainee, where[0])
            if key in signed:  # signed off: the last stage whatever the attendance and score
                continue
            known = known_of(key)
            if known is None:
                found[key] = (bool(attended), points, where[1])
            else:
                best = points if known[1] is None or (points is not None and points > known[1]) else known[1]
                found[key] = (known[0] or bool(attended), best, max(known[2], where[1]))

    # Statuses: every pair with an enrolment, then the pairs signed off without one.
    statuses = {}
    Status = calc.Status
    pass_marks = {c.pk: c.pass_mark for c in courses}
    for key, (attended, points, day) in found.items():
        statuses[key] = Status(key[0], key[1], True, attended, points, pass_marks[key[1]], False, None, day)
    for key, on in signed.items():
        statuses[key] = Status(key[0], key[1], pass_mark=pass_marks[key[1]], signed_off=True, signed_on=on)
    return signed, statuses


def first_day_of(signed: dict, sessions: dict | None) -> datetime.date | None:
    """The burn-up's start: the earliest valid sign-off or session."""
    days = [d for d in signed.values() if d is not None]
    if sessions:
        days.append(min(day for _course, day in sessions.values()))
    return min(days, default=None)


def readiness_inputs(project, today: datetime.date | None = None, progress: bool = True) -> Inputs:
    """Read everything the readiness of `project` needs (about nine queries, whatever the size).

    `progress` False skips sessions and enrolments: the statuses then carry only the sign-offs,
    which is all `readiness.readiness_percent` (the gates) needs.
    """
    today = today or timezone.localdate()
    courses = _courses(project)
    departments = {
        pk: (name, go_live)
        for pk, name, go_live in Department.objects.filter(project=project).values_list("pk", "name", "go_live")
    }
    roles = dict(JobRole.objects.filter(project=project).values_list("pk", "name"))
    people, trainees = read_people(project, departments, roles)
    requirements: dict = defaultdict(list)
    for role, course in (
        CurriculumItem.objects.filter(project=project, required=True).order_by("course__number")
        .values_list("job_role_id", "course_id")
    ):
        requirements[roles[role]].append(course)
    requirements = dict(requirements)
    sessions = read_sessions(project) if progress else None
    signed, statuses = read_statuses(project, courses, sessions, today)
    return Inputs(
        today=today, go_live=project.target_go_live, courses=courses, departments=departments, roles=roles,
        people=people, trainees=trainees, requirements=requirements, statuses=statuses,
        first_day=first_day_of(signed, sessions), signed=signed, project_pk=project.pk, sessions=sessions,
    )


def patch_inputs(inputs: Inputs, project, trainee_pks: set) -> Inputs:
    """`inputs` with the people, sign-offs and enrolments of `trainee_pks` read again (a new Inputs;
    the given one is left as it is). What the readiness of a handful of changed trainees needs,
    instead of reading 150,000 pairs again; courses, departments, roles, curricula and sessions
    must be unchanged (the caller checks)."""
    people, trainees = read_people(project, inputs.departments, inputs.roles, trainee_pks)
    signed, statuses = read_statuses(project, inputs.courses, inputs.sessions, inputs.today, trainee_pks)
    merged_people = [p for p in inputs.people if p.key not in trainee_pks] + people
    merged_trainees = {k: v for k, v in inputs.trainees.items() if k not in trainee_pks}
    merged_trainees.update(trainees)
    # Copies (a C-level copy of 150,000 entries is quick), then the changed trainees' pairs replaced.
    stale = [(pk, course.pk) for pk in trainee_pks for course in inputs.courses]
    merged_signed, merged_statuses = dict(inputs.signed), dict(inputs.statuses)
    for key in stale:
        merged_signed.pop(key, None)
        merged_statuses.pop(key, None)
    merged_signed.update(signed)
    merged_statuses.update(statuses)
    return Inputs(
        today=inputs.today, go_live=inputs.go_live, courses=inputs.courses, departments=inputs.departments,
        roles=inputs.roles, people=merged_people, trainees=merged_trainees, requirements=inputs.requirements,
        statuses=merged_statuses, first_day=first_day_of(merged_signed, inputs.sessions), signed=merged_signed,
        project_pk=inputs.project_pk, sessions=inputs.sessions,
    )


# ---------------------------------------------------------------------------------------------
# Calculation: one readiness() per go-live date, added up
# ---------------------------------------------------------------------------------------------


def _add(counts) -> calc.Counts:
    sums = [0] * len(COUNT_FIELDS)
    for c in counts:
        for i, name in enumerate(COUNT_FIELDS):
            sums[i] += getattr(c, name)
    return calc.Counts(*sums)


def _name_order(value) -> tuple:
    return (value is None, str(value).casefold())


def merge(results: list[calc.Readiness], courses: tuple) -> calc.Readiness:
    """One Readiness from the results of disjoint groups of people (each department in one group)."""
    if len(results) == 1:
        return results[0]
    departments = tuple(sorted({d for r in results for d in r.departments}, key=_name_order))
    roles = tuple(sorted({x for r in results for x in r.roles}, key=_name_order))
    empty = calc.Counts()
    by_department_course = {}
    for r in results:
        by_department_course.update(r.by_department_course)
    by_role_course = {
        (role, c): _add(r.by_role_course.get((role, c), empty) for r in results) for role in roles for c in courses
    }
    not_ready = sorted(
        (n for r in results for n in r.not_ready),
        key=lambda n: (_name_order(n.person.department), n.person.name.casefold(), n.person.name),
    )
    return calc.Readiness(
        courses=courses,
        departments=departments,
        roles=roles,
        by_department_course=by_department_course,
        by_role_course=by_role_course,
        by_course={c: _add(r.by_course.get(c, empty) for r in results) for c in courses},
        by_department={d: _add([by_department_course[d, c] for c in courses]) for d in departments},
        by_role={role: _add(r.by_role.get(role, empty) for r in results) for role in roles},
        overall=_add(r.overall for r in results),
        not_ready=tuple(not_ready),
        people_required=sum(r.people_required for r in results),
        people_ready=sum(r.people_ready for r in results),
    )


def compute(inputs: Inputs) -> calc.Readiness:
    """The readiness of every active trainee, each department against its own go-live."""
    return merge_parts(compute_parts(inputs), inputs)[0]


def burn_up_span(inputs: Inputs) -> tuple[datetime.date, datetime.date]:
    """(start, go-live) of the burn-up: from the first sign-off or session (else four weeks ago) to go-live."""
    go_live = burn_up_go_live(inputs) or inputs.today
    start = inputs.first_day or inputs.today - datetime.timedelta(weeks=4)
    return min(start, go_live, inputs.today), go_live


def compute_parts(inputs: Inputs, departments=None) -> dict:
    """Department name -> (its readiness, its burn-up) for the departments named (None: all with people).

    Departments are disjoint groups of people, so their figures add up to the project's
    (`merge_parts`); a change to a few trainees recomputes only their departments.
    """
    course_keys = tuple(c.pk for c in inputs.courses)
    go_live_of = {name: own or inputs.go_live for name, own in inputs.departments.values()}
    groups: dict = defaultdict(list)
    for person in inputs.people:
        if departments is None or person.department in departments:
            groups[person.department].append(person)
    start, burn_go_live = burn_up_span(inputs)
    parts = {}
    for name, people in groups.items():
        go_live = go_live_of.get(name) or NO_GO_LIVE
        result = calc.readiness(people, inputs.requirements, inputs.statuses, go_live, inputs.today, courses=course_keys)
        burn = calc.burn_up(people, inputs.requirements, inputs.statuses, start, burn_go_live, inputs.today)
        parts[name] = (result, burn)
    return parts


def add_burn_ups(burns: list[calc.BurnUp]) -> calc.BurnUp:
    """One burn-up from those of disjoint groups over the same weeks."""
    first = burns[0]
    if len(burns) == 1:
        return first
    points = tuple(
        calc.BurnUpPoint(
            week_start=point.week_start, week_end=point.week_end,
            signed_off=None if point.signed_off is None else sum(b.points[i].signed_off for b in burns),
            scope=sum(b.points[i].scope for b in burns),
        )
        for i, point in enumerate(first.points)
    )
    return calc.BurnUp(points=points, scope=sum(b.scope for b in burns), go_live_week=first.go_live_week,
                       signed_off=sum(b.signed_off for b in burns), undated=sum(b.undated for b in burns))


def merge_parts(parts: dict, inputs: Inputs) -> tuple[calc.Readiness, calc.BurnUp]:
    """The project's readiness and burn-up from its departments' (an empty project: zero counts)."""
    if not parts:
        course_keys = tuple(c.pk for c in inputs.courses)
        start, go_live = burn_up_span(inputs)
        empty = calc.readiness([], inputs.requirements, {}, inputs.go_live or NO_GO_LIVE, inputs.today, courses=course_keys)
        return empty, calc.burn_up([], inputs.requirements, {}, start, go_live, inputs.today)
    ordered = [parts[name] for name in sorted(parts, key=_name_order)]
    course_keys = tuple(c.pk for c in inputs.courses)
    return merge([r for r, _b in ordered], course_keys), add_burn_ups([b for _r, b in ordered])


def burn_up_go_live(inputs: Inputs) -> datetime.date | None:
    """The go-live the burn-up runs to: the project's, else the latest department go-live."""
    own = [go_live for _name, go_live in inputs.departments.values() if go_live]
    return inputs.go_live or max(own, default=None)


def compute_burn_up(inputs: Inputs) -> calc.BurnUp:
    start, go_live = burn_up_span(inputs)
    return calc.burn_up(inputs.people, inputs.requirements, inputs.statuses, start, go_live, inputs.today)


# ---------------------------------------------------------------------------------------------
# The readiness page
# ---------------------------------------------------------------------------------------------


def _page(request, template, access, title, **context):
    context.update({"project": access.project, "access": access, "area": "training", "title": title})
    return render(request, template, context)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@dataclass
class Filters:
    department: int | None = None
    role: int | None = None
    course: int | None = None
    overdue: bool = False

    @classmethod
    def from_query(cls, query, inputs: Inputs) -> Filters:
        department, role, course = _int(query.get("department")), _int(query.get("role")), _int(query.get("course"))
        return cls(
            department=department if department in inputs.departments else None,
            role=role if role in inputs.roles else None,
            course=course if inputs.course(course) else None,
            overdue=query.get("overdue") in ("1", "on", "true"),
        )

    @property
    def querystring(self) -> str:
        values = {"department": self.department, "role": self.role, "course": self.course,
                  "overdue": "1" if self.overdue else None}
        return urlencode({k: v for k, v in values.items() if v})

    def apply(self, not_ready, inputs: Inputs) -> list:
        department = inputs.departments[self.department][0] if self.department else None
        role = inputs.roles[self.role] if self.role else None
        rows = []
        for item in not_ready:
            person = item.person
            if department is not None and person.department != department:
                continue
            if role is not None and person.role != role:
                continue
            if self.course is not None and not any(m.course == self.course for m in item.missing):
                continue
            if self.overdue and not item.overdue:
                continue
            rows.append(item)
        return rows


def heat_map_rows(result: calc.Readiness, inputs: Inputs, courses: list[CourseInfo]) -> list[dict]:
    """Department rows of the heat map table: each cell with its counts, colour and link."""
    department_pks = {name: pk for pk, (name, _go_live) in inputs.departments.items()}
    rows = []
    for department in result.departments:
        cells = []
        for course in courses:
            counts = result.by_department_course[department, course.pk]
            percent = counts.percent
            cells.append({
                "course": course, "counts": counts, "percent": percent,
                "colour": "" if percent is None else ("green" if percent >= 80 else "amber" if percent >= 50 else "red"),
                "query": urlencode({"department": department_pks.get(department, ""), "course": course.pk}),
            })
        rows.append({"department": department, "cells": cells})
    return rows


def heat_map_figure(result: calc.Readiness, courses: list[CourseInfo], language: str | None):
    departments = list(result.departments)
    # Many courses: the reference only (the hover names the course); few: the title below it.
    short = len(courses) > 8
    labels = [c.ref if short else f"{c.ref}<br>{c.title if len(c.title) <= 22 else c.title[:21] + '…'}" for c in courses]
    percents, texts, details = [], [], []
    for department in departments:
        p_row, t_row, d_row = [], [], []
        for course in courses:
            counts = result.by_department_course[department, course.pk]
            p_row.append(counts.percent)
            t_row.append(f"{counts.signed_off}/{counts.required}")
            d_row.append(
                f"{course.label}<br>" + _("Enrolled %(enrolled)d · attended %(attended)d · passed %(passed)d · overdue %(overdue)d")
                % {"enrolled": counts.enrolled, "attended": counts.attended, "passed": counts.passed, "overdue": counts.overdue}
            )
        percents.append(p_row)
        texts.append(t_row)
        details.append(d_row)
    fig = charts.readiness_heatmap(departments, labels, percents, texts, details=details)
    return charts.localise(fig, language)


def burn_up_figure(burn: calc.BurnUp, go_live, today, language: str | None):
    """Each week's count is drawn at the week's end (today for the current week: the count is as of then)."""
    days = [today if p.week_start <= today <= p.week_end else p.week_end for p in burn.points]
    fig = charts.burnup_figure(days, [p.signed_off for p in burn.points], [p.scope for p in burn.points], go_live, today)
    return charts.localise(fig, language)


def group_rows(counts_by_key: dict, keys, go_live_of=None) -> list[dict]:
    rows = []
    for key in keys:
        counts = counts_by_key[key]
        if not counts.required:
            continue
        rows.append({"name": key, "counts": counts, "go_live": go_live_of(key) if go_live_of else None})
    return rows


def not_ready_rows(items, inputs: Inputs) -> list[dict]:
    """The people of one page of the not-ready list: their missing courses grouped by stage (not
    enrolled first), each course with its session day and whether it is overdue; a link each."""
    rows = []
    order = {stage: i for i, stage in enumerate(calc.STAGES)}
    labels = {stage: calc.stage_label(stage) for stage in calc.STAGES}
    for item in items:
        person = item.person
        groups: dict = {}
        titles = len(item.missing) <= 4  # few missing courses: with their titles; many: references only
        for m in item.missing:
            group = groups.setdefault(m.stage, {"stage": m.stage, "label": labels[m.stage], "courses": []})
            course = inputs.course(m.course)
            day = m.session_date.isoformat() if m.session_date else ""
            group["courses"].append({
                "course": course, "overdue": m.overdue, "session_date": m.session_date,
                "text": course.label if titles else course.ref,
                "title": f"{course.label} · {day}" if day else course.label,
                "session": _("session %(day)s") % {"day": day} if day and titles else "",
            })
        rows.append({
            "person": person, "url": reverse("training:trainees-detail", kwargs={"project": inputs.project_pk, "pk": person.key}),
            "employee_id": inputs.trainees[person.key][2], "required": item.required,
            "done": item.required - len(item.missing), "overdue": sum(1 for m in item.missing if m.overdue),
            "groups": sorted(groups.values(), key=lambda g: order[g["stage"]]),
        })
    return rows


# ---------------------------------------------------------------------------------------------
# The computed readiness, kept per process while nothing it reads has changed
# ---------------------------------------------------------------------------------------------

# Every model the readiness reads. Every change to them is saved with a history row (the design's
# rule: bulk writes use the *_with_history helpers), so the highest row id and the highest history
# id of each table change whenever the readiness could: a stamp of a single cheap query.
WATCHED = (Course, Department, JobRole, CurriculumItem, Trainee, TrainingSession, Enrolment, SignOff)
CACHE_SIZE = 4  # projects kept per process (5,000 trainees x 30 courses take about 60 MB)
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


@dataclass
class Summary:
    """The readiness of a project as computed for one day: what the page, the export and the gates read."""

    inputs: Inputs  # kept whole: a change to a few trainees patches them (`patch_inputs`)
    result: calc.Readiness
    burn_up: calc.BurnUp | None
    parts: dict = field(default_factory=dict)  # department name -> (its Readiness, its BurnUp)
    figures: dict = field(default_factory=dict)  # language -> {"heatmap": html, "burnup": html}


def data_stamp(project, today: datetime.date) -> tuple:
    """What the readiness depends on besides the rows' content: changes whenever any watched row does."""
    return (project.pk, project.created, project.target_go_live, today, change_stamp(WATCHED))


def compute_summary(project, today: datetime.date | None = None, inputs: Inputs | None = None,
                    kept: Summary | None = None, departments=None) -> Summary:
    """Compute the readiness from `inputs` (read afresh when None; no cache). With `kept` (a summary
    of the same project, day and burn-up span) only the `departments` named are computed again."""
    inputs = inputs or readiness_inputs(project, today)
    if kept is not None:
        parts = {**kept.parts, **compute_parts(inputs, departments)}
        for name in departments:  # a department that lost its last person
            if not any(p.department == name for p in inputs.people):
                parts.pop(name, None)
    else:
        parts = compute_parts(inputs)
    result, burn = merge_parts(parts, inputs)
    return Summary(inputs=inputs, result=result, burn_up=burn if result.overall.required else None, parts=parts)


def cached_summary(project, today: datetime.date | None = None) -> Summary | None:
    """The kept summary of `project` when nothing changed since it was computed, else None (one query)."""
    today = today or timezone.localdate()
    stamp = data_stamp(project, today)
    with _cache_lock:
        hit = _cache.get(project.pk)
    return hit[1] if hit is not None and hit[0] == stamp else None


# Rows whose changes touch only their own trainees: after such changes the kept inputs are patched
# (those trainees read again) rather than read whole. Any other watched model changing: read whole.
PER_TRAINEE = {Trainee: "id", Enrolment: "trainee_id", SignOff: "trainee_id"}
PATCH_LIMIT = 500  # more changed trainees than this: reading everything again is as quick


def changed_trainees(project, old: tuple, new: tuple) -> set | None:
    """The project's trainees whose trainee, enrolment or sign-off rows changed between two data
    stamps (history rows after the old stamp), or None when the inputs must be read whole: another
    day, go-live or project, a change to courses, departments, roles, curricula or sessions, a
    history that went backwards, or too many trainees."""
    if old[:4] != new[:4]:
        return None
    old_ids, new_ids = old[4], new[4]
    queries, params = [], []
    for index, model in enumerate(WATCHED):
        before, after = old_ids[2 * index:2 * index + 2], new_ids[2 * index:2 * index + 2]
        if before == after:
            continue
        column = PER_TRAINEE.get(model)
        if column is None or before[1] is None or after[1] is None or after[1] < before[1]:
            return None
        table = connection.ops.quote_name(model.history.model._meta.db_table)
        queries.append(f"SELECT {column} FROM {table} WHERE history_id > %s AND project_id = %s")
        params += [before[1], project.pk]
    if not queries:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(queries), params)
        found = {row[0] for row in cursor.fetchall()}
    return found if len(found) <= PATCH_LIMIT else None


def readiness_summary(project, today: datetime.date | None = None) -> Summary:
    """The readiness of `project` today: computed once per process and data change.

    At 5,000 trainees x 30 courses reading and computing everything takes about a second; the stamp
    query a few milliseconds. After a change to a few trainees' enrolments or sign-offs (attendance
    recorded, a sign-off) only those trainees are read again and the figures recomputed from the
    kept inputs. Two requests that find no summary may both compute it; the last one stored wins.
    """
    today = today or timezone.localdate()
    stamp = data_stamp(project, today)
    with _cache_lock:
        hit = _cache.get(project.pk)
        if hit is not None and hit[0] == stamp:
            _cache.move_to_end(project.pk)
            return hit[1]
    changed = changed_trainees(project, hit[0], stamp) if hit is not None else None
    if changed is None:
        summary = compute_summary(project, today)
    elif changed:
        kept = hit[1]
        inputs = patch_inputs(kept.inputs, project, changed)
        if burn_up_span(inputs) == burn_up_span(kept.inputs):
            # Only the departments the changed trainees were in or are in now are computed again.
            names = {inputs.departments[t[0]][0] for t in (kept.inputs.trainees.get(pk) for pk in changed) if t}
            names |= {inputs.departments[inputs.trainees[pk][0]][0] for pk in changed if pk in inputs.trainees}
            summary = compute_summary(project, today, inputs, kept=kept, departments=names)
        else:
            summary = compute_summary(project, today, inputs)
    else:  # only other projects' rows changed: the kept figures stand
        summary = hit[1]
    with _cache_lock:
        _cache[project.pk] = (stamp, summary)
        _cache.move_to_end(project.pk)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return summary


def clear_cache():
    with _cache_lock:
        _cache.clear()


def summary_figures(summary: Summary, language: str | None) -> dict:
    """The page's two charts (and the heat map as a table) as HTML in one language, built once per
    summary and language."""
    key = language or ""
    if key not in summary.figures:
        inputs, result = summary.inputs, summary.result
        required_courses = [c for c in inputs.courses if result.by_course[c.pk].required]
        figures = {}
        if result.departments and required_courses:
            figures["heatmap"] = charts.figure_html(heat_map_figure(result, required_courses, language))
            figures["heat_table"] = render_to_string("training/readiness_heat_table.html", {
                "heat_rows": heat_map_rows(result, inputs, required_courses), "heat_courses": required_courses})
        if summary.burn_up is not None:
            figures["burnup"] = charts.figure_html(
                burn_up_figure(summary.burn_up, burn_up_go_live(inputs), inputs.today, language)
            )
        summary.figures[key] = figures
    return summary.figures[key]


def readiness_context(project, query, today: datetime.date | None = None) -> dict:
    """The readiness and the people not ready under the filters of `query` (the page and the XLSX)."""
    summary = readiness_summary(project, today)
    filters = Filters.from_query(query, summary.inputs)
    return {"summary": summary, "inputs": summary.inputs, "result": summary.result, "filters": filters,
            "not_ready": filters.apply(summary.result.not_ready, summary.inputs)}


@login_required
def readiness_page(request, project):
    """Readiness against go-live: overall percent, heat map, tables, people not ready, burn-up."""
    access = project_access(request.user, project, "training", "view")
    project = access.project
    data = readiness_context(project, request.GET)
    inputs, result, filters = data["inputs"], data["result"], data["filters"]
    paginator = Paginator(data["not_ready"], PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "filters": filters, "page": page_obj, "people": not_ready_rows(page_obj.object_list, inputs),
        "querystring": filters.querystring, "not_ready_count": paginator.count, "overdue_word": _("overdue"),
    }
    if request.htmx and request.htmx.target == "not-ready":
        return _page(request, "training/readiness_not_ready.html", access, _("Readiness"), **context)
    go_live = burn_up_go_live(inputs)
    figures = summary_figures(data["summary"], get_language())
    department_go_live = {name: own or inputs.go_live for name, own in inputs.departments.values()}
    context.update({
        "result": result, "overall": result.overall, "today": inputs.today, "go_live": go_live,
        "project_go_live": inputs.go_live,
        "days_to_go_live": (go_live - inputs.today).days if go_live else None,
        "days_since_go_live": (inputs.today - go_live).days if go_live else None,
        "own_go_lives": sorted({d for _n, d in inputs.departments.values() if d}),
        "figures": figures, "uses_plotly": bool(figures),
        "department_rows": group_rows(result.by_department, result.departments, department_go_live.get),
        "role_rows": group_rows(result.by_role, result.roles),
        "departments": sorted(inputs.departments.items(), key=lambda item: item[1][0].casefold()),
        "roles": sorted(inputs.roles.items(), key=lambda item: item[1].casefold()),
        "courses": inputs.courses,
        "can_change": access.can("training", "change"),
    })
    return _page(request, "training/readiness.html", access, _("Readiness"), **context)


@login_required
def not_ready_xlsx(request, project):
    """The people not ready (the page's filters apply), one row each with their missing courses."""
    access = project_access(request.user, project, "training", "view")
    data = readiness_context(access.project, request.GET)
    inputs = data["inputs"]
    headers = [_("Name"), _("Employee ID"), _("Department"), _("Job role"), _("Signed off"), _("Required"),
               _("Overdue"), _("Missing courses")]
    rows = []
    labels = {stage: calc.stage_label(stage) for stage in calc.STAGES}
    session, overdue = _("session %(day)s"), _("overdue")
    for item in data["not_ready"]:
        person = item.person
        lines = []
        for m in item.missing:
            course = inputs.course(m.course)
            line = f"{course.label}: {labels[m.stage]}"
            if m.session_date:
                line += " · " + session % {"day": m.session_date.isoformat()}
            if m.overdue:
                line += " · " + overdue
            lines.append(line)
        rows.append([person.name, inputs.trainees[person.key][2], person.department, person.role,
                     item.required - len(item.missing), item.required, sum(1 for m in item.missing if m.overdue),
                     "\n".join(lines)])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        tabular.write_xlsx(_("People not ready"), headers, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="people-not-ready-{stamp}.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------
# Champions and recognition
# ---------------------------------------------------------------------------------------------

TOP_TRAINEES = 10


def champions_context(project, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    latest = ChampionQuestion.objects.filter(champion=OuterRef("pk")).order_by("-asked_on", "-pk")
    champions = list(
        Champion.objects.filter(project=project)
        .select_related("trainee__department", "trainee__job_role")
        .annotate(
            question_count=Count("questions"), latest_asked=Max("questions__asked_on"),
            latest_question=Subquery(latest.values("question")[:1]),
        )
        .order_by("trainee__department__name", "trainee__name")
    )
    courses = {c.pk: c for c in _courses(project)}
    trainee_pks = [c.trainee_id for c in champions]
    training: dict = defaultdict(list)
    for trainee, course_pk, version, signed_on in (
        SignOff.objects.filter(project=project, trainee_id__in=trainee_pks)
        .values_list("trainee_id", "course_id", "course_version", "signed_on").order_by("signed_on")
    ):
        course = courses.get(course_pk)
        if course is None:
            continue
        try:
            state = calc.sign_off_state(version, course.version, course.material_versions, signed_on, course.valid_months, today)
        except ValueError:
            state = calc.SUPERSEDED
        training[trainee].append({"course": course, "version": version, "signed_on": signed_on,
                                  "valid": state == calc.VALID, "state": calc.sign_off_label(state)})
    by_department: dict = defaultdict(list)
    for champion in champions:
        champion.training = training.get(champion.trainee_id, [])
        champion.valid_sign_offs = sum(1 for t in champion.training if t["valid"])
        by_department[champion.trainee.department_id].append(champion)
    departments = []
    for department in Department.objects.filter(project=project).annotate(
        people=Count("trainees", filter=Q(trainees__active=True))
    ).order_by("name"):
        departments.append({"department": department, "champions": by_department.get(department.pk, [])})
    top = list(
        Enrolment.objects.filter(project=project, score__isnull=False, trainee__active=True)
        .values("trainee_id", "trainee__name", "trainee__department__name", "trainee__job_role__name")
        .annotate(average=Avg("score"), assessments=Count("id"), best=Max("score"))
        .order_by("-average", "-assessments", "trainee__name")[:TOP_TRAINEES]
    )
    for row in top:
        row["url"] = reverse("training:trainees-detail", kwargs={"project": project.pk, "pk": row["trainee_id"]})
    return {
        "departments": departments, "champions": champions,
        "recognised": [c for c in champions if c.recognition.strip()],
        "top_trainees": top,
        "without_champion": [d["department"] for d in departments if not d["champions"] and d["department"].people],
    }


@login_required
def champions_page(request, project):
    """Champions per department (training, questions handled) and the public recognition list."""
    access = project_access(request.user, project, "training", "view")
    context = champions_context(access.project)
    context["can_change"] = access.can("training", "change")
    return _page(request, "training/champions.html", access, _("Champions"), **context)


# ---------------------------------------------------------------------------------------------
# Feedback: session evaluations and pulse surveys
# ---------------------------------------------------------------------------------------------

LATEST_COMMENTS = 30


def _trainer_name(first, last, username, colleague) -> str:
    if colleague:
        return colleague
    full = f"{first or ''} {last or ''}".strip()
    return full or username or _("No trainer")


def feedback_context(project) -> dict:
    evaluations = SessionFeedback.objects.filter(project=project)
    by_course = list(
        evaluations.values("session__course_id", "session__course__number", "session__course__title")
        .annotate(average=Avg("rating"), count=Count("id"), sessions=Count("session", distinct=True))
        .order_by("session__course__number")
    )
    for row in by_course:
        row["ref"] = f"{Course.REF_PREFIX}-{row['session__course__number']:03d}"
        row["url"] = reverse("training:courses-detail", kwargs={"project": project.pk, "pk": row["session__course_id"]})
    # A session run by a trained colleague (train the trainer) is rated for that colleague.
    trainers: dict = {}
    for row in (
        evaluations.values("session__trainer__first_name", "session__trainer__last_name", "session__trainer__username",
                           "session__delivered_by__name")
        .annotate(total=Count("id"), rating_sum=Sum("rating"), sessions=Count("session", distinct=True))
        .order_by()
    ):
        name = _trainer_name(row["session__trainer__first_name"], row["session__trainer__last_name"],
                             row["session__trainer__username"], row["session__delivered_by__name"])
        entry = trainers.setdefault(name, {"name": name, "count": 0, "rating_sum": 0.0, "sessions": 0,
                                           "colleague": bool(row["session__delivered_by__name"])})
        entry["count"] += row["total"]
        entry["rating_sum"] += float(row["rating_sum"] or 0)
        entry["sessions"] += row["sessions"]
    by_trainer = sorted(trainers.values(), key=lambda e: (-e["rating_sum"] / e["count"], e["name"].casefold()))
    for entry in by_trainer:
        entry["average"] = entry["rating_sum"] / entry["count"]
    overall = evaluations.aggregate(average=Avg("rating"), count=Count("id"))
    comments = list(
        evaluations.exclude(comments="").select_related("session__course", "trainee").order_by("-created")[:LATEST_COMMENTS]
    )
    surveys = list(PulseSurvey.objects.filter(project=project).annotate(
        average=Avg("responses__rating"), count=Count("responses")).order_by("-sent_on", "-pk"))
    results: dict = defaultdict(list)
    for row in (
        PulseResponse.objects.filter(project=project).values("survey_id", "department__name")
        .annotate(average=Avg("rating"), count=Count("id")).order_by("department__name")
    ):
        results[row["survey_id"]].append(row)
    pulse_comments: dict = defaultdict(list)
    for response in (
        PulseResponse.objects.filter(project=project).exclude(comment="").select_related("department").order_by("-created")[:100]
    ):
        if len(pulse_comments[response.survey_id]) < 5:
            pulse_comments[response.survey_id].append(response)
    for survey in surveys:
        survey.by_department = results.get(survey.pk, [])
        survey.comments = pulse_comments.get(survey.pk, [])
    return {"by_course": by_course, "by_trainer": by_trainer, "overall": overall, "comments": comments, "surveys": surveys}


@login_required
def feedback_summary(request, project):
    """Session evaluations by course and trainer with the latest comments; pulse surveys by department."""
    access = project_access(request.user, project, "training", "view")
    context = feedback_context(access.project)
    context["can_change"] = access.can("training", "change")
    return _page(request, "training/feedback_summary.html", access, _("Feedback"), **context)


urlpatterns = [
    path("readiness/", readiness_page, name="readiness"),
    path("readiness/not-ready.xlsx", not_ready_xlsx, name="readiness-not-ready-xlsx"),
    path("champions/", champions_page, name="champions-page"),
    path("feedback/summary/", feedback_summary, name="feedback-summary"),
]
