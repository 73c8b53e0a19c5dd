"""Sign-off: who may sign off (never the trainee, never someone outside the project or without the
right to change training), the pass mark and practical task, one per course version, material
changes, complete history; the trainee's acknowledgement link; certificates as PDF.

Data: course "Pipeline basics" (pass mark 70, practical task "Log a call"); Ann and Bob of Sales,
both enrolled in a session of it. Bob is also the trainer's own trainee record (same user).
"""

import datetime
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projectcrm.core.models import Project
from tests.browser_support import CHROMIUM
from training import readiness, services
from training.models import Course, Department, Enrolment, JobRole, SignOff, Trainee, TrainingSession
from training.session_views import course_detail_context


@pytest.fixture
def data(project, users):
    sales = Department.objects.create(project=project, name="Sales")
    seller = JobRole.objects.create(project=project, name="Salesperson")
    course = Course.objects.create(project=project, title="Pipeline basics", pass_mark=Decimal(70),
                                   practical_task="Log a call", objectives="Keep the pipeline up to date")
    starts = timezone.now() - datetime.timedelta(hours=3)
    session = TrainingSession.objects.create(project=project, course=course, starts=starts,
                                             ends=starts + datetime.timedelta(hours=2), trainer=users["trainer"])
    ann = Trainee.objects.create(project=project, name="Ann Lee", department=sales, job_role=seller)
    bob = Trainee.objects.create(project=project, name="Bob Trainer", department=sales, job_role=seller, user=users["trainer"])
    services.enrol(session, [ann, bob], users["trainer"])
    return {"course": course, "session": session, "ann": ann, "bob": bob, "sales": sales, "seller": seller}


def url(name, project, pk):
    return reverse(f"training:{name}", kwargs={"project": project.pk, "pk": pk})


def attend(data, who, score, user):
    enrolment = Enrolment.objects.get(session=data["session"], trainee=data[who])
    return services.record_result(enrolment, user, attended=True, score=score)


# --- Who may sign off ------------------------------------------------------------------------------


def test_a_trainee_cannot_sign_off_themselves(data, users):
    with pytest.raises(PermissionDenied, match="A trainee cannot sign off themselves"):
        services.sign_off(data["bob"], data["course"], users["trainer"], score=90, practical_done=True)
    # Another trainer (the project manager) can.
    row = services.sign_off(data["bob"], data["course"], users["pm"], score=90, practical_done=True)
    assert row.signed_by == users["pm"]


def test_a_trainer_outside_the_project_cannot_sign_off(data, users, other_project):
    from django.contrib.auth import get_user_model

    from projectcrm.core.models import Membership

    outside_trainer = get_user_model().objects.create_user(username="freelancer", password="pw")
    Membership.objects.create(project=other_project, user=outside_trainer, role="trainer")
    for signer in (outside_trainer, users["outsider"]):
        with pytest.raises(PermissionDenied, match="not a member of this project"):
            services.sign_off(data["ann"], data["course"], signer, score=90, practical_done=True)
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("role", ["member", "viewer", "steering", "evaluator"])
def test_a_member_without_the_right_to_change_training_cannot_sign_off(data, users, role):
    with pytest.raises(PermissionDenied, match="may not change training records"):
        services.sign_off(data["ann"], data["course"], users[role], score=90, practical_done=True)
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("role", ["trainer", "pm"])
def test_trainers_and_the_project_manager_sign_off(data, users, role):
    row = services.sign_off(data["ann"], data["course"], users[role], score=90, practical_done=True, note="Good")
    assert (row.signed_by, row.course_version, row.score, row.practical_done, row.note) == (
        users[role], 1, Decimal(90), True, "Good")
    assert row.signed_on == timezone.localdate()


# --- What the course asks for ----------------------------------------------------------------------


def test_the_score_must_reach_the_pass_mark(data, users):
    with pytest.raises(ValidationError, match="Enter the assessment score of Ann Lee first: the pass mark of the course is 70%"):
        services.sign_off(data["ann"], data["course"], users["trainer"], practical_done=True)
    with pytest.raises(ValidationError, match="Ann Lee scored 69.5%, below the pass mark of 70%"):
        services.sign_off(data["ann"], data["course"], users["trainer"], score="69.5", practical_done=True)
    assert services.sign_off(data["ann"], data["course"], users["trainer"], score="70", practical_done=True)


