"""Plan arithmetic for the roadmap: working days, critical path, float, slip against a baseline, RAG.

Plain Python (dates in, dates out): no Django, no ORM, no request. The models, the Gantt, the
baselines and the gates build `Activity` and `Link` values from their rows and call these functions.

Conventions
-----------
* **Working days.** Durations and lags count working days, Monday to Friday. There is no holiday
  calendar yet; every weekday is a working day.
* **Inclusive dates.** A task's start and finish are both working days and both belong to the task:
  a 1-day task starting Monday finishes Monday, a 5-day task starting Monday finishes Friday.
* **Milestones** have duration 0 and start == finish. An activity with duration 0 is a milestone
  even without `milestone=True`; `milestone=True` with another duration is refused (ValueError).
* **Finish-to-start links.** With lag 0 a task starts on the first working day after its
  predecessor's finish (after a task finishing Friday: Monday). A milestone after a predecessor
  is placed on the finish day of its latest predecessor (after a task finishing Friday: that
  Friday); a task after a milestone dated Friday starts Monday.
  A milestone with no predecessor (a kick-off), or one held back by its earliest start, marks the
  *start* of its day: a task linked after it with lag 0 starts that same day.
  (Internally a milestone is a point in time, at the end of a day when a predecessor places it and
  at the start of a day when a start date does; both are the same instant, only the date shown
  differs. MS Project behaves the same way.)
* **Lags.** A positive lag adds that many working days between predecessor and successor (a task
  finishing Friday, lag 2: successor starts Wednesday). A negative lag is a lead and overlaps
  (lag -1: the successor starts on the predecessor's last day).
* **Start.** An activity starts no earlier than max(project_start, its earliest_start), moved
  forward to a working day (a Saturday becomes the next Monday); with no predecessor it starts
  exactly there.
* **Float** is counted in working days. Total float: how far an activity can move without moving
  the project finish. Free float: how far it can move without moving any successor (for an
  activity without successors: up to the project finish). Critical: total float 0. A milestone's
  late date is the same kind of point as its early one (start or end of a day), so late minus
  early date equals its total float, except that no late date falls after the project finish.
* **Slip** is counted in working days, positive when the current date is later than the baseline.
* **RAG**, see `rag()`: green when nothing slips beyond `amber_after` days and nothing is overdue;
  red when the slip exceeds `red_after` days or `overdue_red` or more items are overdue; amber
  otherwise.

Messages raised here are English; callers that show them to users translate from the data carried
by the exception (`CycleError.cycle`).
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

GREEN = "green"
AMBER = "amber"
RED = "red"

# ---------------------------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------------------------
# A working-day index numbers the weekdays consecutively: _index(d) is how many working days lie
# in [0001-01-01, d]. date(1, 1, 1) is a Monday, so ordinal 1 is a Monday.


def _index(day: datetime.date) -> int:
    k = day.toordinal() - 1
    return 5 * (k // 7) + min(k % 7 + 1, 5)


def _day(index: int) -> datetime.date:
    """The working day whose index is `index` (inverse of _index on working days)."""
    weeks, weekday = divmod(index - 1, 5)
    return datetime.date.fromordinal(7 * weeks + weekday + 1)


def is_workday(day: datetime.date) -> bool:
    return day.weekday() < 5


def roll_forward(day: datetime.date) -> datetime.date:
    """The day itself when it is a working day, else the next Monday."""
    return day if day.weekday() < 5 else day + datetime.timedelta(days=7 - day.weekday())


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (before it when n < 0); `day` itself when n == 0.

    Saturday + 1 is Monday, Saturday - 1 is Friday. For a working day `a`,
    add_workdays(a, workdays_between(a, b)) == b for every working day b.
    """
    if n == 0:
        return day
    if n > 0:
        return _day(_index(day) + n)
    return _day(_index(day) + n + (0 if is_workday(day) else 1))


