"""Build the synthetic training project of the training benchmark, and its usage file.

    python manage.py seed_training_scale [--trainees 5000] [--courses 30] [--days 200] [--load-usage]

The project "Training scale test" (replacing one of that name, like seed_evaluation_scale) holds:

* 10 departments (fewer for small runs: one per 50 trainees, at least 1) and 8 job roles, each
  role with every course in its curriculum (required), so every trainee needs every course;
* the courses, CRS-001 ..., the first ones with a pass mark;
* the trainees, spread over the departments and roles, one manager per 25 people of a department
  (the first people of it; managers report to nobody), CRM user names ``scale.user00001`` ...,
  95 % licensed; a licence count per department (its licensed people) and a project target of 80 %;
* per course one session per 25 trainees (held, trainer scale-trainer), every trainee enrolled in
  one session of every course: about 90 % attended, 80 % with a score at or above the pass mark,
  75 % signed off by scale-trainer (trainees x courses enrolments; the full size writes 150,000);
* a usage CSV of trainees x days rows (every user, every day up to yesterday: 1,000,000 rows at the
  full size), written to ``--usage-file`` (default: <temp dir>/training-scale-usage.csv) and NOT
  loaded unless ``--load-usage`` is given: bench/run.py imports it through the real import path
  and times it.

Rows are written with plain bulk_create: no history rows (the benchmark needs none, and 300,000
"created" history rows would only slow the build). The adoption page then treats every trainee's
current department, role and manager as always theirs. Members are the seed_scale users
(scale-pm is the project manager, scale-trainer the trainer).
"""

import csv
import datetime
import os
import random
import tempfile
from decimal import Decimal
from itertools import batched

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone, translation

from projectcrm.core.choices import ProjectStatus
from projectcrm.core.management.commands.seed_scale import BATCH_SIZE, scale_members, wipe
from projectcrm.core.models import Project
from training.choices import Delivery, EnrolmentStatus, SessionStatus
from training.models import (
    AdoptionBaseline,
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
    UsageWeek,
)

PROJECT_NAME = "Training scale test"
TRAINEES, COURSES, DAYS = 5000, 30, 200
DEPARTMENTS = [
    "Sales North", "Sales South", "Key Accounts", "Customer Service", "Field Service", "Marketing",
    "Inside Sales", "Partner Sales", "Service Desk", "Finance",
]
ROLES = [
    "Salesperson", "Sales manager", "Customer-service agent", "Support specialist", "Customer data analyst",
    "CRM administrator", "CRM supervisor", "Executive",
]
TOPICS = [
    "CRM basics", "Accounts and contacts", "Leads", "Opportunities", "Pipeline reviews", "Quotes", "Activities",
    "Calendar and tasks", "Cases", "Service levels", "Knowledge base", "Reports", "Dashboards", "Mobile app",
    "Data quality", "Imports", "E-mail integration", "Campaigns", "Segments", "Forecasting",
]
PEOPLE_PER_MANAGER = 25
SESSION_SIZE = 25
HEADER = [
    "user", "date", "logins",
    "accounts_created", "contacts_created", "opportunities_created", "activities_created", "cases_created",
    "accounts_updated", "contacts_updated", "opportunities_updated", "activities_updated", "cases_updated",
    "completeness",
]


def default_usage_file() -> str:
    return os.path.join(tempfile.gettempdir(), "training-scale-usage.csv")


def username(index: int) -> str:
    return f"scale.user{index:05d}"


def plain_bulk(model, objs: list) -> list:
    """bulk_create without history, after what save() would compute."""
    for obj in objs:
        obj.compute()
    return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)


