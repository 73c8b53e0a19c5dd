"""The training part of the demo: idempotent, and it tells the story the issue asks for."""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from projectcrm.core.choices import ImportStatus
from projectcrm.core.management.commands.seed_demo import DEMO_PROJECT_NAME
from projectcrm.core.models import Project
from training import adoption, demo, library, readiness_views, usage
from training.choices import Delivery, EnrolmentStatus, SessionStatus
from training.models import (
    AdoptionBaseline,
    AdoptionTarget,
    Champion,
    Course,
    CurriculumItem,
    Department,
    Enrolment,
    JobRole,
    LicenceCount,
    PulseResponse,
    SessionFeedback,
    SignOff,
    Trainee,
    TrainingSession,
    UsageImport,
    UsageRecord,
)

pytestmark = pytest.mark.django_db

EUROPE = "Export sales (Europe)"
SERVICE = "Customer service"


def training_counts() -> dict:
    """Rows of every training model, history tables included."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label == "training"}


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def demo_project() -> Project:
    return Project.objects.get(name=DEMO_PROJECT_NAME)


def europe_adoption(project) -> adoption.Adoption:
    """The adoption figures of the licensed people (Europe), as the adoption page computes them."""
    weekly = [
        adoption.WeekUsage(person, week, logins, records, 0, total / days if days else None)
        for person, week, logins, records, total, days in usage.weekly_usage(project)
    ]
    trainees = Trainee.objects.filter(project=project, active=True, licensed=True).select_related(
        "department", "job_role", "manager"
    )
    assignments = [
        adoption.Assignment(t.usage_key, t.department.name, t.job_role.name, t.manager.name if t.manager else None,
                            datetime.date(2000, 1, 3))
        for t in trainees
    ]
    licences = [adoption.Licences(c.department.name, c.start, c.count) for c in LicenceCount.objects.filter(project=project)]
    targets = [
        adoption.Target(t.department.name if t.department else None, t.date, float(t.rate) / 100)
        for t in AdoptionTarget.objects.filter(project=project).select_related("department")
    ]
    first, last = usage.covered_period(project)
    covered = [first + datetime.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    return adoption.adoption(
        weekly, assignments, go_live=Department.objects.get(project=project, name=EUROPE).go_live,
        as_of=timezone.localdate(), licences=licences, targets=targets, covered_weeks=covered,
        names={t.usage_key: t.name for t in trainees},
    )


def test_seed_demo_twice_creates_no_new_training_rows():
    seed_demo()
    first = training_counts()
    sign_offs = list(SignOff.objects.order_by("pk").values_list("pk", "signed_on", "acknowledged_on"))
    seed_demo()
    assert training_counts() == first
    assert list(SignOff.objects.order_by("pk").values_list("pk", "signed_on", "acknowledged_on")) == sign_offs
    assert first["training.UsageImport"] == 1
    assert first["training.HistoricalTrainee"] == first["training.Trainee"]  # written once each


def test_the_catalogue_sessions_and_people():
    seed_demo()
    project = demo_project()
    departments = {d.name: d for d in Department.objects.filter(project=project)}
    assert len(departments) == 4 and all(d.head for d in departments.values())
    assert departments[EUROPE].go_live == demo.sales_go_live() < timezone.localdate()
    assert all(d.go_live is None for name, d in departments.items() if name != EUROPE)  # the project's go-live

    standard = {entry["key"]: entry["name"] for entry in library.localised("en")}
    roles = dict(JobRole.objects.filter(project=project).values_list("catalogue_key", "name"))
    assert set(roles) == set(demo.ROLE_KEYS) and all(roles[key] == standard[key] for key in roles)
    for role in JobRole.objects.filter(project=project):
        assert CurriculumItem.objects.filter(job_role=role, required=True).exists(), role.name

    courses = Course.objects.filter(project=project)
    assert 5 <= courses.count() <= 7
    assert courses.filter(delivery=Delivery.TRAIN_THE_TRAINER).count() == 1
    assert courses.exclude(pass_mark=None).count() >= 2
    assert courses.exclude(practical_task="").count() == 1
    assert all(c.objectives and c.modules and "https://lumenframes.example/training/" in c.materials for c in courses)
    assert courses.filter(content_version=2).count() == 1  # the quotation course's second version

    trainees = Trainee.objects.filter(project=project)
    assert 38 <= trainees.count() <= 45
    assert trainees.exclude(manager=None).count() >= 30
    assert trainees.filter(active=False).count() == 1
    assert set(trainees.filter(licensed=True).values_list("department__name", flat=True)) == {EUROPE}
    assert all(t.crm_username for t in trainees)

    sessions = TrainingSession.objects.filter(project=project)
    now = timezone.now()
    past, upcoming = sessions.filter(starts__lt=now), sessions.filter(starts__gt=now)
    assert past.filter(status=SessionStatus.HELD).count() >= 8
    assert past.filter(status=SessionStatus.CANCELLED).count() == 1
    assert upcoming.count() >= 5 and not upcoming.exclude(status=SessionStatus.PLANNED).exists()
    assert set(sessions.values_list("trainer__username", flat=True)) == {"trainer"}
    held = Enrolment.objects.filter(session__status=SessionStatus.HELD)
    assert held.filter(attended=True).count() > held.filter(attended=False).count() > 0
    assert held.exclude(score=None).exists()
    assert not Enrolment.objects.filter(session__status=SessionStatus.PLANNED).exclude(attended=None).exists()
    waiting = Enrolment.objects.filter(project=project, status=EnrolmentStatus.WAITING)
    assert waiting.values("session").distinct().count() >= 2
    for session in sessions.filter(pk__in=waiting.values("session")):  # full before anyone waits
        assert session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count() == session.capacity

    # Train the trainer: a sales manager signed off on the train-the-trainer course ran a held session.
    chained = sessions.filter(status=SessionStatus.HELD).exclude(delivered_by=None).get()
    assert chained.delivered_by.job_role.catalogue_key == "sales-manager"
    assert SignOff.objects.filter(trainee=chained.delivered_by, course__delivery=Delivery.TRAIN_THE_TRAINER,
                                  signed_on__lt=timezone.localtime(chained.starts).date()).exists()


def test_sign_offs_by_the_trainer_and_customer_service_lagging():
    seed_demo()
    project = demo_project()
    sign_offs = SignOff.objects.filter(project=project)
    assert sign_offs.count() >= 40
    assert set(sign_offs.values_list("signed_by__username", flat=True)) == {"trainer"}
    created = SignOff.history.filter(project_id=project.pk, history_type="+")
    assert created.count() == sign_offs.count()
    assert set(created.values_list("history_user__username", flat=True)) == {"trainer"}
    assert sign_offs.exclude(acknowledged_on=None).exists() and sign_offs.filter(acknowledged_on=None).exists()
    assert not sign_offs.filter(signed_on__gt=timezone.localdate()).exists()
    for row in sign_offs.select_related("course"):  # the service's rules held
        assert row.course.pass_mark is None or row.score >= row.course.pass_mark
        assert row.practical_done or not row.course.practical_task
    europe_live = Department.objects.get(project=project, name=EUROPE).go_live
    assert sign_offs.filter(trainee__department__name=EUROPE, signed_on__lt=europe_live).count() >= 20

    result = readiness_views.compute(readiness_views.readiness_inputs(project))
    by_department = {name: counts.percent for name, counts in result.by_department.items()}
    assert by_department[SERVICE] < 30 < by_department[EUROPE]
    assert by_department[SERVICE] == min(by_department.values())
    assert by_department[EUROPE] >= 75
    assert result.by_department[EUROPE].overdue > 0  # live, with people still missing courses
    overdue = {item.person.name for item in result.not_ready if item.overdue}
    assert {"Yang Jie", "Marco Rossi", "Zhou Xin"} <= overdue  # missed the courses, failed the quotation test

    champions = Champion.objects.filter(project=project)
    assert 2 <= champions.count() <= 3 and all(c.recognition and c.questions.exists() for c in champions)
    assert SessionFeedback.objects.filter(project=project).count() >= 5
    ratings = Counter()
    for department, rating in PulseResponse.objects.filter(project=project).values_list("department__name", "rating"):
        ratings[department] += rating
    assert len(ratings) == 4


def test_twelve_weeks_of_europe_usage_approach_the_target():
    seed_demo()
    project = demo_project()
    job = UsageImport.objects.get(project=project)
    assert job.status == ImportStatus.DONE
    assert (job.last_day - job.first_day).days + 1 == 12 * 7 and job.first_day.weekday() == 0
    rows = UsageRecord.objects.filter(project=project)
    assert rows.count() == job.total_rows == 12 * 5 * 12  # weekdays, twelve people
    assert rows.values("week").distinct().count() == 12
    assert not rows.filter(day__week_day__in=[1, 7]).exists()  # no weekends
    europe = set(Trainee.objects.filter(project=project, department__name=EUROPE).values_list("crm_username", flat=True))
    assert set(rows.values_list("person", flat=True)) == europe

    result = europe_adoption(project)
    series = result.groups[EUROPE]
    rates = [rate for rate in series.rate if rate is not None]
    assert len(rates) == 12
    assert 0.35 <= rates[0] <= 0.45
    assert 0.6 <= series.current_rate <= 0.85
    assert series.current.target == pytest.approx(0.8) and series.current.gap < 0
    assert len(set(series.licensed)) == 2  # licences added mid-period
    completeness = [c for c in series.completeness if c is not None]
    assert completeness[-1] > completeness[0] + 0.15
    assert {lag.name for lag in result.never_logged_in} == {"Yang Jie", "Marco Rossi"}
    assert [lag.name for lag in result.inactive] == ["Olga Ivanova"]
    assert AdoptionTarget.objects.filter(project=project, department=None).exists()
    assert AdoptionBaseline.objects.filter(project=project).exclude(after_value=None).count() >= 2


def test_a_run_a_week_later_moves_the_story_without_duplicates(monkeypatch):
    seed_demo()
    project = demo_project()
    counts = {k: v for k, v in training_counts().items() if ".Historical" not in k}
    signed = dict(SignOff.objects.values_list("pk", "signed_on"))
    job = UsageImport.objects.get(project=project)

    later = timezone.localdate() + datetime.timedelta(weeks=1)
    monkeypatch.setattr(demo, "today", lambda: later)
    seed_demo()

    assert {k: v for k, v in training_counts().items() if ".Historical" not in k} == counts
    week = datetime.timedelta(weeks=1)
    assert dict(SignOff.objects.values_list("pk", "signed_on")) == {pk: day + week for pk, day in signed.items()}
    moved = UsageImport.objects.get(project=project)
    assert (moved.first_day, moved.last_day) == (job.first_day + week, job.last_day + week)
    assert UsageRecord.objects.filter(project=project).count() == job.total_rows
    assert Department.objects.get(project=project, name=EUROPE).go_live == job.first_day + week


def test_the_usage_data_is_deterministic():
    monday = demo.this_monday()
    story = demo.Story(None, {}, demo.sales_go_live(), monday, monday + datetime.timedelta(weeks=20))
    assert demo.usage_rows(story) == demo.usage_rows(story)
