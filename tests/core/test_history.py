"""History through the pages: one history row per create, edit, delete and restore; the History
tab's field-level diffs; delete needs a POST; deleted rows can be restored."""

import datetime

import pytest
from django.urls import reverse

from projectcrm.core import services
from projectcrm.governance.choices import IssueStatus, Priority
from projectcrm.governance.models import Issue, Risk

pytestmark = pytest.mark.django_db


def url(project, view, **kwargs):
    return reverse(f"governance:issues-{view}", kwargs={"project": project.pk, **kwargs})


def form_data(**overrides):
    data = {
        "title": "CRM licences not ordered",
        "description": "Procurement waits for the budget.",
        "raised_by": "",
        "raised_on": "2025-03-01",
        "owner": "",
        "priority": Priority.MEDIUM,
        "status": IssueStatus.OPEN,
        "due_date": "2025-03-20",
        "resolution": "",
        "resolved_on": "",
        "version": "",
    }
    data.update(overrides)
    return data


def create_issue(client, project, **overrides):
    response = client.post(url(project, "create"), form_data(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    return Issue.objects.latest("pk")


def edit_data(issue, **overrides):
    data = form_data(
        title=issue.title,
        description=issue.description,
        raised_by=issue.raised_by_id or "",
        raised_on=issue.raised_on.isoformat(),
        owner=issue.owner_id or "",
        priority=issue.priority,
        status=issue.status,
        due_date=issue.due_date.isoformat() if issue.due_date else "",
        resolution=issue.resolution,
        version=issue.version,
    )
    data.update(overrides)
    return data


def test_create_leaves_one_history_row_with_the_user(pm_client, project, users):
    issue = create_issue(pm_client, project, owner=users["member"].pk)
    assert issue.version == 1
    assert issue.ref == "ISS-001"
    records = list(Issue.history.filter(id=issue.pk))
    assert len(records) == 1
    assert records[0].history_type == "+"
    assert records[0].history_user == users["pm"]


def test_edit_leaves_one_history_row_and_the_tab_shows_before_and_after(client_for, project, users):
    pm = client_for("pm")
    issue = create_issue(pm, project)
    member = client_for("member")
    response = member.post(
        url(project, "edit", pk=issue.pk),
        edit_data(issue, title="CRM licences ordered late", priority=Priority.HIGH, owner=users["trainer"].pk),
    )
    assert response.status_code == 302
    assert response["Location"] == url(project, "detail", pk=issue.pk)
    issue.refresh_from_db()
    assert issue.version == 2
    records = list(Issue.history.filter(id=issue.pk).order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[1].history_user == users["member"]
    assert records[1].version == 2

    page = pm.get(url(project, "history", pk=issue.pk))
    assert page.status_code == 200
    entries = page.context["entries"]
    assert len(entries) == 2
    changed = {c.field: (c.old, c.new) for c in entries[0]["changes"]}  # newest first
    assert changed == {
        "title": ("CRM licences not ordered", "CRM licences ordered late"),
        "priority": ("Medium", "High"),
        "owner": ("—", users["trainer"].get_full_name()),  # people are shown by name
    }
    html = page.content.decode()
    assert "CRM licences not ordered" in html
    assert "CRM licences ordered late" in html
    assert "Before" in html and "After" in html
    assert "Member" in html  # who made the change (full name)


def test_delete_needs_a_post_and_leaves_one_history_row(client_for, project, users):
    pm = client_for("pm")
    issue = create_issue(pm, project)
    page = pm.get(url(project, "delete", pk=issue.pk))
    assert page.status_code == 200
    assert "<form method=\"post\"" in page.content.decode()
    assert Issue.objects.filter(pk=issue.pk).exists()
    assert Issue.history.filter(id=issue.pk).count() == 1

    response = pm.post(url(project, "delete", pk=issue.pk))
    assert response.status_code == 302
    assert response["Location"] == url(project, "list")
    assert not Issue.objects.filter(pk=issue.pk).exists()
    records = list(Issue.history.filter(id=issue.pk).order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "-"]
    assert records[1].history_user == users["pm"]


def test_a_viewer_cannot_delete(client_for, project):
    issue = create_issue(client_for("pm"), project)
    viewer = client_for("viewer")
    assert viewer.get(url(project, "delete", pk=issue.pk)).status_code == 403
    assert viewer.post(url(project, "delete", pk=issue.pk)).status_code == 403
    assert Issue.objects.filter(pk=issue.pk).exists()


def test_a_deleted_row_is_listed_and_restored_with_its_values(client_for, project, users):
    pm = client_for("pm")
    issue = create_issue(pm, project, owner=users["member"].pk, priority=Priority.CRITICAL, due_date="2025-04-30")
    pm.post(url(project, "edit", pk=issue.pk), edit_data(issue, description="Second thoughts"))
    issue.refresh_from_db()
    pm.post(url(project, "delete", pk=issue.pk))
    assert Issue.history.filter(id=issue.pk).count() == 3

    deleted = pm.get(url(project, "deleted"))
    assert deleted.status_code == 200
    html = deleted.content.decode()
    assert "ISS-001 CRM licences not ordered" in html
    record = deleted.context["page"].object_list[0]
    restore_url = url(project, "restore", history_id=record.history_id)
    assert restore_url in html

    # The history of a deleted row is still readable, marked as deleted.
    history = pm.get(url(project, "history", pk=issue.pk))
    assert history.status_code == 200
    assert history.context["deleted"] is True

    assert pm.get(restore_url).status_code == 405  # restoring is a POST
    response = pm.post(restore_url)
    assert response.status_code == 302
    assert response["Location"] == url(project, "detail", pk=issue.pk)
    restored = Issue.objects.get(pk=issue.pk)
    assert restored.title == "CRM licences not ordered"
    assert restored.description == "Second thoughts"
    assert restored.owner == users["member"]
    assert restored.priority == Priority.CRITICAL
    assert restored.due_date == datetime.date(2025, 4, 30)
    assert restored.number == 1
    assert restored.version == 3
    records = list(Issue.history.filter(id=issue.pk).order_by("history_id"))
    assert len(records) == 4
    assert records[-1].history_type == "+"
    assert records[-1].history_user == users["pm"]
    # No longer listed as deleted.
    assert list(pm.get(url(project, "deleted")).context["page"].object_list) == []
    # Restoring twice does not make a second row.
    pm.post(restore_url)
    assert Issue.objects.filter(pk=issue.pk).count() == 1
    assert Issue.history.filter(id=issue.pk).count() == 4


def test_deleted_rows_of_another_project_are_not_shown(pm_client, project, other_project):
    theirs = Issue.objects.create(project=other_project, title="Theirs")
    pk = theirs.pk
    theirs.delete()
    record = Issue.history.get(id=pk, history_type="-")
    assert list(pm_client.get(url(project, "deleted")).context["page"].object_list) == []
    assert pm_client.post(url(project, "restore", history_id=record.history_id)).status_code == 404
    assert not Issue.objects.filter(pk=pk).exists()


def test_service_level_history_for_a_risk(project, users):
    risk = Risk(project=project, title="Key user leaves", probability=4, impact=5)
    services.save_versioned(risk, None)
    assert risk.score == 20
    risk.impact = 2
    services.save_versioned(risk, 1)
    records = list(Risk.history.filter(id=risk.pk).order_by("history_id"))
    diff = services.historical_diff(records[0], records[1], Risk)
    assert {c.field: (c.old, c.new) for c in diff} == {"impact": ("5 – very high", "2 – low"), "score": ("20", "8")}
    pk = risk.pk
    services.delete_row(risk)
    deleted = services.deleted_rows(Risk, project)
    assert [r.id for r in deleted] == [pk]
    restored = services.restore_row(deleted[0])
    assert (restored.score, restored.impact, restored.version) == (8, 2, 3)


def test_a_row_deleted_twice_is_listed_once(pm_client, project):
    issue = create_issue(pm_client, project)
    pk = issue.pk
    pm_client.post(url(project, "delete", pk=pk))
    record = Issue.history.get(id=pk, history_type="-")
    pm_client.post(url(project, "restore", history_id=record.history_id))
    pm_client.post(url(project, "delete", pk=pk))
    listed = list(pm_client.get(url(project, "deleted")).context["page"].object_list)
    assert [r.id for r in listed] == [pk]
    # The newest deletion is the one offered for restoring.
    assert listed[0].history_id == Issue.history.filter(id=pk, history_type="-").latest("history_id").history_id


def test_deleting_a_decision_unlinks_its_actions_with_history(client_for, project, users):
    from projectcrm.governance.models import ActionItem, Decision

    decision = Decision.objects.create(project=project, title="Pilot with the Europe team")
    action = ActionItem.objects.create(project=project, title="Draft pilot scope", decision=decision)
    pm = client_for("pm")
    confirm = pm.get(f"/p/{project.pk}/governance/decisions/{decision.pk}/delete/")
    assert confirm.status_code == 200
    assert ("action items", 1, "unlinked") in confirm.context["effects"]
    assert pm.post(f"/p/{project.pk}/governance/decisions/{decision.pk}/delete/").status_code == 302
    action.refresh_from_db()
    assert action.decision is None
    assert action.version == 2
    last = action.history.order_by("-history_id").first()
    assert last.history_type == "~" and last.decision_id is None


def test_history_and_activity_survive_a_deleted_link(client_for, project):
    from projectcrm.governance.models import ActionItem, Decision

    decision = Decision.objects.create(project=project, title="Pilot first")
    action = ActionItem.objects.create(project=project, title="Scope the pilot", decision=decision)
    pm = client_for("pm")
    pm.post(f"/p/{project.pk}/governance/decisions/{decision.pk}/delete/")
    page = pm.get(f"/p/{project.pk}/governance/actions/{action.pk}/history/")
    assert page.status_code == 200
    assert f"#{decision.pk} (deleted)" in page.content.decode()
    assert pm.get(f"/p/{project.pk}/reports/activity/").status_code == 200


def test_reference_numbers_are_never_reused_so_a_deleted_row_restores(client_for, project):
    pm = client_for("pm")
    first = Issue.objects.create(project=project, title="One")
    second = Issue.objects.create(project=project, title="Two")
    pm.post(f"/p/{project.pk}/governance/issues/{second.pk}/delete/")
    third = Issue.objects.create(project=project, title="Three")
    assert (first.number, second.number, third.number) == (1, 2, 3)
    record = Issue.history.filter(id=second.pk, history_type="-").get()
    response = pm.post(f"/p/{project.pk}/governance/issues/deleted/{record.history_id}/restore/")
    assert response.status_code == 302
    assert Issue.objects.get(pk=second.pk).ref == "ISS-002"


def test_a_log_entry_waits_for_its_communication_to_be_restored(client_for, project):
    from projectcrm.governance.models import CommunicationItem, CommunicationLog

    pm = client_for("pm")
    item = CommunicationItem.objects.create(project=project, deliverable="Weekly status", audience="Team")
    entry = CommunicationLog.objects.create(project=project, item=item, summary="Sent")
    pm.post(f"/p/{project.pk}/governance/communications/{item.pk}/delete/")
    record = CommunicationLog.history.filter(id=entry.pk, history_type="-").get()
    response = pm.post(f"/p/{project.pk}/governance/communications-sent/deleted/{record.history_id}/restore/", follow=True)
    assert "Restore the communication it belongs to first" in response.content.decode()
    assert not CommunicationLog.objects.filter(pk=entry.pk).exists()
    item_record = CommunicationItem.history.filter(id=item.pk, history_type="-").get()
    pm.post(f"/p/{project.pk}/governance/communications/deleted/{item_record.history_id}/restore/")
    pm.post(f"/p/{project.pk}/governance/communications-sent/deleted/{record.history_id}/restore/")
    assert CommunicationLog.objects.get(pk=entry.pk).item_id == item.pk


def test_the_history_tab_of_a_deleted_row_links_to_that_row(client_for, project):
    pm = client_for("pm")
    issue = Issue.objects.create(project=project, title="Gone")
    issue.title = "Gone soon"
    issue.save()
    pm.post(f"/p/{project.pk}/governance/issues/{issue.pk}/delete/")
    page = pm.get(f"/p/{project.pk}/governance/issues/{issue.pk}/history/")
    assert page.status_code == 200
    assert page.context["obj"].pk == issue.pk
    assert f"/governance/issues/{issue.pk}/history/" in page.content.decode()


def test_an_import_that_crashes_is_marked_failed(pm_client, project, monkeypatch):
    from projectcrm.core import imports
    from projectcrm.core.choices import ImportStatus
    from projectcrm.core.models import ImportJob

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "validate_rows", boom)
    import io

    file = io.BytesIO(b"Title\nA\n")
    file.name = "crash.csv"
    pm_client.post(f"/p/{project.pk}/governance/issues/import/", {"file": file})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "crash.csv" in job.file_error


def test_restoring_a_row_brings_back_what_its_deletion_took(client_for, project):
    from projectcrm.governance.models import CommunicationItem, CommunicationLog

    pm = client_for("pm")
    item = CommunicationItem.objects.create(project=project, deliverable="Weekly status", audience="Team")
    entries = [CommunicationLog.objects.create(project=project, item=item, summary=f"Sent {n}") for n in range(3)]
    pm.post(f"/p/{project.pk}/governance/communications/{item.pk}/delete/")
    assert not CommunicationLog.objects.exists()
    record = CommunicationItem.history.get(id=item.pk, history_type="-")
    pm.post(f"/p/{project.pk}/governance/communications/deleted/{record.history_id}/restore/")
    assert sorted(CommunicationLog.objects.values_list("pk", flat=True)) == sorted(e.pk for e in entries)


def test_restoring_a_release_brings_back_its_phases_tasks_and_links(client_for, project):
    import datetime

    from roadmap.models import Dependency, Phase, Release, Task

    pm = client_for("pm")
    release = Release.objects.create(project=project, name="Pilot", start_date=datetime.date(2026, 3, 2))
    phase = Phase.objects.create(project=project, release=release, name="Build")
    a = Task.objects.create(project=project, release=release, phase=phase, name="A", planned_start=datetime.date(2026, 3, 2), duration=2)
    b = Task.objects.create(project=project, release=release, phase=phase, name="B", planned_start=datetime.date(2026, 3, 4), duration=2)
    Dependency.objects.create(project=project, predecessor=a, successor=b)
    pm.post(f"/p/{project.pk}/roadmap/releases/{release.pk}/delete/")
    assert not Task.objects.exists()
    record = Release.history.get(id=release.pk, history_type="-")
    pm.post(f"/p/{project.pk}/roadmap/releases/deleted/{record.history_id}/restore/")
    assert Task.objects.filter(phase=phase).count() == 2
    assert Dependency.objects.filter(predecessor=a, successor=b).exists()
