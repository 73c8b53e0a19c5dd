"""Plan arithmetic (roadmap/schedule.py) against hand-worked dates.

The worked week: Monday 2 March 2026 (Mon 2, Tue 3, Wed 4, Thu 5, Fri 6, Sat 7, Sun 8, Mon 9, ...).
"""

import datetime
import random

import pytest

from roadmap.schedule import (
    Activity,
    CycleError,
    Link,
    add_workdays,
    find_cycle,
    is_workday,
    rag,
    roll_forward,
    schedule,
    slip,
    workdays_between,
)


def D(day, month=3):
    return datetime.date(2026, month, day)


MON = D(2)


def dates(plan, key):
    slot = plan.items[key]
    return slot.early_start, slot.early_finish


def late(plan, key):
    slot = plan.items[key]
    return slot.late_start, slot.late_finish


# --- working days -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (D(2), 0, D(2)),
        (D(2), 1, D(3)),
        (D(2), 4, D(6)),
        (D(2), 5, D(9)),  # over the weekend
        (D(6), 1, D(9)),  # Friday + 1 = Monday
        (D(9), -1, D(6)),  # Monday - 1 = Friday
        (D(9), -5, D(2)),
        (D(7), 1, D(9)),  # Saturday + 1 = Monday
        (D(8), 1, D(9)),  # Sunday + 1 = Monday
        (D(7), -1, D(6)),  # Saturday - 1 = Friday
        (D(8), -2, D(5)),  # Sunday - 2 = Thursday
        (D(7), 0, D(7)),  # n == 0 leaves the day alone
        (D(2), 10, D(16)),
        (D(27, 2), 1, D(2)),  # Friday 27 February + 1 = Monday 2 March (across the month end)
        (D(31, 12), 2, datetime.date(2027, 1, 4)),  # Thursday 31 Dec 2026 + 2 = Monday 4 Jan 2027
    ],
)
def test_add_workdays(day, n, expected):
    assert add_workdays(day, n) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2), D(2), 0),
        (D(2), D(6), 4),  # Monday to Friday
        (D(6), D(9), 1),  # Friday to Monday
        (D(9), D(6), -1),
        (D(2), D(9), 5),
        (D(2), D(16), 10),
        (D(16), D(2), -10),
        (D(6), D(7), 0),  # Friday to Saturday: no working day in between
        (D(7), D(8), 0),  # Saturday to Sunday
        (D(7), D(9), 1),  # Saturday to Monday
    ],
)
def test_workdays_between(a, b, expected):
    assert workdays_between(a, b) == expected
    assert workdays_between(b, a) == -expected


def test_workday_helpers_agree_over_a_year():
    days = [D(1, 1) + datetime.timedelta(days=i) for i in range(400)]
    workdays = [day for day in days if is_workday(day)]
    assert len(workdays) == sum(1 for day in days if day.weekday() < 5)
    for a in workdays[::7]:
        for b in workdays[::11]:
            assert add_workdays(a, workdays_between(a, b)) == b
    for i, day in enumerate(workdays[:-1]):
        assert add_workdays(day, 1) == workdays[i + 1]
        assert add_workdays(workdays[i + 1], -1) == day


def test_roll_forward():
    assert roll_forward(D(6)) == D(6)
    assert roll_forward(D(7)) == D(9)
    assert roll_forward(D(8)) == D(9)


# --- forward and backward pass ------------------------------------------------------------------


def test_chain():
    plan = schedule(
        [Activity("A", 3), Activity("B", 2), Activity("C", 1)],
        [Link("A", "B"), Link("B", "C")],
        MON,
    )
    assert dates(plan, "A") == (D(2), D(4))  # Mon-Wed
    assert dates(plan, "B") == (D(5), D(6))  # Thu-Fri
    assert dates(plan, "C") == (D(9), D(9))  # next Monday
    assert plan.start == D(2)
    assert plan.finish == D(9)
    assert plan.critical_path == ["A", "B", "C"]
    for key in "ABC":
        slot = plan.items[key]
        assert (slot.late_start, slot.late_finish) == (slot.early_start, slot.early_finish)
        assert slot.total_float == slot.free_float == 0
        assert slot.critical


