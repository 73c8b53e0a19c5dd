"""Steering meetings: the meeting page (agenda, attendees, what the meeting took), decisions and
action items recorded from it, the minutes PDF, the calendar entry, and export/import of meetings
(whose many-to-many fields are exported for reading and left out of imports)."""

import datetime
import io
import shutil
import subprocess

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from projectcrm.core.models import ImportJob
from projectcrm.governance.choices import ActionStatus, DecisionStatus, MeetingStatus
from projectcrm.governance.models import ActionItem, Decision, Meeting, Stakeholder
from roadmap.choices import ChangeStatus, GateStatus
from roadmap.models import ChangeRequest, Gate, Phase, Release

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def gurl(name, project, **kwargs):
    return reverse(f"governance:{name}", kwargs={"project": project.pk, **kwargs})


@pytest.fixture
def meeting(project, users):
    """Steering committee 3, held ten days ago at 14:30: two attendees, a guest, a passed gate, an
    approved change request, one decision and one action item of its own."""
    starts = timezone.make_aware(datetime.datetime.combine(TODAY - datetime.timedelta(days=10), datetime.time(14, 30)))
    meeting = Meeting.objects.create(
        project=project, title="Steering committee 3", starts=starts, duration_minutes=90, status=MeetingStatus.HELD,
        chair=users["steering"], location="Board room",
        agenda="Minutes of meeting 2\nConfigurator change request\n\nDesign gate review",
        guests="Partner engagement lead", apologies="Zhao Li", minutes="The committee approved the configurator.",
    )
    meeting.attendees.set([
        Stakeholder.objects.create(project=project, name="Zhou Weiguo", title="General manager"),
        Stakeholder.objects.create(project=project, name="Lin Hui", title="Sales director"),
    ])
    release = Release.objects.create(project=project, name="Pilot Europe", start_date=TODAY - datetime.timedelta(days=60))
    phase = Phase.objects.create(project=project, release=release, name="Design", order=1)
    gate = Gate.objects.create(project=project, phase=phase, name="Design sign-off")
    Gate.objects.filter(pk=gate.pk).update(status=GateStatus.PASSED, decided_on=TODAY - datetime.timedelta(days=10))
    change = ChangeRequest.objects.create(project=project, title="Product configurator", description="Guided quoting.",
                                          status=ChangeStatus.APPROVED, decided_on=TODAY - datetime.timedelta(days=10))
    meeting.gates.set([gate])
    meeting.change_requests.set([change])
    decision = Decision.objects.create(project=project, title="Complaints become cases", status=DecisionStatus.APPROVED,
                                       decided_on=TODAY - datetime.timedelta(days=10), meeting=meeting)
    ActionItem.objects.create(project=project, title="Draft the complaint categories", owner=users["pm"],
                              due_date=TODAY + datetime.timedelta(days=5), meeting=meeting, decision=decision)
    return meeting


def test_detail_page_shows_agenda_attendees_and_what_the_meeting_took(project, client_for, meeting):
    html = client_for("viewer").get(gurl("meetings-detail", project, pk=meeting.pk)).content.decode()
    assert "<ol><li>Minutes of meeting 2</li><li>Configurator change request</li><li>Design gate review</li></ol>" in html
    assert "Zhou Weiguo" in html and "Lin Hui" in html and "Partner engagement lead" in html and "Zhao Li" in html
    assert "The committee approved the configurator." in html
    decision = Decision.objects.get(title="Complaints become cases")
    action = ActionItem.objects.get(title="Draft the complaint categories")
    gate = Gate.objects.get(name="Design sign-off")
    change = ChangeRequest.objects.get(title="Product configurator")
    assert gurl("decisions-detail", project, pk=decision.pk) in html
    assert gurl("actions-detail", project, pk=action.pk) in html
    assert reverse("roadmap:gates-detail", kwargs={"project": project.pk, "pk": gate.pk}) in html
    assert reverse("roadmap:changes-detail", kwargs={"project": project.pk, "pk": change.pk}) in html
    assert "Passed" in html and "Approved" in html
    assert gurl("meeting-pdf", project, pk=meeting.pk) in html
    # A viewer gets no quick forms.
    assert "meeting-decision-form" not in html and "meeting-action-form" not in html


