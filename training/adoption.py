"""Adoption after go-live: active users against licences and targets, activity, data quality, laggards.

Plain Python (values in, values out): no ORM, no request. The app imports the usage data exported
from the CRM, aggregates it per person and week in SQL, and passes one `WeekUsage` per person-week
(or a plain tuple in the same field order) with the people's `Assignment` history, the `Licences`
and the `Target`s to `adoption()`. One pass over the rows into flat lists: 145,000 person-weeks
(5,000 people x 29 weeks) take about 0.1 s with record totals, more with per-type dicts (building
145,000 row objects costs as much again: pass tuples). The weekly figures come back as columns
(`GroupSeries`), ready for a chart; `GroupSeries.week(i)` gives one week as a row for tables.

Conventions
-----------
* **Weeks** run Monday to Sunday and are named by their Monday (`WeekUsage.week_start`; any other
  day raises ValueError). One row per person and week (the caller aggregates the days; two rows
  for the same person and week would count the person twice). `created` and `updated` count records
  by type (`RECORD_TYPES`; any other type counts too), or give their totals as numbers (cheaper: the
  figures only use totals); a person's **records** in a week are all their created plus updated.
  A negative login count or record total, or a completeness outside 0..1, raises ValueError.
* **The series** runs over every week from the first covered week to the last *complete* week, the
  one whose Sunday is on or before `as_of` (so a week still in progress is never shown half
  counted); rows and covered weeks after it are ignored.
* **Covered weeks** are the weeks for which usage was imported: `covered_weeks` plus every week that
  has a row. In a covered week a person without a row was inactive (0 logins, 0 records); a week
  that is not covered is **unknown**: its active count, rate, records and completeness are None
  (a gap in the trend lines), never 0.
* **Groups.** `by` is DEPARTMENT, ROLE or MANAGER. A person belongs, for a week, to the group of
  the assignment in effect on the week's **Sunday** (`start <= Sunday <= end`, `end` inclusive and
  None for open-ended); a person who changes department mid-week counts in the new department for
  that whole week. When assignments overlap, the one that started last wins. A person with no
  assignment in effect on that Sunday is counted nowhere that week (not in any group, not overall).
  The **overall** figures are every assigned person's (the sum of the groups).
* **Licensed users** of a department in a week: the `Licences.count` in effect on the week's
  Sunday (each count holds from its `start` until the department's next start; licences added
  mid-week count for the whole week; 0 before the first). Licences describe departments only, so
  when grouping by role or by manager the "licensed" users of a group are the **people assigned to
  it that week**. Overall licensed = the sum over all departments' licences, whatever `by` is.
* **Active** = assigned people with at least one login that week. **Active rate** = active /
  licensed; None when licensed is 0 or the week is not covered (it may exceed 1 when more people
  are active than licences are recorded).
* **Targets** are rates 0..1 per department and date (`Target.department` None = the project-wide
  target). A group's target for a week is the latest target dated on or before the week's Sunday:
  its department's own targets when grouping by department and it has any, otherwise the
  project-wide ones (always for roles, managers and overall); None before the first. **Gap** =
  rate - target (negative = behind). `DEFAULT_TARGET` (80% active, the common rule) is the
  yardstick of `GroupSeries.meets_default`, separate from the recorded targets.
* **Change** (trend) = this week's rate - the previous calendar week's rate; None when either is
  unknown (so a week after a gap has no change). `GroupSeries.current_change` compares the two
  latest *covered* weeks instead, across a gap.
* **Records per active user** = records of the group's people / active (None when nobody is
  active). **Completeness** = the mean of the people's completeness weighted by their records that
  week, `sum(completeness x records) / sum(records)` over people with a completeness and at least
  one record (a person without records has no recent data to judge); None when no one qualifies.
* **Laggards** (as of `as_of`), among the people whose assignment is in effect on `as_of`:
  *never logged in* = no login in any covered week since go-live (the week of go-live included);
  *inactive* = logged in since go-live but not in the last covered week of the series, the last
  complete week with data ("inactive 7 days", as the data is weekly). The two lists do not overlap. Both are empty until a covered week
  since go-live exists. `laggards_by_manager` counts them per manager, most laggards first.
* **Top adopters**: the people assigned on `as_of` with the most records over the last
  `top_weeks` covered weeks of the series; ties broken by logins (more first), then name. People
  with no records are not adopters.
* **Baseline**: figures captured before go-live, keyed by `METRICS`, shown beside the overall
  figure of the current week (the last covered week of the series) when that week is on or after
  go-live's week; the change is after - baseline.
* **Groups shown**: every group someone is assigned to in some week of the series, and by
  department every department with licences.
* **Ordering**: groups and managers sort by their text (case-insensitive, None last); people by
  their name from `names` (person key when absent).

Messages are translated with gettext at the time they are produced.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.utils.translation import gettext as _

DEFAULT_TARGET = 0.8  # the common rule: aim for 80% of licensed users active each week

DEPARTMENT = "department"
ROLE = "role"
MANAGER = "manager"
GROUPINGS = (DEPARTMENT, ROLE, MANAGER)

ACCOUNTS = "accounts"
CONTACTS = "contacts"
OPPORTUNITIES = "opportunities"
ACTIVITIES = "activities"
CASES = "cases"
RECORD_TYPES = (ACCOUNTS, CONTACTS, OPPORTUNITIES, ACTIVITIES, CASES)

# Baseline metrics (keys of the `baseline` mapping).
ACTIVE_USERS = "active_users"
ACTIVE_RATE = "active_rate"
LOGINS_PER_ACTIVE = "logins_per_active_user"
RECORDS_PER_ACTIVE = "records_per_active_user"
COMPLETENESS = "completeness"
METRICS = (ACTIVE_USERS, ACTIVE_RATE, LOGINS_PER_ACTIVE, RECORDS_PER_ACTIVE, COMPLETENESS)


def metric_label(metric: str) -> str:
    """The translated name of a baseline metric."""
    labels = {
        ACTIVE_USERS: _("Active users"),
        ACTIVE_RATE: _("Active-user rate"),
        LOGINS_PER_ACTIVE: _("Logins per active user"),
        RECORDS_PER_ACTIVE: _("Records per active user"),
        COMPLETENESS: _("Data completeness"),
    }
    if metric not in labels:
        raise ValueError(_("Unknown adoption metric: %(metric)s.") % {"metric": metric})
    return labels[metric]


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------


class WeekUsage(NamedTuple):
    """One person's usage in one week (Monday to Sunday), aggregated from the daily export.

    A named tuple, so the caller may pass plain tuples in this field order (what a SQL aggregate's
    `values_list()` gives) and skip building 145,000 objects. `created` and `updated` are counts by
    record type (a mapping type -> count) or their totals (numbers).
    """

    person: Hashable
    week_start: date  # the Monday
    logins: int = 0
    created: Mapping | int = 0  # record type -> count, or the total
    updated: Mapping | int = 0  # record type -> count, or the total
    completeness: float | None = None  # 0..1: key-field completeness of the person's records that week

    @property
    def records(self) -> int:
        return _total(self.created) + _total(self.updated)


def _total(counts) -> int:
    """A record count given by type (mapping) or as a total."""
    if isinstance(counts, Mapping):
        return sum(counts.values())
    return int(counts or 0)


@dataclass(frozen=True)
class Assignment:
    """Where a person sits from `start` to `end` (inclusive; None = still)."""

    person: Hashable
    department: Hashable
    role: Hashable
    manager: Hashable
    start: date
    end: date | None = None


@dataclass(frozen=True)
class Licences:
    """The licensed users of a department from `start` until the department's next Licences."""

    department: Hashable
    start: date
    count: int


