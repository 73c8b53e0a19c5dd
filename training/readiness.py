"""Training readiness: who must take which course, how far each person got, and what is still missing.

Plain Python (values in, values out): no ORM, no request. The training models build `Person` and
`Status` values and a requirements mapping from their rows and call `readiness()`, `burn_up()` or
`readiness_percent()`; the roadmap's gates and the go-live readiness read `readiness_percent()`.

Conventions
-----------
* **Keys** of people, courses, departments and roles are any hashable values. Departments and roles
  are also *sorted* by their text (case-insensitive, None last), so pass names (or codes) for a
  readable order; people sort by `Person.name`.
* **Requirements** map a role to the course keys that role must take (`{"sales_rep": ["crm101",
  "pipeline"]}`); a course listed twice counts once. A **required pair** is (person, course) for
  an *active* person whose role requires the course. Inactive people are required to take nothing
  and appear nowhere. Statuses of pairs that are not required (optional courses, inactive people,
  unknown people) are ignored.
* **Stages** of a required pair are cumulative, so every count below is "reached at least this
  stage" and enrolled >= attended >= passed >= signed off:
  - *signed off*: `Status.signed_off`, which means a **valid** sign-off for the course's *current*
    version (the caller decides validity, usually with `sign_off_valid()`);
  - *passed*: signed off, or the course has a pass mark and `score >= pass_mark`, or the course has
    no pass mark (`pass_mark` None) and the person attended (attendance is the pass);
  - *attended*: passed, or `Status.attended`;
  - *enrolled*: attended, or `Status.enrolled`.
  A pair with no Status at all is at no stage (not enrolled).
* **Overdue**: a required pair that is not signed off and either go-live has passed
  (`today > go_live`; go-live day itself is not yet overdue) or the person's session for the course
  is in the past (`session_date < today`) and the person did not attend (a missed session).
* **Readiness percent** = 100 x signed off / required; None when nothing is required (never 0% or
  100% for an empty group). Counts are kept per (department, course) cell (the heat map), per
  (role, course), per course, per department, per role and overall.
* **People not ready**: every active person with at least one required course not signed off,
  with each missing course and its stage (`NOT_ENROLLED`, `ENROLLED`, `ATTENDED` = attended but not
  passed, `PASSED` = passed but not signed off) and whether it is overdue; sorted by department,
  then name. People with no required course are neither ready nor not ready: they are not counted
  in `people_required`.
* **Sign-off validity** (`sign_off_state()`): a sign-off of version s is *superseded* when any
  material version v of the course satisfies s < v <= current version (a non-material change keeps
  it); it is *expired* when the course sets a validity of N months and `today` is after the expiry
  date, signed_on + N calendar months (the 31st plus one month is the last day of the next month);
  valid on the expiry date itself. Superseded wins over expired.
* **Burn-up** (`burn_up()`): weeks run Monday to Sunday, from the week of `start` to the week of
  go-live, or of `today` when that is later. Each point counts the required pairs signed off on or
  before the end of that week (or `today`, in today's week); weeks that begin after `today` have no
  count yet (None) but keep the scope line. A sign-off without a date counts from the first week.
  The scope is today's number of required pairs (the requirements have no history), the same in
  every week. A sign-off dated after `today` counts from today's week, so the last count equals
  the readiness's signed-off pairs.

Messages are translated with gettext at the time they are produced.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.utils.translation import gettext as _

# Stages of a required (person, course) pair, lowest first.
NOT_ENROLLED = "not_enrolled"
ENROLLED = "enrolled"
ATTENDED = "attended"  # attended, not passed
PASSED = "passed"  # passed, not signed off
SIGNED_OFF = "signed_off"
STAGES = (NOT_ENROLLED, ENROLLED, ATTENDED, PASSED, SIGNED_OFF)

# Sign-off states (sign_off_state()).
VALID = "valid"
SUPERSEDED = "superseded"
EXPIRED = "expired"


def stage_label(stage: str) -> str:
    """The translated name of a stage, for lists and the not-ready table."""
    labels = {
        NOT_ENROLLED: _("Not enrolled"),
        ENROLLED: _("Enrolled, not attended"),
        ATTENDED: _("Attended, not passed"),
        PASSED: _("Passed, not signed off"),
        SIGNED_OFF: _("Signed off"),
    }
    if stage not in labels:
        raise ValueError(_("Unknown training stage: %(stage)s.") % {"stage": stage})
    return labels[stage]


def sign_off_label(state: str) -> str:
    """The translated name of a sign-off state."""
    labels = {
        VALID: _("Valid"),
        SUPERSEDED: _("Superseded by a material change of the course"),
        EXPIRED: _("Expired"),
    }
    if state not in labels:
        raise ValueError(_("Unknown sign-off state: %(state)s.") % {"state": state})
    return labels[state]


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    key: Hashable
    name: str
    department: Hashable
    role: Hashable
    active: bool = True


@dataclass(frozen=True)
class Status:
    """What is known of one person on one course (any field may be left at its default)."""

    person: Hashable
    course: Hashable
    enrolled: bool = False
    attended: bool = False
    score: float | None = None
    pass_mark: float | None = None  # the course's; None: attending is passing
    signed_off: bool = False  # a VALID sign-off for the course's current version
    signed_on: date | None = None  # date of that sign-off (the burn-up)
    session_date: date | None = None  # the person's next or last session of the course


Requirements = Mapping[Hashable, Iterable[Hashable]]  # role -> required course keys


# ---------------------------------------------------------------------------------------------
# Sign-off validity
# ---------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` plus a number of calendar months, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + int(months)
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_date(signed_on: date, valid_months: int | None) -> date | None:
    """The last day a sign-off is valid (signed_on + valid_months months); None when it never expires."""
    if valid_months is None:
        return None
    if int(valid_months) != valid_months or valid_months < 1:
        raise ValueError(_("A sign-off's validity must be a whole number of months, at least 1."))
    return add_months(signed_on, valid_months)


def sign_off_state(
    signed_version: int,
    current_version: int,
    material_versions: Iterable[int],
    signed_on: date | None,
    valid_months: int | None,
    today: date,
) -> str:
    """VALID, SUPERSEDED (a material version after the signed one) or EXPIRED; see the module docstring."""
    if signed_version > current_version:
        raise ValueError(
            _("A sign-off of version %(signed)s is later than the course's current version %(current)s.")
            % {"signed": signed_version, "current": current_version}
        )
    if any(signed_version < v <= current_version for v in material_versions):
        return SUPERSEDED
    if valid_months is not None:
        if signed_on is None:
            raise ValueError(_("A sign-off that expires needs the date it was given."))
        if today > expiry_date(signed_on, valid_months):
            return EXPIRED
    return VALID


def sign_off_valid(
    signed_version: int,
    current_version: int,
    material_versions: Iterable[int],
    signed_on: date | None,
    valid_months: int | None,
    today: date,
) -> bool:
    """True when the sign-off still counts: not superseded by a material change, not expired."""
    return sign_off_state(signed_version, current_version, material_versions, signed_on, valid_months, today) == VALID


# ---------------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------------


def _reached(status: Status | None) -> int:
    """The index in STAGES of the highest stage a pair reached."""
    if status is None:
        return 0
    if status.signed_off:
        return 4
    mark = status.pass_mark
    if mark is None:
        if status.attended:
            return 3
    elif status.score is not None and float(status.score) >= float(mark):
        return 3
    if status.attended:
        return 2
    return 1 if status.enrolled else 0


def stage(status: Status | None) -> str:
    """The highest stage a pair reached (cumulative, see the module docstring); NOT_ENROLLED for None."""
    return STAGES[_reached(status)]


def is_overdue(status: Status | None, go_live: date, today: date) -> bool:
    """Not signed off, and go-live has passed or the person's session went by without them."""
    return _overdue(status, _reached(status), today > go_live, today)