def test_member_records_a_decision_in_the_meeting(project, client_for, meeting):
    client = client_for("member")
    assert "meeting-decision-form" in client.get(gurl("meetings-detail", project, pk=meeting.pk)).content.decode()
    response = client.post(gurl("meeting-decision", project, pk=meeting.pk), {
        "decision-title": "Quote only from the catalogue", "decision-description": "No free-text codes.",
        "decision-status": DecisionStatus.APPROVED, "decision-decided_by": "", "decision-decided_on": "",
    })
    assert response.status_code == 302
    assert response["Location"] == gurl("meetings-detail", project, pk=meeting.pk)
    decision = Decision.objects.get(title="Quote only from the catalogue")
    assert decision.meeting == meeting and decision.project == project
    assert decision.decided_by == "Steering committee"  # empty: the committee
    assert decision.decided_on == TODAY - datetime.timedelta(days=10)  # empty: the meeting's day
    assert decision.source_meeting == str(meeting)
    assert decision.version == 1 and decision.history.count() == 1


def test_decision_with_bad_input_names_the_field_and_saves_nothing(project, client_for, meeting):
    before = Decision.objects.count()
    response = client_for("pm").post(gurl("meeting-decision", project, pk=meeting.pk), {
        "decision-title": "", "decision-status": "maybe", "decision-decided_on": "31/31/2025",
    })
    assert response.status_code == 200
    html = response.content.decode()
    form = html[html.index('id="meeting-decision-form"'):]
    form = form[:form.index("</form>")]
    assert form.count('class="error"') == 3  # title, status and date each named at its field
    assert "This field is required." in form and "Enter a valid date." in form
    assert "<details class=\"chart\" open>" in html  # the form stays open with the input kept
    assert Decision.objects.count() == before


def test_member_adds_an_action_item_from_the_meeting(project, client_for, users, meeting):
    decision = Decision.objects.get(title="Complaints become cases")
    response = client_for("member").post(gurl("meeting-action", project, pk=meeting.pk), {
        "action-title": "Train customer service on cases", "action-owner": users["trainer"].pk,
        "action-due_date": (TODAY + datetime.timedelta(days=14)).isoformat(), "action-decision": decision.pk,
    })
    assert response.status_code == 302
    action = ActionItem.objects.get(title="Train customer service on cases")
    assert (action.meeting, action.decision, action.owner, action.status) == (meeting, decision, users["trainer"], ActionStatus.OPEN)
    assert action.source_meeting == str(meeting)


def test_action_item_only_follows_a_decision_of_this_meeting(project, client_for, users, meeting):
    other = Decision.objects.create(project=project, title="Taken elsewhere", status=DecisionStatus.PROPOSED)
    response = client_for("pm").post(gurl("meeting-action", project, pk=meeting.pk), {
        "action-title": "Follow up", "action-owner": users["outsider"].pk, "action-decision": other.pk,
    })
    assert response.status_code == 200
    html = response.content.decode()
    form = html[html.index('id="meeting-action-form"'):]
    assert form.count("Select a valid choice.") == 2  # the owner (not a member) and the decision
    assert not ActionItem.objects.filter(title="Follow up").exists()