@dataclass(frozen=True)
class Target:
    """The target active rate (0..1) of a department (None: the whole project) from `date` on."""

    department: Hashable | None
    date: date
    rate: float


# ---------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekFigures:
    week_start: date
    covered: bool  # usage was imported for this week
    assigned: int  # people assigned to the group on the week's Sunday
    licensed: int  # department licences (by department, overall) or assigned people (role, manager)
    active: int | None  # None when not covered
    rate: float | None  # active / licensed
    target: float | None
    gap: float | None  # rate - target
    change: float | None  # rate - previous calendar week's rate
    logins: int | None
    records: int | None  # created + updated, all types
    records_per_active: float | None
    completeness: float | None  # records-weighted mean, 0..1


@dataclass(frozen=True)
class GroupSeries:
    """A group's weekly figures as columns (one value per week of the series: what a chart plots).

    `week(i)` gives week i as a WeekFigures row (for tables); `current` is the last covered week.
    """

    group: Hashable  # None for the overall series
    weeks: tuple  # Mondays
    covered: tuple  # bool
    assigned: tuple  # people assigned on the week's Sunday
    licensed: tuple  # department licences (by department, overall) or assigned people (role, manager)
    active: tuple  # None when not covered
    rate: tuple  # active / licensed
    target: tuple
    gap: tuple  # rate - target
    change: tuple  # rate - previous calendar week's rate
    logins: tuple
    records: tuple  # created + updated, all types
    records_per_active: tuple
    completeness: tuple  # records-weighted mean, 0..1
    current_index: int | None  # index of the last covered week
    previous_index: int | None  # index of the covered week before it

    def week(self, index: int) -> WeekFigures:
        return WeekFigures(
            week_start=self.weeks[index],
            covered=self.covered[index],
            assigned=self.assigned[index],
            licensed=self.licensed[index],
            active=self.active[index],
            rate=self.rate[index],
            target=self.target[index],
            gap=self.gap[index],
            change=self.change[index],
            logins=self.logins[index],
            records=self.records[index],
            records_per_active=self.records_per_active[index],
            completeness=self.completeness[index],
        )

    def rows(self) -> list[WeekFigures]:
        return [self.week(i) for i in range(len(self.weeks))]

    @property
    def current(self) -> WeekFigures | None:
        return None if self.current_index is None else self.week(self.current_index)

    @property
    def previous(self) -> WeekFigures | None:
        return None if self.previous_index is None else self.week(self.previous_index)

    @property
    def current_rate(self) -> float | None:
        return None if self.current_index is None else self.rate[self.current_index]

    @property
    def current_change(self) -> float | None:
        """Rate of the last covered week minus the covered week before it (gaps skipped)."""
        if self.current_index is None or self.previous_index is None:
            return None
        now, before = self.rate[self.current_index], self.rate[self.previous_index]
        return None if now is None or before is None else now - before

    @property
    def default_gap(self) -> float | None:
        """Current rate minus DEFAULT_TARGET (the 80% rule)."""
        rate = self.current_rate
        return None if rate is None else rate - DEFAULT_TARGET

    @property
    def meets_default(self) -> bool | None:
        rate = self.current_rate
        return None if rate is None else rate >= DEFAULT_TARGET


