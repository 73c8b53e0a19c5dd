"""The process-map editor and the map's outputs: diagram (SVG), PDF, copy as a to-be map.

Every change is one POST to `design:map-edit` with an operation name (add-lane, move-step, ...):
the view loads the map as `MapData`, lets the operation change that data, and writes it back with
`mapdata.save_content` (all or nothing, with history). So the editor never writes rows itself and
whatever the operations produce passes the same validation as a BPMN import. An htmx request
gets the re-rendered editor (diagram and panel) back; a plain form post is redirected to the
editor with a message, so the editor also works without JavaScript. The small script
design/static/design/editor.js adds dragging, clicking to select and a connect mode on top.

Each editor form carries a fingerprint of the map's content as it was drawn: a change posted from
an editor that no longer shows the current map is refused instead of silently overriding
someone else's work.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access
from projectcrm.core.pdf import pdf_response, render_pdf
from projectcrm.governance.models import Stakeholder

from . import gaps, mapdata
from .choices import EVENT_KINDS, GATEWAY_KINDS, MapKind, MapStatus, PainPoint, StepKind
from .diagram import render_svg
from .mapdata import MAX_LANE_HEIGHT, FlowData, InvalidMap, LaneData, MapData, StepData
from .models import DEFAULT_LANE_HEIGHT, LANE_HEADER, MIN_LANE_HEIGHT, ProcessMap, Step

AREA = "design"
STEP_GAP = 60  # horizontal space between a lane's last step and a step added after it


# ---------------------------------------------------------------------------------------------
# Map facts (the map's page, the PDF)
# ---------------------------------------------------------------------------------------------


def map_facts(data: MapData) -> dict:
    """Counts for the map's page: lanes, steps, flows, and the gap analysis's own figures for
    hand-offs between lanes, work minutes, automated steps and pain points (one definition)."""
    figures = gaps.figures(data)
    return {
        "lanes": len(data.lanes),
        "steps": len(data.steps),
        "flows": len(data.flows),
        "handoffs": figures.handoffs,
        "duration": figures.duration,
        "automated": figures.automated,
        "pain_points": figures.pain_points,
    }


def step_rows(data: MapData) -> list[dict]:
    """The steps in reading order (lane by lane, left to right) with their lane's name and labels."""
    lanes = {lane.key: (i, lane.name) for i, lane in enumerate(data.lanes)}
    pains = dict(PainPoint.choices)
    kinds = dict(StepKind.choices)
    rows = []
    for step in sorted(data.steps, key=lambda s: (lanes.get(s.lane, (99999,))[0], s.x, s.y, s.key)):
        rows.append({
            "step": step, "lane": lanes.get(step.lane, (0, ""))[1], "kind": kinds.get(step.kind, step.kind),
            "pain_points": [str(pains.get(p, p)) for p in step.pain_points],
        })
    return rows


def map_detail_context(obj, access) -> dict:
    """The extras of a map's register page (design/_map_detail.html): facts, diagram, actions."""
    data = mapdata.load(obj)
    return {
        "map_facts": map_facts(data),
        "map_svg": render_svg(data),
        "map_can_change": access.can(AREA, "change"),
    }


# ---------------------------------------------------------------------------------------------
# Operations: each changes a MapData in place from a form's cleaned data
# ---------------------------------------------------------------------------------------------


class OpError(ValueError):
    """The change cannot be made (the message says why)."""


class NeedsConfirmation(Exception):  # noqa: N818 - a request for confirmation, not an error
    def __init__(self, lane_key: str):
        super().__init__(lane_key)
        self.lane_key = lane_key


def all_keys(data: MapData) -> set[str]:
    return {x.key for x in data.lanes} | {x.key for x in data.steps} | {x.key for x in data.flows}


def key_prefix(kind: str) -> str:
    if kind in GATEWAY_KINDS:
        return "Gateway"
    return "Event" if kind in EVENT_KINDS else "Activity"


