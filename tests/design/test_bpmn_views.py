"""BPMN download and upload pages (design/bpmn_views.py): permissions, messages, nothing half-saved."""

from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projectcrm.design import mapdata as md
from projectcrm.design.bpmn import export_bpmn, parse_bpmn
from projectcrm.design.choices import MapKind
from projectcrm.design.models import Lane, ProcessMap, Step
from projectcrm.governance.models import Stakeholder
from tests.design.conftest import small_map

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        content = (FIXTURES / name).read_bytes()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def import_url(project, **query) -> str:
    url = reverse("design:bpmn-import", kwargs={"project": project.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def download_url(process_map) -> str:
    return reverse("design:map-bpmn", kwargs={"project": process_map.project_id, "pk": process_map.pk})


# --- download ---------------------------------------------------------------------------------


def test_viewer_downloads_the_map_as_bpmn(client_for, make_map):
    process_map = make_map(small_map(), name="Lead capture")
    response = client_for("viewer").get(download_url(process_map))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == f'attachment; filename="{process_map.ref}.bpmn"'
    assert process_map.ref == "MAP-001"
    assert parse_bpmn(response.content) == md.load(process_map)


def test_outsider_gets_404_on_download_and_import(client_for, make_map):
    process_map = make_map(small_map())
    client = client_for("outsider")
    assert client.get(download_url(process_map)).status_code == 404
    assert client.get(import_url(process_map.project)).status_code == 404


def test_map_of_another_project_is_404(client_for, other_project, process):
    from projectcrm.design.models import Process

    foreign = ProcessMap.objects.create(
        project=other_project, process=Process.objects.create(project=other_project, name="Theirs"), name="Theirs")
    client = client_for("pm")
    assert client.get(reverse("design:map-bpmn", kwargs={"project": process.project_id, "pk": foreign.pk})).status_code == 404
    assert client.get(import_url(process.project, map=foreign.pk)).status_code == 404


def test_anonymous_is_sent_to_login(client, make_map):
    response = client.get(download_url(make_map(small_map())))
    assert response.status_code == 302 and "login" in response["Location"]


# --- import -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "steering", "evaluator", "trainer"])
def test_view_only_roles_get_403_on_import(client_for, project, process, role):
    client = client_for(role)
    assert client.get(import_url(project)).status_code == 403
    response = client.post(import_url(project), {"file": upload("bpmnio_quotation.bpmn"), "process": process.pk,
                                                  "kind": MapKind.AS_IS})
    assert response.status_code == 403
    assert not ProcessMap.objects.exists()


def test_form_preselects_the_process(client_for, project, process):
    response = client_for("member").get(import_url(project, process=process.pk))
    assert response.status_code == 200
    assert response.context["form"]["process"].value() == process.pk
    assert b'enctype="multipart/form-data"' in response.content


def test_import_creates_a_map_named_after_the_pool(client_for, project, process):
    response = client_for("member").post(import_url(project), {
        "file": upload("camunda_lead_qualification.bpmn"), "process": process.pk, "kind": MapKind.TO_BE, "name": "",
    })
    process_map = ProcessMap.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("design:maps-detail", kwargs={"project": project.pk, "pk": process_map.pk})
    assert (process_map.name, process_map.kind, process_map.process) == ("Lead qualification", MapKind.TO_BE, process)
    data = md.load(process_map)
    assert [lane.name for lane in data.lanes] == ["Marketing", "Sales", "CRM system"]
    assert len(data.steps) == 8 and len(data.flows) == 7
    text = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("8 steps" in m for m in text)


def test_import_name_from_the_form_then_the_file_name(client_for, project, process):
    client = client_for("pm")
    client.post(import_url(project), {"file": upload("bpmnio_quotation.bpmn"), "process": process.pk,
                                      "kind": MapKind.AS_IS, "name": "Quotation today"})
    process_without_name = export_bpmn("", small_map())
    client.post(import_url(project), {"file": upload("lead-capture.bpmn", process_without_name), "process": process.pk,
                                      "kind": MapKind.AS_IS})
    assert list(ProcessMap.objects.order_by("number").values_list("name", flat=True)) == ["Quotation today", "lead-capture"]


@pytest.mark.parametrize(("content", "expected"), [
    (b"<definitions><process", "not well-formed XML"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>', "DOCTYPE"),
])
def test_bad_file_message_names_the_file_and_nothing_is_saved(client_for, project, process, content, expected):
    response = client_for("member").post(import_url(project), {
        "file": upload("broken-export.bpmn", content), "process": process.pk, "kind": MapKind.AS_IS,
    })
    assert response.status_code == 200
    assert response.context["errors"]
    page = response.content.decode()
    assert "broken-export.bpmn" in page and expected in page
    assert not ProcessMap.objects.exists() and not Step.objects.exists()


def test_map_refused_by_validation_leaves_no_empty_map(client_for, project, process):
    """The file parses, but a step's id is not a valid BPMN id: the new map is rolled back with its content."""
    data = small_map()
    data.steps[0].key = "Start 1"
    data.flows[0].source = "Start 1"
    response = client_for("member").post(import_url(project), {
        "file": upload("bad-ids.bpmn", export_bpmn("Bad ids", data)), "process": process.pk, "kind": MapKind.AS_IS,
    })
    assert response.status_code == 200
    assert any("Start 1" in e for e in response.context["errors"])
    assert "bad-ids.bpmn" in response.context["errors"][0]
    assert not ProcessMap.objects.exists() and not Lane.objects.exists()


def test_missing_file_and_process_are_field_errors(client_for, project):
    response = client_for("member").post(import_url(project), {"kind": MapKind.AS_IS})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"file", "process"}
    assert not ProcessMap.objects.exists()


def test_replace_keeps_the_map_and_its_history(client_for, make_map, project):
    process_map = make_map(small_map(), name="Lead capture")
    capture = Step.objects.get(map=process_map, key="Task_capture")
    versions_before = capture.history.count()
    changed = small_map()
    changed.steps = [s for s in changed.steps if s.key != "Task_assign"]
    changed.flows = [f for f in changed.flows if "Task_assign" not in (f.source, f.target)]
    changed.step("Task_capture").name = "Capture lead in the CRM"
    response = client_for("member").post(import_url(project, map=process_map.pk),
                                         {"file": upload("MAP-001.bpmn", export_bpmn("Lead capture", changed))})
    assert response.status_code == 302
    assert ProcessMap.objects.count() == 1
    process_map.refresh_from_db()
    assert process_map.name == "Lead capture"
    assert md.load(process_map) == changed
    capture.refresh_from_db()
    assert capture.name == "Capture lead in the CRM"
    assert capture.history.count() == versions_before + 1
    assert Step.history.filter(key="Task_assign", history_type="-").exists()


def test_replace_form_names_the_map(client_for, make_map, project):
    process_map = make_map(small_map(), name="Lead capture")
    response = client_for("member").get(import_url(project, map=process_map.pk))
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"file"}
    assert f'name="map" value="{process_map.pk}"' in response.content.decode()
    assert client_for("member").get(import_url(project, map="abc")).status_code == 404


def test_replace_with_a_bad_file_changes_nothing(client_for, make_map, project):
    process_map = make_map(small_map())
    before = md.load(process_map)
    response = client_for("member").post(import_url(project), {"map": process_map.pk, "file": upload("x.bpmn", b"nope")})
    assert response.status_code == 200
    assert response.context["replacing"] == process_map
    assert md.load(process_map) == before


def test_stakeholders_of_another_project_are_dropped(client_for, make_map, project, other_project):
    ours = Stakeholder.objects.create(project=project, name="Head of sales")
    theirs = Stakeholder.objects.create(project=other_project, name="Someone else")
    data = small_map()
    data.lanes[0].stakeholder_id = ours.pk
    data.lanes[1].stakeholder_id = theirs.pk
    process_map = make_map(md.MapData([md.LaneData("Lane_sales", "Sales")], [], []))
    client_for("pm").post(import_url(project, map=process_map.pk), {"file": upload("m.bpmn", export_bpmn("m", data))})
    assert [lane.stakeholder_id for lane in md.load(process_map).lanes] == [ours.pk, None]
