"""A process map as plain data, and the one function that writes such data back to the database.

The editor, the BPMN import and export, the SVG drawing, the gap comparison and the demo all speak
`MapData`: lanes, steps and flows keyed by their BPMN ids. Two maps hold the same content exactly
when `load(a) == load(b)` (the BPMN round-trip test relies on it). No request, no template here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from projectcrm.core.models import next_numbers
from projectcrm.core.services import delete_row

from .choices import PainPoint, StepKind
from .models import DEFAULT_LANE_HEIGHT, MIN_LANE_HEIGHT, STEP_SIZES, Flow, Lane, ProcessMap, Step

# Characters XML 1.0 cannot hold at all: dropped from names when a map is written as SVG or BPMN.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,99}$")  # an XML NCName, as BPMN ids must be
MAX_STEPS = 2000
MAX_FLOWS = 4000
MAX_LANES = 60
MAX_LANE_HEIGHT = 2000
MAX_COORDINATE = 100_000       # pixels from the lane's origin, either way
MAX_COUNT = 2_147_483_647      # the largest duration or volume a database integer column holds


@dataclass
class LaneData:
    key: str
    name: str
    height: int = DEFAULT_LANE_HEIGHT
    stakeholder_id: int | None = None


@dataclass
class StepData:
    key: str
    name: str
    kind: str
    lane: str  # the lane's key
    x: int = 100
    y: int = DEFAULT_LANE_HEIGHT // 2
    description: str = ""
    performer: str = ""
    system: str = ""
    duration_minutes: int | None = None
    volume: int | None = None
    pain_points: list[str] = field(default_factory=list)
    automated: bool = False


@dataclass
class FlowData:
    key: str
    source: str  # step keys
    target: str
    condition: str = ""


@dataclass
class MapData:
    lanes: list[LaneData] = field(default_factory=list)  # in drawing order, top to bottom
    steps: list[StepData] = field(default_factory=list)  # ordered by key
    flows: list[FlowData] = field(default_factory=list)  # ordered by key

    def lane_tops(self) -> dict[str, int]:
        """Each lane's top edge in diagram coordinates (lanes are stacked from y = 0)."""
        tops, y = {}, 0
        for lane in self.lanes:
            tops[lane.key] = y
            y += lane.height
        return tops

    def height(self) -> int:
        return sum(lane.height for lane in self.lanes)

    def step(self, key: str) -> StepData | None:
        return next((s for s in self.steps if s.key == key), None)

    def normalised(self) -> MapData:
        """Steps and flows sorted by key (lanes keep their order): the form `load()` returns."""
        return MapData(list(self.lanes), sorted(self.steps, key=lambda s: s.key), sorted(self.flows, key=lambda f: f.key))


def load(process_map: ProcessMap) -> MapData:
    """The map's content in three queries."""
    lanes = list(Lane.objects.filter(map=process_map).order_by("position", "id"))
    lane_keys = {lane.pk: lane.key for lane in lanes}
    steps = list(Step.objects.filter(map=process_map).order_by("key"))
    step_keys = {step.pk: step.key for step in steps}
    flows = Flow.objects.filter(map=process_map).order_by("key").values_list("key", "source_id", "target_id", "condition")
    return MapData(
        lanes=[LaneData(lane.key, lane.name, lane.height, lane.stakeholder_id) for lane in lanes],
        steps=[
            StepData(
                key=s.key, name=s.name, kind=s.kind, lane=lane_keys[s.lane_id], x=s.x, y=s.y, description=s.description,
                performer=s.performer, system=s.system, duration_minutes=s.duration_minutes, volume=s.volume,
                pain_points=list(s.pain_points or []), automated=s.automated,
            )
            for s in steps
        ],
        flows=[FlowData(key, step_keys[source], step_keys[target], condition) for key, source, target, condition in flows],
    )