def workdays_between(a: datetime.date, b: datetime.date) -> int:
    """Signed count of working days from a to b: working days in (a, b], negative when b < a.

    Monday to Friday of the same week is 4, Friday to the next Monday is 1, Monday to the previous
    Friday is -1, equal days 0. Antisymmetric: workdays_between(b, a) == -workdays_between(a, b).
    """
    return _index(b) - _index(a)


# ---------------------------------------------------------------------------------------------
# Inputs and outputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """A task (duration >= 1 working days) or a milestone (duration 0)."""

    key: Hashable
    duration: int
    earliest_start: datetime.date | None = None
    milestone: bool = False

    def __post_init__(self):
        if not isinstance(self.duration, int) or self.duration < 0:
            raise ValueError(f"Activity {self.key}: duration must be a whole number of days >= 0.")
        if self.milestone and self.duration != 0:
            raise ValueError(f"Activity {self.key}: a milestone has duration 0.")

    @property
    def is_milestone(self) -> bool:
        return self.milestone or self.duration == 0


@dataclass(frozen=True)
class Link:
    """Finish-to-start: `successor` starts after `predecessor` finishes, `lag` working days later."""

    predecessor: Hashable
    successor: Hashable
    lag: int = 0


class CycleError(ValueError):
    """The links form a loop. `.cycle` lists the keys in order, first == last."""

    def __init__(self, cycle: list):
        self.cycle = list(cycle)
        super().__init__("Dependencies form a loop: " + " → ".join(str(key) for key in self.cycle))


@dataclass(frozen=True)
class Slot:
    """Where one activity sits: early and late dates, float in working days, criticality."""

    early_start: datetime.date
    early_finish: datetime.date
    late_start: datetime.date
    late_finish: datetime.date
    total_float: int
    free_float: int
    critical: bool


@dataclass(frozen=True)
class Schedule:
    items: dict = field(default_factory=dict)  # key -> Slot, in the order the activities were given
    start: datetime.date | None = None  # project start, moved forward to a working day
    finish: datetime.date | None = None  # the latest early finish (the project start when empty)
    critical_path: list = field(default_factory=list)  # keys along one longest chain, in order

    def dates(self) -> dict:
        """key -> (early_start, early_finish): the shape `slip()` and baselines take."""
        return {key: (slot.early_start, slot.early_finish) for key, slot in self.items.items()}


# ---------------------------------------------------------------------------------------------
# Dependency graph
# ---------------------------------------------------------------------------------------------


def _graph(keys: list, links: Iterable[Link]):
    """Successor and predecessor adjacency (lists of (key, lag)); unknown keys raise ValueError."""
    known = set(keys)
    successors = {key: [] for key in keys}
    predecessors = {key: [] for key in keys}
    for link in links:
        for key in (link.predecessor, link.successor):
            if key not in known:
                raise ValueError(f"A dependency refers to an unknown activity: {key}")
        successors[link.predecessor].append((link.successor, link.lag))
        predecessors[link.successor].append((link.predecessor, link.lag))
    return successors, predecessors


def _topological(keys: list, successors: dict, predecessors: dict) -> tuple[list, list | None]:
    """Kahn's algorithm. Returns (order, cycle); cycle is None when the graph has no loop."""
    indegree = {key: len(predecessors[key]) for key in keys}
    ready = [key for key in reversed(keys) if indegree[key] == 0]  # a stack; input order first
    order = []
    while ready:
        key = ready.pop()
        order.append(key)
        for successor, _lag in reversed(successors[key]):
            indegree[successor] -= 1
            if indegree[successor] == 0:
                ready.append(successor)
    if len(order) == len(keys):
        return order, None
    # Every key left over has a predecessor that is also left over: walking back from one of them
    # must come round to a key already seen, and the walk from there is a loop.
    remaining = {key for key in keys if indegree[key] > 0}
    position = {key: i for i, key in enumerate(keys)}
    walk, seen = [], {}
    key = next(key for key in keys if key in remaining)
    while key not in seen:
        seen[key] = len(walk)
        walk.append(key)
        key = next(pred for pred, _lag in predecessors[key] if pred in remaining)
    loop = list(reversed(walk[seen[key] :]))  # forward order: each key is a predecessor of the next
    first = min(range(len(loop)), key=lambda i: position[loop[i]])
    loop = loop[first:] + loop[:first]
    return order, loop + [loop[0]]


