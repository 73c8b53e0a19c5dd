"""Microsoft Project XML (MSPDI) interchange: a plan goes to MS Project or ProjectLibre and back.

A pure module: plain dataclasses in, bytes out, and the other way round. No models, no request.

Units and conventions (the MSPDI schema, mspdi_pj12.xsd and later):
- dates are written as a standard working day, YYYY-MM-DDT08:00:00 to YYYY-MM-DDT17:00:00;
- Duration is an xsd:duration of working time (PT40H0M0S is five 8-hour days);
- LinkLag is always in tenths of a minute of working time; LagFormat only says which unit a
  program shows it in (7 = days, 5 = hours, 3 = minutes ...) and whether it is elapsed time;
- PredecessorLink Type: 0 finish-to-finish, 1 finish-to-start, 2 start-to-finish, 3 start-to-start.

Our plans know phases (outline level 1) and tasks under them (level 2), working days Monday to
Friday, and finish-to-start links with a lag in working days. What a file holds beyond that
(deeper outline levels, other link types, fractional days) is brought into that shape on import
and each such change is named in `Plan.warnings`.
"""

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

MSPDI_NAMESPACE = "http://schemas.microsoft.com/project"
MAX_BYTES = 5 * 1024 * 1024
MINUTES_PER_DAY = 480
DAY_START = "08:00:00"
DAY_FINISH = "17:00:00"

LINK_FINISH_TO_FINISH = 0
LINK_FINISH_TO_START = 1
LINK_START_TO_FINISH = 2
LINK_START_TO_START = 3

LAG_FORMAT_DAYS = 7
DURATION_FORMAT_DAYS = 7
# LagFormat / DurationFormat codes: 3 m, 4 em, 5 h, 6 eh, 7 d, 8 ed, 9 w, 10 ew, 11 mo, 12 emo,
# 19 %, 20 e%; 35-52 are the same units marked as estimated ("?").
ELAPSED_FORMATS = frozenset({4, 6, 8, 10, 12, 36, 38, 40, 42, 44})
PERCENT_FORMATS = frozenset({19, 20, 51, 52})
# Longest texts the schema allows; longer ones are cut on export.
PROJECT_NAME_MAX = 255
PROJECT_TITLE_MAX = 512
TASK_NAME_MAX = 512
CONSTRAINT_AS_SOON_AS_POSSIBLE = 0
CONSTRAINT_START_NO_EARLIER_THAN = 4

# The first bytes of an OLE compound file: a binary .mpp saved by MS Project.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Characters XML 1.0 cannot carry, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ISO_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class MspdiError(Exception):
    """The file cannot be imported; the message says what is wrong, naming the task if one is."""


@dataclass
class PlanTask:
    uid: int
    name: str
    start: date
    finish: date
    duration: int  # working days, Monday to Friday, start and finish inclusive; 0 for milestones
    milestone: bool
    percent_complete: int
    outline_level: int  # 1 = phase, 2 = task under the phase before it
    notes: str = ""
    # (predecessor uid, lag in working days); finish-to-start links only
    predecessors: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Plan:
    name: str
    start: date
    tasks: list[PlanTask]
    # What an import had to change or leave out, one sentence each (empty after an export).
    warnings: list[str] = field(default_factory=list)


# --- Working days -----------------------------------------------------------------------------