def _overdue(status: Status | None, reached: int, late: bool, today: date) -> bool:
    if reached == 4:
        return False
    if late:
        return True
    return reached < 2 and status is not None and status.session_date is not None and status.session_date < today


# ---------------------------------------------------------------------------------------------
# Readiness
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Required pairs of a group and how many reached each stage (cumulative)."""

    required: int = 0
    enrolled: int = 0
    attended: int = 0
    passed: int = 0
    signed_off: int = 0
    overdue: int = 0

    @property
    def percent(self) -> float | None:
        """Readiness: 100 x signed off / required; None when nothing is required."""
        return 100.0 * self.signed_off / self.required if self.required else None

    @property
    def not_signed_off(self) -> int:
        return self.required - self.signed_off


class Missing(NamedTuple):
    """A required course a person has not signed off (a named tuple: there can be many thousands)."""

    course: Hashable
    stage: str  # NOT_ENROLLED, ENROLLED, ATTENDED or PASSED
    overdue: bool
    session_date: date | None = None

    @property
    def label(self) -> str:
        return stage_label(self.stage)


@dataclass(frozen=True)
class NotReady:
    person: Person
    missing: tuple  # Missing, in course order
    required: int  # the person's required courses

    @property
    def overdue(self) -> bool:
        return any(m.overdue for m in self.missing)


@dataclass(frozen=True)
class Readiness:
    courses: tuple  # course keys, in column order
    departments: tuple  # department keys of active people, sorted
    roles: tuple  # role keys of active people, sorted
    by_department_course: dict  # (department, course) -> Counts, every pair of the two lists
    by_role_course: dict  # (role, course) -> Counts, every pair
    by_course: dict  # course -> Counts
    by_department: dict  # department -> Counts
    by_role: dict  # role -> Counts
    overall: Counts
    not_ready: tuple  # NotReady, by department then name
    people_required: int  # active people with at least one required course
    people_ready: int  # ... of whom every required course is signed off

    @property
    def percent(self) -> float | None:
        """Overall readiness: percent of required pairs signed off (None when nothing is required)."""
        return self.overall.percent

    @property
    def people_ready_percent(self) -> float | None:
        """Percent of the people with required courses who have signed off all of them."""
        return 100.0 * self.people_ready / self.people_required if self.people_required else None


def _order(value) -> tuple:
    return (value is None, str(value).casefold())


def _course_order(requirements: Requirements, courses: Sequence[Hashable] | None) -> tuple:
    required = {}
    for role_courses in requirements.values():
        for course in role_courses:
            required.setdefault(course, None)
    if courses is None:
        return tuple(required)
    order = tuple(dict.fromkeys(courses))
    unknown = [c for c in required if c not in set(order)]
    if unknown:
        raise ValueError(
            _("A role requires a course that is not in the course list: %(course)s.") % {"course": unknown[0]}
        )
    return order


def _people(people: Iterable[Person]) -> list[Person]:
    result = []
    seen = set()
    for person in people:
        if person.key in seen:
            raise ValueError(_("Two people have the same key: %(key)s.") % {"key": person.key})
        seen.add(person.key)
        result.append(person)
    return result


def _statuses(statuses: Iterable[Status] | Mapping) -> dict:
    if isinstance(statuses, dict):
        return statuses  # only read: no copy (callers pass 150,000 pairs, once per department)
    if isinstance(statuses, Mapping):
        return dict(statuses)
    result = {}
    for status in statuses:
        pair = (status.person, status.course)
        if pair in result:
            raise ValueError(
                _("Two statuses are given for person %(person)s on course %(course)s.")
                % {"person": status.person, "course": status.course}
            )
        result[pair] = status
    return result


def _required(people: list[Person], requirements: Requirements) -> dict:
    """Active person -> tuple of required course keys (role order, no repeats)."""
    by_role = {role: tuple(dict.fromkeys(courses)) for role, courses in requirements.items()}
    return {p.key: by_role.get(p.role, ()) for p in people if p.active}


def readiness(
    people: Iterable[Person],
    requirements: Requirements,
    statuses: Iterable[Status] | Mapping,
    go_live: date,
    today: date,
    courses: Sequence[Hashable] | None = None,
) -> Readiness:
    """Counts per department, role and course, the people not ready, and the readiness percent.

    `statuses` is an iterable of Status (one per pair at most) or a mapping (person, course) -> Status.
    `courses` fixes the column order (and may list courses nobody requires); by default the
    courses in the order the requirements first name them.
    """
    people = _people(people)
    course_order = _course_order(requirements, courses)
    facts = _statuses(statuses)
    required = _required(people, requirements)
    active = [p for p in people if p.active]
    departments = tuple(sorted({p.department for p in active}, key=_order))
    roles = tuple(sorted({p.role for p in active}, key=_order))

    # One histogram per cell: pairs at each stage (indexes 0-4 of STAGES), then overdue pairs (5).
    cells = {(d, c): [0] * 6 for d in departments for c in course_order}
    role_cells = {(r, c): [0] * 6 for r in roles for c in course_order}
    department_rows = {d: {c: cells[d, c] for c in course_order} for d in departments}
    role_rows = {r: {c: role_cells[r, c] for c in course_order} for r in roles}
    position = {c: i for i, c in enumerate(course_order)}
    late = today > go_live
    facts_get = facts.get
    not_ready = []
    people_required = people_ready = 0
    for person in active:
        own = required[person.key]
        if not own:
            continue
        people_required += 1
        department_row, role_row = department_rows[person.department], role_rows[person.role]
        key = person.key
        missing = []
        for course in own:
            status = facts_get((key, course))
            reached = _reached(status)
            department_cell, role_cell = department_row[course], role_row[course]
            department_cell[reached] += 1
            role_cell[reached] += 1
            if reached < 4:
                overdue = _overdue(status, reached, late, today)
                if overdue:
                    department_cell[5] += 1
                    role_cell[5] += 1
                session = status.session_date if status is not None else None
                missing.append(Missing(course, STAGES[reached], overdue, session))
        if missing:
            missing.sort(key=lambda m: position[m.course])
            not_ready.append(NotReady(person, tuple(missing), len(own)))
        else:
            people_ready += 1
    not_ready.sort(key=lambda n: (_order(n.person.department), n.person.name.casefold(), n.person.name))

    def counts(histogram) -> Counts:
        """Counts (cumulative stages) from a stage histogram."""
        h = histogram
        return Counts(sum(h[0:5]), sum(h[1:5]), sum(h[2:5]), h[3] + h[4], h[4], h[5])

    def total(histograms) -> Counts:
        sums = [0] * 6
        for histogram in histograms:
            for i, value in enumerate(histogram):
                sums[i] += value
        return counts(sums)

    by_department_course = {key: counts(h) for key, h in cells.items()}
    return Readiness(
        courses=course_order,
        departments=departments,
        roles=roles,
        by_department_course=by_department_course,
        by_role_course={key: counts(h) for key, h in role_cells.items()},
        by_course={c: total(cells[d, c] for d in departments) for c in course_order},
        by_department={d: total(cells[d, c] for c in course_order) for d in departments},
        by_role={r: total(role_cells[r, c] for c in course_order) for r in roles},
        overall=total(cells.values()),
        not_ready=tuple(not_ready),
        people_required=people_required,
        people_ready=people_ready,
    )


def readiness_percent(
    people: Iterable[Person], requirements: Requirements, statuses: Iterable[Status] | Mapping
) -> float | None:
    """Percent of the required (person, course) pairs signed off; None when nothing is required.

    What a gate's "training sign-off" criterion and the go-live readiness read.
    """
    people = _people(people)
    facts = _statuses(statuses)
    required = signed = 0
    for person_key, own in _required(people, requirements).items():
        for course in own:
            required += 1
            status = facts.get((person_key, course))
            signed += bool(status is not None and status.signed_off)
    return 100.0 * signed / required if required else None


# ---------------------------------------------------------------------------------------------
# Charts: heat map and burn-up
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatMap:
    rows: tuple  # department keys
    columns: tuple  # course keys
    percent: tuple  # percent[i][j]: readiness of department i on course j, None when not required
    required: tuple  # required[i][j]: required pairs of the cell
    signed_off: tuple


def heat_map(result: Readiness) -> HeatMap:
    """The department x course readiness matrix of a `readiness()` result, for the heat map."""
    cell = result.by_department_course
    rows, columns = result.departments, result.courses
    return HeatMap(
        rows=rows,
        columns=columns,
        percent=tuple(tuple(cell[d, c].percent for c in columns) for d in rows),
        required=tuple(tuple(cell[d, c].required for c in columns) for d in rows),
        signed_off=tuple(tuple(cell[d, c].signed_off for c in columns) for d in rows),
    )


@dataclass(frozen=True)
class BurnUpPoint:
    week_start: date  # a Monday
    week_end: date  # the Sunday
    signed_off: int | None  # required pairs signed off by the end of the week; None after today
    scope: int  # required pairs


@dataclass(frozen=True)
class BurnUp:
    points: tuple  # BurnUpPoint, one per week
    scope: int
    go_live_week: date  # the Monday of go-live's week (for the chart's marker)
    signed_off: int  # signed off today
    undated: int = 0  # sign-offs without a date (counted from the first week)


def monday(day: date) -> date:
    """The Monday of the week of `day`."""
    return day - timedelta(days=day.weekday())


def burn_up(
    people: Iterable[Person],
    requirements: Requirements,
    statuses: Iterable[Status] | Mapping,
    start: date,
    go_live: date,
    today: date,
) -> BurnUp:
    """Cumulative required pairs signed off per week, with the scope line; see the module docstring."""
    end = max(go_live, today)
    if start > end:
        raise ValueError(_("The burn-up must start on or before go-live."))
    people = _people(people)
    facts = _statuses(statuses)
    first = monday(start)
    weeks = (monday(end) - first).days // 7 + 1
    # Sign-offs per week index: before the first week -> 0, undated -> 0.
    per_week = [0] * weeks
    scope = signed_today = undated = 0
    for person_key, own in _required(people, requirements).items():
        for course in own:
            scope += 1
            status = facts.get((person_key, course))
            if status is None or not status.signed_off:
                continue
            signed_on = status.signed_on
            if signed_on is None:
                undated += 1
                per_week[0] += 1
                signed_today += 1
                continue
            signed_today += 1
            index = max(0, (min(signed_on, today) - first).days // 7)
            per_week[index] += 1
    points = []
    running = 0
    for index in range(weeks):
        week_start = first + timedelta(weeks=index)
        running += per_week[index]
        points.append(
            BurnUpPoint(
                week_start=week_start,
                week_end=week_start + timedelta(days=6),
                signed_off=running if week_start <= today else None,
                scope=scope,
            )
        )
    return BurnUp(
        points=tuple(points),
        scope=scope,
        go_live_week=monday(go_live),
        signed_off=signed_today,
        undated=undated,
    )
