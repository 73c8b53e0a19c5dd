"""Microsoft Project XML (MSPDI) export and import: round trip, a ProjectLibre file, hostile files."""

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from roadmap.mspdi import (
    MSPDI_NAMESPACE,
    MspdiError,
    Plan,
    PlanTask,
    add_working_days,
    export_xml,
    import_xml,
    working_days,
)

FIXTURE = Path(__file__).parent / "fixtures" / "projectlibre_plan.xml"
NS = {"p": MSPDI_NAMESPACE}


def sample_plan() -> Plan:
    return Plan(
        name="CRM 试点 – sales pilot",
        start=date(2025, 3, 3),
        tasks=[
            PlanTask(1, "Initiation and roadmap", date(2025, 3, 3), date(2025, 3, 14), 10, False, 60, 1),
            PlanTask(
                2,
                "Form the team",
                date(2025, 3, 3),
                date(2025, 3, 7),
                5,
                False,
                100,
                2,
                notes="Sponsor: VP Sales",
            ),
            PlanTask(
                3,
                "Draw up the CRM plan",
                date(2025, 3, 10),
                date(2025, 3, 14),
                5,
                False,
                35,
                2,
                predecessors=[(2, 0)],
            ),
            PlanTask(
                4,
                "里程碑: roadmap approved",
                date(2025, 3, 14),
                date(2025, 3, 14),
                0,
                True,
                0,
                2,
                notes="里程碑\n第二行 with <angle> & ampersand",
                predecessors=[(3, 0)],
            ),
            PlanTask(5, "Requirements and design", date(2025, 3, 19), date(2025, 4, 8), 15, False, 0, 1),
            PlanTask(
                6,
                "调研现有业务流程",
                date(2025, 3, 19),
                date(2025, 4, 1),
                10,
                False,
                20,
                2,
                predecessors=[(4, 2)],
            ),
            PlanTask(
                7,
                "Process maps",
                date(2025, 3, 26),
                date(2025, 4, 8),
                10,
                False,
                0,
                2,
                predecessors=[(6, -4), (3, 5)],
            ),
            PlanTask(
                8,
                "Go-live decision",
                date(2025, 4, 8),
                date(2025, 4, 8),
                0,
                True,
                0,
                1,
                notes="里程碑",
                predecessors=[(7, 0)],
            ),
        ],
    )


def mspdi(tasks: str, *, namespace: bool = True, header: str = "") -> bytes:
    xmlns = f' xmlns="{MSPDI_NAMESPACE}"' if namespace else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Project{xmlns}><Name>t</Name>'
        f"<StartDate>2025-03-03T08:00:00</StartDate>{header}<Tasks>{tasks}</Tasks></Project>"
    ).encode()


def task_xml(
    uid: int,
    name: str = "Task",
    start: str = "2025-03-03T08:00:00",
    finish: str = "2025-03-07T17:00:00",
    extra: str = "",
) -> str:
    name_xml = f"<Name>{name}</Name>" if name is not None else ""
    start_xml = f"<Start>{start}</Start>" if start else ""
    finish_xml = f"<Finish>{finish}</Finish>" if finish else ""
    return (
        f"<Task><UID>{uid}</UID>{name_xml}<OutlineLevel>1</OutlineLevel>{start_xml}{finish_xml}{extra}</Task>"
    )


def link_xml(uid: int, lag: int = 0, lag_format: int = 7, link_type: int = 1) -> str:
    return (
        f"<PredecessorLink><PredecessorUID>{uid}</PredecessorUID><Type>{link_type}</Type>"
        f"<LinkLag>{lag}</LinkLag><LagFormat>{lag_format}</LagFormat></PredecessorLink>"
    )


# --- Round trip -----------------------------------------------------------------------------------


def test_it_round_trips_a_plan_unchanged():
    plan = sample_plan()
    again = import_xml(export_xml(plan))
    assert again == plan
    assert again.warnings == []


def test_it_round_trips_twice_to_the_same_bytes():
    data = export_xml(sample_plan())
    assert export_xml(import_xml(data)) == data