def working_days(start: date, finish: date) -> int:
    """Monday-to-Friday days from start to finish, both included; 0 if finish is before start."""
    if finish < start:
        return 0
    days = (finish - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = start.weekday()
    for offset in range(rest):
        if (weekday + offset) % 7 < 5:
            count += 1
    return count


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after start (start itself moved to Monday if it
    falls on a weekend)."""
    current = start
    while current.weekday() >= 5:
        current += timedelta(days=1)
    weeks, rest = divmod(days, 5)
    current += timedelta(weeks=weeks)
    while rest:
        current += timedelta(days=1)
        if current.weekday() < 5:
            rest -= 1
    return current


def _round_half_away(value: float) -> int:
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)


# --- Export -------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _add(parent: ET.Element, tag: str, value) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if isinstance(value, bool):
        value = int(value)
    element.text = _clean(str(value))
    return element


def _day_start(day: date) -> str:
    return f"{day:%Y-%m-%d}T{DAY_START}"


def _day_finish(day: date) -> str:
    return f"{day:%Y-%m-%d}T{DAY_FINISH}"


def _hours(days: int) -> str:
    return f"PT{days * MINUTES_PER_DAY // 60}H0M0S"


def _check_exportable(plan: Plan) -> None:
    uids = [task.uid for task in plan.tasks]
    if any(uid < 1 for uid in uids):
        raise ValueError("Task UIDs must be positive: UID 0 is the project summary task.")
    if len(set(uids)) != len(uids):
        raise ValueError("Task UIDs must be unique.")
    known = set(uids)
    for task in plan.tasks:
        if task.outline_level not in (1, 2):
            raise ValueError(f"Task UID {task.uid}: outline level must be 1 or 2.")
        for predecessor, _lag in task.predecessors:
            if predecessor not in known:
                raise ValueError(f"Task UID {task.uid}: predecessor UID {predecessor} is not in the plan.")


def _add_standard_calendar(root: ET.Element) -> None:
    calendars = ET.SubElement(root, "Calendars")
    calendar = ET.SubElement(calendars, "Calendar")
    _add(calendar, "UID", 1)
    _add(calendar, "Name", "Standard")
    _add(calendar, "IsBaseCalendar", 1)
    _add(calendar, "IsBaselineCalendar", 0)
    _add(calendar, "BaseCalendarUID", -1)
    week_days = ET.SubElement(calendar, "WeekDays")
    for day_type in range(1, 8):  # 1 = Sunday ... 7 = Saturday
        week_day = ET.SubElement(week_days, "WeekDay")
        _add(week_day, "DayType", day_type)
        working = day_type not in (1, 7)
        _add(week_day, "DayWorking", working)
        if working:
            times = ET.SubElement(week_day, "WorkingTimes")
            for from_time, to_time in (("08:00:00", "12:00:00"), ("13:00:00", "17:00:00")):
                period = ET.SubElement(times, "WorkingTime")
                _add(period, "FromTime", from_time)
                _add(period, "ToTime", to_time)


def _add_task(
    tasks: ET.Element,
    *,
    uid: int,
    position: int,
    name: str,
    outline_number: str,
    outline_level: int,
    start: date,
    finish: date,
    duration: int,
    milestone: bool,
    summary: bool,
    percent_complete: int,
    notes: str = "",
    predecessors: list[tuple[int, int]] = (),
) -> None:
    task = ET.SubElement(tasks, "Task")
    _add(task, "UID", uid)
    _add(task, "ID", position)
    _add(task, "Name", name[:TASK_NAME_MAX])
    _add(task, "Active", 1)
    _add(task, "Manual", 0)
    _add(task, "Type", 1)  # fixed duration: the plan has durations, not resource work
    _add(task, "IsNull", 0)
    _add(task, "WBS", outline_number)
    _add(task, "OutlineNumber", outline_number)
    _add(task, "OutlineLevel", outline_level)
    _add(task, "Priority", 500)
    if milestone and duration == 0:
        # A milestone is a point in time: start and finish are the same moment.
        _add(task, "Start", _day_start(start))
        _add(task, "Finish", _day_start(finish))
    else:
        _add(task, "Start", _day_start(start))
        _add(task, "Finish", _day_finish(finish))
    _add(task, "Duration", _hours(duration))
    _add(task, "DurationFormat", DURATION_FORMAT_DAYS)
    _add(task, "Milestone", milestone)
    _add(task, "Summary", summary)
    _add(task, "PercentComplete", percent_complete)
    if summary or outline_level == 0:
        _add(task, "ConstraintType", CONSTRAINT_AS_SOON_AS_POSSIBLE)
        _add(task, "CalendarUID", -1)
    else:
        # Start-no-earlier-than keeps our dates when MS Project reschedules the plan on opening.
        _add(task, "ConstraintType", CONSTRAINT_START_NO_EARLIER_THAN)
        _add(task, "CalendarUID", -1)
        _add(task, "ConstraintDate", _day_start(start))
    if notes:
        _add(task, "Notes", notes)
    for predecessor, lag in predecessors:
        link = ET.SubElement(task, "PredecessorLink")
        _add(link, "PredecessorUID", predecessor)
        _add(link, "Type", LINK_FINISH_TO_START)
        _add(link, "CrossProject", 0)
        _add(link, "LinkLag", lag * MINUTES_PER_DAY * 10)
        _add(link, "LagFormat", LAG_FORMAT_DAYS)


def export_xml(plan: Plan) -> bytes:
    """The plan as an MSPDI document (UTF-8, with XML declaration) that MS Project 2010 or later
    and ProjectLibre open. Raises ValueError if the plan itself is inconsistent (duplicate or
    non-positive UIDs, outline levels other than 1 and 2, links to tasks not in the plan).

    Texts lose the control characters XML cannot hold, line breaks become \\n, and names longer than
    the schema allows are cut. Tasks carry a start-no-earlier-than constraint on their start so MS
    Project keeps the dates when it reschedules."""
    _check_exportable(plan)
    tasks = plan.tasks
    plan_start = min([plan.start, *(task.start for task in tasks)])
    plan_finish = max([plan.start, *(task.finish for task in tasks)])

    root = ET.Element("Project", {"xmlns": MSPDI_NAMESPACE})
    _add(root, "SaveVersion", 14)
    _add(root, "Name", plan.name[:PROJECT_NAME_MAX])
    _add(root, "Title", plan.name[:PROJECT_TITLE_MAX])
    _add(root, "ScheduleFromStart", 1)
    _add(root, "StartDate", _day_start(plan.start))
    _add(root, "FinishDate", _day_finish(plan_finish))
    _add(root, "FYStartDate", 1)
    _add(root, "CriticalSlackLimit", 0)
    _add(root, "CalendarUID", 1)
    _add(root, "DefaultStartTime", DAY_START)
    _add(root, "DefaultFinishTime", DAY_FINISH)
    _add(root, "MinutesPerDay", MINUTES_PER_DAY)
    _add(root, "MinutesPerWeek", MINUTES_PER_DAY * 5)
    _add(root, "DaysPerMonth", 20)
    _add(root, "DefaultTaskType", 1)
    _add(root, "DurationFormat", DURATION_FORMAT_DAYS)
    _add(root, "WorkFormat", 2)
    _add(root, "WeekStartDay", 1)
    _add_standard_calendar(root)

    tasks_element = ET.SubElement(root, "Tasks")
    if tasks:
        _add_task(
            tasks_element,
            uid=0,
            position=0,
            name=plan.name,
            outline_number="0",
            outline_level=0,
            start=plan_start,
            finish=plan_finish,
            duration=working_days(plan_start, plan_finish),
            milestone=False,
            summary=True,
            percent_complete=0,
        )
    phase_number = 0
    child_number = 0
    for position, task in enumerate(tasks, start=1):
        if task.outline_level == 1:
            phase_number += 1
            child_number = 0
            outline_number = str(phase_number)
        else:
            child_number += 1
            outline_number = f"{max(phase_number, 1)}.{child_number}"
        has_children = (
            task.outline_level == 1 and position < len(tasks) and tasks[position].outline_level == 2
        )
        _add_task(
            tasks_element,
            uid=task.uid,
            position=position,
            name=task.name,
            outline_number=outline_number,
            outline_level=task.outline_level,
            start=task.start,
            finish=task.finish,
            duration=task.duration,
            milestone=task.milestone,
            summary=has_children,
            percent_complete=task.percent_complete,
            notes=task.notes,
            predecessors=task.predecessors,
        )

    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body + "\n").encode("utf-8")


# --- Import -------------------------------------------------------------------------------------


def _local(tag) -> tuple[str, str]:
    """(namespace, local name) of an element tag."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag)[1] == name:
            return child
    return None


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag)[1] == name]


