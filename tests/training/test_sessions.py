"""Sessions: enrolment within capacity, the waiting list and its promotion, the roster page by role,
attendance and scores saved per row (htmx and plain), stale edits refused, the calendar and its .ics.

Data: departments Sales and Service; job roles Salesperson and Agent; course "Pipeline basics"
(pass mark 70); a session of it with two places, run by the trainer. Trainees Ann, Bob, Dan (Sales),
Cat (Service), and Eve, who left Sales.
"""

import datetime
from decimal import Decimal

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from training import services
from training.choices import EnrolmentStatus
from training.models import Course, Department, Enrolment, JobRole, Trainee, TrainingSession


@pytest.fixture
def data(project, users):
    sales = Department.objects.create(project=project, name="Sales")
    service = Department.objects.create(project=project, name="Service")
    seller = JobRole.objects.create(project=project, name="Salesperson")
    agent = JobRole.objects.create(project=project, name="Agent")
    course = Course.objects.create(project=project, title="Pipeline basics", pass_mark=Decimal(70))
    starts = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    session = TrainingSession.objects.create(
        project=project, course=course, starts=starts, ends=starts + datetime.timedelta(hours=2),
        trainer=users["trainer"], capacity=2, location="Room 4",
    )

    def person(name, department, role, active=True):
        return Trainee.objects.create(project=project, name=name, department=department, job_role=role, active=active)

    people = {
        "ann": person("Ann", sales, seller),
        "bob": person("Bob", sales, seller),
        "cat": person("Cat", service, agent),
        "dan": person("Dan", sales, agent),
        "eve": person("Eve", sales, seller, active=False),
    }
    return {"course": course, "session": session, "sales": sales, "service": service, "seller": seller,
            "agent": agent, **people}


def statuses(session):
    return {e.trainee.name: e.status for e in Enrolment.objects.filter(session=session).select_related("trainee")}


def waiting_order(session):
    return [e.trainee.name for e in Enrolment.objects.filter(session=session, status=EnrolmentStatus.WAITING).order_by("created", "pk")]


def roster(project, session):
    return reverse("training:session-roster", kwargs={"project": project.pk, "pk": session.pk})


def url(name, project, pk):
    return reverse(f"training:{name}", kwargs={"project": project.pk, "pk": pk})


# --- Services: capacity, waiting list, promotion -------------------------------------------------


def test_beyond_capacity_people_go_on_the_waiting_list_in_order(data, users):
    session = data["session"]
    result = services.enrol(session, [data["ann"], data["bob"], data["cat"]], users["trainer"])
    assert [t.name for t in result.enrolled] == ["Ann", "Bob"]
    assert [t.name for t in result.waiting] == ["Cat"]
    services.enrol(session, [data["dan"]], users["trainer"])
    assert statuses(session) == {"Ann": "enrolled", "Bob": "enrolled", "Cat": "waiting", "Dan": "waiting"}
    assert waiting_order(session) == ["Cat", "Dan"]


def test_cancelling_a_place_promotes_the_first_on_the_waiting_list(data, users):
    session = data["session"]
    services.enrol(session, [data["ann"], data["bob"], data["cat"], data["dan"]], users["trainer"])
    ann = Enrolment.objects.get(session=session, trainee=data["ann"])
    promoted = services.cancel_enrolment(ann, users["pm"])
    assert [e.trainee.name for e in promoted] == ["Cat"]
    assert statuses(session) == {"Ann": "cancelled", "Bob": "enrolled", "Cat": "enrolled", "Dan": "waiting"}
    cat = Enrolment.objects.get(session=session, trainee=data["cat"])
    assert cat.history.first().history_user == users["pm"]
    # Cancelling a waiting place frees nothing.
    assert services.cancel_enrolment(Enrolment.objects.get(session=session, trainee=data["dan"]), users["pm"]) == []
    with pytest.raises(ValidationError, match="already cancelled"):
        services.cancel_enrolment(ann, users["pm"])


def test_someone_who_cancelled_and_rejoins_queues_at_the_end(data, users):
    session = data["session"]
    services.enrol(session, [data["ann"], data["bob"], data["cat"]], users["trainer"])
    services.cancel_enrolment(Enrolment.objects.get(session=session, trainee=data["cat"]), users["trainer"])
    services.enrol(session, [data["dan"]], users["trainer"])
    services.enrol(session, [data["cat"]], users["trainer"])
    assert waiting_order(session) == ["Dan", "Cat"]
    assert Enrolment.objects.filter(session=session, trainee=data["cat"]).count() == 1


def test_raising_the_capacity_lets_the_waiting_list_move_up(data, users):
    session = data["session"]
    services.enrol(session, [data["ann"], data["bob"], data["cat"], data["dan"]], users["trainer"])
    TrainingSession.objects.filter(pk=session.pk).update(capacity=3)
    promoted = services.promote_waiting(session, users["trainer"])
    assert [e.trainee.name for e in promoted] == ["Cat"]
    assert services.promote_waiting(session, users["trainer"]) == []