def test_it_writes_mspdi_as_ms_project_does():
    data = export_xml(sample_plan())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
    assert "里程碑".encode() in data  # UTF-8, not character references
    root = ET.fromstring(data)
    assert root.tag == f"{{{MSPDI_NAMESPACE}}}Project"
    assert root.findtext("p:MinutesPerDay", namespaces=NS) == "480"
    assert root.findtext("p:StartDate", namespaces=NS) == "2025-03-03T08:00:00"
    week = root.findall("p:Calendars/p:Calendar/p:WeekDays/p:WeekDay", NS)
    working = {
        day.findtext("p:DayType", namespaces=NS): day.findtext("p:DayWorking", namespaces=NS) for day in week
    }
    assert working == {"1": "0", "2": "1", "3": "1", "4": "1", "5": "1", "6": "1", "7": "0"}

    tasks = {task.findtext("p:UID", namespaces=NS): task for task in root.findall("p:Tasks/p:Task", NS)}
    assert list(tasks) == ["0", "1", "2", "3", "4", "5", "6", "7", "8"]
    summary = tasks["0"]
    assert summary.findtext("p:OutlineLevel", namespaces=NS) == "0"
    assert summary.findtext("p:Summary", namespaces=NS) == "1"

    phase = tasks["1"]
    assert phase.findtext("p:Summary", namespaces=NS) == "1"
    assert phase.findtext("p:OutlineNumber", namespaces=NS) == "1"
    assert tasks["8"].findtext("p:Summary", namespaces=NS) == "0"  # level 1 without children
    assert tasks["8"].findtext("p:OutlineNumber", namespaces=NS) == "3"

    team = tasks["2"]
    assert team.findtext("p:ID", namespaces=NS) == "2"
    assert team.findtext("p:OutlineNumber", namespaces=NS) == "1.1"
    assert team.findtext("p:Start", namespaces=NS) == "2025-03-03T08:00:00"
    assert team.findtext("p:Finish", namespaces=NS) == "2025-03-07T17:00:00"
    assert team.findtext("p:Duration", namespaces=NS) == "PT40H0M0S"
    assert team.findtext("p:Milestone", namespaces=NS) == "0"
    assert team.findtext("p:PercentComplete", namespaces=NS) == "100"

    milestone = tasks["4"]
    assert milestone.findtext("p:Milestone", namespaces=NS) == "1"
    assert milestone.findtext("p:Duration", namespaces=NS) == "PT0H0M0S"

    (link,) = tasks["6"].findall("p:PredecessorLink", NS)
    assert link.findtext("p:PredecessorUID", namespaces=NS) == "4"
    assert link.findtext("p:Type", namespaces=NS) == "1"
    assert link.findtext("p:LinkLag", namespaces=NS) == "9600"
    assert link.findtext("p:LagFormat", namespaces=NS) == "7"
    lags = [link.findtext("p:LinkLag", namespaces=NS) for link in tasks["7"].findall("p:PredecessorLink", NS)]
    assert lags == ["-19200", "24000"]


def test_it_refuses_to_export_an_inconsistent_plan():
    plan = sample_plan()
    plan.tasks[1].uid = 1
    with pytest.raises(ValueError, match="unique"):
        export_xml(plan)
    plan = sample_plan()
    plan.tasks[2].predecessors = [(99, 0)]
    with pytest.raises(ValueError, match="99"):
        export_xml(plan)


def test_it_exports_an_empty_plan():
    plan = Plan(name="Empty", start=date(2025, 3, 3), tasks=[])
    assert import_xml(export_xml(plan)) == plan


# --- A file written by ProjectLibre ------------------------------------------------------------------


def test_it_imports_a_projectlibre_file():
    plan = import_xml(FIXTURE.read_bytes())
    assert plan.name == "CRM pilot – sales department"
    assert plan.start == date(2025, 3, 3)
    assert plan.tasks == [
        PlanTask(1, "Initiation and roadmap", date(2025, 3, 3), date(2025, 3, 14), 10, False, 75, 1),
        PlanTask(
            2,
            "Form the selection and implementation team",
            date(2025, 3, 3),
            date(2025, 3, 7),
            5,
            False,
            100,
            2,
            notes="Sponsor: VP Sales. 选型与实施团队 includes two key users.",
        ),
        PlanTask(
            3,
            "Draw up the CRM plan with the IT plan",
            date(2025, 3, 10),
            date(2025, 3, 14),
            5,
            False,
            50,
            2,
            predecessors=[(2, 0)],
        ),
        PlanTask(
            4, "Roadmap approved", date(2025, 3, 14), date(2025, 3, 14), 0, True, 0, 2, predecessors=[(3, 0)]
        ),
        PlanTask(5, "Requirements and design", date(2025, 3, 19), date(2025, 4, 1), 10, False, 0, 1),
        PlanTask(
            6,
            "调研现有业务流程 (survey current business processes)",
            date(2025, 3, 19),
            date(2025, 4, 1),
            10,
            False,
            0,
            2,
            notes="Interviews with 12 sales reps; 现状报告 due at the end.",
            predecessors=[(4, 2)],
        ),
        PlanTask(7, "Draw the current process maps", date(2025, 3, 19), date(2025, 3, 25), 5, False, 0, 2),
        PlanTask(
            8,
            "Requirements signed off",
            date(2025, 4, 1),
            date(2025, 4, 1),
            0,
            True,
            0,
            2,
            predecessors=[(6, 0), (7, 0)],
        ),
    ]
    assert len(plan.warnings) == 1
    assert "start-to-start" in plan.warnings[0]
    assert "UID 7" in plan.warnings[0] and "UID 6" in plan.warnings[0]