def _text(element: ET.Element, name: str) -> str | None:
    """Stripped text of a child element, or None if the child is missing or empty."""
    child = _child(element, name)
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    return text.strip().lower() in ("1", "true")


def _duration_minutes(text: str | None, minutes_per_day: float = MINUTES_PER_DAY) -> float | None:
    """Minutes of working time in an xsd:duration such as PT40H0M0S; None if missing or in a form
    MSPDI does not use (years, months). A day component counts as one working day."""
    if text is None:
        return None
    match = _ISO_DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        return None
    parts = {key: float(value) if value else 0.0 for key, value in match.groupdict().items() if key != "sign"}
    minutes = parts["days"] * minutes_per_day + parts["hours"] * 60 + parts["minutes"] + parts["seconds"] / 60
    return -minutes if match.group("sign") else minutes


class _Reader:
    """One import: keeps the project's minutes per day and collects warnings."""

    def __init__(self, root: ET.Element):
        self.root = root
        self.warnings: list[str] = []
        minutes = _number(_text(root, "MinutesPerDay"))
        self.minutes_per_day = minutes if minutes and minutes > 0 else MINUTES_PER_DAY

    # Messages name the task the way a planner finds it in MS Project: name and unique ID.
    @staticmethod
    def label(uid: int, name: str) -> str:
        return _("Task “%(name)s” (UID %(uid)s)") % {"name": name, "uid": uid}

    def moment(self, element: ET.Element, tag: str, label: str) -> tuple[datetime | None, bool]:
        """(value, has a time part) of a dateTime child; MspdiError if it is not a date."""
        text = _text(element, tag)
        if text is None:
            return None, False
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise MspdiError(
                _("%(task)s: %(field)s “%(value)s” is not a date and time.")
                % {"task": label, "field": tag, "value": text}
            )
        return value.replace(tzinfo=None), "T" in text

    def project_date(self, tag: str) -> date | None:
        text = _text(self.root, tag)
        if text is None:
            return None
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            raise MspdiError(
                _("The project’s %(field)s “%(value)s” is not a date.") % {"field": tag, "value": text}
            )

    def lag_days(self, tenths: float, lag_format: int, label: str, predecessor: int) -> int:
        """Working days of a LinkLag (tenths of a minute, whatever LagFormat displays)."""
        minutes = tenths / 10
        if lag_format in PERCENT_FORMATS:
            self.warnings.append(
                _(
                    "%(task)s: the lag after UID %(pred)s is a percentage of the predecessor’s duration, which is not supported; it was imported as no lag."
                )
                % {"task": label, "pred": predecessor}
            )
            return 0
        if lag_format in ELAPSED_FORMATS:
            calendar_days = minutes / (24 * 60)
            days = _round_half_away(calendar_days * 5 / 7)
            self.warnings.append(
                _(
                    "%(task)s: the elapsed lag of %(elapsed)s calendar days after UID %(pred)s was converted to %(days)s working days."
                )
                % {"task": label, "elapsed": f"{calendar_days:g}", "pred": predecessor, "days": days}
            )
            return days
        exact = minutes / self.minutes_per_day
        days = _round_half_away(exact)
        if abs(exact - days) > 1e-6:
            self.warnings.append(
                _(
                    "%(task)s: the lag of %(hours)s hours after UID %(pred)s was rounded to %(days)s working days."
                )
                % {"task": label, "hours": f"{minutes / 60:g}", "pred": predecessor, "days": days}
            )
        return days

    def links(self, element: ET.Element, label: str) -> list[tuple[int, int]]:
        links: list[tuple[int, int]] = []
        for link in _children(element, "PredecessorLink"):
            predecessor_number = _number(_text(link, "PredecessorUID"))
            if predecessor_number is None:
                self.warnings.append(
                    _("%(task)s: a link without a predecessor UID was left out.") % {"task": label}
                )
                continue
            predecessor = int(predecessor_number)
            if _flag(_text(link, "CrossProject")):
                self.warnings.append(
                    _("%(task)s: the link to UID %(pred)s in another project was left out.")
                    % {"task": label, "pred": predecessor}
                )
                continue
            link_type = _number(_text(link, "Type"))
            link_type = LINK_FINISH_TO_START if link_type is None else int(link_type)
            if link_type != LINK_FINISH_TO_START:
                kinds = {
                    LINK_FINISH_TO_FINISH: _("finish-to-finish"),
                    LINK_START_TO_FINISH: _("start-to-finish"),
                    LINK_START_TO_START: _("start-to-start"),
                }
                self.warnings.append(
                    _(
                        "%(task)s: the %(kind)s link from UID %(pred)s was left out; only finish-to-start links are imported."
                    )
                    % {"task": label, "kind": kinds.get(link_type, str(link_type)), "pred": predecessor}
                )
                continue
            tenths = _number(_text(link, "LinkLag")) or 0.0
            lag_format = _number(_text(link, "LagFormat"))
            lag_format = LAG_FORMAT_DAYS if lag_format is None else int(lag_format)
            links.append((predecessor, self.lag_days(tenths, lag_format, label, predecessor)))
        return links

    def task(self, element: ET.Element, position: int) -> PlanTask | None:
        uid_text = _text(element, "UID")
        if uid_text is None:
            raise MspdiError(_("Task number %(position)s in the file has no UID.") % {"position": position})
        try:
            uid = int(uid_text)
        except ValueError:
            raise MspdiError(_("Task UID “%(value)s” is not a whole number.") % {"value": uid_text})
        if uid == 0 or _flag(_text(element, "IsNull")):
            return None  # the project summary task, or a blank row
        name = (_text(element, "Name") or "").strip()
        if not name:
            raise MspdiError(_("Task UID %(uid)s has no name.") % {"uid": uid})
        label = self.label(uid, name)
        if _flag(_text(element, "ExternalTask")):
            self.warnings.append(
                _("%(task)s is a task of another project and was left out.") % {"task": label}
            )
            return None

        start_at, _start_has_time = self.moment(element, "Start", label)
        finish_at, finish_has_time = self.moment(element, "Finish", label)
        if start_at is None:
            raise MspdiError(_("%(task)s has no start date.") % {"task": label})
        start = start_at.date()
        minutes = _duration_minutes(_text(element, "Duration"), self.minutes_per_day)
        if finish_at is None and minutes is None:
            raise MspdiError(_("%(task)s has neither a finish date nor a duration.") % {"task": label})

        finish = None
        if finish_at is not None:
            finish = finish_at.date()
            # Some calendars end a day at midnight: 2025-03-07T24:00 is written 2025-03-08T00:00.
            if finish_has_time and finish_at.time() == time(0) and finish_at > start_at:
                finish -= timedelta(days=1)
            if finish < start:
                raise MspdiError(
                    _("%(task)s finishes (%(finish)s) before it starts (%(start)s).")
                    % {"task": label, "finish": finish.isoformat(), "start": start.isoformat()}
                )

        if minutes is not None and minutes >= 0:
            exact = minutes / self.minutes_per_day
            # A part day still occupies that day: 4 hours is one working day, 12 hours two.
            duration = round(exact) if abs(exact - round(exact)) < 1e-6 else math.ceil(exact)
            if abs(exact - duration) > 1e-6:
                self.warnings.append(
                    _("%(task)s: the duration of %(hours)s hours was rounded up to %(days)s working days.")
                    % {"task": label, "hours": f"{minutes / 60:g}", "days": duration}
                )
        else:
            duration = working_days(start, finish)

        # MS Project shows every zero-length task as a milestone; a task can also be flagged as a
        # milestone while it lasts some days, and then keeps its duration.
        milestone = bool(_flag(_text(element, "Milestone"))) or duration == 0
        if finish is None:
            finish = start if duration == 0 else add_working_days(start, duration - 1)

        level_number = _number(_text(element, "OutlineLevel"))
        percent = _number(_text(element, "PercentComplete")) or 0.0
        notes_element = _child(element, "Notes")
        return PlanTask(
            uid=uid,
            name=name,
            start=start,
            finish=finish,
            duration=duration,
            milestone=milestone,
            percent_complete=min(100, max(0, _round_half_away(percent))),
            outline_level=max(1, int(level_number)) if level_number is not None else 1,
            notes=(notes_element.text or "") if notes_element is not None else "",
            predecessors=self.links(element, label),
        )

    def flatten(self, tasks: list[PlanTask]) -> list[PlanTask]:
        """Bring the outline to phases (level 1) and tasks (level 2): summary tasks below level 1
        are left out, their subtasks move up to level 2."""
        kept: list[PlanTask] = []
        dropped: set[int] = set()
        seen_phase = False
        for index, task in enumerate(tasks):
            has_children = index + 1 < len(tasks) and tasks[index + 1].outline_level > task.outline_level
            if task.outline_level >= 2 and has_children:
                dropped.add(task.uid)
                self.warnings.append(
                    _(
                        "Summary task “%(name)s” (UID %(uid)s) at outline level %(level)s was left out with its links; its subtasks were moved up to level 2."
                    )
                    % {"name": task.name, "uid": task.uid, "level": task.outline_level}
                )
                continue
            if task.outline_level == 1 or not seen_phase:
                task.outline_level = 1
                seen_phase = True
            else:
                task.outline_level = 2
            kept.append(task)
        known = {task.uid for task in kept}
        for task in kept:
            links: list[tuple[int, int]] = []
            for predecessor, lag in task.predecessors:
                label = self.label(task.uid, task.name)
                if predecessor in dropped:
                    continue  # named in the summary task's warning
                if predecessor == task.uid:
                    self.warnings.append(_("%(task)s: a link to itself was left out.") % {"task": label})
                elif predecessor not in known:
                    self.warnings.append(
                        _(
                            "%(task)s: the link from UID %(pred)s was left out; there is no such task in the file."
                        )
                        % {"task": label, "pred": predecessor}
                    )
                elif any(existing == predecessor for existing, _lag in links):
                    self.warnings.append(
                        _("%(task)s: a second link from UID %(pred)s was left out.")
                        % {"task": label, "pred": predecessor}
                    )
                else:
                    links.append((predecessor, lag))
            task.predecessors = links
        return kept

    def plan(self) -> Plan:
        tasks_element = _child(self.root, "Tasks")
        if tasks_element is None:
            raise MspdiError(
                _(
                    "The file has a <Project> element but no <Tasks>: it is not a Microsoft Project plan, or the plan is empty."
                )
            )
        summary_name = ""
        tasks: list[PlanTask] = []
        seen: set[int] = set()
        for position, element in enumerate(_children(tasks_element, "Task"), start=1):
            task = self.task(element, position)
            if task is None:
                if _text(element, "UID") == "0":
                    summary_name = (_text(element, "Name") or "").strip()
                continue
            if task.uid in seen:
                raise MspdiError(_("Task UID %(uid)s appears twice in the file.") % {"uid": task.uid})
            seen.add(task.uid)
            tasks.append(task)
        tasks = self.flatten(tasks)

        # MS Project writes the file name in Name and the title (if one was typed) in Title.
        name = _text(self.root, "Title") or _text(self.root, "Name") or summary_name
        name = re.sub(r"\.(xml|mpp|pod)$", "", name.strip(), flags=re.IGNORECASE)
        start = self.project_date("StartDate")
        if start is None:
            if not tasks:
                raise MspdiError(_("The file has neither a project start date nor tasks."))
            start = min(task.start for task in tasks)
        return Plan(name=name, start=start, tasks=tasks, warnings=self.warnings)


