"""BPMN 2.0 XML in and out of a process map (`MapData`), so maps move to and from Camunda Modeler,
bpmn.io, Signavio and similar tools.

Export (`export_bpmn`) writes one collaboration with one participant (the map) whose process has a
lane set (our swimlanes, top to bottom), one flow node per step and one sequence flow per flow,
plus full diagram interchange (DI): the participant, lane and node shapes and orthogonal edges.
What BPMN has no place for travels in our own extension namespace

    xmlns:pcrm="https://projectcrm.example/schema/bpmn"

    <bpmn:lane ... pcrm:height="160" pcrm:stakeholder="7">        lane height, stakeholder id
    <bpmn:extensionElements>
      <pcrm:step kind="task" performer="…" system="…" duration="15" volume="200"
                 painPoints="duplicate_entry no_visibility" automated="true"/>

so our own files read back exactly: `parse_bpmn(export_bpmn(name, load(m))) == load(m)`.

Import (`parse_bpmn`, or `read_bpmn` which also gives the name found in the file) reads files of
other tools too: element types map to step kinds, lanes of every participant/process become
swimlanes (a pool without lanes becomes one lane), message flows between imported nodes become
flows, and the layout comes from the DI when every node has a shape, else from a simple automatic
layout (columns by longest path from the start nodes). Names and conditions from other tools are
tidied (line breaks become spaces, overlong text is shortened, with a note); values carried by our
own files are taken exactly as written. Untrusted XML is refused before any work
when it is too large, and parsed by defusedxml with DTDs, entities and external references
forbidden, so entity-expansion and external-entity attacks fail at once with a clear message.

No request, no template here.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.utils.translation import gettext as _

from . import mapdata as md
from .choices import PainPoint, StepKind
from .models import DEFAULT_LANE_HEIGHT, LANE_HEADER, MIN_LANE_HEIGHT

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PCRM = "https://projectcrm.example/schema/bpmn"
EXPORTER = "ProjectCRM"

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Enough for a map at the mapdata limits with documentation, extensions and DI for every element:
# our own export writes about 8 elements per step or flow (measured on a 300-step map), so 12 leaves
# room for other tools' extras while a flood of elements is refused in a fraction of a second.
MAX_ELEMENTS = 12 * (md.MAX_STEPS + md.MAX_FLOWS + md.MAX_LANES)

PARTICIPANT_BAND = 30   # the pool's own name band left of its lanes (as bpmn.io draws it)
AUTO_X0, AUTO_DX = 80, 170  # automatic layout: x of the first column, distance between columns
AUTO_Y0, AUTO_DY = DEFAULT_LANE_HEIGHT // 2, 100  # first centre in a lane, distance between stacked steps
MIN_LEFT = 10           # imported shapes are shifted right so that none starts left of this

# Element type (local name) -> step kind; `pcrm:step kind` wins when present.
KIND_OF = {
    "startEvent": StepKind.START, "endEvent": StepKind.END,
    "intermediateThrowEvent": StepKind.EVENT, "intermediateCatchEvent": StepKind.EVENT,
    "boundaryEvent": StepKind.EVENT, "implicitThrowEvent": StepKind.EVENT,
    "task": StepKind.TASK, "userTask": StepKind.TASK, "subProcess": StepKind.TASK, "callActivity": StepKind.TASK,
    "transaction": StepKind.TASK, "adHocSubProcess": StepKind.TASK,
    "serviceTask": StepKind.SYSTEM, "scriptTask": StepKind.SYSTEM, "businessRuleTask": StepKind.SYSTEM,
    "sendTask": StepKind.SYSTEM, "receiveTask": StepKind.SYSTEM,
    "manualTask": StepKind.HANDOFF,
    "exclusiveGateway": StepKind.DECISION, "inclusiveGateway": StepKind.DECISION,
    "eventBasedGateway": StepKind.DECISION, "complexGateway": StepKind.DECISION,
    "parallelGateway": StepKind.PARALLEL,
}
ELEMENT_OF = {
    StepKind.START: "startEvent", StepKind.END: "endEvent", StepKind.EVENT: "intermediateThrowEvent",
    StepKind.TASK: "userTask", StepKind.SYSTEM: "serviceTask", StepKind.HANDOFF: "manualTask",
    StepKind.DECISION: "exclusiveGateway", StepKind.PARALLEL: "parallelGateway",
}
# Characters XML 1.0 cannot carry at all; they are dropped on export.
NOT_XML = md.NOT_XML


class BpmnError(ValueError):
    """A file that cannot be imported; the message names the file and the problem."""


@dataclass
class Imported:
    name: str            # the participant's or process's name, "" when the file has none
    data: md.MapData
    notes: list[str] = field(default_factory=list)  # what was left out, for the user


def max_bytes() -> int:
    return getattr(settings, "BPMN_MAX_BYTES", DEFAULT_MAX_BYTES)


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def export_bpmn(name: str, data: md.MapData) -> bytes:
    """The map as a BPMN 2.0 XML document (UTF-8, with an XML declaration)."""
    ids = _Ids({lane.key for lane in data.lanes} | {s.key for s in data.steps} | {f.key for f in data.flows})
    root = ET.Element("bpmn:definitions", {
        "xmlns:bpmn": BPMN, "xmlns:bpmndi": BPMNDI, "xmlns:dc": DC, "xmlns:di": DI, "xmlns:xsi": XSI,
        "xmlns:pcrm": PCRM, "id": ids.new("Definitions"), "targetNamespace": PCRM, "exporter": EXPORTER,
        "exporterVersion": "1",
    })
    collaboration_id, participant_id, process_id = ids.new("Collaboration"), ids.new("Participant"), ids.new("Process")
    collaboration = ET.SubElement(root, "bpmn:collaboration", id=collaboration_id)
    ET.SubElement(collaboration, "bpmn:participant", id=participant_id, name=_text(name), processRef=process_id)
    process = ET.SubElement(root, "bpmn:process", id=process_id, name=_text(name), isExecutable="false")
    _export_lanes(process, data, ids.new("LaneSet"))
    for step in data.steps:
        _export_step(process, step, data.flows)
    for flow in data.flows:
        _export_flow(process, flow)
    _export_diagram(root, data, ids, collaboration_id, participant_id)
    ET.indent(root, space="  ")
    xml = ET.tostring(root, encoding="unicode")
    # ElementTree escapes CR in attributes but not in text, where a parser would turn CR LF into LF.
    xml = xml.replace("\r", "&#13;")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n").encode("utf-8")


class _Ids:
    """Ids for the elements we add (process, shapes…) that never clash with the map's own keys."""

    def __init__(self, taken: set[str]):
        self.taken = set(taken)

    def new(self, base: str, plain: bool = False) -> str:
        """base_1 (or base itself when `plain`), else the next free base_2, base_3…"""
        key, n = (base if plain else f"{base}_1"), 1
        while key in self.taken:
            n += 1
            key = f"{base}_{n}"
        self.taken.add(key)
        return key


