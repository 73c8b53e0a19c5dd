"""Training in a real browser: a trainer records attendance and signs off two trainees in 简体中文
(each change saved by htmx), and the readiness heat map changes. Playwright drives Debian's
headless Chromium, as the other browser tests do."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project
from tests.browser_support import BROWSER_MARKS, log_in
from training.models import (
    Course,
    CurriculumItem,
    Department,
    Enrolment,
    JobRole,
    SignOff,
    Trainee,
    TrainingSession,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def setup(transactional_db):
    trainer = get_user_model().objects.create_user(username="trainer", password="demo-pass", first_name="Mei")
    project = Project.objects.create(name="Lumen Frames CRM rollout", company="Lumen Frames",
                                     target_go_live=datetime.date.today() + datetime.timedelta(days=30))
    Membership.objects.create(project=project, user=trainer, role=Role.TRAINER)
    sales = Department.objects.create(project=project, name="外销部")
    role = JobRole.objects.create(project=project, name="销售人员")
    course = Course.objects.create(project=project, title="客户与联系人", pass_mark=None)
    CurriculumItem.objects.create(project=project, job_role=role, course=course)
    people = [Trainee.objects.create(project=project, name=n, department=sales, job_role=role) for n in ("王芳", "李强")]
    start = timezone.now() - datetime.timedelta(hours=3)
    session = TrainingSession.objects.create(project=project, course=course, starts=start,
                                             ends=start + datetime.timedelta(hours=2), trainer=trainer)
    enrolments = [Enrolment.objects.create(project=project, session=session, trainee=p) for p in people]
    return project, course, session, enrolments


def test_trainer_records_attendance_and_signs_off_in_simplified_chinese(browser, live_server, setup):
    project, course, session, enrolments = setup
    base = live_server.url
    context, page = log_in(browser, base, "trainer", "zh-hans", locale="zh-CN")

    heat_cell = f"#readiness-heat-table td.heat[data-course='{course.pk}'] a"
    page.goto(f"{base}/p/{project.pk}/training/readiness/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(heat_cell).first.text_content().strip() == "0/2"

    page.goto(f"{base}/p/{project.pk}/training/sessions/{session.pk}/roster/")
    with translation.override("zh-hans"):
        signed_text = translation.gettext("Signed off")
    assert signed_text != "Signed off"
    for enrolment in enrolments:
        row = f"#enrolment-{enrolment.pk}"
        page.locator(f"{row} input[name=attended]").check()
        page.wait_for_selector(f"{row} .state .badge.green")
        page.locator(f"{row} form.signoff button[type=submit]").click()
        page.wait_for_selector(f"{row} :text('{signed_text}')")
    assert set(Enrolment.objects.values_list("attended", flat=True)) == {True}
    sign_offs = SignOff.objects.select_related("signed_by")
    assert sorted(s.trainee.name for s in sign_offs) == ["李强", "王芳"]
    assert {s.signed_by.username for s in sign_offs} == {"trainer"}
    assert all(s.history.filter(history_user__username="trainer").exists() for s in sign_offs)

    page.goto(f"{base}/p/{project.pk}/training/readiness/")
    assert page.locator(heat_cell).first.text_content().strip() == "2/2"
    page.wait_for_selector(".plotly-graph-div .main-svg")
    assert "100" in page.locator("#readiness-percent").inner_text()
    context.close()
