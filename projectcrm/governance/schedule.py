"""When a communication is next due. Plain dates in, plain dates out (no request, no ORM)."""

import calendar
import datetime

PERIOD_DAYS = {"daily": 1, "weekly": 7, "fortnightly": 14}
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3}


def add_months(start: datetime.date, months: int) -> datetime.date:
    """Same day of the month `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def occurrence(frequency: str, start: datetime.date, n: int) -> datetime.date:
    """The n-th due date (n = 0 is the first), counted from the start so months do not drift."""
    if frequency in PERIOD_DAYS:
        return start + datetime.timedelta(days=PERIOD_DAYS[frequency] * n)
    return add_months(start, PERIOD_MONTHS[frequency] * n)


def occurrences_until(frequency: str, start: datetime.date, last: datetime.date) -> int:
    """How many due dates fall on or before `last` (0 when `last` is before the start), by arithmetic."""
    if frequency == "as_needed" or last < start:
        return 0
    if frequency == "once":
        return 1
    if frequency in PERIOD_DAYS:
        return (last - start).days // PERIOD_DAYS[frequency] + 1
    step = PERIOD_MONTHS[frequency]
    months = (last.year - start.year) * 12 + last.month - start.month
    n = months // step + 1  # an upper bound: the last of these may fall after `last` (day of month)
    while n > 0 and occurrence(frequency, start, n - 1) > last:
        n -= 1
    return n


def next_due(
    frequency: str,
    start: datetime.date,
    last_sent: datetime.date | None,
    end: datetime.date | None = None,
) -> datetime.date | None:
    """The first due date after the last communication sent (or the first one, if none was sent).

    "once" is due at the start until sent; "as_needed" has no due date. None once past the end.
    """
    if frequency == "as_needed":
        return None
    if frequency == "once":
        return start if last_sent is None else None
    if last_sent is None or last_sent < start:
        due = start
    else:
        if frequency in PERIOD_DAYS:
            step = PERIOD_DAYS[frequency]
            n = (last_sent - start).days // step + 1
        else:
            months = (last_sent.year - start.year) * 12 + last_sent.month - start.month
            n = max(0, months // PERIOD_MONTHS[frequency])
            while occurrence(frequency, start, n) <= last_sent:
                n += 1
        due = occurrence(frequency, start, n)
    if end is not None and due > end:
        return None
    return due


def upcoming(frequency: str, start: datetime.date, last_sent, end, until: datetime.date, limit: int = 60):
    """Due dates from the next one up to `until` (for the calendar feed)."""
    due = next_due(frequency, start, last_sent, end)
    dates = []
    while due is not None and due <= until and len(dates) < limit:
        dates.append(due)
        if frequency == "once":
            break
        due = next_due(frequency, start, due, end)
    return dates