@dataclass(frozen=True)
class Laggard:
    person: Hashable
    name: str
    department: Hashable
    role: Hashable
    manager: Hashable
    last_login_week: date | None  # Monday of the last week of the series with a login (None: none)


@dataclass(frozen=True)
class ManagerLaggards:
    manager: Hashable
    never_logged_in: tuple  # Laggard
    inactive: tuple  # Laggard

    @property
    def total(self) -> int:
        return len(self.never_logged_in) + len(self.inactive)


@dataclass(frozen=True)
class Adopter:
    person: Hashable
    name: str
    department: Hashable
    role: Hashable
    manager: Hashable
    records: int
    logins: int


@dataclass(frozen=True)
class Comparison:
    metric: str
    baseline: float
    after: float | None  # None when there is no covered week since go-live yet
    change: float | None  # after - baseline

    @property
    def label(self) -> str:
        return metric_label(self.metric)


@dataclass(frozen=True)
class Adoption:
    by: str
    weeks: tuple  # Mondays of the series
    go_live_week: date
    last_week: date  # the last complete week on or before as_of (the end of the series)
    current_week: date | None  # the last covered week of the series
    groups: dict  # group -> GroupSeries, sorted
    overall: GroupSeries
    never_logged_in: tuple  # Laggard, by manager then name
    inactive: tuple  # Laggard, by manager then name
    laggards_by_manager: tuple  # ManagerLaggards, most laggards first
    top_adopters: tuple  # Adopter, best first
    top_weeks: tuple  # Mondays of the weeks the top adopters were counted over
    baseline: tuple  # Comparison, in METRICS order


# ---------------------------------------------------------------------------------------------
# The calculation
# ---------------------------------------------------------------------------------------------


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_complete_week(as_of: date) -> date:
    """The Monday of the last week whose Sunday is on or before `as_of`."""
    return monday(as_of + timedelta(days=1)) - timedelta(days=7)


def _order(value) -> tuple:
    return (value is None, str(value).casefold())


def _check_monday(day: date) -> None:
    if day.weekday() != 0:
        raise ValueError(_("A usage week must start on a Monday, not on %(day)s.") % {"day": day.isoformat()})


def _timelines(items) -> dict:
    """Department -> (sorted dates, values) from (department, date, value) items; duplicate dates refused."""
    grouped: dict = {}
    for department, day, value in items:
        grouped.setdefault(department, {})
        if day in grouped[department]:
            raise ValueError(
                _("Two licence counts or targets of %(department)s start on %(day)s.")
                % {"department": department, "day": day.isoformat()}
            )
        grouped[department][day] = value
    return {d: (sorted(values), [values[k] for k in sorted(values)]) for d, values in grouped.items()}


