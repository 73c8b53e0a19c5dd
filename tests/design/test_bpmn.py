"""BPMN 2.0 export and import (design/bpmn.py).

Fixtures in tests/design/fixtures/ are written by hand after what the tools save:
Camunda Modeler (collaboration, lanes, camunda:/zeebe: extensions, DI), bpmn.io (process only,
DI) and Signavio (default namespace, no DI). Expected positions are worked out in the comments.
"""

import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from projectcrm.design import bpmn
from projectcrm.design import mapdata as md
from projectcrm.design.bpmn import BPMN, BPMNDI, DC, DI, PCRM, BpmnError, export_bpmn, parse_bpmn, read_bpmn
from projectcrm.design.models import LANE_HEADER
from tests.design.conftest import small_map

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_key(data: md.MapData) -> dict:
    return {s.key: s for s in data.steps}


def flows_of(data: md.MapData) -> dict:
    return {f.key: (f.source, f.target, f.condition) for f in data.flows}


# --- export -----------------------------------------------------------------------------------


def q(local, ns=BPMN):
    return f"{{{ns}}}{local}"


def test_export_structure():
    data = small_map()
    data.lanes[0].stakeholder_id = 7
    xml = export_bpmn("Lead capture", data)
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    text = xml.decode()
    for prefix, ns in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI), ("pcrm", PCRM)):
        assert f'xmlns:{prefix}="{ns}"' in text
    root = ET.fromstring(xml)
    participant = root.find(f"{q('collaboration')}/{q('participant')}")
    assert participant.get("name") == "Lead capture"
    process = root.find(q("process"))
    assert participant.get("processRef") == process.get("id")
    lanes = process.findall(f"{q('laneSet')}/{q('lane')}")
    assert [lane.get("id") for lane in lanes] == ["Lane_sales", "Lane_crm"]
    assert [r.text for r in lanes[1].findall(q("flowNodeRef"))] == ["Task_assign"]
    assert lanes[0].get(q("height", PCRM)) == "160" and lanes[0].get(q("stakeholder", PCRM)) == "7"
    kinds = {child.get("id"): child.tag.rpartition("}")[2] for child in process if child.get("id")}
    assert kinds["Start_1"] == "startEvent" and kinds["End_1"] == "endEvent"
    assert kinds["Task_capture"] == "userTask" and kinds["Task_assign"] == "serviceTask"
    assert kinds["Gateway_q"] == "exclusiveGateway" and kinds["Flow_3"] == "sequenceFlow"
    capture = process.find(f"{q('userTask')}[@id='Task_capture']")
    step = capture.find(f"{q('extensionElements')}/{q('step', PCRM)}")
    assert step.attrib == {"kind": "task", "performer": "Sales assistant", "duration": "15",
                           "painPoints": "duplicate_entry", "automated": "false"}
    assert [e.text for e in capture.findall(q("incoming"))] == ["Flow_1"]
    assert [e.text for e in capture.findall(q("outgoing"))] == ["Flow_2"]
    yes = process.find(f"{q('sequenceFlow')}[@id='Flow_3']")
    assert yes.get("name") == "yes"
    expression = yes.find(q("conditionExpression"))
    assert expression.text == "yes"
    assert expression.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "bpmn:tFormalExpression"
    assert process.find(f"{q('sequenceFlow')}[@id='Flow_1']").find(q("conditionExpression")) is None