def test_it_imports_a_file_without_the_namespace():
    data = FIXTURE.read_bytes().replace(f' xmlns="{MSPDI_NAMESPACE}"'.encode(), b"")
    assert b"xmlns" not in data
    assert import_xml(data) == import_xml(FIXTURE.read_bytes())


def test_it_reexports_a_projectlibre_file_and_reads_it_back():
    plan = import_xml(FIXTURE.read_bytes())
    plan.warnings = []
    assert import_xml(export_xml(plan)) == plan


# --- Import details ---------------------------------------------------------------------------------


def test_it_reads_the_duration_from_the_dates_when_duration_is_missing():
    plan = import_xml(mspdi(task_xml(1, start="2025-03-06T08:00:00", finish="2025-03-12T17:00:00")))
    (task,) = plan.tasks
    assert (task.start, task.finish, task.duration, task.milestone) == (
        date(2025, 3, 6),
        date(2025, 3, 12),
        5,
        False,
    )


def test_it_reads_the_finish_from_the_duration_when_finish_is_missing():
    plan = import_xml(
        mspdi(task_xml(1, start="2025-03-06T08:00:00", finish="", extra="<Duration>PT24H0M0S</Duration>"))
    )
    (task,) = plan.tasks
    assert (task.finish, task.duration) == (date(2025, 3, 10), 3)


def test_it_reads_a_finish_at_midnight_as_the_day_before():
    plan = import_xml(mspdi(task_xml(1, start="2025-03-03T00:00:00", finish="2025-03-08T00:00:00")))
    assert plan.tasks[0].finish == date(2025, 3, 7)


def test_it_rounds_part_days_up_with_a_warning():
    plan = import_xml(mspdi(task_xml(1, finish="2025-03-03T12:00:00", extra="<Duration>PT4H0M0S</Duration>")))
    assert plan.tasks[0].duration == 1
    assert "4 hours" in plan.warnings[0]


def test_it_uses_the_projects_minutes_per_day():
    header = "<MinutesPerDay>420</MinutesPerDay>"
    tasks = task_xml(1, extra="<Duration>PT35H0M0S</Duration>") + task_xml(
        2, start="2025-03-11T08:00:00", finish="2025-03-11T17:00:00", extra=link_xml(1, lag=4200)
    )
    plan = import_xml(mspdi(tasks, header=header))
    assert plan.tasks[0].duration == 5
    assert plan.tasks[1].predecessors == [(1, 1)]
    assert plan.warnings == []


@pytest.mark.parametrize(
    "lag, lag_format, days, warned",
    [
        (9600, 7, 2, False),  # 2 days shown in days
        (9600, 39, 2, False),  # 2 days, estimated
        (4800, 5, 1, False),  # 8 hours shown in hours
        (2400, 5, 1, True),  # 4 hours rounds to a day
        (1200, 3, 0, True),  # 2 hours rounds to nothing
        (-4800, 7, -1, False),  # a lead of one day
        (24000, 9, 5, False),  # one week shown in weeks
        (100800, 8, 5, True),  # 7 elapsed days are 5 working days
        (500, 19, 0, True),  # percentage lags are not supported
    ],
)
def test_it_converts_link_lags_to_working_days(lag, lag_format, days, warned):
    tasks = task_xml(1) + task_xml(
        2, start="2025-03-17T08:00:00", finish="2025-03-18T17:00:00", extra=link_xml(1, lag, lag_format)
    )
    plan = import_xml(mspdi(tasks))
    assert plan.tasks[1].predecessors == [(1, days)]
    assert bool(plan.warnings) is warned