def find_cycle(keys: Iterable, links: Iterable[Link]) -> list | None:
    """One loop in the links as [A, B, C, A] (starting at the earliest key given), or None."""
    keys = list(keys)
    successors, predecessors = _graph(keys, links)
    return _topological(keys, successors, predecessors)[1]


# ---------------------------------------------------------------------------------------------
# Critical path method
# ---------------------------------------------------------------------------------------------
# Points in time are integers: 2*i is the start of working day i, 2*i + 1 its end. The end of day i
# and the start of day i + 1 are the same instant (overnight, or over a weekend) but are ordered
# end < start so that a milestone remembers which date to show. Durations and lags move a point by
# two per working day; _instant() maps a point to working-day boundaries for float arithmetic.


def _instant(point: int) -> int:
    return (point + 1) // 2


def _up_to_start(point: int) -> int:
    return point + (point & 1)


def _down_to_end(point: int) -> int:
    return point - 1 + (point & 1)


def schedule(activities: Iterable[Activity], links: Iterable[Link], project_start: datetime.date) -> Schedule:
    """Forward and backward pass in topological order, O(activities + links).

    Raises ValueError for duplicate activity keys or links to unknown keys, CycleError for loops.
    """
    activities = list(activities)
    links = list(links)
    keys = [activity.key for activity in activities]
    by_key = {activity.key: activity for activity in activities}
    if len(by_key) != len(keys):
        seen = set()
        duplicate = next(key for key in keys if key in seen or seen.add(key))
        raise ValueError(f"Two activities have the same key: {duplicate}")
    successors, predecessors = _graph(keys, links)
    order, cycle = _topological(keys, successors, predecessors)
    if cycle:
        raise CycleError(cycle)

    start = roll_forward(project_start)
    if not activities:
        return Schedule(items={}, start=start, finish=start, critical_path=[])
    start_index = _index(start)

    # Forward pass.
    early_start, early_finish = {}, {}
    for key in order:
        activity = by_key[key]
        bound = start_index
        if activity.earliest_start is not None:
            bound = max(bound, _index(roll_forward(activity.earliest_start)))
        point = 2 * bound
        for pred, lag in predecessors[key]:
            point = max(point, early_finish[pred] + 2 * lag)
        if activity.is_milestone:
            early_start[key] = early_finish[key] = point
        else:
            early_start[key] = _up_to_start(point)
            early_finish[key] = early_start[key] + 2 * activity.duration - 1
    finish_point = max(early_finish.values())

    # Backward pass.
    late_start, late_finish = {}, {}
    for key in reversed(order):
        activity = by_key[key]
        point = finish_point
        for succ, lag in successors[key]:
            point = min(point, late_start[succ] - 2 * lag)
        if activity.is_milestone:
            # Same instant, shown with the same kind of date as the early one, but never dated
            # after the project finish.
            if early_start[key] % 2 == 0 and _up_to_start(point) <= finish_point:
                point = _up_to_start(point)
            else:
                point = _down_to_end(point)
            late_start[key] = late_finish[key] = point
        else:
            late_finish[key] = _down_to_end(point)
            late_start[key] = late_finish[key] - 2 * activity.duration + 1

    items = {}
    total_float = {}
    for key in keys:
        total = _instant(late_start[key]) - _instant(early_start[key])
        finish_instant = _instant(early_finish[key])
        free = _instant(finish_point) - finish_instant
        for succ, lag in successors[key]:
            free = min(free, _instant(early_start[succ]) - finish_instant - lag)
        total_float[key] = total
        items[key] = Slot(
            early_start=_day(early_start[key] // 2),
            early_finish=_day(early_finish[key] // 2),
            late_start=_day(late_start[key] // 2),
            late_finish=_day(late_finish[key] // 2),
            total_float=total,
            free_float=free,
            critical=total <= 0,
        )

    return Schedule(
        items=items,
        start=start,
        finish=_day(finish_point // 2),
        critical_path=_critical_path(order, predecessors, early_start, early_finish, total_float),
    )


def _critical_path(order, predecessors, early_start, early_finish, total_float) -> list:
    """Walk back from the activity that finishes the project along driving critical links."""
    rank = {key: i for i, key in enumerate(order)}
    finish_point = max(early_finish.values())
    # The last one in topological order, so a closing milestone wins over the task it follows.
    key = max((k for k in order if early_finish[k] == finish_point), key=rank.__getitem__)
    path = [key]
    while True:
        start_instant = _instant(early_start[key])
        driving = [
            (early_finish[pred] + 2 * lag, rank[pred], pred)
            for pred, lag in predecessors[key]
            if total_float[pred] <= 0 and _instant(early_finish[pred]) + lag == start_instant
        ]
        if not driving:
            break
        key = max(driving, key=lambda item: item[:2])[2]
        path.append(key)
    path.reverse()
    return path


# ---------------------------------------------------------------------------------------------
# Baselines and status
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSlip:
    """Working days later than the baseline (negative: earlier); None when a date is missing."""

    start_slip: int | None
    finish_slip: int | None


@dataclass(frozen=True)
class SlipReport:
    items: dict = field(default_factory=dict)  # key -> ItemSlip, for keys in both plans
    added: list = field(default_factory=list)  # keys only in the current plan
    removed: list = field(default_factory=list)  # keys only in the baseline
    max_slip: int = 0  # the largest finish slip, 0 when nothing finishes later than its baseline

    @property
    def slipped(self) -> list:
        """Keys finishing later than their baseline, the worst first."""
        late = [(slip.finish_slip, key) for key, slip in self.items.items() if (slip.finish_slip or 0) > 0]
        return [key for _slip, key in sorted(late, key=lambda item: -item[0])]


def _slip(current: datetime.date | None, baseline: datetime.date | None) -> int | None:
    if current is None or baseline is None:
        return None
    return workdays_between(baseline, current)


def slip(current: Mapping, baseline: Mapping) -> SlipReport:
    """Compare two plans, each key -> (start, finish); dates may be None (no slip computed)."""
    items = {}
    for key, (start, finish) in current.items():
        if key in baseline:
            base_start, base_finish = baseline[key]
            items[key] = ItemSlip(_slip(start, base_start), _slip(finish, base_finish))
    finish_slips = [item.finish_slip for item in items.values() if item.finish_slip is not None]
    return SlipReport(
        items=items,
        added=[key for key in current if key not in baseline],
        removed=[key for key in baseline if key not in current],
        max_slip=max([0, *finish_slips]),
    )


def rag(
    max_slip_days: int,
    overdue_items: int,
    amber_after: int = 0,
    red_after: int = 10,
    overdue_red: int = 3,
) -> str:
    """RAG status from the worst slip (working days) and the number of overdue items.

    red:   slip > red_after, or overdue_items >= overdue_red;
    green: slip <= amber_after and nothing overdue;
    amber: anything else (some slip, or one or two overdue items with the defaults).
    """
    if max_slip_days > red_after or overdue_items >= overdue_red:
        return RED
    if max_slip_days <= amber_after and overdue_items == 0:
        return GREEN
    return AMBER


def downstream(key, links: Iterable[Link]) -> set:
    """Every task that waits for `key`, directly or through others."""
    successors: dict = {}
    for link in links:
        successors.setdefault(link.predecessor, []).append(link.successor)
    found, stack = set(), [key]
    while stack:
        for successor in successors.get(stack.pop(), []):
            if successor not in found:
                found.add(successor)
                stack.append(successor)
    return found