def test_group_enrolment_takes_active_people_not_in_the_session_nor_signed_off(data, users):
    session = data["session"]
    TrainingSession.objects.filter(pk=session.pk).update(capacity=10)
    session.refresh_from_db()
    services.enrol(session, [data["ann"]], users["trainer"])
    # Bob already holds a sign-off of the current version (from an earlier session).
    services.sign_off(data["bob"], data["course"], users["trainer"], score=90)
    result = services.enrol_group(session, users["trainer"], department=data["sales"])
    assert [t.name for t in result.enrolled] == ["Dan"]  # not Ann (enrolled), Bob (signed off), Eve (left)
    result = services.enrol_group(session, users["trainer"], department=data["service"], job_role=data["agent"])
    assert [t.name for t in result.enrolled] == ["Cat"]
    with pytest.raises(ValidationError):
        services.enrol_group(session, users["trainer"])


def test_a_material_change_makes_signed_off_people_enrollable_again(data, users):
    session = data["session"]
    services.sign_off(data["bob"], data["course"], users["trainer"], score=90)
    assert "Bob" not in [t.name for t in services.group_candidates(session, job_role=data["seller"])]
    services.new_course_version(data["course"], users["trainer"], material=True, note="New stages")
    assert "Bob" in [t.name for t in services.group_candidates(session, job_role=data["seller"])]


def test_individual_enrolment_says_who_was_left_out_and_why(data, users):
    session = data["session"]
    services.enrol(session, [data["ann"]], users["trainer"])
    result = services.enrol(session, [data["ann"], data["eve"]], users["trainer"])
    reasons = {t.name: reason for t, reason in result.skipped}
    assert reasons == {"Ann": "is already enrolled", "Eve": "has left (inactive)"}


def test_only_training_changers_enrol(data, users):
    for who in ("member", "viewer", "steering", "outsider"):
        with pytest.raises(PermissionDenied):
            services.enrol(data["session"], [data["ann"]], users[who])
    assert not Enrolment.objects.exists()


def test_a_cancelled_session_takes_no_enrolment(data, users):
    TrainingSession.objects.filter(pk=data["session"].pk).update(status="cancelled")
    with pytest.raises(ValidationError, match="cancelled"):
        services.enrol(data["session"], [data["ann"]], users["trainer"])


# --- Services: attendance and score ----------------------------------------------------------------