def test_a_course_without_pass_mark_needs_no_score(data, users, project):
    course = Course.objects.create(project=project, title="Navigation")
    assert services.sign_off(data["ann"], course, users["trainer"]).score is None


def test_the_practical_task_must_be_done(data, users):
    with pytest.raises(ValidationError, match="practical task"):
        services.sign_off(data["ann"], data["course"], users["trainer"], score=90)
    assert not SignOff.objects.exists()


def test_one_sign_off_per_course_version(data, users):
    services.sign_off(data["ann"], data["course"], users["trainer"], score=90, practical_done=True)
    with pytest.raises(ValidationError, match="already signed off on version 1"):
        services.sign_off(data["ann"], data["course"], users["pm"], score=95, practical_done=True)
    services.new_course_version(data["course"], users["trainer"], note="Typos fixed")
    second = services.sign_off(data["ann"], data["course"], users["pm"], score=95, practical_done=True)
    assert second.course_version == 2
    assert SignOff.objects.filter(trainee=data["ann"]).count() == 2


def test_from_a_session_the_trainee_must_have_attended_and_the_session_score_counts(data, users):
    with pytest.raises(ValidationError, match="Record the attendance of Ann Lee"):
        services.sign_off(data["ann"], data["course"], users["trainer"], practical_done=True, session=data["session"])
    attend(data, "ann", "85", users["trainer"])
    row = services.sign_off(data["ann"], data["course"], users["trainer"], practical_done=True, session=data["session"])
    assert row.score == Decimal(85)


# --- Versions, validity, history -------------------------------------------------------------------


def test_a_material_change_makes_the_old_sign_off_invalid(data, users):
    course = data["course"]
    row = services.sign_off(data["ann"], course, users["trainer"], score=90, practical_done=True)
    today = timezone.localdate()

    def valid():
        course.refresh_from_db()
        return readiness.sign_off_valid(row.course_version, course.content_version, course.material_versions,
                                        row.signed_on, course.valid_months, today)

    services.new_course_version(course, users["trainer"], note="Wording")
    assert valid() and services.is_valid(SignOff.objects.get(pk=row.pk))
    with pytest.raises(ValidationError, match="Say what changed"):
        services.new_course_version(course, users["trainer"], material=True)
    services.new_course_version(course, users["pm"], material=True, note="New pipeline stages")
    course.refresh_from_db()
    assert (course.content_version, course.material_versions) == (3, [3])
    assert not valid() and not services.is_valid(SignOff.objects.get(pk=row.pk))
    versions = course_detail_context(course, None)["course_versions"]
    assert [(v["version"], v["material"], v["note"]) for v in versions] == [
        (3, True, "New pipeline stages"), (2, False, "Wording"), (1, False, "")]


def test_only_training_changers_make_new_versions(data, users, client_for, project):
    for who in ("member", "outsider"):
        with pytest.raises(PermissionDenied):
            services.new_course_version(data["course"], users[who])
    assert client_for("viewer").post(url("course-new-version", project, data["course"].pk)).status_code == 403
    response = client_for("trainer").post(url("course-new-version", project, data["course"].pk),
                                          {"material": "on", "note": "New stages"})
    assert response.status_code == 302 and response["Location"] == data["course"].get_absolute_url()
    data["course"].refresh_from_db()
    assert data["course"].material_versions == [2]


def test_sign_off_history_names_the_signer(data, users):
    row = services.sign_off(data["ann"], data["course"], users["trainer"], score=90, practical_done=True)
    services.acknowledge(row)
    history = list(SignOff.history.filter(id=row.pk).order_by("history_id"))
    assert [(h.history_type, h.history_user) for h in history] == [("+", users["trainer"]), ("~", None)]
    assert history[0].signed_by == users["trainer"] and history[0].course_version == 1


# --- Sign-off on the roster page -------------------------------------------------------------------