def test_export_diagram_coordinates():
    """Pool at x 0 with a 30 px band, lanes from x 30; a shape's left edge is 30 + 40 (lane header) + x - width/2.
    Task_assign (system, 120 x 64) at x 440, y 80 in the second lane (top 160): bounds 450, 208, 120, 64."""
    root = ET.fromstring(export_bpmn("Lead capture", small_map()))
    plane = root.find(f"{q('BPMNDiagram', BPMNDI)}/{q('BPMNPlane', BPMNDI)}")
    assert plane.get("bpmnElement") == root.find(q("collaboration")).get("id")
    shapes = {s.get("bpmnElement"): s for s in plane.iter(q("BPMNShape", BPMNDI))}

    def bounds(key):
        b = shapes[key].find(q("Bounds", DC))
        return tuple(int(b.get(a)) for a in ("x", "y", "width", "height"))

    assert bounds("Lane_sales")[:2] == (30, 0) and bounds("Lane_crm")[1:] == (160, bounds("Lane_crm")[2], 160)
    assert shapes["Lane_crm"].get("isHorizontal") == "true"
    assert bounds("Task_assign") == (30 + LANE_HEADER + 440 - 60, 160 + 80 - 32, 120, 64)
    assert bounds("Start_1") == (30 + 40 + 40 - 18, 80 - 18, 36, 36)
    edges = {e.get("bpmnElement"): [(int(w.get("x")), int(w.get("y"))) for w in e.iter(q("waypoint", DI))]
             for e in plane.iter(q("BPMNEdge", BPMNDI))}
    # Start_1 (92..128, centre y 80) to Task_capture (170..290, centre y 80): one straight segment.
    assert edges["Flow_1"] == [(128, 80), (170, 80)]
    # Gateway_q (345..395, y 80) to Task_assign (450.., y 240): right side, across at x 422, into the left side.
    assert edges["Flow_3"] == [(395, 80), (422, 80), (422, 240), (450, 240)]


def test_waypoints_to_a_target_on_the_left_leave_from_the_bottom():
    assert bpmn.waypoints((300, 100, 100, 80), (100, 100, 100, 80)) == [
        (350, 180), (350, 200), (80, 200), (80, 140), (100, 140)]


def test_export_ids_never_clash_with_map_keys():
    data = small_map()
    data.lanes[0].key = "Process_1"
    data.steps = [md.StepData(**{**s.__dict__, "lane": "Process_1" if s.lane == "Lane_sales" else s.lane})
                  for s in data.steps]
    root = ET.fromstring(export_bpmn("m", data))
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert parse_bpmn(export_bpmn("m", data)) == data


# --- round trip -------------------------------------------------------------------------------


def test_round_trip_small_map(make_map):
    saved = md.load(make_map(small_map()))
    assert parse_bpmn(export_bpmn("Lead capture", saved)) == saved


def test_round_trip_cjk_and_awkward_values(make_map):
    data = md.MapData(
        lanes=[md.LaneData("Lane_1", "销售部 / 業務部", 240), md.LaneData("Lane_2", "客服 <&> \"引号\"", 90)],
        steps=[
            md.StepData("Start_1", "", "start", "Lane_1", 10, 20),
            md.StepData("Activity_1", "录入线索 & 分配", "task", "Lane_1", 200, 120, description="第一行\r\n第二行\n  indented  ",
                        performer="销售助理", system="Excel", duration_minutes=0, volume=1200,
                        pain_points=["manual_rekeying", "duplicate_entry"]),
            md.StepData("Gateway_1", "是否合格？", "decision", "Lane_2", 400, 45),
            md.StepData("Gateway_2", "", "parallel", "Lane_2", 500, 45),
            md.StepData("Activity_2", "交接", "handoff", "Lane_1", 650, 60, automated=True),
            md.StepData("Event_1", "等待 3 天", "event", "Lane_2", 800, 45, performer="  spaced  "),
            md.StepData("End_1", "完成", "end", "Lane_1", 950, 60),
        ],
        flows=[
            md.FlowData("Flow_1", "Start_1", "Activity_1"),
            md.FlowData("Flow_2", "Activity_1", "Gateway_1"),
            md.FlowData("Flow_3", "Gateway_1", "Gateway_2", "是 (yes)  "),
            md.FlowData("Flow_4", "Gateway_1", "End_1", "金额 > 10,000 & 折扣 < 5%"),
            md.FlowData("Flow_5", "Gateway_2", "Activity_2"),
            md.FlowData("Flow_6", "Gateway_2", "Event_1"),
            md.FlowData("Flow_7", "Activity_2", "Start_1"),  # leads back, to the left
            md.FlowData("Flow_8", "Event_1", "End_1"),
        ],
    ).normalised()
    saved = md.load(make_map(data, name="线索管理（现状）"))
    assert saved == data
    xml = export_bpmn("线索管理（现状）", saved)
    assert "线索管理（现状）".encode() in xml
    imported = read_bpmn(xml, "map.bpmn")
    assert imported.data == saved
    assert imported.name == "线索管理（现状）"
    assert imported.notes == []