def _text(value: str) -> str:
    return NOT_XML.sub("", value or "")


def _export_lanes(process, data: md.MapData, lane_set_id: str) -> None:
    lane_set = ET.SubElement(process, "bpmn:laneSet", id=lane_set_id)
    for lane in data.lanes:
        attrs = {"id": lane.key, "name": _text(lane.name), "pcrm:height": str(lane.height)}
        if lane.stakeholder_id is not None:
            attrs["pcrm:stakeholder"] = str(lane.stakeholder_id)
        element = ET.SubElement(lane_set, "bpmn:lane", attrs)
        for step in data.steps:
            if step.lane == lane.key:
                ET.SubElement(element, "bpmn:flowNodeRef").text = step.key


def _export_step(process, step: md.StepData, flows: list[md.FlowData]) -> None:
    attrs = {"id": step.key}
    if step.name:
        attrs["name"] = _text(step.name)
    element = ET.SubElement(process, "bpmn:" + ELEMENT_OF.get(step.kind, "task"), attrs)
    if step.description:
        ET.SubElement(element, "bpmn:documentation").text = _text(step.description)
    extension = {"kind": step.kind}
    for attr, value in (("performer", step.performer), ("system", step.system)):
        if value:
            extension[attr] = _text(value)
    for attr, value in (("duration", step.duration_minutes), ("volume", step.volume)):
        if value is not None:
            extension[attr] = str(value)
    if step.pain_points:
        extension["painPoints"] = " ".join(step.pain_points)
    extension["automated"] = "true" if step.automated else "false"
    ET.SubElement(ET.SubElement(element, "bpmn:extensionElements"), "pcrm:step", extension)
    for flow in flows:
        if flow.target == step.key:
            ET.SubElement(element, "bpmn:incoming").text = flow.key
    for flow in flows:
        if flow.source == step.key:
            ET.SubElement(element, "bpmn:outgoing").text = flow.key