def test_scores_are_numbers_from_0_to_100_and_need_attendance(data, users):
    services.enrol(data["session"], [data["ann"], data["bob"], data["cat"]], users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    for bad in ("120", "-1", "abc", "70.25"):
        with pytest.raises(ValidationError):
            services.record_result(ann, users["trainer"], attended=True, score=bad)
    with pytest.raises(ValidationError, match="not marked as attended"):
        services.record_result(ann, users["trainer"], attended=False, score="80")
    row = services.record_result(ann, users["trainer"], attended=True, score="72,5")
    assert (row.attended, row.score) == (True, Decimal("72.5"))
    assert services.passes(data["course"], row.score) is True
    assert services.passes(data["course"], Decimal("69.9")) is False
    waiting = Enrolment.objects.get(trainee=data["cat"])
    with pytest.raises(ValidationError, match="only enrolled people"):
        services.record_result(waiting, users["trainer"], attended=True)


# --- Pages ---------------------------------------------------------------------------------------


def test_roster_shows_enrolled_then_the_waiting_list_by_role(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"], data["bob"], data["cat"], data["dan"]], users["trainer"])
    for role in ("trainer", "pm"):
        body = client_for(role).get(roster(project, data["session"])).content.decode()
        assert "Enrol the group" in body and 'name="attended"' in body and "Sign off" in body, role
        assert body.index("Ann") < body.index("Bob") < body.index("Cat") < body.index("Dan")
        assert "2 / 2" in body
    for role in ("member", "viewer", "steering", "evaluator"):
        response = client_for(role).get(roster(project, data["session"]))
        assert response.status_code == 200, role
        body = response.content.decode()
        assert "Ann" in body and "Cat" in body
        assert "Enrol the group" not in body and "hx-post" not in body and 'type="submit">Sign off' not in body, role
    assert client_for("outsider").get(roster(project, data["session"])).status_code == 404
    assert client_for("anonymous").get(roster(project, data["session"])).status_code == 302


def test_attendance_saves_per_row_with_htmx(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"]], users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    response = client_for("trainer").post(
        url("enrolment-save", project, ann.pk), {"attended": "on", "score": "80", "version": ann.version},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="enrolment-{ann.pk}"')
    assert "Saved" in body and "Pass" in body
    ann.refresh_from_db()
    assert (ann.attended, ann.score) == (True, Decimal(80))
    assert ann.history.first().history_user == users["trainer"]
    # Below the pass mark: saved, shown as failing.
    body = client_for("trainer").post(
        url("enrolment-save", project, ann.pk), {"attended": "on", "score": "55", "version": ann.version},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Below the pass mark (70%)" in body


def test_attendance_saves_without_javascript(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"]], users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    response = client_for("pm").post(url("enrolment-save", project, ann.pk), {"attended": "on", "version": ann.version}, follow=True)
    assert "Attendance and score of Ann saved." in response.content.decode()
    ann.refresh_from_db()
    assert ann.attended is True


def test_a_stale_edit_is_refused_and_shows_the_current_values(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"]], users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    seen = ann.version
    services.record_result(ann, users["pm"], attended=True, score="90")  # someone else, meanwhile
    response = client_for("trainer").post(
        url("enrolment-save", project, ann.pk), {"score": "", "version": seen}, HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Someone else changed this row meanwhile" in body
    assert 'value="90"' in body  # the row shows the stored values...
    ann.refresh_from_db()
    assert (ann.attended, ann.score) == (True, Decimal(90))  # ...which stay
    assert f'name="version" value="{ann.version}"' in body  # and saving again goes through


def test_a_bad_score_is_answered_on_the_row(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"]], users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    body = client_for("trainer").post(
        url("enrolment-save", project, ann.pk), {"attended": "on", "score": "101", "version": ann.version},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "The score must be a number between 0 and 100." in body
    assert 'value="101"' in body  # kept in the box to be corrected
    ann.refresh_from_db()
    assert ann.score is None


def test_view_only_roles_cannot_save_attendance(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"]], users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    for role in ("member", "viewer", "steering"):
        assert client_for(role).post(url("enrolment-save", project, ann.pk), {"attended": "on"}).status_code == 403
    assert client_for("outsider").post(url("enrolment-save", project, ann.pk), {"attended": "on"}).status_code == 404


def test_enrol_a_department_through_the_page(data, client_for, project):
    response = client_for("trainer").post(url("session-enrol", project, data["session"].pk),
                                          {"department": data["sales"].pk}, follow=True)
    body = response.content.decode()
    assert "Enrolled: Ann, Bob." in body
    assert "on the waiting list: Dan." in body
    assert statuses(data["session"]) == {"Ann": "enrolled", "Bob": "enrolled", "Dan": "waiting"}


def test_cancel_through_the_page_names_who_moved_up(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"], data["bob"], data["cat"]], users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    body = client_for("trainer").post(url("enrolment-cancel", project, ann.pk), follow=True).content.decode()
    assert "Moved up from the waiting list: Cat." in body


def test_delivered_by_shows_whether_the_colleague_is_a_qualified_trainer(data, users, client_for, project):
    session = data["session"]
    TrainingSession.objects.filter(pk=session.pk).update(delivered_by=data["dan"])
    body = client_for("viewer").get(roster(project, session)).content.decode()
    assert "holds no valid sign-off on a train-the-trainer course" in body
    ttt = Course.objects.create(project=project, title="Train the trainer", delivery="train_the_trainer")
    services.sign_off(data["dan"], ttt, users["trainer"])
    body = client_for("viewer").get(roster(project, session)).content.decode()
    assert "trained as a trainer" in body and "Train the trainer" in body
    # A material change of the trainer course makes the qualification lapse.
    services.new_course_version(ttt, users["pm"], material=True, note="New method")
    body = client_for("viewer").get(roster(project, session)).content.decode()
    assert "holds no valid sign-off on a train-the-trainer course" in body


# --- Calendar ------------------------------------------------------------------------------------


def test_calendar_lists_upcoming_sessions_by_week_with_places(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"], data["bob"], data["cat"]], users["trainer"])
    past_start = timezone.now() - datetime.timedelta(days=30)
    other = Course.objects.create(project=project, title="Service cases")
    TrainingSession.objects.create(project=project, course=other, starts=past_start,
                                   ends=past_start + datetime.timedelta(hours=1), capacity=5)
    calendar_url = reverse("training:calendar", kwargs={"project": project.pk})
    body = client_for("viewer").get(calendar_url).content.decode()
    assert "Pipeline basics" in body and "2 / 2" in body and "Full" in body
    assert "SES-002 Service cases" not in body  # past
    assert "SES-002 Service cases" in client_for("viewer").get(calendar_url, {"past": "1"}).content.decode()
    filtered = client_for("viewer").get(calendar_url, {"past": "1", "course": other.pk}).content.decode()
    assert "SES-002 Service cases" in filtered and "SES-001 Pipeline basics" not in filtered
    assert "SES-001" not in client_for("viewer").get(calendar_url, {"trainer": users["pm"].pk}).content.decode()
    assert "SES-001" in client_for("viewer").get(calendar_url, {"trainer": users["trainer"].pk}).content.decode()


def test_calendar_ics_parses_with_every_session(data, users, client_for, project):
    services.enrol(data["session"], [data["ann"]], users["trainer"])
    response = client_for("member").get(reverse("training:calendar-ics", kwargs={"project": project.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "SES-001 Pipeline basics"
    assert event.decoded("dtstart") == data["session"].starts
    assert event.decoded("dtend") == data["session"].ends
    assert str(event["location"]) == "Room 4"
    assert "1 of 2" in str(event["description"])
    assert client_for("outsider").get(reverse("training:calendar-ics", kwargs={"project": project.pk})).status_code == 404
