"""The roadmap pages around MS Project XML (export, import as a new release), moving a task on the
plan page, and a new project started from a methodology template."""

import datetime
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projectcrm.core.models import Project
from roadmap import methodology, mspdi
from roadmap.interchange import PHASE_UID_OFFSET
from roadmap.models import Dependency, Phase, Release, Task

FIXTURE = Path(__file__).parent / "fixtures" / "projectlibre_plan.xml"
NS = {"p": mspdi.MSPDI_NAMESPACE}
MONDAY = datetime.date(2025, 3, 3)


@pytest.fixture
def book_release(project):
    release = methodology.instantiate(project, methodology.built_in("book"), "Sales pilot", MONDAY, kind="pilot")
    # Give the plan what the template lacks: a description, progress, a lag, a finished task.
    first = Task.objects.filter(release=release).order_by("order").first()
    first.description = "Agree the vision with the sponsor.\n第二行：销售部"
    first.percent_complete = 40
    first.status = "in_progress"
    first.save()
    link = Dependency.objects.filter(successor__release=release).order_by("pk").first()
    link.lag = 2
    link.save()
    return release


def plan_shape(release):
    """Everything the round trip must keep, without database ids and numbers."""
    phases = [
        (
            phase.name,
            [
                (t.name, t.kind, t.duration, t.planned_start, t.planned_finish, t.percent_complete, t.description)
                for t in phase.tasks.order_by("order")
            ],
        )
        for phase in Phase.objects.filter(release=release).order_by("order")
    ]
    links = sorted(
        (d.predecessor.name, d.successor.name, d.lag)
        for d in Dependency.objects.filter(successor__release=release).select_related("predecessor", "successor")
    )
    return phases, links


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/xml")


def import_url(project):
    return reverse("roadmap:release-import-mspdi", kwargs={"project": project.pk})


def export_url(release):
    return reverse("roadmap:release-export-mspdi", kwargs={"project": release.project_id, "pk": release.pk})


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Export ----------------------------------------------------------------------------------------


def test_it_exports_phases_as_summary_tasks_and_tasks_by_number(client_for, book_release):
    response = client_for("viewer").get(export_url(book_release))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert f'filename="{book_release.ref}.xml"' in response["Content-Disposition"]
    root = ET.fromstring(response.content)
    rows = root.findall("p:Tasks/p:Task", NS)
    phase = Phase.objects.filter(release=book_release).order_by("order").first()
    first_phase = rows[1]
    assert first_phase.findtext("p:UID", namespaces=NS) == str(PHASE_UID_OFFSET + phase.pk)
    assert first_phase.findtext("p:OutlineLevel", namespaces=NS) == "1"
    assert first_phase.findtext("p:Summary", namespaces=NS) == "1"
    task = phase.tasks.order_by("order").first()
    first_task = rows[2]
    assert first_task.findtext("p:UID", namespaces=NS) == str(task.number)
    assert first_task.findtext("p:OutlineLevel", namespaces=NS) == "2"
    assert first_task.findtext("p:PercentComplete", namespaces=NS) == "40"
    assert first_task.findtext("p:Notes", namespaces=NS).startswith("Agree the vision")
    lagged = [link for link in root.iterfind(".//p:PredecessorLink", NS) if link.findtext("p:LinkLag", namespaces=NS) != "0"]
    assert [link.findtext("p:LinkLag", namespaces=NS) for link in lagged] == [str(2 * 480 * 10)]
    # The kind rides in a renamed custom text field.
    assert root.findtext("p:ExtendedAttributes/p:ExtendedAttribute/p:Alias", namespaces=NS) == "ProjectCRM kind"
    assert first_task.findtext("p:ExtendedAttribute/p:Value", namespaces=NS) == task.kind


def test_it_exports_an_empty_release(pm_client, project):
    release = Release.objects.create(project=project, name="Empty", start_date=MONDAY)
    response = pm_client.get(export_url(release))
    assert response.status_code == 200
    assert mspdi.import_xml(response.content).tasks == []