def test_quick_forms_need_the_right_to_change_governance(project, client_for, meeting, other_project):
    data = {"decision-title": "Sneaky", "decision-status": DecisionStatus.APPROVED}
    assert client_for("viewer").post(gurl("meeting-decision", project, pk=meeting.pk), data).status_code == 403
    assert client_for("viewer").post(gurl("meeting-action", project, pk=meeting.pk), {"action-title": "x"}).status_code == 403
    assert client_for("outsider").post(gurl("meeting-decision", project, pk=meeting.pk), data).status_code == 404
    # A meeting of another project is not found through this project.
    foreign = Meeting.objects.create(project=other_project, title="Theirs", starts=timezone.now())
    assert client_for("pm").post(gurl("meeting-decision", project, pk=foreign.pk), data).status_code == 404
    assert not Decision.objects.filter(title="Sneaky").exists()
    assert client_for("pm").get(gurl("meeting-decision", project, pk=meeting.pk)).status_code == 405


def test_minutes_pdf(project, client_for, meeting, tmp_path):
    response = client_for("viewer").get(gurl("meeting-pdf", project, pk=meeting.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed (bin/test installs it)")
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("Minutes: Steering committee 3", "Configurator change request", "Zhou Weiguo",
                     "Partner engagement lead", "The committee approved the configurator.", "Complaints become cases",
                     "Draft the complaint categories", "Design sign-off", "Product configurator"):
        assert expected in text, expected


def test_minutes_pdf_in_the_reader_language(project, client_for, meeting):
    client = client_for("steering")
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    response = client.get(gurl("meeting-pdf", project, pk=meeting.pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_minutes_pdf_permissions(project, client_for, meeting):
    assert client_for("outsider").get(gurl("meeting-pdf", project, pk=meeting.pk)).status_code == 404
    anonymous = client_for("anonymous").get(gurl("meeting-pdf", project, pk=meeting.pk))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_calendar_entry(project, client_for, meeting):
    response = client_for("viewer").get(gurl("meeting-ics", project, pk=meeting.pk))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["summary"]) == f"{project.name}: Steering committee 3"
    assert event.decoded("dtstart") == meeting.starts
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=90)
    assert "1. Minutes of meeting 2" in str(event["description"])
    assert client_for("outsider").get(gurl("meeting-ics", project, pk=meeting.pk)).status_code == 404


def test_export_lists_the_linked_rows_and_reimports(project, client_for, meeting):
    client = client_for("pm")
    response = client.get(gurl("meetings-export", project, fmt="csv"))
    text = response.content.decode("utf-8-sig")
    header, row = text.splitlines()[0], text.split("\r\n", 1)[1]
    assert header.endswith("Attendees,Gate reviews taken,Change requests decided")
    assert "Lin Hui, Zhou Weiguo" in row or "Zhou Weiguo, Lin Hui" in row
    assert "Design sign-off" in row and "Product configurator" in row
    # The export imports again: the linked-row columns are read but not applied.
    file = io.BytesIO(response.content)
    file.name = "meetings.csv"
    response = client.post(gurl("meetings-import", project), {"file": file, "encoding": ""})
    assert response.status_code == 302
    job = ImportJob.objects.get(register="governance:meetings")
    assert job.status == "valid", (job.file_error, job.row_errors)
    client.post(gurl("meetings-import-apply", project, job=job.pk))
    job.refresh_from_db()
    assert (job.status, job.updated_count) == ("done", 1)
    meeting.refresh_from_db()
    assert meeting.version == 2 and meeting.attendees.count() == 2 and meeting.gates.count() == 1


def test_new_meetings_import_without_linked_rows(project, client_for):
    csv_text = "Title,Kind,Starts,Status,Agenda\r\nSteering committee 5,Steering committee,2031-01-10 14:30,Planned,Budget\r\n"
    file = io.BytesIO(csv_text.encode())
    file.name = "new.csv"
    client = client_for("pm")
    client.post(gurl("meetings-import", project), {"file": file, "encoding": ""})
    job = ImportJob.objects.get(register="governance:meetings")
    assert job.status == "valid", (job.file_error, job.row_errors)
    client.post(gurl("meetings-import-apply", project, job=job.pk))
    meeting = Meeting.objects.get(project=project, title="Steering committee 5")
    assert meeting.agenda_items == ["Budget"] and meeting.attendees.count() == 0