def _runs(cells: list, count: int) -> list:
    """(group, first week, end week exclusive) of each stretch of a person's weeks in one group."""
    runs = []
    start = 0
    while start < count:
        stop = start + 1
        if cells[start] >= 0:
            g = cells[start] // count
            while stop < count and cells[stop] >= 0 and cells[stop] // count == g:
                stop += 1
            runs.append((g, start, stop))
        start = stop
    return runs


def _at(timeline, day: date, default):
    """The value of a (dates, values) timeline in effect on `day`."""
    if timeline is None:
        return default
    dates, values = timeline
    index = bisect_right(dates, day) - 1
    return values[index] if index >= 0 else default


def adoption(
    usage: Iterable[WeekUsage],
    assignments: Iterable[Assignment],
    *,
    go_live: date,
    as_of: date,
    licences: Iterable[Licences] = (),
    targets: Iterable[Target] = (),
    covered_weeks: Iterable[date] = (),
    by: str = DEPARTMENT,
    baseline: Mapping[str, float] | None = None,
    names: Mapping | None = None,
    top: int = 10,
    top_weeks: int = 4,
) -> Adoption:
    """Weekly adoption figures per group and overall, laggards, top adopters and the baseline comparison.

    See the module docstring for every rule. Raises ValueError for an unknown grouping, a week that
    does not start on a Monday, an assignment that ends before it starts, negative counts, a rate or
    completeness outside 0..1, two licences or targets of one department on one date, or an unknown
    baseline metric.
    """
    if by not in GROUPINGS:
        raise ValueError(_("Unknown grouping: %(by)s.") % {"by": by})
    if top < 0 or top_weeks < 1:
        raise ValueError(_("The number of top adopters cannot be negative and they need at least one week."))
    baseline = dict(baseline or {})
    for metric in baseline:
        metric_label(metric)  # ValueError for an unknown metric
    names = names or {}
    rows = usage if isinstance(usage, list | tuple) else list(usage)
    for row in rows:
        if len(row) != 6:
            raise ValueError(
                _("A usage row has six fields: person, week, logins, created, updated and completeness.")
            )
        break

    # -- the weeks of the series ----------------------------------------------------------------
    last_week = last_complete_week(as_of)
    covered_set = set(covered_weeks)
    covered_set.update({row[1] for row in rows})
    for week in covered_set:
        _check_monday(week)
    covered_set = {w for w in covered_set if w <= last_week}
    first_week = min(covered_set) if covered_set else last_week + timedelta(days=7)
    count = max(0, (last_week - first_week).days // 7 + 1)
    weeks = [first_week + timedelta(weeks=i) for i in range(count)]
    week_ends = [w + timedelta(days=6) for w in weeks]
    position = {w: i for i, w in enumerate(weeks)}
    covered = [w in covered_set for w in weeks]
    covered_index = [i for i, c in enumerate(covered) if c]
    go_live_week = monday(go_live)
    go_live_index = bisect_left(weeks, go_live_week)  # first week of the series on or after go-live's

    # -- assignments: each person's group per week, assigned counts, who sits where on as_of ------
    by_person: dict = {}
    for assignment in assignments:
        if assignment.end is not None and assignment.end < assignment.start:
            raise ValueError(
                _("An assignment of %(person)s ends before it starts.") % {"person": assignment.person}
            )
        by_person.setdefault(assignment.person, []).append(assignment)
    group_index: dict = {}
    group_keys: list = []

    def group_of(key) -> int:
        g = group_index.get(key)
        if g is None:
            g = group_index[key] = len(group_keys)
            group_keys.append(key)
        return g

    person_cells: dict = {}  # person -> [flat index group * count + week, or -1 when unassigned]
    runs: list = []  # (group, first week, end week exclusive): who is assigned where, for the counts
    on_as_of: dict = {}  # person -> the Assignment in effect on as_of
    for person, own in by_person.items():
        own.sort(key=lambda a: a.start)
        cells = [-1] * count
        spans = []
        for assignment in own:
            if assignment.start <= as_of and (assignment.end is None or as_of <= assignment.end):
                on_as_of[person] = assignment
            first = bisect_left(week_ends, assignment.start)
            end = count if assignment.end is None else bisect_right(week_ends, assignment.end)
            if end <= first:
                continue
            g = group_of(getattr(assignment, by))
            base = g * count
            cells[first:end] = range(base + first, base + end)
            spans.append((g, first, end))
        person_cells[person] = cells
        if len(spans) == 1:
            runs.append(spans[0])
        elif spans:
            runs.extend(_runs(cells, count))
    licence_lines = _timelines((x.department, x.start, x.count) for x in licences)
    for _dates, values in licence_lines.values():
        if any(v < 0 for v in values):
            raise ValueError(_("A number of licences cannot be negative."))
    if by == DEPARTMENT:
        for department in licence_lines:
            group_of(department)
    target_lines = _timelines((t.department, t.date, t.rate) for t in targets)
    for _dates, values in target_lines.values():
        if any(not 0 <= v <= 1 for v in values):
            raise ValueError(_("A target rate must be a fraction between 0 and 1 (0.8 for 80 percent)."))

    groups = len(group_keys)
    size = groups * count
    stride = count + 1
    diff = [0] * (groups * stride)
    for g, first, stop in runs:
        diff[g * stride + first] += 1
        diff[g * stride + stop] -= 1
    assigned = [0] * size
    for g in range(groups):
        running = 0
        for w in range(count):
            running += diff[g * stride + w]
            assigned[g * count + w] = running

    # -- one pass over the rows -----------------------------------------------------------------
    active = [0] * size
    logins = [0] * size
    records = [0] * size
    weighted = [0.0] * size  # sum of completeness x records
    weights = [0] * size  # sum of records of people with a completeness
    last_login: dict = {}  # person -> index of the last week with a login
    window = covered_index[-top_weeks:]
    window_from = window[0] if window else count
    window_totals: dict = {}  # person -> [records, logins] over the top adopters' weeks
    position_get, cells_get, last_get = position.get, person_cells.get, last_login.get
    for person, week, n, created, updated, c in rows:
        w = position_get(week)
        if w is None:
            continue
        # Totals (ints) are the fast path; per-type dicts next; any other mapping or number last.
        kind = created.__class__
        rec = created if kind is int else sum(created.values()) if kind is dict else _total(created)
        kind = updated.__class__
        rec += updated if kind is int else sum(updated.values()) if kind is dict else _total(updated)
        if n < 0 or rec < 0:
            raise ValueError(
                _("Usage of %(person)s in the week of %(week)s has a negative count.")
                % {"person": person, "week": week.isoformat()}
            )
        if n and w > last_get(person, -1):
            last_login[person] = w
        if w >= window_from:
            totals = window_totals.get(person)
            if totals is None:
                window_totals[person] = [rec, n]
            else:
                totals[0] += rec
                totals[1] += n
        cells = cells_get(person)
        if cells is None:
            continue
        k = cells[w]
        if k < 0:
            continue
        if n:
            active[k] += 1
            logins[k] += n
        if c is not None:
            if not 0 <= c <= 1:
                raise ValueError(
                    _("Completeness must be a fraction between 0 and 1 (%(person)s, week of %(week)s).")
                    % {"person": person, "week": week.isoformat()}
                )
            if rec:
                weighted[k] += c * rec
                weights[k] += rec
        records[k] += rec

    # -- figures per group and overall ----------------------------------------------------------
    current_index = covered_index[-1] if covered_index else None
    previous_index = covered_index[-2] if len(covered_index) > 1 else None

    def series(key, columns, licensed, target_line) -> GroupSeries:
        """GroupSeries from the group's columns (assigned, active, logins, records, weighted, weights)."""
        people, act, lg, rec, wsum, wgt = columns
        target = [_at(target_line, end, None) for end in week_ends]
        active_ = [a if covered[w] else None for w, a in enumerate(act)]
        rate = [a / lic if a is not None and lic else None for a, lic in zip(active_, licensed, strict=True)]
        previous = [None, *rate][: len(rate)]
        return GroupSeries(
            group=key,
            weeks=tuple(weeks),
            covered=tuple(covered),
            assigned=tuple(people),
            licensed=tuple(licensed),
            active=tuple(active_),
            rate=tuple(rate),
            target=tuple(target),
            gap=tuple(_minus(r, t) for r, t in zip(rate, target, strict=True)),
            change=tuple(_minus(r, p) for r, p in zip(rate, previous, strict=True)),
            logins=tuple(x if covered[w] else None for w, x in enumerate(lg)),
            records=tuple(x if covered[w] else None for w, x in enumerate(rec)),
            records_per_active=tuple(r / a if a else None for r, a in zip(rec, active_, strict=True)),
            completeness=tuple(s / g if g else None for s, g in zip(wsum, wgt, strict=True)),
            current_index=current_index,
            previous_index=previous_index,
        )

    def group_columns(g) -> tuple:
        cells = slice(g * count, (g + 1) * count)
        return assigned[cells], active[cells], logins[cells], records[cells], weighted[cells], weights[cells]

    def overall_columns() -> tuple:
        return tuple(
            [sum(column[w:size:count]) for w in range(count)]
            for column in (assigned, active, logins, records, weighted, weights)
        )

    def licensed_by_department(department) -> list:
        line = licence_lines.get(department)
        return [_at(line, end, 0) for end in week_ends]

    project_targets = target_lines.get(None)
    result_groups = {}
    for key in sorted(group_keys, key=_order):
        columns = group_columns(group_index[key])
        if not any(columns[0]) and not (by == DEPARTMENT and key in licence_lines):
            continue  # only assigned in weeks an overlapping assignment took over
        if by == DEPARTMENT:
            licensed = licensed_by_department(key)
            line = target_lines.get(key, project_targets) if key is not None else project_targets
        else:
            licensed = columns[0]
            line = project_targets
        result_groups[key] = series(key, columns, licensed, line)
    overall_licensed = [0] * count
    for department in licence_lines:
        for w, value in enumerate(licensed_by_department(department)):
            overall_licensed[w] += value
    overall = series(None, overall_columns(), overall_licensed, project_targets)

    # -- laggards and top adopters --------------------------------------------------------------
    def name_of(person) -> str:
        return str(names.get(person, person))

    last_covered = covered_index[-1] if covered_index else -1
    never, inactive = [], []
    if last_covered >= go_live_index:
        for person, where in on_as_of.items():
            last = last_login.get(person, -1)
            if last >= go_live_index and last == last_covered:
                continue
            laggard = Laggard(
                person, name_of(person), where.department, where.role, where.manager,
                weeks[last] if last >= 0 else None,
            )  # fmt: skip
            (never if last < go_live_index else inactive).append(laggard)

    def laggard_order(laggard: Laggard):
        return (_order(laggard.manager), laggard.name.casefold(), laggard.name)

    never.sort(key=laggard_order)
    inactive.sort(key=laggard_order)
    per_manager: dict = {}
    for laggard in never:
        per_manager.setdefault(laggard.manager, ([], []))[0].append(laggard)
    for laggard in inactive:
        per_manager.setdefault(laggard.manager, ([], []))[1].append(laggard)
    by_manager = [ManagerLaggards(m, tuple(a), tuple(b)) for m, (a, b) in per_manager.items()]
    by_manager.sort(key=lambda m: (-m.total, _order(m.manager)))

    adopters = []
    for person, (rec, n) in window_totals.items():
        where = on_as_of.get(person)
        if where is None or rec <= 0:
            continue
        adopters.append(Adopter(person, name_of(person), where.department, where.role, where.manager, rec, n))
    adopters.sort(key=lambda a: (-a.records, -a.logins, a.name.casefold(), a.name))

    # -- baseline beside the after figures ------------------------------------------------------
    comparisons = []
    after_week = overall.current if last_covered >= go_live_index else None
    for metric in METRICS:
        if metric not in baseline:
            continue
        after = _metric(after_week, metric) if after_week is not None else None
        before = float(baseline[metric])
        comparisons.append(Comparison(metric, before, after, after - before if after is not None else None))

    return Adoption(
        by=by,
        weeks=tuple(weeks),
        go_live_week=go_live_week,
        last_week=last_week,
        current_week=weeks[last_covered] if last_covered >= 0 else None,
        groups=result_groups,
        overall=overall,
        never_logged_in=tuple(never),
        inactive=tuple(inactive),
        laggards_by_manager=tuple(by_manager),
        top_adopters=tuple(adopters[:top]),
        top_weeks=tuple(weeks[i] for i in window),
        baseline=tuple(comparisons),
    )


def _minus(a, b):
    return a - b if a is not None and b is not None else None


def _metric(figures: WeekFigures, metric: str) -> float | None:
    if metric == ACTIVE_USERS:
        return None if figures.active is None else float(figures.active)
    if metric == ACTIVE_RATE:
        return figures.rate
    if metric == LOGINS_PER_ACTIVE:
        return figures.logins / figures.active if figures.active else None
    if metric == RECORDS_PER_ACTIVE:
        return figures.records_per_active
    return figures.completeness