def remove(project):
    """Drop the usage rows in one statement first (a cascade would load them), then the project."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (UsageRecord, UsageWeek, UsageImport):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)} WHERE project_id = %s", [project.pk])
    wipe(project)


def build(trainees: int = TRAINEES, courses: int = COURSES, days: int = DAYS, seed: int = 1) -> Project:
    rng = random.Random(seed)
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=days)
    go_live = first_day + datetime.timedelta(days=min(days // 4, 28))
    with translation.override("en"), transaction.atomic():
        for old in Project.objects.filter(name=PROJECT_NAME):
            remove(old)
        project = Project.objects.create(
            name=PROJECT_NAME, company="Synthetic Frames Ltd.", status=ProjectStatus.ACTIVE,
            start_date=first_day - datetime.timedelta(days=120), target_go_live=go_live,
            objectives=f"Synthetic data for the training benchmark: {trainees} trainees x {courses} courses.",
        )
        members = scale_members(project)
        trainer = next(u for u in members if u.username == "scale-trainer")
        scoped = {"project_id": project.pk}
        count_departments = max(1, min(len(DEPARTMENTS), trainees // 50))
        departments = plain_bulk(Department, [Department(name=n, **scoped) for n in DEPARTMENTS[:count_departments]])
        roles = plain_bulk(JobRole, [JobRole(name=n, **scoped) for n in ROLES])
        course_rows = plain_bulk(Course, [
            Course(number=i, title=f"{TOPICS[(i - 1) % len(TOPICS)]}" + (f" {(i - 1) // len(TOPICS) + 1}" if i > len(TOPICS) else ""),
                   delivery=Delivery.CLASSROOM, pass_mark=Decimal(70) if i <= courses // 2 else None, **scoped)
            for i in range(1, courses + 1)
        ])
        plain_bulk(CurriculumItem, [
            CurriculumItem(job_role_id=role.pk, course_id=course.pk, **scoped) for role in roles for course in course_rows
        ])
        people = build_trainees(project, departments, roles, trainees, rng)
        licensed = {}
        for person in people:
            if person.licensed:
                licensed[person.department_id] = licensed.get(person.department_id, 0) + 1
        plain_bulk(LicenceCount, [
            LicenceCount(department_id=d.pk, start=first_day, count=licensed.get(d.pk, 0), **scoped) for d in departments
        ])
        plain_bulk(AdoptionTarget, [
            AdoptionTarget(department=None, date=go_live, rate=Decimal(60), **scoped),
            AdoptionTarget(department=None, date=go_live + datetime.timedelta(weeks=8), rate=Decimal(80), **scoped),
        ])
        plain_bulk(AdoptionBaseline, [
            AdoptionBaseline(metric="Active-user rate", value=Decimal(35), unit="%", captured_on=first_day, **scoped),
            AdoptionBaseline(metric="Records per active user", value=Decimal(9), captured_on=first_day, **scoped),
        ])
        training(project, course_rows, people, trainer, go_live, rng)
    return project


def build_trainees(project, departments, roles, count: int, rng: random.Random) -> list:
    scoped = {"project_id": project.pk}
    people = []
    for i in range(1, count + 1):
        department = departments[(i - 1) % len(departments)]
        people.append(Trainee(
            name=f"Trainee {i:05d}", employee_id=f"E{i:05d}", email=f"user{i:05d}@example.com",
            department_id=department.pk, job_role_id=roles[rng.randrange(len(roles))].pk,
            crm_username=username(i), licensed=rng.random() < 0.95, **scoped,
        ))
    people = plain_bulk(Trainee, people)
    # The first people of each department manage the rest of it, PEOPLE_PER_MANAGER each.
    by_department = {}
    for person in people:
        by_department.setdefault(person.department_id, []).append(person)
    changed = []
    for staff in by_department.values():
        managers = staff[: max(1, len(staff) // PEOPLE_PER_MANAGER)]
        for index, person in enumerate(staff[len(managers):]):
            person.manager_id = managers[index % len(managers)].pk
            changed.append(person)
    Trainee.objects.bulk_update(changed, ["manager"], batch_size=BATCH_SIZE)
    return people


def training(project, courses, people, trainer, go_live, rng: random.Random) -> None:
    """Sessions of every course, every trainee enrolled once per course, attendance and sign-offs."""
    scoped = {"project_id": project.pk}
    per_course = max(1, -(-len(people) // SESSION_SIZE))
    sessions = []
    number = 0
    for c, course in enumerate(courses):
        for s in range(per_course):
            number += 1
            # Classes on the 60 days before go-live, at 9:00.
            day = go_live - datetime.timedelta(days=60 - (c * 2 + s) % 60)
            starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
            sessions.append(TrainingSession(
                number=number, course_id=course.pk, starts=starts, ends=starts + datetime.timedelta(hours=2),
                trainer_id=trainer.pk, capacity=SESSION_SIZE, status=SessionStatus.HELD, location=f"Room {s % 12 + 1}",
                **scoped,
            ))
    sessions = plain_bulk(TrainingSession, sessions)

    def enrolments_and_sign_offs():
        for c, course in enumerate(courses):
            own = sessions[c * per_course:(c + 1) * per_course]
            for index, person in enumerate(people):
                session = own[index // SESSION_SIZE]
                draw = rng.random()
                attended = draw < 0.9
                passed = draw < 0.8
                score = None
                if course.pass_mark is not None and attended:
                    score = Decimal(rng.randrange(70, 100) if passed else rng.randrange(30, 70))
                enrolment = Enrolment(session_id=session.pk, trainee_id=person.pk, status=EnrolmentStatus.ENROLLED,
                                      attended=attended, score=score, **scoped)
                sign_off = None
                if draw < 0.75:
                    sign_off = SignOff(trainee_id=person.pk, course_id=course.pk, course_version=course.content_version,
                                       signed_by_id=trainer.pk, signed_on=session.starts.date(), score=score,
                                       practical_done=True, **scoped)
                yield enrolment, sign_off

    for batch in batched(enrolments_and_sign_offs(), BATCH_SIZE):
        Enrolment.objects.bulk_create([e for e, _s in batch])
        SignOff.objects.bulk_create([s for _e, s in batch if s is not None])


def write_usage_csv(path: str, trainees: int = TRAINEES, days: int = DAYS, seed: int = 1,
                    today: datetime.date | None = None) -> int:
    """Every scale user on every day up to yesterday, one row each (trainees x days rows); returns the rows.

    Users adopt at their own pace: about 5 % never log in, the others start logging in after go-live
    with a chance that grows towards their own level (lower in two departments); some stop in the
    last weeks (inactive).
    """
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first_day = today - datetime.timedelta(days=days)
    ramp_days = max(1, min(days // 4, 28))
    # Departments (people are dealt round-robin) adopt at different paces; two lag behind.
    pace = [1.0, 0.95, 1.0, 0.75, 0.9, 0.85, 1.0, 0.9, 0.95, 0.6]
    departments = max(1, min(len(DEPARTMENTS), trainees // 50))
    level = [0.0 if rng.random() < 0.05 else rng.uniform(0.3, 0.95) * pace[u % departments] for u in range(trainees)]
    quit_after = [days - rng.randrange(8, 30) if rng.random() < 0.06 else days for _ in range(trainees)]
    users = [username(i) for i in range(1, trainees + 1)]
    rows = 0
    random_ = rng.random
    randrange = rng.randrange
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for d in range(days):
            day = (first_day + datetime.timedelta(days=d)).isoformat()
            weekend = (first_day + datetime.timedelta(days=d)).weekday() >= 5
            ramp = min(1.0, max(0.0, (d - ramp_days // 2) / (ramp_days * 3)))
            out = []
            for u in range(trainees):
                chance = level[u] * ramp * (0.15 if weekend else 1.0)
                if d < quit_after[u] and random_() < chance:
                    out.append((users[u], day, randrange(1, 6), randrange(0, 3), randrange(0, 4), randrange(0, 2),
                                randrange(0, 8), randrange(0, 3), randrange(0, 5), randrange(0, 6), randrange(0, 4),
                                randrange(0, 10), randrange(0, 4), f"{0.55 + 0.45 * random_():.2f}"))
                else:
                    out.append((users[u], day, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ""))
            writer.writerows(out)
            rows += len(out)
    return rows


class Command(BaseCommand):
    help = (
        "Build the project 'Training scale test' (replacing one of that name): departments, roles, courses, "
        "trainees, sessions, enrolments and sign-offs in bulk, and a usage CSV of trainees x days rows for "
        "bench/run.py to import."
    )

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, default=TRAINEES, help=f"Trainees (default {TRAINEES}).")
        parser.add_argument("--courses", type=int, default=COURSES, help=f"Courses (default {COURSES}).")
        parser.add_argument("--days", type=int, default=DAYS, help=f"Days of usage data up to yesterday (default {DAYS}).")
        parser.add_argument("--usage-file", default="", help="Where to write the usage CSV (default: the temp directory).")
        parser.add_argument("--load-usage", action="store_true", help="Also import the usage file (as bench/run.py does).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (the same seed gives the same data).")

    def handle(self, *args, trainees, courses, days, usage_file, load_usage, seed, **options):
        if trainees < 1 or courses < 1 or days < 1:
            raise CommandError("Give at least 1 trainee, 1 course and 1 day.")
        started = timezone.now()
        project = build(trainees, courses, days, seed)
        built = (timezone.now() - started).total_seconds()
        path = usage_file or default_usage_file()
        rows = write_usage_csv(path, trainees, days, seed)
        written = (timezone.now() - started).total_seconds() - built
        self.stdout.write(self.style.SUCCESS(
            f"{PROJECT_NAME} (id {project.pk}): {trainees} trainees x {courses} courses, "
            f"{trainees * courses} enrolments, built in {built:.1f} s; {rows} usage rows written to {path} "
            f"in {written:.1f} s."
        ))
        if load_usage:
            from training import usage

            with open(path, "rb") as handle:
                job = usage.create_import(project, None, os.path.basename(path), handle.read())
            loading = timezone.now()
            job = usage.run_import(job.pk)
            self.stdout.write(f"Usage import {job.status}: {job.total_rows} rows in "
                              f"{(timezone.now() - loading).total_seconds():.1f} s.")