@pytest.mark.parametrize(
    "link_type, kind", [(0, "finish-to-finish"), (2, "start-to-finish"), (3, "start-to-start")]
)
def test_it_leaves_out_other_link_types_with_a_warning(link_type, kind):
    tasks = task_xml(1) + task_xml(2, extra=link_xml(1, link_type=link_type))
    plan = import_xml(mspdi(tasks))
    assert plan.tasks[1].predecessors == []
    assert plan.warnings == [
        f"Task “Task” (UID 2): the {kind} link from UID 1 was left out; only finish-to-start links are imported."
    ]


def test_it_leaves_out_links_to_unknown_tasks_and_cross_project_links():
    cross = "<PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type><CrossProject>1</CrossProject></PredecessorLink>"
    tasks = task_xml(1) + task_xml(2, extra=link_xml(42) + cross + link_xml(2))
    plan = import_xml(mspdi(tasks))
    assert plan.tasks[1].predecessors == []
    assert len(plan.warnings) == 3
    assert any("UID 42" in warning for warning in plan.warnings)


def test_it_flattens_deeper_outlines_to_phases_and_tasks():
    def level(uid, outline_level, extra=""):
        return task_xml(uid, name=f"T{uid}", extra=extra).replace(
            "<OutlineLevel>1</OutlineLevel>", f"<OutlineLevel>{outline_level}</OutlineLevel>"
        )

    tasks = level(1, 1) + level(2, 2) + level(3, 3) + level(4, 3, link_xml(3)) + level(5, 2, link_xml(2))
    plan = import_xml(mspdi(tasks))
    assert [(task.uid, task.outline_level) for task in plan.tasks] == [(1, 1), (3, 2), (4, 2), (5, 2)]
    assert plan.tasks[1].predecessors == []
    assert plan.tasks[2].predecessors == [(3, 0)]
    assert plan.tasks[3].predecessors == []  # its predecessor was the summary task left out
    assert len(plan.warnings) == 1 and "UID 2" in plan.warnings[0]


def test_it_skips_blank_rows_and_takes_the_name_from_the_summary_task():
    data = (
        f'<Project xmlns="{MSPDI_NAMESPACE}"><Tasks>'
        "<Task><UID>0</UID><Name>Plan from the summary task</Name><OutlineLevel>0</OutlineLevel></Task>"
        "<Task><UID>5</UID><ID>1</ID><IsNull>1</IsNull></Task>"
        f"{task_xml(6)}</Tasks></Project>"
    ).encode()
    plan = import_xml(data)
    assert plan.name == "Plan from the summary task"
    assert plan.start == date(2025, 3, 3)  # no StartDate: the first task's start
    assert [task.uid for task in plan.tasks] == [6]


def test_it_strips_the_file_name_extension_ms_project_writes_as_name():
    data = mspdi(task_xml(1)).replace(b"<Name>t</Name>", b"<Name>Pilot plan.xml</Name>")
    assert import_xml(data).name == "Pilot plan"


# --- Files that are refused -----------------------------------------------------------------------


def test_it_names_the_task_without_a_name():
    with pytest.raises(MspdiError, match="UID 7 has no name"):
        import_xml(mspdi(task_xml(1) + task_xml(7, name="  ")))
    with pytest.raises(MspdiError, match="UID 8 has no name"):
        import_xml(mspdi(task_xml(8, name=None)))


def test_it_names_the_task_without_dates():
    with pytest.raises(MspdiError, match=r"Task “Kick-off” \(UID 3\) has no start date"):
        import_xml(mspdi(task_xml(3, name="Kick-off", start="")))
    with pytest.raises(MspdiError, match=r"\(UID 4\) has neither a finish date nor a duration"):
        import_xml(mspdi(task_xml(4, finish="")))
    with pytest.raises(MspdiError, match=r"\(UID 5\): Start “next week” is not a date"):
        import_xml(mspdi(task_xml(5, start="next week")))
    with pytest.raises(MspdiError, match=r"\(UID 6\) finishes \(2025-03-01\) before it starts"):
        import_xml(mspdi(task_xml(6, finish="2025-03-01T17:00:00")))