def validate(data: MapData) -> list[str]:
    """Every reason the data cannot be saved as a map (empty when it can)."""
    errors = []
    if len(data.lanes) > MAX_LANES:
        errors.append(_("A map has at most %(n)d swimlanes.") % {"n": MAX_LANES})
    if len(data.steps) > MAX_STEPS:
        errors.append(_("A map has at most %(n)d steps.") % {"n": MAX_STEPS})
    if len(data.flows) > MAX_FLOWS:
        errors.append(_("A map has at most %(n)d flows.") % {"n": MAX_FLOWS})
    seen = set()
    for items in (data.lanes, data.steps, data.flows):
        for item in items:
            if not KEY.match(item.key or ""):
                errors.append(_("The id “%(key)s” is not a valid BPMN id (letters, digits, _ . -; at most 100).") % {"key": item.key})
            elif item.key in seen:
                errors.append(_("The id “%(key)s” is used twice.") % {"key": item.key})
            seen.add(item.key)
    lane_keys = {lane.key for lane in data.lanes}
    for lane in data.lanes:
        if not lane.name.strip():
            errors.append(_("Swimlane “%(key)s” has no name.") % {"key": lane.key})
        if lane.height < MIN_LANE_HEIGHT:
            errors.append(_("Swimlane “%(name)s” is lower than %(n)d pixels.") % {"name": lane.name, "n": MIN_LANE_HEIGHT})
        elif lane.height > MAX_LANE_HEIGHT:
            errors.append(_("Swimlane “%(name)s” is higher than %(n)d pixels.") % {"name": lane.name, "n": MAX_LANE_HEIGHT})
    step_keys = set()
    for step in data.steps:
        label = step.name or step.key
        if step.kind not in StepKind.values:
            errors.append(_("Step “%(name)s” has an unknown kind “%(kind)s”.") % {"name": label, "kind": step.kind})
        if step.lane not in lane_keys:
            errors.append(_("Step “%(name)s” is in no swimlane of the map.") % {"name": label})
        unknown = [p for p in step.pain_points if p not in PainPoint.values]
        if unknown:
            errors.append(_("Step “%(name)s” has an unknown pain point: %(value)s.") % {"name": label, "value": ", ".join(unknown)})
        if abs(step.x) > MAX_COORDINATE or abs(step.y) > MAX_COORDINATE:
            errors.append(_("Step “%(name)s” lies more than %(n)d pixels away.") % {"name": label, "n": MAX_COORDINATE})
        for value, field_label in ((step.duration_minutes, _("duration")), (step.volume, _("volume"))):
            if value is not None and not 0 <= value <= MAX_COUNT:
                errors.append(_("Step “%(name)s” has a %(field)s out of range: %(value)s.")
                              % {"name": label, "field": field_label, "value": value})
        if len(step.name) > 200:
            errors.append(_("Step “%(name)s…” has a name longer than 200 characters.") % {"name": step.name[:40]})
        step_keys.add(step.key)
    for flow in data.flows:
        if flow.source not in step_keys or flow.target not in step_keys:
            errors.append(_("Flow “%(key)s” does not connect two steps of the map.") % {"key": flow.key})
        elif flow.source == flow.target:
            errors.append(_("Flow “%(key)s” leads from a step to itself.") % {"key": flow.key})
        if len(flow.condition) > 200:
            errors.append(_("Flow “%(key)s” has a condition longer than 200 characters.") % {"key": flow.key})
    return errors