def test_round_trip_of_an_empty_lane_and_negative_coordinates(make_map):
    data = md.MapData(
        lanes=[md.LaneData("Lane_a", "A"), md.LaneData("Lane_empty", "Nobody yet", 80)],
        steps=[md.StepData("Task_1", "Left of the header", "task", "Lane_a", -30, -5),
               md.StepData("Task_2", "", "system", "Lane_a", 300, 400)],
        flows=[md.FlowData("Flow_1", "Task_1", "Task_2")],
    ).normalised()
    saved = md.load(make_map(data))
    assert parse_bpmn(export_bpmn("m", saved)) == saved


# --- other tools -------------------------------------------------------------------------------


def test_camunda_modeler_file():
    imported = read_bpmn(fixture("camunda_lead_qualification.bpmn"), "camunda_lead_qualification.bpmn")
    data = imported.data
    assert imported.name == "Lead qualification"
    # The black-box "Prospect" pool has no process: no lane. Camunda's line break in a name becomes a space.
    assert [(lane.key, lane.name, lane.height) for lane in data.lanes] == [
        ("Lane_Marketing", "Marketing", 180), ("Lane_Sales", "Sales", 160), ("Lane_CRM", "CRM system", 160)]
    steps = by_key(data)
    assert {k: (s.kind, s.lane) for k, s in steps.items()} == {
        "StartEvent_LeadReceived": ("start", "Lane_Marketing"),
        "Activity_CaptureLead": ("task", "Lane_Marketing"),
        "Activity_Enrich": ("system", "Lane_CRM"),
        "Gateway_Qualified": ("decision", "Lane_Sales"),
        "Activity_AssignRep": ("task", "Lane_Sales"),
        "Activity_Nurture": ("system", "Lane_Marketing"),
        "EndEvent_Assigned": ("end", "Lane_Sales"),
        "EndEvent_Nurtured": ("end", "Lane_Marketing"),
    }
    capture = steps["Activity_CaptureLead"]
    assert capture.name == "Capture lead"
    assert capture.description == "The sales assistant keys the lead from the trade-fair card or the e-mail."
    assert (capture.performer, capture.system, capture.duration_minutes, capture.pain_points) == ("", "", None, [])
    # x = shape centre - lane x (190) - lane header (40); y = centre - lane top.
    # Start: centre (260, 170) in Marketing (top 80) -> (30, 90); Enrich: (530, 500) in CRM (top 420) -> (300, 80).
    assert {k: (s.x, s.y) for k, s in steps.items()} == {
        "StartEvent_LeadReceived": (30, 90), "Activity_CaptureLead": (150, 90), "Activity_Enrich": (300, 80),
        "Gateway_Qualified": (430, 80), "Activity_AssignRep": (570, 80), "Activity_Nurture": (570, 90),
        "EndEvent_Assigned": (700, 80), "EndEvent_Nurtured": (700, 90),
    }
    # The message flow from the Prospect pool ends at a pool, not a step: left out.
    assert flows_of(data) == {
        "Flow_0a1lq2v": ("StartEvent_LeadReceived", "Activity_CaptureLead", ""),
        "Flow_1b6yh0c": ("Activity_CaptureLead", "Activity_Enrich", ""),
        "Flow_0m2c7sd": ("Activity_Enrich", "Gateway_Qualified", ""),
        "Flow_Qualified": ("Gateway_Qualified", "Activity_AssignRep", "Qualified"),
        "Flow_NotQualified": ("Gateway_Qualified", "Activity_Nurture", "=lead.score < 60"),
        "Flow_1x0v3ae": ("Activity_AssignRep", "EndEvent_Assigned", ""),
        "Flow_0r4t2ym": ("Activity_Nurture", "EndEvent_Nurtured", ""),
    }
    assert md.validate(data) == []