def test_diamond_short_branch_has_the_difference_as_float():
    plan = schedule(
        [Activity("S", 1), Activity("X", 5), Activity("Y", 2), Activity("E", 1)],
        [Link("S", "X"), Link("S", "Y"), Link("X", "E"), Link("Y", "E")],
        MON,
    )
    assert dates(plan, "S") == (D(2), D(2))
    assert dates(plan, "X") == (D(3), D(9))  # Tue to next Mon
    assert dates(plan, "Y") == (D(3), D(4))
    assert dates(plan, "E") == (D(10), D(10))
    assert late(plan, "Y") == (D(6), D(9))
    assert plan.items["Y"].total_float == 3  # 5 - 2
    assert plan.items["Y"].free_float == 3
    assert not plan.items["Y"].critical
    assert [key for key, slot in plan.items.items() if slot.critical] == ["S", "X", "E"]
    assert plan.critical_path == ["S", "X", "E"]
    assert plan.finish == D(10)


def test_free_float_differs_from_total_float():
    # P(1) -> Q(1) -> E; R(4) -> E. P and Q share two days of float, only Q holds it as free float.
    plan = schedule(
        [Activity("P", 1), Activity("Q", 1), Activity("R", 4), Activity("E", 1)],
        [Link("P", "Q"), Link("Q", "E"), Link("R", "E")],
        MON,
    )
    assert plan.items["P"].total_float == 2
    assert plan.items["P"].free_float == 0
    assert plan.items["Q"].total_float == 2
    assert plan.items["Q"].free_float == 2
    assert plan.critical_path == ["R", "E"]


def test_positive_lag_adds_working_days_between():
    plan = schedule([Activity("A", 2), Activity("B", 1)], [Link("A", "B", lag=2)], MON)
    assert dates(plan, "A") == (D(2), D(3))
    assert dates(plan, "B") == (D(6), D(6))  # Wed and Thu are the lag, B on Friday
    assert plan.critical_path == ["A", "B"]
    assert plan.items["A"].total_float == 0

    plan = schedule([Activity("A", 5), Activity("B", 1)], [Link("A", "B", lag=2)], MON)
    assert dates(plan, "B") == (D(11), D(11))  # A ends Friday; Mon and Tue are the lag


def test_lead_overlaps():
    plan = schedule([Activity("A", 3), Activity("B", 2)], [Link("A", "B", lag=-1)], MON)
    assert dates(plan, "A") == (D(2), D(4))
    assert dates(plan, "B") == (D(4), D(5))  # starts on A's last day
    assert plan.finish == D(5)
    assert plan.critical_path == ["A", "B"]


def test_lead_cannot_start_before_the_project():
    plan = schedule([Activity("A", 1), Activity("B", 2)], [Link("A", "B", lag=-3)], MON)
    assert dates(plan, "B") == (D(2), D(3))
    assert plan.items["A"].total_float == 1  # the lead allows more, the project finish (Tue) does not
    assert late(plan, "A") == (D(3), D(3))


def test_milestone_sits_on_its_predecessors_finish_day():
    plan = schedule(
        [Activity("A", 5), Activity("M", 0, milestone=True), Activity("B", 1)],
        [Link("A", "M"), Link("M", "B")],
        MON,
    )
    assert dates(plan, "A") == (D(2), D(6))
    assert dates(plan, "M") == (D(6), D(6))  # Friday, A's finish day
    assert late(plan, "M") == (D(6), D(6))
    assert dates(plan, "B") == (D(9), D(9))  # the next Monday
    assert plan.critical_path == ["A", "M", "B"]


def test_milestone_closing_the_project_is_on_the_critical_path():
    plan = schedule([Activity("A", 5), Activity("Go-live", 0)], [Link("A", "Go-live")], MON)
    assert plan.items["Go-live"].early_start == plan.items["Go-live"].early_finish == D(6)
    assert plan.finish == D(6)
    assert plan.critical_path == ["A", "Go-live"]