def test_it_refuses_duplicate_uids():
    with pytest.raises(MspdiError, match="UID 1 appears twice"):
        import_xml(mspdi(task_xml(1) + task_xml(1)))


def test_it_refuses_a_billion_laughs_file():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE Project [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol9;</Name><Tasks/></Project>"""
    with pytest.raises(MspdiError, match="DTD or entities"):
        import_xml(data)


def test_it_refuses_a_dtd_with_an_external_entity():
    data = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Tasks><Task><UID>1</UID><Name>&secret;</Name>
<Start>2025-03-03T08:00:00</Start><Finish>2025-03-03T17:00:00</Finish></Task></Tasks></Project>"""
    with pytest.raises(MspdiError, match="DTD or entities"):
        import_xml(data)


def test_it_refuses_an_external_dtd():
    data = b'<?xml version="1.0"?>\n<!DOCTYPE Project SYSTEM "http://example.com/evil.dtd">\n<Project><Tasks/></Project>'
    with pytest.raises(MspdiError, match="DTD or entities"):
        import_xml(data)


@pytest.mark.parametrize(
    "data", [b"", b"UID,Name\n1,Kick-off\n", b"\x89PNG\r\n\x1a\n\x00\x00", b"<Project><Tasks>"]
)
def test_it_says_when_a_file_is_not_xml(data):
    with pytest.raises(MspdiError, match="The file is not XML"):
        import_xml(data)


def test_it_recognises_a_binary_mpp_file():
    with pytest.raises(MspdiError, match=r"binary \.mpp file"):
        import_xml(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)


@pytest.mark.parametrize(
    "data, shown",
    [
        (b"<html><body>Plan</body></html>", "<html>"),
        (
            b'<Project xmlns="http://schemas.microsoft.com/developer/msbuild/2003"><PropertyGroup/></Project>',
            "msbuild",
        ),
        (b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "definitions"),
    ],
)
def test_it_says_when_xml_is_not_a_project(data, shown):
    with pytest.raises(MspdiError, match="not a Microsoft Project plan") as error:
        import_xml(data)
    assert shown in str(error.value)


def test_it_says_when_a_project_has_no_tasks():
    with pytest.raises(MspdiError, match="no <Tasks>"):
        import_xml(b'<Project xmlns="http://schemas.microsoft.com/project"><Name>x</Name></Project>')


def test_it_refuses_a_file_over_the_size_cap():
    data = export_xml(sample_plan())
    with pytest.raises(MspdiError, match="accepted up to"):
        import_xml(data, max_bytes=len(data) - 1)
    assert import_xml(data, max_bytes=len(data)).tasks
    with pytest.raises(MspdiError, match="5 MB"):
        import_xml(b" " * (5 * 1024 * 1024 + 1))


# --- Working days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, finish, days",
    [
        (date(2025, 3, 3), date(2025, 3, 3), 1),
        (date(2025, 3, 3), date(2025, 3, 7), 5),
        (date(2025, 3, 3), date(2025, 3, 9), 5),
        (date(2025, 3, 7), date(2025, 3, 10), 2),
        (date(2025, 3, 8), date(2025, 3, 9), 0),
        (date(2025, 3, 3), date(2025, 4, 1), 22),
        (date(2025, 3, 10), date(2025, 3, 3), 0),
    ],
)
def test_working_days(start, finish, days):
    assert working_days(start, finish) == days


def test_add_working_days():
    assert add_working_days(date(2025, 3, 6), 2) == date(2025, 3, 10)
    assert add_working_days(date(2025, 3, 8), 0) == date(2025, 3, 10)
    assert add_working_days(date(2025, 3, 3), 10) == date(2025, 3, 17)


def test_it_round_trips_a_milestone_flagged_on_a_task_with_duration():
    plan = Plan(
        name="Flagged",
        start=date(2025, 3, 3),
        tasks=[PlanTask(1, "Sign-off week", date(2025, 3, 3), date(2025, 3, 7), 5, True, 0, 1)],
    )
    assert import_xml(export_xml(plan)) == plan


def test_it_writes_only_characters_xml_can_hold():
    plan = sample_plan()
    plan.tasks[0].name = "Bell\x07 phase"
    plan.tasks[1].notes = "line one\r\nline two\x00"
    again = import_xml(export_xml(plan))
    assert again.tasks[0].name == "Bell phase"
    assert again.tasks[1].notes == "line one\nline two"