def lane_of(data: MapData, key: str) -> LaneData:
    lane = next((lane for lane in data.lanes if lane.key == key), None)
    if lane is None:
        raise OpError(_("This swimlane is no longer on the map."))
    return lane


def step_of(data: MapData, key: str) -> StepData:
    step = data.step(key)
    if step is None:
        raise OpError(_("This step is no longer on the map."))
    return step


def flow_of(data: MapData, key: str) -> FlowData:
    flow = next((f for f in data.flows if f.key == key), None)
    if flow is None:
        raise OpError(_("This flow is no longer on the map."))
    return flow


def clamp_into_lane(step: StepData, lane: LaneData) -> None:
    """Keep a step's shape inside its lane and clear of the lane's name band."""
    w, h = mapdata.step_size(step.kind)
    step.x = max(step.x, w // 2 + 10)
    low, high = h // 2 + 4, lane.height - h // 2 - 4
    step.y = lane.height // 2 if low > high else min(max(step.y, low), high)


def add_lane(data: MapData, cd: dict) -> str:
    key = mapdata.new_key("Lane", all_keys(data))
    stakeholder = cd.get("stakeholder")
    data.lanes.append(LaneData(key, cd["name"], cd.get("height") or DEFAULT_LANE_HEIGHT,
                               stakeholder.pk if stakeholder else None))
    return key


def update_lane(data: MapData, cd: dict) -> str:
    lane = lane_of(data, cd["lane"])
    lane.name = cd["name"]
    lane.height = cd.get("height") or lane.height
    lane.stakeholder_id = cd["stakeholder"].pk if cd.get("stakeholder") else None
    for step in data.steps:
        if step.lane == lane.key:
            clamp_into_lane(step, lane)
    return lane.key


def move_lane(data: MapData, cd: dict) -> str:
    lane = lane_of(data, cd["lane"])
    index = data.lanes.index(lane)
    other = index - 1 if cd["direction"] == "up" else index + 1
    if 0 <= other < len(data.lanes):
        data.lanes[index], data.lanes[other] = data.lanes[other], data.lanes[index]
    return lane.key


def delete_lane(data: MapData, cd: dict) -> None:
    lane = lane_of(data, cd["lane"])
    gone = {s.key for s in data.steps if s.lane == lane.key}
    if gone and not cd.get("confirm"):
        raise NeedsConfirmation(lane.key)
    data.lanes.remove(lane)
    _remove_steps(data, gone)


def _remove_steps(data: MapData, keys: set[str]) -> None:
    data.steps[:] = [s for s in data.steps if s.key not in keys]
    data.flows[:] = [f for f in data.flows if f.source not in keys and f.target not in keys]


def add_step(data: MapData, cd: dict) -> str:
    lane = lane_of(data, cd["lane"])
    kind = cd["kind"]
    w, _h = mapdata.step_size(kind)
    right = max((s.x + mapdata.step_size(s.kind)[0] // 2 for s in data.steps if s.lane == lane.key), default=None)
    x = w // 2 + 30 if right is None else right + STEP_GAP + w // 2
    key = mapdata.new_key(key_prefix(kind), all_keys(data))
    step = StepData(key=key, name=cd["name"], kind=kind, lane=lane.key, x=x, y=lane.height // 2)
    clamp_into_lane(step, lane)
    data.steps.append(step)
    return key


STEP_DETAIL_FIELDS = ["name", "kind", "description", "performer", "system", "duration_minutes", "volume",
                      "pain_points", "automated"]


def update_step(data: MapData, cd: dict) -> str:
    step = step_of(data, cd["step"])
    for name in STEP_DETAIL_FIELDS:
        setattr(step, name, cd[name])
    step.pain_points = list(cd["pain_points"])
    step.lane = cd["lane"]
    clamp_into_lane(step, lane_of(data, step.lane))
    return step.key


def move_step(data: MapData, cd: dict) -> str:
    """Drop a step at (x, y) in diagram coordinates: the lane band under y takes it."""
    step = step_of(data, cd["step"])
    if not data.lanes:
        raise OpError(_("The map has no swimlane."))
    y = cd["y"]
    lane = data.lanes[-1]
    for candidate, top in zip(data.lanes, data.lane_tops().values(), strict=True):
        if y < top + candidate.height:
            lane = candidate
            break
    step.lane = lane.key
    step.x = round(cd["x"] - LANE_HEADER)
    step.y = round(y - data.lane_tops()[lane.key])
    clamp_into_lane(step, lane)
    return step.key


def delete_step(data: MapData, cd: dict) -> None:
    _remove_steps(data, {step_of(data, cd["step"]).key})


def add_flow(data: MapData, cd: dict) -> str:
    source, target = step_of(data, cd["source"]), step_of(data, cd["target"])
    if source.key == target.key:
        raise OpError(_("A flow cannot lead from a step to itself: choose two different steps."))
    if any(f.source == source.key and f.target == target.key for f in data.flows):
        raise OpError(_("“%(source)s” already leads to “%(target)s”.") % {"source": source.name or source.key,
                                                                          "target": target.name or target.key})
    key = mapdata.new_key("Flow", all_keys(data))
    data.flows.append(FlowData(key, source.key, target.key, cd.get("condition", "")))
    return key


def update_flow(data: MapData, cd: dict) -> str:
    flow = flow_of(data, cd["flow"])
    flow.condition = cd.get("condition", "")
    return flow.key


def delete_flow(data: MapData, cd: dict) -> None:
    data.flows.remove(flow_of(data, cd["flow"]))


# ---------------------------------------------------------------------------------------------
# Forms: one per operation; choices come from the map being edited
# ---------------------------------------------------------------------------------------------


class OpForm(forms.Form):
    """Fields named lane, step, source, target or flow choose among the map's own keys."""

    state = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, data_map: MapData, stakeholders=None, **kwargs):
        super().__init__(*args, **kwargs)
        steps = [(s.key, s.name or s.key) for s in data_map.steps]
        choices = {"lane": [(lane.key, lane.name) for lane in data_map.lanes], "step": steps, "source": steps,
                   "target": steps, "flow": [(f.key, f.key) for f in data_map.flows]}
        for name, field in self.fields.items():
            if name in choices:
                field.choices = choices[name]
        if "stakeholder" in self.fields:
            self.fields["stakeholder"].queryset = stakeholders if stakeholders is not None else Stakeholder.objects.none()


def _lane_choice():
    return forms.ChoiceField(label=gettext_lazy("Swimlane"), error_messages={
        "invalid_choice": gettext_lazy("Choose a swimlane of this map."), "required": gettext_lazy("Choose a swimlane.")})


def _step_choice(label):
    return forms.ChoiceField(label=label, error_messages={
        "invalid_choice": gettext_lazy("Choose a step of this map."), "required": gettext_lazy("Choose a step.")})


class LaneFields(OpForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    stakeholder = forms.ModelChoiceField(label=gettext_lazy("Stakeholder"), queryset=Stakeholder.objects.none(),
                                         required=False)
    height = forms.IntegerField(label=gettext_lazy("Height"), required=False, min_value=MIN_LANE_HEIGHT,
                                max_value=MAX_LANE_HEIGHT)


class AddLaneForm(LaneFields):
    pass


class UpdateLaneForm(LaneFields):
    lane = _lane_choice()


class MoveLaneForm(OpForm):
    lane = _lane_choice()
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class DeleteLaneForm(OpForm):
    lane = _lane_choice()
    confirm = forms.BooleanField(required=False)


class AddStepForm(OpForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StepKind.choices)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    lane = _lane_choice()


class UpdateStepForm(OpForm):
    step = _step_choice(gettext_lazy("Step"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=StepKind.choices)
    lane = _lane_choice()
    description = forms.CharField(label=gettext_lazy("Description"), required=False, widget=forms.Textarea)
    performer = forms.CharField(label=gettext_lazy("Performer"), max_length=120, required=False)
    system = forms.CharField(label=gettext_lazy("System used"), max_length=120, required=False)
    duration_minutes = forms.IntegerField(label=gettext_lazy("Duration (minutes)"), required=False, min_value=0,
                                          max_value=2_000_000_000)
    volume = forms.IntegerField(label=gettext_lazy("Volume per month"), required=False, min_value=0,
                                max_value=2_000_000_000)
    pain_points = forms.MultipleChoiceField(label=gettext_lazy("Pain points"), choices=PainPoint.choices,
                                            required=False, widget=forms.CheckboxSelectMultiple)
    automated = forms.BooleanField(label=gettext_lazy("Automated in the to-be design"), required=False)


class MoveStepForm(OpForm):
    step = _step_choice(gettext_lazy("Step"))
    x = forms.FloatField(min_value=-100_000, max_value=100_000)
    y = forms.FloatField(min_value=-100_000, max_value=100_000)


class DeleteStepForm(OpForm):
    step = _step_choice(gettext_lazy("Step"))


class AddFlowForm(OpForm):
    source = _step_choice(gettext_lazy("From"))
    target = _step_choice(gettext_lazy("To"))
    condition = forms.CharField(label=gettext_lazy("Condition"), max_length=200, required=False)


class UpdateFlowForm(OpForm):
    flow = forms.ChoiceField(label=gettext_lazy("Flow"))
    condition = forms.CharField(label=gettext_lazy("Condition"), max_length=200, required=False)


class DeleteFlowForm(OpForm):
    flow = forms.ChoiceField(label=gettext_lazy("Flow"))


OPS = {  # op name -> (form, operation, success message)
    "add-lane": (AddLaneForm, add_lane, gettext_lazy("Swimlane added.")),
    "update-lane": (UpdateLaneForm, update_lane, gettext_lazy("Swimlane saved.")),
    "move-lane": (MoveLaneForm, move_lane, gettext_lazy("Swimlane moved.")),
    "delete-lane": (DeleteLaneForm, delete_lane, gettext_lazy("Swimlane deleted.")),
    "add-step": (AddStepForm, add_step, gettext_lazy("Step added.")),
    "update-step": (UpdateStepForm, update_step, gettext_lazy("Step saved.")),
    "move-step": (MoveStepForm, move_step, gettext_lazy("Step moved.")),
    "delete-step": (DeleteStepForm, delete_step, gettext_lazy("Step deleted.")),
    "add-flow": (AddFlowForm, add_flow, gettext_lazy("Steps connected.")),
    "update-flow": (UpdateFlowForm, update_flow, gettext_lazy("Flow saved.")),
    "delete-flow": (DeleteFlowForm, delete_flow, gettext_lazy("Flow deleted.")),
}


def form_errors(form: forms.Form) -> list[str]:
    """Every error of a bound form, each naming its field."""
    errors = []
    for name, field_errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in field_errors:
            errors.append(f"{label}: {error}" if label else str(error))
    return errors


def fingerprint(data: MapData) -> str:
    """A short digest of the map's content: an editor posts the one it was drawn from."""
    return hashlib.sha256(repr(data).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _map(access, pk) -> ProcessMap:
    return get_object_or_404(ProcessMap.objects.select_related("process", "based_on"), project=access.project, pk=pk)


def _editor_url(process_map, selected: str | None = None) -> str:
    url = reverse("design:map-editor", kwargs={"project": process_map.project_id, "pk": process_map.pk})
    return f"{url}?sel={selected}" if selected else url


def _selection(request, process_map, data: MapData) -> str | None:
    """The selected lane, step or flow key from ?sel=<key>, or a step from ?step=<pk> (Step's URL)."""
    key = request.GET.get("sel")
    if key and key in all_keys(data):
        return key
    pk = request.GET.get("step", "")
    if pk.isdigit():
        return Step.objects.filter(map=process_map, pk=int(pk)).values_list("key", flat=True).first()
    return None


def editor_context(access, process_map, data: MapData, selected: str | None, **extra) -> dict:
    """Everything the editor partial (design/_editor.html) shows."""
    can_change = access.can(AREA, "change")
    lanes_by_key = {lane.key: lane for lane in data.lanes}
    counts = {lane.key: 0 for lane in data.lanes}
    for step in data.steps:
        counts[step.lane] = counts.get(step.lane, 0) + 1
    names = {s.key: s.name or s.key for s in data.steps}
    step = data.step(selected) if selected else None
    flow = next((f for f in data.flows if f.key == selected), None) if selected else None
    stakeholders = Stakeholder.objects.filter(project=access.project).order_by("name") if can_change else []
    confirm = extra.pop("confirm_lane", None)
    context = {
        "project": access.project, "map": process_map, "can_change": can_change,
        "svg": render_svg(data, selected=selected, interactive=True),
        "state": fingerprint(data), "selected": selected,
        "lanes": [{"lane": lane, "steps": counts[lane.key], "first": i == 0, "last": i == len(data.lanes) - 1}
                  for i, lane in enumerate(data.lanes)],
        "steps": [{"key": r["step"].key, "label": r["step"].name or r["step"].key, "kind": r["kind"], "lane": r["lane"]}
                  for r in step_rows(data)],
        "flows": [{"flow": f, "source": names.get(f.source, f.source), "target": names.get(f.target, f.target)}
                  for f in data.flows],
        "step": step, "flow": flow, "lane": lanes_by_key.get(selected) if selected else None,
        "flow_source": names.get(flow.source) if flow else None, "flow_target": names.get(flow.target) if flow else None,
        "kinds": StepKind.choices, "pain_choices": PainPoint.choices, "stakeholders": stakeholders,
        "confirm_lane": lanes_by_key.get(confirm), "confirm_count": counts.get(confirm, 0),
        "edit_base": _editor_url(process_map),  # + "<op>/" is the design:map-edit URL of an operation
        "editor_url": _editor_url(process_map),
        "default_lane": (selected if selected in lanes_by_key else step.lane if step else
                         data.lanes[0].key if data.lanes else None),
        "min_lane_height": MIN_LANE_HEIGHT, "max_lane_height": MAX_LANE_HEIGHT,
    }
    context.update(extra)
    return context


@login_required
def map_editor(request, project, pk):
    """The editor: the diagram on the left, the tools on the right (viewers see the diagram only)."""
    access = project_access(request.user, project, AREA, "view")
    process_map = _map(access, pk)
    data = mapdata.load(process_map)
    selected = _selection(request, process_map, data)
    confirm = request.GET.get("delete_lane")
    context = editor_context(access, process_map, data, selected, confirm_lane=confirm)
    if request.htmx:
        return render(request, "design/_editor.html", context)
    context.update(area=AREA, access=access, title=_("Editor: %(map)s") % {"map": process_map})
    return render(request, "design/editor.html", context)


@login_required
@require_POST
def map_edit(request, project, pk, op):
    """Apply one editing operation to the map (see OPS) and answer with the editor again."""
    access = project_access(request.user, project, AREA, "change")
    if op not in OPS:
        raise Http404(_("No such editing operation."))
    process_map = _map(access, pk)
    form_class, operation, success = OPS[op]
    # The map row stays locked from reading the map to saving it: two editors posting at the same
    # moment are served one after the other, and the second is compared with the first's result.
    with transaction.atomic():
        ProcessMap.objects.select_for_update().filter(pk=process_map.pk).first()
        data = mapdata.load(process_map)
        form = form_class(request.POST, data_map=data, stakeholders=Stakeholder.objects.filter(project=access.project))
        errors, selected, confirm = [], _selection(request, process_map, data), None
        if form.is_valid() and form.cleaned_data.get("state") and form.cleaned_data["state"] != fingerprint(data):
            errors = [_("The map was changed elsewhere since this editor was drawn: it now shows the current map. "
                        "Please make your change again.")]
        elif form.is_valid():
            changed = MapData([replace(x) for x in data.lanes],
                              [replace(s, pain_points=list(s.pain_points)) for s in data.steps],
                              [replace(f) for f in data.flows])
            try:
                selected = operation(changed, form.cleaned_data)
                mapdata.save_content(process_map, changed, user=request.user)
                data = mapdata.load(process_map)
            except NeedsConfirmation as pending:
                confirm = pending.lane_key
            except OpError as error:
                errors = [str(error)]
            except InvalidMap as invalid:
                errors = list(invalid.errors)
        else:
            errors = form_errors(form)
    if selected not in all_keys(data):
        selected = None
    if request.htmx:
        notice = None if errors or confirm else str(success)
        context = editor_context(access, process_map, data, selected, errors=errors, notice=notice, confirm_lane=confirm)
        return render(request, "design/_editor.html", context)
    for error in errors:
        messages.error(request, error)
    if confirm:
        return redirect(_editor_url(process_map) + f"?delete_lane={confirm}")
    if not errors:
        messages.success(request, str(success))
    return redirect(_editor_url(process_map, selected))


@login_required
def map_svg(request, project, pk):
    """The diagram as a standalone SVG file."""
    access = project_access(request.user, project, AREA, "view")
    process_map = _map(access, pk)
    svg = render_svg(mapdata.load(process_map))
    response = HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{process_map.ref}.svg"'
    return response


A3_FROM_WIDTH = 1400  # diagrams wider than this (pixels) print on A3
PDF_ROOM = {"A4 landscape": (265, 112), "A3 landscape": (388, 205)}  # mm for the diagram under the header


def pdf_fit(svg: str) -> tuple[str, int]:
    """The page size and the diagram's printed width (mm) so it fits the first page whole."""
    width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    height = float(svg.split('height="', 1)[1].split('"', 1)[0])
    page = "A3 landscape" if width > A3_FROM_WIDTH else "A4 landscape"
    room_w, room_h = PDF_ROOM[page]
    return page, int(min(room_w, room_h * width / max(height, 1)))


@login_required
def map_pdf(request, project, pk):
    """The map as a PDF in the reader's language: header, diagram, then the table of steps."""
    access = project_access(request.user, project, AREA, "view")
    process_map = _map(access, pk)
    data = mapdata.load(process_map)
    svg = render_svg(data)
    page_size, width_mm = pdf_fit(svg)
    context = {
        "project": access.project, "map": process_map, "svg": svg, "facts": map_facts(data), "rows": step_rows(data),
        "page_size": page_size, "diagram_width_mm": width_mm,
        "title": f"{process_map.ref} {process_map.name}",
    }
    pdf = render_pdf("design/map_pdf.html", context, request=request, language=get_language())
    return pdf_response(pdf, f"{process_map.ref} {process_map.name}.pdf")


@login_required
@require_POST
def map_copy(request, project, pk):
    """Copy the map's content as a new to-be map of the same process (same keys, so gaps match steps)."""
    access = project_access(request.user, project, AREA, "change")
    source = _map(access, pk)
    name = _("%(name)s (to-be)") % {"name": source.name}
    try:
        with transaction.atomic():
            copy = ProcessMap.objects.create(
                project=access.project, process=source.process, name=name[:200], kind=MapKind.TO_BE,
                status=MapStatus.DRAFT, description=source.description, based_on=source,
            )
            mapdata.save_content(copy, mapdata.load(source), user=request.user)
    except mapdata.InvalidMap as invalid:  # a map saved before a rule existed: say why, copy nothing
        messages.error(request, _("%(map)s cannot be copied: %(errors)s") % {"map": source, "errors": " ".join(invalid.errors)})
        return redirect(source.get_absolute_url())
    messages.success(request, _("%(map)s was copied as %(copy)s.") % {"map": source, "copy": copy})
    return redirect(_editor_url(copy))


urlpatterns = [
    path("maps/<int:pk>/editor/", map_editor, name="map-editor"),
    path("maps/<int:pk>/editor/<slug:op>/", map_edit, name="map-edit"),
    path("maps/<int:pk>/diagram.svg", map_svg, name="map-svg"),
    path("maps/<int:pk>/pdf/", map_pdf, name="map-pdf"),
    path("maps/<int:pk>/copy/", map_copy, name="map-copy"),
]
