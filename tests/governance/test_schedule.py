"""When communications are due (governance/schedule.py), against hand-worked dates."""

import datetime

import pytest

from projectcrm.governance import schedule

D = datetime.date


@pytest.mark.parametrize(
    ("frequency", "start", "last_sent", "end", "expected"),
    [
        # Weekly from Monday 6 January 2025.
        ("weekly", D(2025, 1, 6), None, None, D(2025, 1, 6)),
        ("weekly", D(2025, 1, 6), D(2025, 1, 6), None, D(2025, 1, 13)),
        ("weekly", D(2025, 1, 6), D(2025, 1, 8), None, D(2025, 1, 13)),  # sent late: next slot stays Monday
        ("weekly", D(2025, 1, 6), D(2025, 1, 12), None, D(2025, 1, 13)),
        ("weekly", D(2025, 1, 6), D(2025, 1, 13), None, D(2025, 1, 20)),
        ("weekly", D(2025, 1, 6), D(2025, 1, 1), None, D(2025, 1, 6)),  # sent before the plan started
        ("weekly", D(2024, 12, 30), D(2025, 2, 28), None, D(2025, 3, 3)),  # across a year and February
        # Every two weeks.
        ("fortnightly", D(2025, 1, 6), D(2025, 1, 6), None, D(2025, 1, 20)),
        ("fortnightly", D(2025, 1, 6), D(2025, 1, 19), None, D(2025, 1, 20)),
        ("fortnightly", D(2025, 1, 6), D(2025, 1, 20), None, D(2025, 2, 3)),
        ("fortnightly", D(2025, 1, 6), D(2025, 1, 13), None, D(2025, 1, 20)),
        # Daily.
        ("daily", D(2025, 1, 6), D(2025, 1, 9), None, D(2025, 1, 10)),
        # Monthly from the 31st: 31 Jan -> 28 Feb -> 31 Mar -> 30 Apr (counted from the start, no drift).
        ("monthly", D(2025, 1, 31), None, None, D(2025, 1, 31)),
        ("monthly", D(2025, 1, 31), D(2025, 1, 31), None, D(2025, 2, 28)),
        ("monthly", D(2025, 1, 31), D(2025, 2, 28), None, D(2025, 3, 31)),
        ("monthly", D(2025, 1, 31), D(2025, 3, 31), None, D(2025, 4, 30)),
        ("monthly", D(2025, 1, 31), D(2025, 3, 1), None, D(2025, 3, 31)),
        ("monthly", D(2024, 1, 31), D(2024, 1, 31), None, D(2024, 2, 29)),  # leap year
        ("monthly", D(2025, 1, 15), D(2025, 1, 20), None, D(2025, 2, 15)),
        ("monthly", D(2025, 1, 15), D(2025, 2, 14), None, D(2025, 2, 15)),
        ("monthly", D(2025, 11, 30), D(2025, 12, 30), None, D(2026, 1, 30)),  # across the year end
        # Quarterly.
        ("quarterly", D(2025, 1, 15), None, None, D(2025, 1, 15)),
        ("quarterly", D(2025, 1, 15), D(2025, 1, 15), None, D(2025, 4, 15)),
        ("quarterly", D(2025, 1, 15), D(2025, 5, 1), None, D(2025, 7, 15)),
        ("quarterly", D(2025, 1, 15), D(2025, 7, 15), None, D(2025, 10, 15)),
        ("quarterly", D(2024, 11, 30), D(2024, 11, 30), None, D(2025, 2, 28)),
        ("quarterly", D(2024, 11, 30), D(2025, 2, 28), None, D(2025, 5, 30)),
        # Once: due at the start until sent.
        ("once", D(2025, 3, 1), None, None, D(2025, 3, 1)),
        ("once", D(2025, 3, 1), D(2025, 3, 2), None, None),
        ("once", D(2025, 3, 1), D(2025, 2, 1), None, None),  # any log entry counts as sent
        # As needed: never due.
        ("as_needed", D(2025, 3, 1), None, None, None),
        ("as_needed", D(2025, 3, 1), D(2025, 3, 5), None, None),
        # The end date: due on it is still due, after it is not.
        ("weekly", D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 20), D(2025, 1, 20)),
        ("weekly", D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 19), None),
        ("monthly", D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 30), None),
        ("quarterly", D(2025, 1, 15), D(2025, 4, 15), D(2025, 7, 14), None),
        ("once", D(2025, 3, 1), None, D(2025, 3, 1), D(2025, 3, 1)),
    ],
)
def test_next_due(frequency, start, last_sent, end, expected):
    assert schedule.next_due(frequency, start, last_sent, end) == expected


def test_add_months_clamps_to_the_month_end():
    assert schedule.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert schedule.add_months(D(2025, 1, 31), 2) == D(2025, 3, 31)
    assert schedule.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert schedule.add_months(D(2025, 12, 15), 1) == D(2026, 1, 15)
    assert schedule.add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)


def test_upcoming_lists_due_dates_up_to_a_limit():
    assert schedule.upcoming("monthly", D(2025, 1, 31), None, None, D(2025, 5, 1)) == [
        D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30),
    ]
    assert schedule.upcoming("weekly", D(2025, 1, 6), D(2025, 1, 6), D(2025, 1, 27), D(2025, 12, 31)) == [
        D(2025, 1, 13), D(2025, 1, 20), D(2025, 1, 27),
    ]
    assert schedule.upcoming("once", D(2025, 3, 1), None, None, D(2025, 12, 31)) == [D(2025, 3, 1)]
    assert schedule.upcoming("as_needed", D(2025, 3, 1), None, None, D(2025, 12, 31)) == []
    assert len(schedule.upcoming("daily", D(2025, 1, 1), None, None, D(2026, 1, 1), limit=10)) == 10


def test_every_next_due_is_after_the_last_sent_and_on_the_plan():
    start = D(2025, 1, 31)
    plan = {schedule.occurrence("monthly", start, n) for n in range(30)}
    day = start
    while day < D(2026, 12, 31):
        due = schedule.next_due("monthly", start, day)
        assert due > day
        assert due in plan
        # No plan date lies strictly between the last sent and the next due date.
        assert not any(day < d < due for d in plan)
        day += datetime.timedelta(days=3)


@pytest.mark.parametrize("frequency", ["once", "daily", "weekly", "fortnightly", "monthly", "quarterly"])
def test_occurrences_until_counts_the_due_dates_one_by_one(frequency):
    """The arithmetic count equals counting occurrences one at a time, month ends included."""
    start = datetime.date(2026, 1, 31)
    for offset in range(0, 400, 7):
        last = start + datetime.timedelta(days=offset - 3)
        if frequency == "once":
            expected = 1 if start <= last else 0
        else:
            expected = 0
            while schedule.occurrence(frequency, start, expected) <= last:
                expected += 1
        assert schedule.occurrences_until(frequency, start, last) == expected, last