# --- Round trip ------------------------------------------------------------------------------------


def test_a_release_from_the_book_template_round_trips_unchanged(pm_client, project, book_release):
    exported = pm_client.get(export_url(book_release)).content
    response = pm_client.post(import_url(project), {"file": upload("pilot.xml", exported), "name": "", "kind": "wave"})
    assert response.status_code == 302, response.content.decode()[:2000]
    copy = Release.objects.exclude(pk=book_release.pk).get(project=project)
    assert response["Location"] == reverse("roadmap:plan", kwargs={"project": project.pk, "pk": copy.pk})
    assert copy.name == "Sales pilot"
    assert copy.start_date == book_release.start_date
    assert plan_shape(copy) == plan_shape(book_release)
    assert Task.objects.filter(release=copy).count() == 52
    assert Dependency.objects.filter(successor__release=copy).count() == Dependency.objects.filter(
        successor__release=book_release
    ).count()
    # Nothing was changed on the way, so nothing is reported but the success.
    assert [m for m in texts(response) if "created from" not in m] == []
    # And the copy exports to the same file, apart from its UIDs.
    again = pm_client.get(export_url(copy)).content
    strip = lambda root: [  # noqa: E731
        (t.findtext("p:Name", namespaces=NS), t.findtext("p:Start", namespaces=NS), t.findtext("p:Finish", namespaces=NS))
        for t in root.findall("p:Tasks/p:Task", NS)
    ]
    assert strip(ET.fromstring(again)) == strip(ET.fromstring(exported))


def test_import_keeps_the_history_of_what_it_created(pm_client, project, book_release):
    exported = pm_client.get(export_url(book_release)).content
    pm_client.post(import_url(project), {"file": upload("pilot.xml", exported), "kind": "wave"})
    copy = Release.objects.exclude(pk=book_release.pk).get(project=project)
    task = Task.objects.filter(release=copy).first()
    assert task.history.count() == 1
    dep = Dependency.objects.filter(successor__release=copy).first()
    assert dep.history.count() == 1


# --- Import from ProjectLibre, warnings and errors ---------------------------------------------------


def test_it_imports_a_projectlibre_file_and_shows_its_warnings(pm_client, project):
    response = pm_client.post(
        import_url(project), {"file": upload("crm_pilot_sales.xml", FIXTURE.read_bytes()), "name": "销售试点", "kind": "pilot"},
        follow=True,
    )
    assert response.status_code == 200
    release = Release.objects.get(project=project, name="销售试点")
    assert release.kind == "pilot"
    assert Phase.objects.filter(release=release).count() >= 1
    assert Task.objects.filter(release=release).exists()
    assert Dependency.objects.filter(successor__release=release).exists()
    page = response.content.decode()
    assert "start-to-start" in page  # the warning from the reader, shown as a message
    assert 'class="msg warning"' in page