def test_bpmnio_process_without_lanes():
    data = parse_bpmn(fixture("bpmnio_quotation.bpmn"), "bpmnio_quotation.bpmn")
    # No pool, no lane: one lane named after the process, framed 40 px around the shapes
    # (top 80 - 40 = 40, bottom 270 + 40 = 310), at x 0.
    assert [(lane.key, lane.name, lane.height) for lane in data.lanes] == [("Process_Quotation", "Quotation", 270)]
    steps = by_key(data)
    assert {k: (s.kind, s.x, s.y) for k, s in steps.items()} == {
        "StartEvent_1": ("start", 130, 80),           # centre (170, 120)
        "Activity_Prepare": ("task", 250, 80),        # centre (290, 120)
        "Gateway_Discount": ("decision", 380, 80),
        "Activity_Approve": ("task", 510, 190),       # centre (550, 230)
        "Gateway_Join": ("decision", 640, 80),
        "Activity_Send": ("system", 770, 80),
        "Event_Wait": ("event", 890, 80),
        "EndEvent_Sent": ("end", 990, 80),
    }
    assert all(s.lane == "Process_Quotation" for s in data.steps)
    assert steps["Gateway_Join"].name == ""
    assert steps["Activity_Prepare"].description == "Prices come from the spreadsheet on the shared drive."
    assert "DataObjectReference_Quote" not in steps
    assert flows_of(data)["Flow_3"] == ("Gateway_Discount", "Activity_Approve", "yes")
    assert flows_of(data)["Flow_4"] == ("Gateway_Discount", "Gateway_Join", "no")
    assert len(data.flows) == 8
    assert md.validate(data) == []


def test_signavio_default_namespace_without_diagram_is_laid_out():
    imported = read_bpmn(fixture("signavio_default_namespace.bpmn"), "signavio_default_namespace.bpmn")
    data = imported.data
    assert imported.name == "Service request and escalation"
    # Columns by longest path from the start: Start 0, Log 1, Urgent? 2, Dispatch 3, Schedule 3, Repair 4,
    # Fixed? 5, End 6 (the loop Fixed? -> Dispatch is ignored); x = 80 + 170 * column.
    # Dispatch and Schedule share lane and column: stacked at y 80 and 180; the lane grows to 260.
    assert [(lane.key, lane.name, lane.height) for lane in data.lanes] == [
        ("sid-Lane-ServiceDesk", "Service desk", 260), ("sid-Lane-Engineer", "Field engineer", 160)]
    assert {k: (s.kind, s.lane, s.x, s.y) for k, s in by_key(data).items()} == {
        "sid-Start-Request": ("start", "sid-Lane-ServiceDesk", 80, 80),
        "sid-Task-Log": ("task", "sid-Lane-ServiceDesk", 250, 80),
        "sid-Gateway-Urgent": ("decision", "sid-Lane-ServiceDesk", 420, 80),
        "sid-Task-Dispatch": ("task", "sid-Lane-ServiceDesk", 590, 80),
        "sid-Task-Schedule": ("task", "sid-Lane-ServiceDesk", 590, 180),
        "sid-Task-Repair": ("handoff", "sid-Lane-Engineer", 760, 80),
        "sid-Gateway-Fixed": ("decision", "sid-Lane-Engineer", 930, 80),
        "sid-End-Closed": ("end", "sid-Lane-Engineer", 1100, 80),
    }
    log = data.step("sid-Task-Log")
    assert log.description == "Typed into the ticket spreadsheet; the customer number is looked up by hand."
    flows = flows_of(data)
    assert flows["sid-Flow-Urgent"][2] == "urgent"
    assert flows["sid-Flow-NotUrgent"][2] == "priority != 'high'"
    assert flows["sid-Flow-Retry"] == ("sid-Gateway-Fixed", "sid-Task-Dispatch", "no")
    assert md.validate(data) == []


