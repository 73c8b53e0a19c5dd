"""Shared fixtures of the design tests: a process and a way to build a map from plain data."""

import pytest

from projectcrm.design import mapdata as md
from projectcrm.design.choices import MapKind
from projectcrm.design.models import Process, ProcessMap


@pytest.fixture
def process(project):
    return Process.objects.create(project=project, name="Lead capture and assignment", business_area="Sales")


@pytest.fixture
def make_map(project, process):
    """make_map(MapData, kind=MapKind.AS_IS, name="...") -> a saved ProcessMap holding that content."""

    def make(data: md.MapData | None = None, kind=MapKind.AS_IS, name=None, of=None):
        process_map = ProcessMap.objects.create(
            project=project, process=of or process, kind=kind, name=name or f"{MapKind(kind).label} map",
        )
        if data is not None:
            md.save_content(process_map, data)
        return process_map

    return make


def small_map() -> md.MapData:
    """Two lanes; start → capture lead → decision (qualified?) → assign (yes) / end (no); assign → end."""
    return md.MapData(
        lanes=[md.LaneData("Lane_sales", "Sales"), md.LaneData("Lane_crm", "CRM system")],
        steps=[
            md.StepData("Start_1", "Lead arrives", "start", "Lane_sales", 40, 80),
            md.StepData("Task_capture", "Capture lead", "task", "Lane_sales", 160, 80, performer="Sales assistant",
                        duration_minutes=15, pain_points=["duplicate_entry"]),
            md.StepData("Gateway_q", "Qualified?", "decision", "Lane_sales", 300, 80),
            md.StepData("Task_assign", "Assign to sales rep", "system", "Lane_crm", 440, 80, system="CRM",
                        duration_minutes=1, automated=True),
            md.StepData("End_1", "Done", "end", "Lane_sales", 580, 80),
        ],
        flows=[
            md.FlowData("Flow_1", "Start_1", "Task_capture"),
            md.FlowData("Flow_2", "Task_capture", "Gateway_q"),
            md.FlowData("Flow_3", "Gateway_q", "Task_assign", "yes"),
            md.FlowData("Flow_4", "Gateway_q", "End_1", "no"),
            md.FlowData("Flow_5", "Task_assign", "End_1"),
        ],
    ).normalised()
