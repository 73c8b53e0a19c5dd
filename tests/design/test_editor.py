"""The map editor end to end: every operation through design:map-edit, bad input, stale editors,
permissions, and the map's outputs (SVG, PDF, copy as to-be, the map page's extras)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from projectcrm.design import mapdata as md
from projectcrm.design.choices import MapKind
from projectcrm.design.editor_views import fingerprint
from projectcrm.design.models import Flow, Lane, ProcessMap, Step
from projectcrm.governance.models import Stakeholder
from tests.design.conftest import small_map

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pmap(make_map):
    return make_map(small_map(), name="Lead capture as-is")


def edit(client, pmap, op, htmx=True, **values):
    url = reverse("design:map-edit", kwargs={"project": pmap.project_id, "pk": pmap.pk, "op": op})
    return client.post(url, values, **(HTMX if htmx else {}))


def url_of(name, pmap):
    return reverse(name, kwargs={"project": pmap.project_id, "pk": pmap.pk})


def content(pmap) -> md.MapData:
    return md.load(pmap)


# --- the page -------------------------------------------------------------------------------


def test_pm_gets_the_editing_tools(client_for, pmap):
    response = client_for("pm").get(url_of("design:map-editor", pmap))
    assert response.status_code == 200
    html = response.content.decode()
    for marker in ('id="map-editor"', 'id="add-lane-form"', 'id="add-step-form"', 'id="connect-form"',
                   'data-key="Task_capture"', "design/editor.js"):
        assert marker in html


def test_viewer_sees_the_diagram_without_tools(client_for, pmap):
    response = client_for("viewer").get(url_of("design:map-editor", pmap) + "?sel=Task_capture")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-key="Task_capture"' in html and "Sales assistant" in html
    assert 'id="add-lane-form"' not in html and 'id="step-form"' not in html


def test_step_url_selects_the_step(client_for, pmap):
    step = Step.objects.get(map=pmap, key="Task_capture")
    response = client_for("pm").get(step.get_absolute_url())
    assert response.context["selected"] == "Task_capture"
    assert 'id="step-form"' in response.content.decode()


def test_htmx_get_returns_the_partial(client_for, pmap):
    response = client_for("pm").get(url_of("design:map-editor", pmap) + "?sel=Flow_3", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith("<div id=\"map-editor\"") and "<html" not in html
    assert 'id="flow-form"' in html and "Qualified? → Assign to sales rep" in html


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "steering", "evaluator", "trainer"])
def test_view_roles_cannot_edit_or_copy(client_for, pmap, role):
    client = client_for(role)
    assert edit(client, pmap, "add-lane", name="X").status_code == 403
    assert client.post(url_of("design:map-copy", pmap)).status_code == 403
    assert len(content(pmap).lanes) == 2


def test_viewer_can_view_editor_svg_and_pdf(client_for, pmap):
    client = client_for("viewer")
    for name in ("design:map-editor", "design:map-svg", "design:map-pdf"):
        assert client.get(url_of(name, pmap)).status_code == 200


def test_outsider_gets_404_everywhere(client_for, pmap):
    client = client_for("outsider")
    for name in ("design:map-editor", "design:map-svg", "design:map-pdf"):
        assert client.get(url_of(name, pmap)).status_code == 404
    assert edit(client, pmap, "add-lane", name="X").status_code == 404
    assert client.post(url_of("design:map-copy", pmap)).status_code == 404


def test_map_of_another_project_is_404(client_for, other_project, process):
    from projectcrm.design.models import Process

    other_process = Process.objects.create(project=other_project, name="Theirs")
    theirs = ProcessMap.objects.create(project=other_project, process=other_process, name="Theirs")
    url = reverse("design:map-editor", kwargs={"project": process.project_id, "pk": theirs.pk})
    assert client_for("pm").get(url).status_code == 404


def test_get_on_an_operation_is_refused_and_unknown_operation_is_404(client_for, pmap):
    client = client_for("pm")
    url = reverse("design:map-edit", kwargs={"project": pmap.project_id, "pk": pmap.pk, "op": "add-lane"})
    assert client.get(url).status_code == 405
    assert edit(client, pmap, "explode").status_code == 404


# --- swimlanes ------------------------------------------------------------------------------


def test_add_lane_with_a_stakeholder(client_for, pmap, project):
    stakeholder = Stakeholder.objects.create(project=project, name="Mei Lin", department="Sales")
    response = edit(client_for("pm"), pmap, "add-lane", name="销售助理", stakeholder=stakeholder.pk)
    assert response.status_code == 200 and "Swimlane added." in response.content.decode()
    lane = content(pmap).lanes[-1]
    assert (lane.name, lane.stakeholder_id, lane.height) == ("销售助理", stakeholder.pk, 160)
    assert lane.key.startswith("Lane_")


def test_add_lane_without_htmx_redirects_with_a_message(client_for, pmap):
    client = client_for("pm")
    response = edit(client, pmap, "add-lane", htmx=False, name="Finance")
    assert response.status_code == 302 and response["Location"].startswith(url_of("design:map-editor", pmap))
    page = client.get(response["Location"])
    assert "Swimlane added." in page.content.decode()


def test_add_lane_bad_input_names_the_field(client_for, pmap, other_project):
    client = client_for("pm")
    response = edit(client, pmap, "add-lane", name="")
    assert response.status_code == 200
    assert "Name: This field is required." in response.content.decode()
    foreign = Stakeholder.objects.create(project=other_project, name="Not ours")
    response = edit(client, pmap, "add-lane", name="X", stakeholder=foreign.pk)
    assert "Stakeholder:" in response.content.decode()
    response = edit(client, pmap, "add-lane", htmx=False, name="")
    assert response.status_code == 302
    assert "Name: This field is required." in client.get(response["Location"]).content.decode()
    assert len(content(pmap).lanes) == 2


def test_update_lane_renames_and_resizes_keeping_steps_inside(client_for, pmap):
    response = edit(client_for("pm"), pmap, "update-lane", lane="Lane_sales", name="Sales desk", height=100)
    assert "Swimlane saved." in response.content.decode()
    data = content(pmap)
    assert (data.lanes[0].name, data.lanes[0].height) == ("Sales desk", 100)
    task = data.step("Task_capture")
    assert 32 + 4 <= task.y <= 100 - 32 - 4


def test_update_lane_too_low_is_refused(client_for, pmap):
    response = edit(client_for("pm"), pmap, "update-lane", lane="Lane_sales", name="Sales", height=20)
    assert "Height: Ensure this value is greater than or equal to 80." in response.content.decode()


def test_move_lane_down_and_up(client_for, pmap):
    client = client_for("pm")
    edit(client, pmap, "move-lane", lane="Lane_sales", direction="down")
    assert [lane.key for lane in content(pmap).lanes] == ["Lane_crm", "Lane_sales"]
    edit(client, pmap, "move-lane", lane="Lane_sales", direction="up")
    assert [lane.key for lane in content(pmap).lanes] == ["Lane_sales", "Lane_crm"]
    edit(client, pmap, "move-lane", lane="Lane_sales", direction="up")  # already first: nothing happens
    assert [lane.key for lane in content(pmap).lanes] == ["Lane_sales", "Lane_crm"]


def test_delete_lane_with_steps_asks_first_and_names_the_count(client_for, pmap):
    client = client_for("pm")
    response = edit(client, pmap, "delete-lane", lane="Lane_sales")
    html = response.content.decode()
    assert 'id="confirm-delete-lane"' in html and "holds 4 steps" in html
    assert len(content(pmap).lanes) == 2
    response = edit(client, pmap, "delete-lane", lane="Lane_sales", confirm="1")
    data = content(pmap)
    assert [lane.key for lane in data.lanes] == ["Lane_crm"]
    assert [s.key for s in data.steps] == ["Task_assign"] and data.flows == []


def test_delete_lane_without_htmx_confirms_on_the_editor_page(client_for, pmap):
    client = client_for("pm")
    response = edit(client, pmap, "delete-lane", htmx=False, lane="Lane_crm")
    assert "delete_lane=Lane_crm" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "holds 1 step." in page


def test_delete_empty_lane_needs_no_confirmation(client_for, pmap):
    client = client_for("pm")
    edit(client, pmap, "add-lane", name="Empty")
    key = content(pmap).lanes[-1].key
    edit(client, pmap, "delete-lane", lane=key)
    assert [lane.key for lane in content(pmap).lanes] == ["Lane_sales", "Lane_crm"]


# --- steps ----------------------------------------------------------------------------------


def test_add_step_goes_right_of_the_lanes_last_step(client_for, pmap):
    response = edit(client_for("pm"), pmap, "add-step", kind="task", name="发送报价", lane="Lane_crm")
    assert "Step added." in response.content.decode()
    data = content(pmap)
    new = next(s for s in data.steps if s.name == "发送报价")
    # Task_assign (system, 120 wide) is at x 440: its right edge 500, a 60 gap, half of 120.
    assert (new.lane, new.x, new.y, new.kind) == ("Lane_crm", 500 + 60 + 60, 80, "task")
    assert new.key.startswith("Activity_")
    assert response.context["selected"] == new.key


def test_add_step_key_prefix_follows_the_kind(client_for, pmap):
    client = client_for("pm")
    edit(client, pmap, "add-step", kind="decision", name="OK?", lane="Lane_crm")
    edit(client, pmap, "add-step", kind="end", name="", lane="Lane_crm")
    keys = {s.key for s in content(pmap).steps}
    assert any(k.startswith("Gateway_") for k in keys - {"Gateway_q"})
    assert any(k.startswith("Event_") for k in keys)


def test_first_step_of_an_empty_lane_sits_clear_of_the_header(client_for, pmap):
    client = client_for("pm")
    edit(client, pmap, "add-lane", name="Empty")
    lane = content(pmap).lanes[-1].key
    edit(client, pmap, "add-step", kind="start", name="Go", lane=lane)
    step = next(s for s in content(pmap).steps if s.lane == lane)
    assert step.x == 18 + 30 and step.y == 80


def test_add_step_bad_input(client_for, pmap):
    client = client_for("pm")
    html = edit(client, pmap, "add-step", kind="rocket", name="X", lane="Lane_crm").content.decode()
    assert "Kind: Select a valid choice." in html
    html = edit(client, pmap, "add-step", kind="task", name="X", lane="Lane_nowhere").content.decode()
    assert "Swimlane: Choose a swimlane of this map." in html
    html = edit(client, pmap, "add-step", kind="task", name="x" * 201, lane="Lane_crm").content.decode()
    assert "Name: Ensure this value has at most 200 characters" in html
    assert len(content(pmap).steps) == 5


def test_update_step_sets_every_field(client_for, pmap):
    response = edit(
        client_for("pm"), pmap, "update-step", step="Task_capture", name="录入线索", kind="system", lane="Lane_crm",
        description="From the trade fair", performer="Assistant", system="Excel", duration_minutes="20", volume="300",
        pain_points=["duplicate_entry", "lost_history"], automated="1",
    )
    assert "Step saved." in response.content.decode()
    step = content(pmap).step("Task_capture")
    assert (step.name, step.kind, step.lane, step.description, step.performer, step.system) == (
        "录入线索", "system", "Lane_crm", "From the trade fair", "Assistant", "Excel")
    assert (step.duration_minutes, step.volume, step.pain_points, step.automated) == (
        20, 300, ["duplicate_entry", "lost_history"], True)
    assert Step.objects.get(map=pmap, key="Task_capture").history.count() == 2


def test_update_step_bad_input_names_fields(client_for, pmap):
    html = edit(client_for("pm"), pmap, "update-step", step="Task_capture", name="X", kind="task",
                lane="Lane_sales", duration_minutes="-5", pain_points=["bad_vibes"]).content.decode()
    assert "Duration (minutes): Ensure this value is greater than or equal to 0." in html
    assert "Pain points: Select a valid choice. bad_vibes is not one of the available choices." in html
    assert content(pmap).step("Task_capture").name == "Capture lead"


def test_update_of_a_step_deleted_meanwhile(client_for, pmap):
    html = edit(client_for("pm"), pmap, "update-step", step="Nope", name="X", kind="task",
                lane="Lane_sales").content.decode()
    assert "Step: Choose a step of this map." in html


def test_drag_into_another_lane_changes_the_lane(client_for, pmap):
    # Lane_sales is 0..160, Lane_crm 160..320; drop the task at diagram (40 + 300, 250).
    response = edit(client_for("pm"), pmap, "move-step", step="Task_capture", x="340", y="250")
    assert "Step moved." in response.content.decode()
    step = content(pmap).step("Task_capture")
    assert (step.lane, step.x, step.y) == ("Lane_crm", 300, 90)


def test_drop_is_clamped_inside_the_lane_and_clear_of_the_header(client_for, pmap):
    client = client_for("pm")
    edit(client, pmap, "move-step", step="Task_capture", x="-50", y="-40")
    step = content(pmap).step("Task_capture")
    assert (step.lane, step.x, step.y) == ("Lane_sales", 70, 36)  # x >= 60 + 10, y >= 32 + 4
    edit(client, pmap, "move-step", step="Task_capture", x="500", y="5000")
    step = content(pmap).step("Task_capture")
    assert (step.lane, step.y) == ("Lane_crm", 160 - 32 - 4)


def test_move_step_bad_coordinates(client_for, pmap):
    html = edit(client_for("pm"), pmap, "move-step", step="Task_capture", x="left", y="1").content.decode()
    assert "Enter a number." in html


def test_delete_step_removes_its_flows_and_is_in_history(client_for, pmap):
    step_pk = Step.objects.get(map=pmap, key="Gateway_q").pk
    response = edit(client_for("pm"), pmap, "delete-step", step="Gateway_q")
    assert "Step deleted." in response.content.decode()
    data = content(pmap)
    assert data.step("Gateway_q") is None
    assert {f.key for f in data.flows} == {"Flow_1", "Flow_5"}
    deleted = Step.history.filter(id=step_pk, history_type="-")
    assert deleted.count() == 1
    assert Flow.history.filter(map_id=pmap.pk, history_type="-").count() == 3


# --- flows ----------------------------------------------------------------------------------


def test_add_flow_with_a_condition(client_for, pmap):
    response = edit(client_for("pm"), pmap, "add-flow", source="Task_assign", target="Task_capture", condition="重试")
    assert "Steps connected." in response.content.decode()
    flow = next(f for f in content(pmap).flows if f.source == "Task_assign" and f.target == "Task_capture")
    assert flow.condition == "重试" and flow.key.startswith("Flow_")


def test_add_flow_refuses_loops_duplicates_and_strangers(client_for, pmap):
    client = client_for("pm")
    html = edit(client, pmap, "add-flow", source="Task_assign", target="Task_assign").content.decode()
    assert "A flow cannot lead from a step to itself" in html
    html = edit(client, pmap, "add-flow", source="Start_1", target="Task_capture").content.decode()
    assert "“Lead arrives” already leads to “Capture lead”." in html
    html = edit(client, pmap, "add-flow", source="Start_1", target="Ghost").content.decode()
    assert "To: Choose a step of this map." in html
    assert len(content(pmap).flows) == 5


def test_update_and_delete_flow(client_for, pmap):
    client = client_for("pm")
    edit(client, pmap, "update-flow", flow="Flow_3", condition="qualified")
    assert next(f for f in content(pmap).flows if f.key == "Flow_3").condition == "qualified"
    html = edit(client, pmap, "update-flow", flow="Flow_3", condition="x" * 201).content.decode()
    assert "Condition: Ensure this value has at most 200 characters" in html
    edit(client, pmap, "delete-flow", flow="Flow_3")
    assert "Flow_3" not in {f.key for f in content(pmap).flows}


# --- stale editors --------------------------------------------------------------------------


def test_a_stale_editor_does_not_override(client_for, pmap):
    client = client_for("pm")
    seen = fingerprint(content(pmap))
    edit(client, pmap, "update-step", step="Task_capture", name="Changed by Ann", kind="task", lane="Lane_sales",
         state=seen)
    html = edit(client, pmap, "update-step", step="Task_capture", name="Changed by Bob", kind="task",
                lane="Lane_sales", state=seen).content.decode()
    assert "The map was changed elsewhere" in html
    assert content(pmap).step("Task_capture").name == "Changed by Ann"
    fresh = fingerprint(content(pmap))
    assert f'value="{fresh}"' in html  # the editor now carries the current state


# --- outputs --------------------------------------------------------------------------------


def test_svg_download(client_for, pmap):
    response = client_for("viewer").get(url_of("design:map-svg", pmap))
    assert response["Content-Type"].startswith("image/svg+xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0"') and 'xmlns="http://www.w3.org/2000/svg"' in body
    assert "Capture lead" in body and "data-key" not in body


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")
def test_pdf_holds_the_map_and_its_steps(client_for, pmap, tmp_path):
    data = content(pmap)
    data.steps[1].name = "在电子表格中记录线索"
    md.save_content(pmap, data)
    response = client_for("viewer").get(url_of("design:map-pdf", pmap))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "map.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())  # table cells wrap: compare without whitespace
    for expected in ("Lead capture as-is", "Sales assistant", "Duplicate entry", "CRM system", "As-is",
                     "在电子表格中记录线索"):
        assert "".join(expected.split()) in squeezed


def test_pdf_in_the_readers_language(client_for, pmap, tmp_path):
    client = client_for("viewer")
    client.cookies["django_language"] = "zh-hans"
    response = client.get(url_of("design:map-pdf", pmap))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_copy_as_to_be_keeps_keys_and_links_back(client_for, pmap):
    response = client_for("pm").post(url_of("design:map-copy", pmap))
    copy = ProcessMap.objects.exclude(pk=pmap.pk).get()
    assert response.status_code == 302 and response["Location"] == url_of("design:map-editor", copy)
    assert (copy.name, copy.kind, copy.based_on_id, copy.process_id) == (
        "Lead capture as-is (to-be)", MapKind.TO_BE, pmap.pk, pmap.process_id)
    assert content(copy) == content(pmap)
    assert Lane.objects.filter(map=copy).count() == 2 and Step.objects.filter(map=copy).count() == 5


def test_a_step_a_use_case_names_is_not_deleted(client_for, pmap):
    from projectcrm.design.models import UseCase

    step = Step.objects.get(map=pmap, key="Task_capture")
    use_case = UseCase.objects.create(project=pmap.project, title="Capture lead", actor="Sales")
    use_case.steps.add(step)
    response = edit(client_for("pm"), pmap, "delete-step", step="Task_capture")
    assert "is part of UC-001" in response.content.decode()
    assert Step.objects.filter(pk=step.pk).exists() and list(use_case.steps.all()) == [step]


def test_copy_of_a_map_that_breaks_a_rule_names_it_and_copies_nothing(client_for, pmap):
    Lane.objects.filter(map=pmap, key="Lane_crm").update(key="not a BPMN id")  # saved outside the editor
    response = client_for("pm").post(url_of("design:map-copy", pmap), follow=True)
    assert "cannot be copied" in response.content.decode() and "not a BPMN id" in response.content.decode()
    assert ProcessMap.objects.count() == 1


def test_map_page_shows_facts_diagram_and_actions(client_for, pmap):
    response = client_for("pm").get(pmap.get_absolute_url())
    html = response.content.decode()
    facts = response.context["map_facts"]
    # Flow_3 (sales -> crm) and Flow_5 (crm -> sales) cross lanes; work: 15 + 1 minutes.
    assert (facts["lanes"], facts["steps"], facts["flows"], facts["handoffs"], facts["duration"]) == (2, 5, 5, 2, 16)
    assert 'id="map-diagram"' in html and "<svg" in html
    for name in ("design:map-editor", "design:map-pdf", "design:map-svg", "design:map-copy"):
        assert url_of(name, pmap) in html


def test_map_page_for_a_viewer_has_no_copy_button(client_for, pmap):
    html = client_for("viewer").get(pmap.get_absolute_url()).content.decode()
    assert url_of("design:map-copy", pmap) not in html and url_of("design:map-editor", pmap) in html
