"""iCalendar output for calendar feeds (icalendar does the escaping and line folding)."""

import datetime
from dataclasses import dataclass

import icalendar
from django.utils import timezone


@dataclass
class Event:
    uid: str
    date: datetime.date
    summary: str
    description: str = ""


def calendar(name: str, events: list[Event]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ProjectCRM//Communication plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        vevent.add("dtstamp", stamp)
        vevent.add("dtstart", event.date)
        vevent.add("dtend", event.date + datetime.timedelta(days=1))
        vevent.add("summary", event.summary)
        if event.description:
            vevent.add("description", event.description)
        cal.add_component(vevent)
    return cal.to_ical()