def test_kickoff_milestone_marks_the_start_of_its_day():
    plan = schedule(
        [Activity("Kickoff", 0, milestone=True), Activity("T", 2), Activity("M2", 0)],
        [Link("Kickoff", "T"), Link("Kickoff", "M2")],
        MON,
    )
    assert dates(plan, "Kickoff") == (D(2), D(2))
    assert dates(plan, "T") == (D(2), D(3))  # same day as the kick-off
    assert dates(plan, "M2") == (D(2), D(2))
    assert plan.critical_path == ["Kickoff", "T"]
    assert plan.items["M2"].total_float == 2
    # From the start of Monday to the end of Tuesday (the project finish): two working days.
    assert late(plan, "M2") == (D(3), D(3))


def test_floating_milestone_after_a_kickoff_is_not_dated_after_the_finish():
    plan = schedule(
        [Activity("Kickoff", 0), Activity("M", 0), Activity("T", 3)],
        [Link("Kickoff", "M", lag=1)],
        MON,
    )
    assert dates(plan, "M") == (D(3), D(3))  # start of Tuesday
    assert late(plan, "M") == (D(4), D(4))  # end of Wednesday, the project finish
    assert plan.items["M"].total_float == 2
    assert plan.finish == D(4)


def test_milestone_with_lag_and_off_the_critical_path():
    plan = schedule(
        [Activity("A", 5), Activity("B", 1), Activity("M", 0)],
        [Link("B", "M", lag=1)],
        MON,
    )
    assert dates(plan, "M") == (D(3), D(3))  # B ends Monday; one day of lag: Tuesday
    assert plan.items["M"].total_float == 3
    assert late(plan, "M") == (D(6), D(6))
    assert plan.critical_path == ["A"]


def test_earliest_start_holds_an_activity_back():
    plan = schedule(
        [Activity("A", 2, earliest_start=D(4)), Activity("B", 1, earliest_start=D(9)), Activity("C", 1)],
        [Link("A", "B"), Link("A", "C")],
        MON,
    )
    assert dates(plan, "A") == (D(4), D(5))  # not before Wednesday
    assert dates(plan, "B") == (D(9), D(9))  # A ends Thursday, but B waits for Monday
    assert dates(plan, "C") == (D(6), D(6))
    assert plan.items["A"].free_float == 0  # C follows straight on
    assert plan.items["A"].total_float == 1  # A could end Friday without moving Monday's B
    assert plan.items["B"].critical
    assert plan.critical_path == ["B"]  # B is driven by its date, not by A


def test_earliest_start_before_the_project_start_is_ignored():
    plan = schedule([Activity("A", 1, earliest_start=D(20, 2))], [], MON)
    assert dates(plan, "A") == (D(2), D(2))


def test_weekend_starts_move_to_monday():
    plan = schedule([Activity("A", 1), Activity("B", 2, earliest_start=D(8))], [], D(28, 2))  # Saturday
    assert plan.start == D(2)
    assert dates(plan, "A") == (D(2), D(2))
    assert dates(plan, "B") == (D(9), D(10))  # Sunday 8 -> Monday 9


def test_activities_and_slots_keep_the_input_order():
    plan = schedule([Activity("Z", 1), Activity("A", 1)], [Link("Z", "A")], MON)
    assert list(plan.items) == ["Z", "A"]
    assert plan.dates() == {"Z": (D(2), D(2)), "A": (D(3), D(3))}


def test_empty_plan():
    plan = schedule([], [], D(7))
    assert plan.items == {}
    assert plan.finish == plan.start == D(9)
    assert plan.critical_path == []


# --- validation ---------------------------------------------------------------------------------


def test_cycle_is_named_in_order():
    activities = [Activity("A", 1), Activity("B", 1), Activity("C", 1)]
    links = [Link("A", "B"), Link("B", "C"), Link("C", "A")]
    with pytest.raises(CycleError) as caught:
        schedule(activities, links, MON)
    assert caught.value.cycle == ["A", "B", "C", "A"]
    assert str(caught.value) == "Dependencies form a loop: A → B → C → A"
    assert isinstance(caught.value, ValueError)
    assert find_cycle("ABC", links) == ["A", "B", "C", "A"]


def test_cycle_behind_a_tail_is_found():
    links = [Link("D", "B"), Link("B", "C"), Link("C", "E"), Link("E", "B"), Link("E", "F")]
    assert find_cycle(["D", "F", "E", "C", "B"], links) == ["E", "B", "C", "E"]