def import_xml(data: bytes, max_bytes: int = MAX_BYTES) -> Plan:
    """Read an MSPDI file written by MS Project or ProjectLibre (with or without the MSPDI
    namespace). Refuses DTDs and entities (billion laughs, external entities) and files over
    max_bytes; raises MspdiError with a message that says what is wrong."""
    if len(data) > max_bytes:
        raise MspdiError(
            _("The file is %(size)s MB; Microsoft Project XML files are accepted up to %(limit)s MB.")
            % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{max_bytes / 1048576:g}"}
        )
    if data.startswith(OLE_SIGNATURE):
        raise MspdiError(
            _(
                "This is a binary .mpp file. In Microsoft Project or ProjectLibre, save the plan as XML (File › Save As › XML) and import that file."
            )
        )
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise MspdiError(
            _(
                "The file declares a DTD or entities. Such files are refused because they can read local files or exhaust the server; save the plan again from MS Project or ProjectLibre."
            )
        )
    except ET.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise MspdiError(
            _(
                "The file is not XML (the reader stopped at line %(line)s, column %(column)s). Save the plan from MS Project or ProjectLibre as XML."
            )
            % {"line": line, "column": column}
        )
    namespace, local = _local(root.tag)
    if local != "Project" or (namespace and not namespace.startswith(MSPDI_NAMESPACE)):
        raise MspdiError(
            _(
                'The file is XML but not a Microsoft Project plan: it starts with <%(tag)s> instead of <Project xmlns="%(namespace)s">.'
            )
            % {
                "tag": local if not namespace else f'{local} xmlns="{namespace}"',
                "namespace": MSPDI_NAMESPACE,
            }
        )
    return _Reader(root).plan()