def test_longest_path_columns_with_a_cycle_and_no_start_event():
    columns = bpmn.longest_path_columns(
        ["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "b"), ("a", "c"), ("c", "d")], starts=set())
    assert columns == {"a": 0, "b": 1, "c": 2, "d": 3}


FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" id="D">
  <bpmn:collaboration id="C">
    <bpmn:participant id="P_a" name="Office" processRef="Proc_a" />
    <bpmn:participant id="P_b" name="Warehouse" processRef="Proc_b" />
    <bpmn:messageFlow id="M_1" name="order" sourceRef="T_1" targetRef="T_2" />
    <bpmn:messageFlow id="M_2" sourceRef="P_a" targetRef="T_2" />
  </bpmn:collaboration>
  <bpmn:process id="Proc_a">
    <bpmn:laneSet id="LS">
      <bpmn:lane id="L_top" name="Top"><bpmn:flowNodeRef>S_1</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="L_bottom" name="Bottom" />
    </bpmn:laneSet>
    <bpmn:startEvent id="S_1" />
    <bpmn:task id="T_1" name="Send order" />
    <bpmn:task id="T_loop" name="Loop" />
    <bpmn:sequenceFlow id="F_1" sourceRef="S_1" targetRef="T_1" />
    <bpmn:sequenceFlow id="F_self" sourceRef="T_loop" targetRef="T_loop" />
  </bpmn:process>
  <bpmn:process id="Proc_empty" name="Drawn by mistake" />
  <bpmn:process id="Proc_b">
    <bpmn:receiveTask id="T_2" name="Pick order" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Dg"><bpmndi:BPMNPlane id="Pl" bpmnElement="C">
    <bpmndi:BPMNShape id="L_top_di" bpmnElement="L_top"><dc:Bounds x="-100" y="0" width="600" height="100" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="L_bottom_di" bpmnElement="L_bottom"><dc:Bounds x="-100" y="100" width="600" height="60" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="P_b_di" bpmnElement="P_b"><dc:Bounds x="-130" y="200" width="630" height="120" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="S_1_di" bpmnElement="S_1"><dc:Bounds x="-80" y="32" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="T_1_di" bpmnElement="T_1"><dc:Bounds x="0" y="100" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="T_loop_di" bpmnElement="T_loop"><dc:Bounds x="200" y="10" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="T_2_di" bpmnElement="T_2"><dc:Bounds x="0" y="220" width="100" height="80" /></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def test_several_pools_lane_shapes_message_flows_and_shift():
    imported = read_bpmn(FOREIGN.encode(), "two-pools.bpmn")
    data = imported.data
    # Lane heights from the lane shapes (Bottom 60 is raised to the 80 px minimum); the pool without lanes is one
    # lane; the empty process no participant shows gives none.
    assert [(lane.key, lane.name, lane.height) for lane in data.lanes] == [
        ("L_top", "Top", 100), ("L_bottom", "Bottom", 80), ("P_b", "Warehouse", 120)]
    steps = by_key(data)
    # T_1 is in no flowNodeRef: its centre (50, 140) lies in the Bottom lane's shape. T_loop: centre in Top.
    assert {k: s.lane for k, s in steps.items()} == {"S_1": "L_top", "T_1": "L_bottom", "T_loop": "L_top", "T_2": "P_b"}
    assert steps["T_2"].kind == "system" and steps["S_1"].name == ""
    # Before the shift: S_1 centre x -62 -> -62 + 100 - 40 = -2 (left edge -20); T_1 50 + 100 - 40 = 110;
    # T_2 50 + 130 - 40 = 140. The left-most shape starts at -20, so every x moves 30 to the right.
    assert {k: (s.x, s.y) for k, s in steps.items()} == {
        "S_1": (28, 50), "T_1": (140, 40), "T_loop": (340, 50), "T_2": (170, 60)}
    assert flows_of(data) == {"F_1": ("S_1", "T_1", ""), "M_1": ("T_1", "T_2", "order")}
    assert any("F_self" in note for note in imported.notes)
    assert imported.name == "Office"


def test_pcrm_extension_wins_over_the_element_type():
    xml = FOREIGN.replace('<bpmn:task id="T_1" name="Send order" />',
                          '<bpmn:task id="T_1" name="Send order"><bpmn:extensionElements xmlns:pcrm="%s">'
                          '<pcrm:step kind="handoff" performer="Clerk" duration="20" volume="300" '
                          'painPoints="slow_response bogus" automated="true"/></bpmn:extensionElements></bpmn:task>' % PCRM)
    imported = read_bpmn(xml.encode(), "x.bpmn")
    step = imported.data.step("T_1")
    assert (step.kind, step.performer, step.duration_minutes, step.volume, step.pain_points, step.automated) == (
        "handoff", "Clerk", 20, 300, ["slow_response"], True)
    assert any("pain points" in note for note in imported.notes)


def test_bad_number_in_extension_names_the_element():
    xml = FOREIGN.replace('<bpmn:task id="T_1" name="Send order" />',
                          '<bpmn:task id="T_1"><bpmn:extensionElements xmlns:pcrm="%s"><pcrm:step kind="task" '
                          'duration="-5"/></bpmn:extensionElements></bpmn:task>' % PCRM)
    with pytest.raises(BpmnError, match=r"“x\.bpmn”.*duration.*“T_1”"):
        parse_bpmn(xml.encode(), "x.bpmn")


# --- bad and malicious files ---------------------------------------------------------------------


def refused(content: bytes, filename="evil.bpmn", match=None) -> str:
    started = time.perf_counter()
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(content, filename)
    assert time.perf_counter() - started < 1.0
    message = str(caught.value)
    assert filename in message
    if match:
        assert match in message
    return message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="P"><task id="T" name="&lol9;"/></process></definitions>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE definitions [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="P"><task id="T" name="&xxe;"/></process></definitions>
"""

EXTERNAL_DTD = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE definitions SYSTEM "http://attacker.example/bpmn.dtd">
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="P"><task id="T"/></process></definitions>
"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["laughs", "xxe", "dtd"])
def test_doctype_entities_and_external_references_are_refused_fast(content):
    message = refused(content, match="DOCTYPE")
    assert "root:" not in message  # nothing of /etc/passwd


def test_oversized_file_is_refused_before_parsing():
    limit = bpmn.max_bytes()
    assert limit == 5 * 1024 * 1024
    body = b'<task id="T"/>' * (limit // 14 + 1)
    content = b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="P">' + body
    refused(content, "huge.bpmn", match="5.0 MB")


def test_size_limit_comes_from_the_setting(settings):
    settings.BPMN_MAX_BYTES = 1000
    refused(fixture("bpmnio_quotation.bpmn"), "quotation.bpmn", match="larger than")


def test_too_many_steps_are_refused_fast():
    tasks = "".join(f'<task id="T_{n}"/>' for n in range(md.MAX_STEPS + 1))
    content = f'<definitions xmlns="{BPMN}"><process id="P">{tasks}</process></definitions>'.encode()
    refused(content, "big.bpmn", match=f"more than {md.MAX_STEPS} steps")


@pytest.mark.parametrize(("content", "match"), [
    (b"", "is empty"),
    (b"Name,Owner\nLead,Ann\n", "not well-formed XML"),
    (b"<definitions><process", "not well-formed XML"),
    (b"<html><body>Not a process</body></html>", "starts with <html>"),
    (b'<definitions xmlns="http://schema.omg.org/spec/BPMN/1.1"/>', "not BPMN 2.0"),
    (f'<definitions xmlns="{BPMN}"><process id="P"><sequenceFlow id="F" sourceRef="a" targetRef="b"/></process></definitions>'.encode(),
     "no process steps"),
    (f'<definitions xmlns="{BPMN}"/>'.encode(), "no process steps"),
])
def test_bad_files_get_clear_messages(content, match):
    refused(content, "upload.bpmn", match=match)


def test_bad_bounds_name_the_element():
    xml = FOREIGN.replace('<dc:Bounds x="0" y="220"', '<dc:Bounds x="left" y="220"')
    refused(xml.encode(), "two-pools.bpmn", match="“T_2”")


def test_a_flood_of_elements_under_the_size_limit_is_refused_fast():
    body = "<a>" * 300_000 + "</a>" * 300_000 + "<b/>" * 500_000
    content = f'<definitions xmlns="{BPMN}"><process id="P">{body}</process></definitions>'.encode()
    assert len(content) < bpmn.max_bytes()
    refused(content, "flood.bpmn", match="XML elements")


def test_a_map_at_the_size_limits_exports_and_imports_back():
    """The element cap refuses floods, never a map of the largest size mapdata accepts."""
    lanes = [md.LaneData(f"Lane_{i}", f"Lane {i}", 200) for i in range(md.MAX_LANES)]
    steps = [
        md.StepData(f"Activity_{i}", f"Step {i} with a name", "decision" if i % 5 == 0 else "task",
                    f"Lane_{i % md.MAX_LANES}", 100 + i, 80, description="Why and how", performer="Sales",
                    system="CRM", duration_minutes=5, volume=10, pain_points=["duplicate_entry", "no_visibility"],
                    automated=True)
        for i in range(md.MAX_STEPS)
    ]
    flows = [md.FlowData(f"Flow_{i}", f"Activity_{i % md.MAX_STEPS}", f"Activity_{(i + 1 + i // md.MAX_STEPS) % md.MAX_STEPS}",
                         "a condition") for i in range(md.MAX_FLOWS)]
    data = md.MapData(lanes, steps, flows).normalised()
    assert md.validate(data) == []
    assert parse_bpmn(export_bpmn("Largest map", data), "largest.bpmn") == data