def test_a_file_that_is_not_xml_is_refused_on_the_form_by_name(pm_client, project):
    before = Release.objects.count()
    response = pm_client.post(import_url(project), {"file": upload("plan.mpp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1..."), "kind": "wave"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "“plan.mpp”" in page and "binary .mpp" in page
    assert Release.objects.count() == before


def test_a_file_over_the_size_cap_is_refused(pm_client, project, monkeypatch):
    monkeypatch.setattr(mspdi, "MAX_BYTES", 100)
    response = pm_client.post(import_url(project), {"file": upload("big.xml", b"<Project>" + b" " * 200 + b"</Project>"), "kind": "wave"})
    assert response.status_code == 200
    assert "“big.xml”" in response.content.decode()
    assert not Release.objects.filter(project=project).exists()


def test_links_in_a_loop_save_nothing(pm_client, project):
    def task(uid, level, preds=()):
        links = "".join(
            f"<PredecessorLink><PredecessorUID>{p}</PredecessorUID><Type>1</Type><LinkLag>0</LinkLag></PredecessorLink>"
            for p in preds
        )
        return (
            f"<Task><UID>{uid}</UID><Name>T{uid}</Name><OutlineLevel>{level}</OutlineLevel>"
            f"<Start>2025-03-03T08:00:00</Start><Finish>2025-03-07T17:00:00</Finish>{links}</Task>"
        )

    data = (
        f'<Project xmlns="{mspdi.MSPDI_NAMESPACE}"><Name>loop</Name><StartDate>2025-03-03T08:00:00</StartDate><Tasks>'
        + task(1, 1) + task(2, 2, [3]) + task(3, 2, [2]) + "</Tasks></Project>"
    ).encode()
    response = pm_client.post(import_url(project), {"file": upload("loop.xml", data), "kind": "wave"})
    assert response.status_code == 200
    assert "“loop.xml”" in response.content.decode() and "loop" in response.content.decode()
    assert not Release.objects.filter(project=project).exists()
    assert not Phase.objects.filter(project=project).exists()
    assert not Task.objects.filter(project=project).exists()


def test_links_to_a_phase_are_left_out_with_a_warning(pm_client, project):
    data = (
        f'<Project xmlns="{mspdi.MSPDI_NAMESPACE}"><Name>p</Name><StartDate>2025-03-03T08:00:00</StartDate><Tasks>'
        "<Task><UID>1</UID><Name>Phase</Name><OutlineLevel>1</OutlineLevel><Start>2025-03-03T08:00:00</Start>"
        "<Finish>2025-03-07T17:00:00</Finish></Task>"
        "<Task><UID>2</UID><Name>A</Name><OutlineLevel>2</OutlineLevel><Start>2025-03-03T08:00:00</Start>"
        "<Finish>2025-03-07T17:00:00</Finish><PredecessorLink><PredecessorUID>1</PredecessorUID></PredecessorLink></Task>"
        "</Tasks></Project>"
    ).encode()
    response = pm_client.post(import_url(project), {"file": upload("p.xml", data), "kind": "wave"})
    assert response.status_code == 302
    assert any("UID 1" in m and "phase" in m for m in texts(response))
    assert not Dependency.objects.filter(project=project).exists()


# --- Moving a task on the plan page ----------------------------------------------------------------


def move_url(task):
    return reverse("roadmap:task-move", kwargs={"project": task.project_id, "pk": task.pk})


def chain(release):
    """A task of the release with successors, and those successors."""
    dep = Dependency.objects.filter(successor__release=release).select_related("predecessor").order_by("pk").first()
    return dep.predecessor


def test_moving_a_task_later_moves_the_tasks_after_it(pm_client, book_release):
    task = chain(book_release)
    successor = task.successor_links.first().successor
    untouched = {t.pk: t.planned_start for t in Task.objects.filter(release=book_release)}
    new_start = task.planned_start + datetime.timedelta(days=7)
    response = pm_client.post(move_url(task), {"start": new_start.isoformat(), "version": task.version})
    assert response.status_code == 302
    task.refresh_from_db()
    successor.refresh_from_db()
    assert task.planned_start == new_start
    assert successor.planned_start > untouched[successor.pk]
    assert any("now starts on" in m for m in texts(response))
    # Tasks that do not wait for it keep their dates.
    from roadmap.schedule import Link, downstream

    links = [Link(d.predecessor_id, d.successor_id) for d in Dependency.objects.filter(successor__release=book_release)]
    after = downstream(task.pk, links)
    for other in Task.objects.filter(release=book_release).exclude(pk__in=after | {task.pk}):
        assert other.planned_start == untouched[other.pk]


def test_with_htmx_the_move_answers_the_plan_body_with_its_message(pm_client, book_release):
    task = chain(book_release)
    new_start = task.planned_start + datetime.timedelta(days=7)
    response = pm_client.post(move_url(task), {"start": new_start.isoformat(), "version": task.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert "now starts on" in page
    assert new_start.isoformat() in page


def test_a_task_cannot_move_before_the_tasks_it_waits_for(pm_client, book_release):
    dep = Dependency.objects.filter(successor__release=book_release, lag=0).select_related("successor").first()
    task = dep.successor
    before = task.planned_start
    response = pm_client.post(move_url(task), {"start": "2000-01-03", "version": task.version})
    task.refresh_from_db()
    assert task.planned_start == before
    assert any("cannot start before" in m for m in texts(response))


def test_a_stale_version_shows_the_conflict_and_moves_nothing(pm_client, book_release):
    task = chain(book_release)
    seen = task.version
    task.name = "Renamed meanwhile"
    from projectcrm.core.services import save_versioned

    save_versioned(task, seen)
    dates = dict(Task.objects.filter(release=book_release).values_list("pk", "planned_start"))
    response = pm_client.post(move_url(task), {"start": (task.planned_start + datetime.timedelta(days=7)).isoformat(), "version": seen})
    assert response.status_code == 302
    assert dict(Task.objects.filter(release=book_release).values_list("pk", "planned_start")) == dates
    assert any("someone else changed this record" in m for m in texts(response))


def test_a_move_without_a_date_is_refused(pm_client, book_release):
    task = chain(book_release)
    response = pm_client.post(move_url(task), {"start": "", "version": task.version})
    assert response.status_code == 302
    assert any("was not moved" in m for m in texts(response))


def test_the_plan_shows_move_controls_only_to_those_who_may_change_it(client_for, book_release):
    url = reverse("roadmap:plan", kwargs={"project": book_release.project_id, "pk": book_release.pk})
    assert 'name="start"' in client_for("pm").get(url).content.decode()
    assert 'name="start"' not in client_for("viewer").get(url).content.decode()


# --- A new project from a methodology template -----------------------------------------------------


def test_a_new_project_can_start_from_the_26_step_template_in_chinese(client_for):
    client = client_for("pm")
    client.cookies.load({"django_language": "zh-hans"})
    response = client.post(
        reverse("project-create"),
        {"name": "试点项目", "company": "Lumen", "status": "planning", "start_date": "2025-03-03",
         "methodology": "steps26", "first_release": "销售试点"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    project = Project.objects.get(name="试点项目")
    release = Release.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:plan", kwargs={"project": project.pk, "pk": release.pk})
    assert release.name == "销售试点" and release.kind == "pilot" and release.start_date == MONDAY
    names = set(Task.objects.filter(release=release).values_list("name", flat=True))
    assert "成立CRM选型和实施小组" in names
    assert Task.objects.filter(release=release).count() == 32


def test_a_new_project_without_a_template_has_no_release(pm_client):
    response = pm_client.post(reverse("project-create"), {"name": "Plain", "company": "Co", "status": "planning", "methodology": ""})
    assert response.status_code == 302
    assert not Release.objects.filter(project__name="Plain").exists()


def test_a_broken_saved_template_creates_no_project(pm_client, project):
    from roadmap.models import PlanTemplate

    broken = PlanTemplate.objects.create(
        name="Broken",
        project=project,  # saved from a project the manager belongs to, so offered to them
        data={"phases": [{"name": "P", "items": [{"key": "a", "name": "A", "depends_on": [{"key": "missing"}]}]}]},
    )
    response = pm_client.post(
        reverse("project-create"),
        {"name": "Doomed", "company": "Co", "status": "planning", "methodology": f"saved:{broken.pk}", "first_release": "Pilot"},
    )
    assert response.status_code == 200
    assert "missing" in response.content.decode()
    assert not Project.objects.filter(name="Doomed").exists()


def test_the_project_form_offers_the_templates_and_a_pilot_release(pm_client):
    page = pm_client.get(reverse("project-create")).content.decode()
    assert 'value="steps26"' in page and 'value="book"' in page
    assert 'name="first_release"' in page and 'value="Pilot"' in page