def _export_flow(process, flow: md.FlowData) -> None:
    attrs = {"id": flow.key, "sourceRef": flow.source, "targetRef": flow.target}
    if flow.condition:
        attrs["name"] = _text(flow.condition)
    element = ET.SubElement(process, "bpmn:sequenceFlow", attrs)
    if flow.condition:
        expression = ET.SubElement(element, "bpmn:conditionExpression", {"xsi:type": "bpmn:tFormalExpression"})
        expression.text = _text(flow.condition)


def step_bounds(data: md.MapData) -> dict[str, tuple[int, int, int, int]]:
    """Each step's shape (x, y, width, height) in the exported diagram's absolute coordinates."""
    tops = data.lane_tops()
    left = PARTICIPANT_BAND + LANE_HEADER
    bounds = {}
    for step in data.steps:
        width, height = md.step_size(step.kind)
        top = tops.get(step.lane, 0)
        bounds[step.key] = (left + step.x - width // 2, top + step.y - height // 2, width, height)
    return bounds


def _export_diagram(root, data: md.MapData, ids: _Ids, collaboration_id: str, participant_id: str) -> None:
    diagram = ET.SubElement(root, "bpmndi:BPMNDiagram", id=ids.new("BPMNDiagram"))
    plane = ET.SubElement(diagram, "bpmndi:BPMNPlane", id=ids.new("BPMNPlane"), bpmnElement=collaboration_id)
    bounds = step_bounds(data)
    right = max([x + w for x, _y, w, _h in bounds.values()], default=0)
    width = max(600, right + 60)
    height = max(data.height(), MIN_LANE_HEIGHT)
    _shape(plane, ids.new(participant_id + "_di", plain=True), participant_id, (0, 0, width, height), isHorizontal="true")
    tops = data.lane_tops()
    for lane in data.lanes:
        box = (PARTICIPANT_BAND, tops[lane.key], width - PARTICIPANT_BAND, lane.height)
        _shape(plane, ids.new(lane.key + "_di", plain=True), lane.key, box, isHorizontal="true")
    for step in data.steps:
        _shape(plane, ids.new(step.key + "_di", plain=True), step.key, bounds[step.key])
    for flow in data.flows:
        if flow.source in bounds and flow.target in bounds:
            edge = ET.SubElement(plane, "bpmndi:BPMNEdge", id=ids.new(flow.key + "_di", plain=True), bpmnElement=flow.key)
            for x, y in waypoints(bounds[flow.source], bounds[flow.target]):
                ET.SubElement(edge, "di:waypoint", x=str(x), y=str(y))


def _shape(plane, shape_id: str, element: str, box, **attrs) -> None:
    shape = ET.SubElement(plane, "bpmndi:BPMNShape", id=shape_id, bpmnElement=element, **attrs)
    x, y, w, h = box
    ET.SubElement(shape, "dc:Bounds", x=str(x), y=str(y), width=str(w), height=str(h))


def waypoints(source, target) -> list[tuple[int, int]]:
    """An orthogonal route: out of the source's right side (or its bottom when the target is not to
    its right), into the target's left side."""
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    s_mid, t_mid = sy + sh // 2, ty + th // 2
    if tx >= sx + sw:
        start, end = (sx + sw, s_mid), (tx, t_mid)
        if s_mid == t_mid:
            return [start, end]
        middle = (sx + sw + tx) // 2
        return [start, (middle, s_mid), (middle, t_mid), end]
    below = max(sy + sh, ty + th) + 20
    s_centre, before = sx + sw // 2, tx - 20
    return [(s_centre, sy + sh), (s_centre, below), (before, below), (before, t_mid), (tx, t_mid)]


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------


def parse_bpmn(content: bytes, filename: str = "") -> md.MapData:
    """The map held by a BPMN 2.0 file; raises BpmnError with a message for the user."""
    return read_bpmn(content, filename).data


def read_bpmn(content: bytes, filename: str = "") -> Imported:
    """Like parse_bpmn, with the pool's name and notes on what was left out."""
    label = filename or _("The file")
    root = parse_xml(content, label)
    return _Reader(root, label).read()


def parse_xml(content: bytes, label: str):
    """The root element of untrusted XML: size checked first, DTDs and entities refused."""
    limit = max_bytes()
    if len(content) > limit:
        raise BpmnError(_("“%(file)s” is larger than %(mb).1f MB, the most a BPMN file may be.")
                        % {"file": label, "mb": limit / 1048576})
    if not content.strip():
        raise BpmnError(_("“%(file)s” is empty.") % {"file": label})
    try:
        root = _parse_counted(content, label)
    except DTDForbidden:
        raise BpmnError(_("“%(file)s” declares a document type (DOCTYPE). BPMN files never need one, and it is "
                          "refused for safety.") % {"file": label}) from None
    except EntitiesForbidden:
        raise BpmnError(_("“%(file)s” declares XML entities, which are refused for safety.") % {"file": label}) from None
    except ExternalReferenceForbidden:
        raise BpmnError(_("“%(file)s” refers to an external document, which is refused for safety.")
                        % {"file": label}) from None
    except (ET.ParseError, DefusedXmlException) as exc:
        raise BpmnError(_("“%(file)s” is not well-formed XML: %(problem)s.") % {"file": label, "problem": exc}) from None
    if root.tag != _q("definitions"):
        namespace, _sep, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
        if local == "definitions":
            raise BpmnError(_("“%(file)s” is not BPMN 2.0: its definitions are in the namespace “%(ns)s” instead of "
                              "%(bpmn)s.") % {"file": label, "ns": namespace, "bpmn": BPMN})
        raise BpmnError(_("“%(file)s” is not a BPMN 2.0 file: it starts with <%(tag)s> instead of <definitions>.")
                        % {"file": label, "tag": local})
    return root


def _parse_counted(content: bytes, label: str):
    """defusedxml's parser (no DTD, no entities, no external references), stopped as soon as the
    document has more elements than any map needs, so a flood of elements costs little time."""
    events = SafeET.iterparse(io.BytesIO(content), events=("start",), forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    for count, _event in enumerate(events, start=1):
        if count > MAX_ELEMENTS:
            raise BpmnError(_("“%(file)s” has more than %(n)d XML elements, too many for one process map.")
                            % {"file": label, "n": MAX_ELEMENTS})
    return events.root


def _q(local: str, namespace: str = BPMN) -> str:
    return f"{{{namespace}}}{local}"


def _local(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


@dataclass
class _Node:
    key: str
    pool: _Pool
    step: md.StepData
    ours: bool  # carries our pcrm:step extension


@dataclass(eq=False)  # compared by identity: pools are dictionary keys
class _Pool:
    key: str                     # participant id, else process id
    name: str
    lanes: list[md.LaneData] = field(default_factory=list)
    has_lanes: bool = False      # False: one lane made from the pool itself


@dataclass
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.w / 2, self.y + self.h / 2

    def contains(self, point) -> bool:
        return self.x <= point[0] <= self.x + self.w and self.y <= point[1] <= self.y + self.h


class _Reader:
    """Reads one parsed BPMN document into MapData (see the module docstring for the rules)."""

    def __init__(self, root, label: str):
        self.root, self.label = root, label
        self.notes: list[str] = []
        self.ours = root.get("exporter") == EXPORTER
        self.lane_heights: dict[str, int] = {}  # from pcrm:height

    def error(self, message: str, **values) -> BpmnError:
        return BpmnError(_("“%(file)s”: %(problem)s") % {"file": self.label, "problem": message % values})

    def read(self) -> Imported:
        self.shapes = self._shapes()
        pools = self._pools()
        nodes_of = {pool: self._nodes(pool, process) for pool, process in pools.items()}
        pools = {pool: process for pool, process in pools.items() if nodes_of[pool] or pool.has_lanes}
        lanes = [lane for pool in pools for lane in pool.lanes]
        nodes = [node for pool in pools for node in nodes_of[pool]]
        if not nodes:
            raise self.error(_("it holds no process steps (no events, tasks or gateways)."))
        self._check_limits(lanes, nodes)
        self._assign_lanes(pools, nodes)
        flows = self._flows(pools, {node.key for node in nodes})
        if all(node.key in self.shapes for node in nodes):
            self._layout_from_di(lanes, nodes)
        else:
            self._auto_layout(lanes, nodes, flows)
        name = next((pool.name for pool in pools if pool.name), "")
        data = md.MapData(lanes, [node.step for node in nodes], flows).normalised()
        return Imported(name=name, data=data, notes=self.notes)

    # --- structure ----------------------------------------------------------------------------

    def _shapes(self) -> dict[str, _Box]:
        shapes = {}
        for shape in self.root.iter(_q("BPMNShape", BPMNDI)):
            bounds = shape.find(_q("Bounds", DC))
            element = shape.get("bpmnElement")
            if bounds is None or not element or element in shapes:
                continue  # a second diagram of the same element: the first one counts
            try:
                numbers = [float(bounds.get(a, "")) for a in ("x", "y", "width", "height")]
                if not all(math.isfinite(n) for n in numbers):
                    raise ValueError
                shapes[element] = _Box(*numbers)
            except ValueError:
                raise self.error(_("the diagram shape of “%(id)s” has bounds that are not numbers."), id=element) from None
        return shapes

    def _pools(self) -> dict[_Pool, ET.Element]:
        """Pool -> process, in the order of the participants, then processes no participant shows."""
        processes = {p.get("id"): p for p in self.root.findall(_q("process"))}
        pools, used = {}, set()
        for participant in self.root.iterfind(f"{_q('collaboration')}/{_q('participant')}"):
            process = processes.get(participant.get("processRef"))
            if process is None or process.get("id") in used:
                continue  # a black-box pool has no steps
            used.add(process.get("id"))
            pools[self._pool(participant, process)] = process
        for key, process in processes.items():
            if key not in used:
                pools[self._pool(None, process)] = process
        return pools

    def _pool(self, participant, process) -> _Pool:
        owner = participant if participant is not None else process
        key = owner.get("id") or process.get("id") or "Process"
        name = _clean((participant.get("name") if participant is not None else "") or process.get("name") or "")
        pool = _Pool(key, name)
        pool.lanes = [self._lane(lane) for lane in _leaf_lanes(process)]
        pool.has_lanes = bool(pool.lanes)
        if not pool.has_lanes:
            pool.lanes.append(md.LaneData(key, name or key, DEFAULT_LANE_HEIGHT))
        return pool

    def _lane(self, element) -> md.LaneData:
        key = element.get("id") or ""
        name = element.get("name") or ""
        lane = md.LaneData(key, (name if self.ours else self._short(_clean(name), key, _("name"), 120)) or key)
        height = element.get(_q("height", PCRM))
        if height is not None:
            self.lane_heights[key] = self._number(height, key, _("lane height"))
            lane.height = self.lane_heights[key]
        stakeholder = element.get(_q("stakeholder", PCRM))
        if stakeholder:
            lane.stakeholder_id = self._number(stakeholder, key, _("stakeholder"))
        return lane

    def _number(self, value: str, key: str, what: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < 0:
            raise self.error(_("the %(what)s of “%(id)s” is “%(value)s”, not a whole number."),
                             what=what, id=key, value=value)
        return number

    def _nodes(self, pool: _Pool, process) -> list[_Node]:
        nodes = []
        for element in process:
            kind = KIND_OF.get(_local(element.tag))
            if kind is None:
                continue
            key = element.get("id") or ""
            extension = element.find(f"{_q('extensionElements')}/{_q('step', PCRM)}")
            step = md.StepData(key=key, name=element.get("name") or "", kind=kind, lane="")
            if extension is not None:
                self._read_extension(step, extension)
            else:
                step.name = self._short(_clean(step.name), key, _("name"))
            documentation = element.find(_q("documentation"))
            if documentation is not None and documentation.text:
                step.description = documentation.text if extension is not None else documentation.text.strip()
            nodes.append(_Node(key, pool, step, extension is not None))
            if len(nodes) > md.MAX_STEPS:
                break  # _check_limits says so
        return nodes

    def _read_extension(self, step: md.StepData, extension) -> None:
        kind = extension.get("kind")
        if kind in StepKind.values:
            step.kind = kind
        step.performer = self._short(extension.get("performer", ""), step.key, _("performer"), 120)
        step.system = self._short(extension.get("system", ""), step.key, _("system"), 120)
        for attr, name, what in (("duration", "duration_minutes", _("duration")), ("volume", "volume", _("volume"))):
            value = extension.get(attr)
            if value is not None and value != "":
                setattr(step, name, self._number(value, step.key, what))
        pains = extension.get("painPoints", "").split()
        step.pain_points = [p for p in pains if p in PainPoint.values]
        if len(step.pain_points) < len(pains):
            self.notes.append(_("Unknown pain points of “%(id)s” were left out.") % {"id": step.key})
        step.automated = extension.get("automated", "false").strip().lower() in ("true", "1")

    def _short(self, text: str, key: str, what: str, limit: int = 200) -> str:
        if len(text) <= limit:
            return text
        self.notes.append(_("The %(what)s of “%(id)s” was shortened to %(n)d characters.") % {"what": what, "id": key, "n": limit})
        return text[: limit - 1] + "…"

    def _check_limits(self, lanes, nodes) -> None:
        for count, limit, what in ((len(lanes), md.MAX_LANES, _("swimlanes")), (len(nodes), md.MAX_STEPS, _("steps"))):
            if count > limit:
                raise self.error(_("it has more than %(n)d %(what)s, the most a map may have."), n=limit, what=what)

    def _assign_lanes(self, pools: dict[_Pool, ET.Element], nodes: list[_Node]) -> None:
        """flowNodeRef first, then the lane shape that holds the node's centre, then the pool's first lane."""
        referenced = {}
        for process in pools.values():
            for lane in _leaf_lanes(process):
                for ref in lane.iterfind(_q("flowNodeRef")):
                    referenced.setdefault((ref.text or "").strip(), lane.get("id"))
        for node in nodes:
            lane = referenced.get(node.key)
            if lane is None and node.key in self.shapes:
                centre = self.shapes[node.key].centre
                lane = next((lane.key for lane in node.pool.lanes
                             if lane.key in self.shapes and self.shapes[lane.key].contains(centre)), None)
            node.step.lane = lane or node.pool.lanes[0].key

    def _flows(self, pools, node_keys: set[str]) -> list[md.FlowData]:
        flows = []
        elements = [f for process in pools.values() for f in process.iterfind(_q("sequenceFlow"))]
        elements += list(self.root.iterfind(f"{_q('collaboration')}/{_q('messageFlow')}"))
        if len(elements) > md.MAX_FLOWS:
            raise self.error(_("it has more than %(n)d %(what)s, the most a map may have."), n=md.MAX_FLOWS, what=_("flows"))
        for element in elements:
            key, source, target = element.get("id") or "", element.get("sourceRef"), element.get("targetRef")
            message = _local(element.tag) == "messageFlow"
            if source not in node_keys or target not in node_keys:
                if not message:
                    self.notes.append(_("Flow “%(id)s” does not connect two imported steps and was left out.") % {"id": key})
                continue
            if source == target:
                self.notes.append(_("Flow “%(id)s” leads from a step to itself and was left out.") % {"id": key})
                continue
            flows.append(md.FlowData(key, source, target, self._condition(element, key)))
        return flows

    def _condition(self, element, key: str) -> str:
        name = element.get("name") or ""
        if self.ours:
            return name
        text = _clean(name)
        expression = element.find(_q("conditionExpression"))
        if not text and expression is not None:
            text = (expression.text or "").strip()
        return self._short(text, key, _("condition"))

    # --- layout -------------------------------------------------------------------------------

    def _layout_from_di(self, lanes: list[md.LaneData], nodes: list[_Node]) -> None:
        members = {lane.key: [n for n in nodes if n.step.lane == lane.key] for lane in lanes}
        frames = {}
        for lane in lanes:
            box = self.shapes.get(lane.key) or _frame([self.shapes[n.key] for n in members[lane.key]])
            frames[lane.key] = box
            if lane.key not in self.lane_heights:
                lane.height = max(MIN_LANE_HEIGHT, round(box.h))
        for node in nodes:
            frame, (cx, cy) = frames[node.step.lane], self.shapes[node.key].centre
            node.step.x = round(cx - frame.x - LANE_HEADER)
            node.step.y = round(cy - frame.y)
        foreign = [n for n in nodes if not n.ours]
        if foreign:
            left = min(n.step.x - self.shapes[n.key].w / 2 for n in nodes)
            shift = MIN_LEFT - left if left < MIN_LEFT else 0
            height = {lane.key: lane.height for lane in lanes}
            for node in nodes:
                node.step.x = round(node.step.x + shift)
            for node in foreign:
                node.step.y = min(max(node.step.y, 0), height[node.step.lane])

    def _auto_layout(self, lanes: list[md.LaneData], nodes: list[_Node], flows: list[md.FlowData]) -> None:
        columns = longest_path_columns([n.key for n in nodes], [(f.source, f.target) for f in flows],
                                       {n.key for n in nodes if n.step.kind == StepKind.START})
        stacked: dict[tuple[str, int], int] = {}
        for node in nodes:
            slot = (node.step.lane, columns[node.key])
            row = stacked.get(slot, 0)
            stacked[slot] = row + 1
            node.step.x = AUTO_X0 + AUTO_DX * columns[node.key]
            node.step.y = AUTO_Y0 + AUTO_DY * row
        for lane in lanes:
            rows = max([n for (key, _col), n in stacked.items() if key == lane.key], default=1)
            lane.height = max(lane.height, AUTO_DY * (rows - 1) + DEFAULT_LANE_HEIGHT)


def _leaf_lanes(process) -> list:
    """The lanes of a process, nested lanes flattened to the innermost ones, in document order."""
    result = []

    def walk(lane_set):
        for lane in lane_set.iterfind(_q("lane")):
            nested = [c for c in lane.iterfind(_q("childLaneSet")) if c.find(_q("lane")) is not None]
            if nested:
                for child in nested:
                    walk(child)
            else:
                result.append(lane)

    for lane_set in process.iterfind(_q("laneSet")):
        walk(lane_set)
    return result


def _frame(boxes: list[_Box]) -> _Box:
    """A lane frame around the shapes of a pool drawn without lane or pool shape."""
    if not boxes:
        return _Box(0, 0, 0, DEFAULT_LANE_HEIGHT)
    top = min(b.y for b in boxes) - 40
    bottom = max(b.y + b.h for b in boxes) + 40
    return _Box(0, top, 0, bottom - top)


def _clean(text: str) -> str:
    """Names from other tools: line breaks (Camunda's &#10;) and runs of spaces become one space."""
    return " ".join((text or "").split())


def longest_path_columns(keys: list[str], edges: list[tuple[str, str]], starts: set[str]) -> dict[str, int]:
    """Each node's column: the length of the longest path reaching it from a start node.

    A depth-first walk from the start nodes (then from nodes nothing leads to, then from any node
    left, in the given order) marks the edges that close a cycle; longest paths are taken over the
    remaining edges in topological order, so loops back to an earlier step are tolerated.
    """
    successors: dict[str, list[str]] = {key: [] for key in keys}
    has_incoming = set()
    for source, target in edges:
        successors[source].append(target)
        has_incoming.add(target)
    roots = [k for k in keys if k in starts] + [k for k in keys if k not in has_incoming] + keys
    state: dict[str, int] = {}   # 1: on the walk's stack, 2: done
    finished, back = [], set()
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(successors[root]))]
        while stack:
            node, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                state[node] = 2
                finished.append(node)
                stack.pop()
            elif following not in state:
                state[following] = 1
                stack.append((following, iter(successors[following])))
            elif state[following] == 1:
                back.add((node, following))
    column = dict.fromkeys(keys, 0)
    for node in reversed(finished):
        for following in successors[node]:
            if (node, following) not in back:
                column[following] = max(column[following], column[node] + 1)
    return column