def test_self_loop():
    with pytest.raises(CycleError) as caught:
        schedule([Activity("A", 1)], [Link("A", "A")], MON)
    assert caught.value.cycle == ["A", "A"]
    assert str(caught.value) == "Dependencies form a loop: A → A"


def test_no_cycle():
    assert find_cycle("ABC", [Link("A", "B"), Link("A", "C"), Link("B", "C")]) is None
    assert find_cycle([], []) is None


def test_unknown_key_is_named():
    with pytest.raises(ValueError, match="unknown activity: Q"):
        schedule([Activity("A", 1)], [Link("A", "Q")], MON)
    with pytest.raises(ValueError, match="unknown activity: Q"):
        find_cycle(["A"], [Link("Q", "A")])


def test_bad_activities_are_refused():
    with pytest.raises(ValueError, match="same key: A"):
        schedule([Activity("A", 1), Activity("A", 2)], [], MON)
    with pytest.raises(ValueError, match="duration"):
        Activity("A", -1)
    with pytest.raises(ValueError, match="milestone"):
        Activity("M", 3, milestone=True)
    assert Activity("M", 0).is_milestone


# --- a large random plan ------------------------------------------------------------------------


def _random_plan(seed, size=1000, link_count=2000, milestones=False):
    rng = random.Random(seed)
    keys = [f"T{i}" for i in range(size)]
    rank = keys[:]
    rng.shuffle(rank)  # links only go forward in this order, so the graph has no loop
    activities = []
    for key in keys:
        if milestones and rng.random() < 0.1:
            activities.append(Activity(key, 0, milestone=True))
        else:
            earliest = add_workdays(MON, rng.randrange(60)) if rng.random() < 0.05 else None
            activities.append(Activity(key, rng.randint(1, 10), earliest_start=earliest))
    pairs = set()
    while len(pairs) < link_count:
        i, j = sorted(rng.sample(range(size), 2))
        pairs.add((rank[i], rank[j]))
    links = [Link(a, b, rng.choice([-2, -1, 0, 0, 0, 1, 3])) for a, b in sorted(pairs)]
    rng.shuffle(activities)
    return activities, links


def test_large_random_plan_against_a_naive_relaxation():
    activities, links = _random_plan(seed=7)
    plan = schedule(activities, links, MON)
    by_key = {a.key: a for a in activities}
    slots = plan.items
    assert len(slots) == 1000

    # An independent, naive computation on dates: relax every link until nothing moves.
    start = {a.key: max(MON, roll_forward(a.earliest_start or MON)) for a in activities}
    moved = True
    while moved:
        moved = False
        for link in links:
            finish = add_workdays(start[link.predecessor], by_key[link.predecessor].duration - 1)
            earliest = add_workdays(finish, 1 + link.lag)
            if earliest > start[link.successor]:
                start[link.successor] = earliest
                moved = True
    assert {key: slot.early_start for key, slot in slots.items()} == start

    assert plan.finish == max(slot.early_finish for slot in slots.values())
    for key, slot in slots.items():
        duration = by_key[key].duration
        for day in (slot.early_start, slot.early_finish, slot.late_start, slot.late_finish):
            assert is_workday(day)
        assert slot.early_finish == add_workdays(slot.early_start, duration - 1)
        assert slot.late_finish == add_workdays(slot.late_start, duration - 1)
        assert slot.late_finish <= plan.finish
        assert 0 <= slot.free_float <= slot.total_float
        assert workdays_between(slot.early_start, slot.late_start) == slot.total_float
        assert slot.critical == (slot.total_float == 0)
    for link in links:
        pred, succ = slots[link.predecessor], slots[link.successor]
        assert workdays_between(pred.early_finish, succ.early_start) >= 1 + link.lag
        assert workdays_between(pred.late_finish, succ.late_start) >= 1 + link.lag
    # Late dates are as late as possible: each activity is held by the finish or a successor.
    outgoing = {}
    for link in links:
        outgoing.setdefault(link.predecessor, []).append(link)
    for key, slot in slots.items():
        held = slot.late_finish == plan.finish or any(
            workdays_between(slot.late_finish, slots[link.successor].late_start) == 1 + link.lag
            for link in outgoing.get(key, [])
        )
        assert held, key

    path = plan.critical_path
    assert path
    assert slots[path[-1]].early_finish == plan.finish
    first = slots[path[0]]
    assert first.early_start in {MON, roll_forward(by_key[path[0]].earliest_start or MON)}
    lags = {(link.predecessor, link.successor): link.lag for link in links}
    for a, b in zip(path, path[1:], strict=False):
        assert slots[a].critical and slots[b].critical
        assert workdays_between(slots[a].early_finish, slots[b].early_start) == 1 + lags[a, b]