def test_trainer_signs_off_an_attendee_on_the_roster(data, users, client_for, project):
    attend(data, "ann", "88", users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    response = client_for("trainer").post(url("enrolment-sign-off", project, ann.pk), {"practical_done": "on"},
                                          HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Ann Lee is signed off on Pipeline basics (version 1)." in body
    assert "Certificate (PDF)" in body and "/acknowledge/" in body
    assert SignOff.objects.get().score == Decimal(88)


def test_refusals_on_the_roster_say_why(data, users, client_for, project):
    attend(data, "bob", "95", users["pm"])
    bob = Enrolment.objects.get(trainee=data["bob"])
    response = client_for("trainer").post(url("enrolment-sign-off", project, bob.pk), {"practical_done": "on"}, follow=True)
    assert "A trainee cannot sign off themselves" in response.content.decode()
    attend(data, "ann", "50", users["trainer"])
    ann = Enrolment.objects.get(trainee=data["ann"])
    response = client_for("pm").post(url("enrolment-sign-off", project, ann.pk), {"practical_done": "on"}, follow=True)
    assert "below the pass mark" in response.content.decode()
    assert client_for("member").post(url("enrolment-sign-off", project, ann.pk), {"practical_done": "on"}).status_code == 403
    assert not SignOff.objects.exists()


# --- Acknowledgement ------------------------------------------------------------------------------


def acknowledge_url(project_pk, token):
    return reverse("training:acknowledge", kwargs={"project": project_pk, "token": token})


def test_the_trainee_acknowledges_once_without_logging_in(data, users, project):
    row = services.sign_off(data["ann"], data["course"], users["trainer"], score=90, practical_done=True)
    link = acknowledge_url(project.pk, services.acknowledge_token(row))
    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Ann Lee" in body and "Pipeline basics" in body and "I acknowledge" in body
    response = anonymous.post(link, follow=True)
    assert "your acknowledgement is recorded" in response.content.decode()
    row.refresh_from_db()
    first = row.acknowledged_on
    assert first is not None
    response = anonymous.post(link, follow=True)
    assert "You acknowledged this sign-off before" in response.content.decode()
    row.refresh_from_db()
    assert row.acknowledged_on == first


def test_a_tampered_token_is_not_found(data, users, project):
    row = services.sign_off(data["ann"], data["course"], users["trainer"], score=90, practical_done=True)
    token = services.acknowledge_token(row)
    for bad in (token[:-2] + ("aa" if not token.endswith("aa") else "bb"), "nonsense", token.replace(":", ".", 1)):
        assert Client().get(acknowledge_url(project.pk, bad)).status_code == 404
        assert Client().post(acknowledge_url(project.pk, bad)).status_code == 404
    from django.core import signing

    forged = signing.dumps({"s": row.pk, "p": project.pk}, salt="another.purpose")
    assert Client().get(acknowledge_url(project.pk, forged)).status_code == 404
    row.refresh_from_db()
    assert row.acknowledged_on is None


def test_a_token_of_another_project_is_not_found(data, users, project, other_project):
    row = services.sign_off(data["ann"], data["course"], users["trainer"], score=90, practical_done=True)
    token = services.acknowledge_token(row)
    assert Client().get(acknowledge_url(other_project.pk, token)).status_code == 404
    third = Project.objects.create(name="Third", company="Third Co")
    assert Client().post(acknowledge_url(third.pk, token)).status_code == 404
    row.refresh_from_db()
    assert row.acknowledged_on is None


# --- Certificate ----------------------------------------------------------------------------------

NEEDS_POPPLER = pytest.mark.skipif(not (shutil.which("pdftotext") and Path(CHROMIUM).exists()),
                                   reason="needs poppler-utils (bin/test installs it)")


def pdf_text(content: bytes, tmp_path) -> str:
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(content)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "\nPages:           1\n" in pages.replace("Pages:          1\n", "Pages:           1\n")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@NEEDS_POPPLER
def test_certificate_pdf_names_the_trainee_and_course(data, users, client_for, project, tmp_path):
    row = services.sign_off(data["ann"], data["course"], users["trainer"], score="92.5", practical_done=True)
    response = client_for("viewer").get(url("certificate", project, row.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    for expected in ("Certificate of training", "Ann Lee", "Pipeline basics", "92.5%", "Trainer", "Acme Frames",
                     timezone.localdate().isoformat()):
        assert expected in text, expected
    assert client_for("outsider").get(url("certificate", project, row.pk)).status_code == 404


@NEEDS_POPPLER
def test_certificate_pdf_in_simplified_chinese(data, users, client_for, project, tmp_path):
    Trainee.objects.filter(pk=data["ann"].pk).update(name="王芳")
    Course.objects.filter(pk=data["course"].pk).update(title="销售管道基础")
    data["ann"].refresh_from_db()
    data["course"].refresh_from_db()
    row = services.sign_off(data["ann"], data["course"], users["trainer"], score=90, practical_done=True)
    client = client_for("trainer")
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.get(url("certificate", project, row.pk))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "王芳" in text and "销售管道基础" in text
    assert "培训师" in text and "项目" in text  # labels in the reader's language