class InvalidMap(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


STEP_FIELDS = [
    "name", "kind", "x", "y", "description", "performer", "system", "duration_minutes", "volume", "pain_points", "automated",
]


def save_content(process_map: ProcessMap, data: MapData, user=None) -> None:
    """Make the map's lanes, steps and flows equal to `data`, all or nothing.

    Rows are matched by key: a row whose values are unchanged is not written (no empty history
    entry), a changed row is saved with its version raised, new rows are created with history and
    rows no longer present are deleted through `delete_row` (restorable from history).
    """
    errors = validate(data)
    if errors:
        raise InvalidMap(errors)
    project_id = process_map.project_id
    with transaction.atomic():
        ProcessMap.objects.select_for_update().filter(pk=process_map.pk).first()
        lanes = {lane.key: lane for lane in Lane.objects.filter(map=process_map)}
        steps = {step.key: step for step in Step.objects.filter(map=process_map)}
        flows = {flow.key: flow for flow in Flow.objects.filter(map=process_map)}

        wanted_flows = {f.key for f in data.flows}
        wanted_steps = {s.key for s in data.steps}
        wanted_lanes = {lane.key for lane in data.lanes}
        in_use = used_by_use_cases([steps[key] for key in set(steps) - wanted_steps])
        if in_use:
            raise InvalidMap(in_use)
        for key in set(flows) - wanted_flows:
            delete_row(flows.pop(key))
        for key in set(steps) - wanted_steps:
            delete_row(steps.pop(key))

        new_lanes = []
        for position, lane_data in enumerate(data.lanes):
            values = {"name": lane_data.name, "position": position, "height": lane_data.height,
                      "stakeholder_id": lane_data.stakeholder_id}
            lane = lanes.get(lane_data.key)
            if lane is None:
                new_lanes.append(Lane(project_id=project_id, map=process_map, key=lane_data.key, **values))
            elif _differs(lane, values):
                _assign_and_save(lane, values)
        for lane in _bulk_create(new_lanes, Lane, user):
            lanes[lane.key] = lane

        new_steps = []
        for step_data in data.steps:
            values = {name: getattr(step_data, name) for name in STEP_FIELDS}
            values["lane_id"] = lanes[step_data.lane].pk
            step = steps.get(step_data.key)
            if step is None:
                new_steps.append(Step(project_id=project_id, map=process_map, key=step_data.key, **values))
            elif _differs(step, values):
                _assign_and_save(step, values)
        if new_steps:
            for step, number in zip(new_steps, next_numbers(Step, project_id, len(new_steps)), strict=True):
                step.number = number
            for step in _bulk_create(new_steps, Step, user):
                steps[step.key] = step

        new_flows = []
        for flow_data in data.flows:
            values = {"source_id": steps[flow_data.source].pk, "target_id": steps[flow_data.target].pk,
                      "condition": flow_data.condition}
            flow = flows.get(flow_data.key)
            if flow is None:
                new_flows.append(Flow(project_id=project_id, map=process_map, key=flow_data.key, **values))
            elif _differs(flow, values):
                _assign_and_save(flow, values)
        _bulk_create(new_flows, Flow, user)

        for key in set(lanes) - wanted_lanes:
            delete_row(lanes.pop(key))


def used_by_use_cases(doomed_steps: list[Step]) -> list[str]:
    """Why these steps may not be deleted: the use cases that name them (a use case's list of steps
    keeps no history, so deleting a step would drop the link without trace). Gaps and business
    rules that point at a step are unlinked with their own history by `delete_row`."""
    if not doomed_steps:
        return []
    from .models import UseCase

    by_step = {step.pk: step for step in doomed_steps}
    refs: dict[int, list[str]] = {}
    links = UseCase.steps.through.objects.filter(step_id__in=by_step).select_related("usecase").order_by("usecase__number")
    for link in links:
        refs.setdefault(link.step_id, []).append(link.usecase.ref)
    return [
        _("Step “%(name)s” is part of %(use_cases)s: remove it from those use cases before deleting it.")
        % {"name": by_step[pk].name or by_step[pk].key, "use_cases": ", ".join(names)}
        for pk, names in sorted(refs.items())
    ]


def _differs(obj, values: dict) -> bool:
    return any(getattr(obj, name) != value for name, value in values.items())


def _assign_and_save(obj, values: dict) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
    obj.version += 1
    obj.save()


def _bulk_create(objs: list, model, user) -> list:
    if not objs:
        return []
    for obj in objs:
        obj.compute()
    # SQLite and PostgreSQL return the new ids, so the rows can be linked right away.
    return bulk_create_with_history(objs, model, batch_size=500, default_user=user)


def step_size(kind: str) -> tuple[int, int]:
    return STEP_SIZES.get(kind, STEP_SIZES[StepKind.TASK])


def new_key(prefix: str, taken: set[str]) -> str:
    """A fresh BPMN id such as Activity_7 not yet in `taken`."""
    n = len(taken) + 1
    while f"{prefix}_{n}" in taken:
        n += 1
    return f"{prefix}_{n}"