def test_large_random_plan_with_milestones_keeps_float_consistent():
    activities, links = _random_plan(seed=11, milestones=True)
    plan = schedule(activities, links, MON)
    for slot in plan.items.values():
        assert slot.early_start <= slot.early_finish
        assert 0 <= slot.free_float <= slot.total_float
        assert slot.late_finish <= plan.finish
    for link in links:
        pred, succ = plan.items[link.predecessor], plan.items[link.successor]
        # The weakest form of the rule holds for every kind of pair (a milestone may share a day).
        assert workdays_between(pred.early_finish, succ.early_start) >= link.lag
        # A start-of-day milestone keeps that kind of date when it floats late, so behind an
        # end-of-day successor its late date may show one day later than the link alone asks.
        assert workdays_between(pred.late_finish, succ.late_start) >= link.lag - 1
    for a, b in zip(plan.critical_path, plan.critical_path[1:], strict=False):
        assert plan.items[a].critical and plan.items[b].critical
    assert plan.items[plan.critical_path[-1]].early_finish == plan.finish


# --- slip and RAG -------------------------------------------------------------------------------


def test_slip_against_a_baseline():
    baseline = {"A": (D(2), D(4)), "B": (D(5), D(6)), "C": (D(9), D(9)), "M": (D(6), D(6))}
    current = {"A": (D(2), D(3)), "B": (D(6), D(10)), "M": (D(10), D(10)), "D": (D(11), D(12))}
    report = slip(current, baseline)
    assert report.items["A"].start_slip == 0
    assert report.items["A"].finish_slip == -1  # a day early
    assert report.items["B"].start_slip == 1
    assert report.items["B"].finish_slip == 2  # Friday -> Tuesday
    assert report.items["M"].finish_slip == 2
    assert report.added == ["D"]
    assert report.removed == ["C"]
    assert report.max_slip == 2
    assert report.slipped == ["B", "M"]


def test_slip_ahead_of_plan_and_missing_dates():
    report = slip({"A": (D(2), D(3)), "B": (None, None)}, {"A": (D(2), D(6)), "B": (D(2), D(2))})
    assert report.items["A"].finish_slip == -3
    assert report.items["B"].finish_slip is None
    assert report.max_slip == 0
    assert report.slipped == []
    assert slip({}, {}).max_slip == 0


def test_schedule_dates_feed_slip():
    before = schedule([Activity("A", 3), Activity("B", 2)], [Link("A", "B")], MON)
    after = schedule([Activity("A", 5), Activity("B", 2)], [Link("A", "B")], MON)
    report = slip(after.dates(), before.dates())
    assert report.items["B"].finish_slip == 2
    assert report.max_slip == 2


@pytest.mark.parametrize(
    ("max_slip", "overdue", "expected"),
    [
        (0, 0, "green"),
        (-3, 0, "green"),  # ahead of plan
        (1, 0, "amber"),
        (10, 0, "amber"),  # red only beyond red_after
        (11, 0, "red"),
        (0, 1, "amber"),
        (0, 2, "amber"),
        (0, 3, "red"),
        (5, 2, "amber"),
        (11, 1, "red"),
    ],
)
def test_rag_defaults(max_slip, overdue, expected):
    assert rag(max_slip, overdue) == expected


def test_rag_thresholds_are_configurable():
    assert rag(2, 0, amber_after=2) == "green"
    assert rag(3, 0, amber_after=2) == "amber"
    assert rag(4, 0, red_after=3) == "red"
    assert rag(0, 1, overdue_red=1) == "red"
