"""seed_training_scale: the requested shape, a usage file the import accepts, and a rebuild that replaces."""

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from projectcrm.core.choices import ImportStatus
from projectcrm.core.models import Project
from training import usage
from training.management.commands.seed_training_scale import HEADER, PROJECT_NAME
from training.models import (
    AdoptionTarget,
    Course,
    CurriculumItem,
    Department,
    Enrolment,
    JobRole,
    LicenceCount,
    SignOff,
    Trainee,
    TrainingSession,
    UsageImport,
    UsageRecord,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    usage.clear_cache()
    yield
    usage.clear_cache()


def seed(tmp_path, **options) -> tuple[Project, str]:
    path = str(tmp_path / "usage.csv")
    out = StringIO()
    call_command("seed_training_scale", stdout=out, usage_file=path, **options)
    return Project.objects.get(name=PROJECT_NAME), path


def test_it_builds_the_requested_shape_and_replaces_it(tmp_path):
    seed(tmp_path, trainees=60, courses=3, days=10, load_usage=True)
    project, path = seed(tmp_path, trainees=60, courses=3, days=10)  # replaces the first build
    assert Project.objects.filter(name=PROJECT_NAME).count() == 1
    assert Department.objects.filter(project=project).count() == 1  # one per 50 trainees
    assert JobRole.objects.filter(project=project).count() == 8
    assert Course.objects.filter(project=project).count() == 3
    assert CurriculumItem.objects.filter(project=project).count() == 8 * 3
    trainees = Trainee.objects.filter(project=project)
    assert trainees.count() == 60
    assert trainees.filter(manager__isnull=True).count() == 2  # one manager per 25 people
    assert not Trainee.history.filter(project_id=project.pk).exists()  # bulk rows: no history
    assert TrainingSession.objects.filter(project=project).count() == 3 * 3  # 25 per session
    assert Enrolment.objects.filter(project=project).count() == 60 * 3
    signed = SignOff.objects.filter(project=project).count()
    assert 0 < signed < 60 * 3
    assert LicenceCount.objects.filter(project=project).count() == 1
    assert AdoptionTarget.objects.filter(project=project).count() == 2
    # The old build's usage rows went with it; the new one's file is not loaded yet.
    assert not UsageRecord.objects.exists() and not UsageImport.objects.exists()
    assert project.memberships.filter(user__username="scale-trainer", role="trainer").exists()
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADER and len(rows) == 1 + 60 * 10


def test_its_usage_file_imports_and_the_pages_answer(tmp_path):
    project, _path = seed(tmp_path, trainees=60, courses=2, days=14, load_usage=True)
    job = UsageImport.objects.get(project=project)
    assert job.status == ImportStatus.DONE and job.total_rows == 60 * 14
    assert UsageRecord.objects.filter(project=project).count() == 60 * 14
    assert not usage.report_of(job)["unmatched_count"]  # every CRM user name is a trainee's
    client = Client()
    client.force_login(project.memberships.get(user__username="scale-pm").user)
    response = client.get(reverse("training:adoption", kwargs={"project": project.pk}))
    assert response.status_code == 200
    assert response.context["has_data"]
    assert client.get(reverse("training:readiness", kwargs={"project": project.pk})).status_code == 200
