"""Build a synthetic project with many rows per register, for benchmarks and scale checks.

    python manage.py seed_scale --size small|medium|large

The project is called "Scale test (<size>)"; an existing one of that name is removed first
(rows and their history, without per-row delete signals). Rows are written with
simple-history's bulk_create_with_history, so every row has its "created" history record.
Each area's `demo.scale(project, members, count, rng)` (see seed_demo.SEED_AREAS) adds its rows.
"""

import random

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history

from projectcrm.core.choices import ProjectStatus, Role
from projectcrm.core.models import Membership, Numbered, Project, ProjectScoped

from .seed_demo import SEED_AREAS

# Rows per register (workstreams: a hundredth, at least 6; escalation rules: the 3 defaults).
SIZES = {"small": 200, "medium": 2_000, "large": 20_000}

SCALE_USERS = [
    ("scale-pm", Role.PROJECT_MANAGER),
    ("scale-steering", Role.STEERING),
    ("scale-evaluator", Role.EVALUATOR),
    ("scale-trainer", Role.TRAINER),
    ("scale-member", Role.MEMBER),
    ("scale-viewer", Role.VIEWER),
]
BATCH_SIZE = 2_000


def project_name(size: str) -> str:
    return f"Scale test ({size})"


def bulk(model, objs, user) -> list:
    """Insert rows with their history. Does what save() would: running number and compute()."""
    if issubclass(model, Numbered):
        for index, obj in enumerate(objs, start=1):
            if not obj.number:
                obj.number = index
    for obj in objs:
        obj.compute()
    if not objs:
        return []
    return bulk_create_with_history(objs, model, batch_size=BATCH_SIZE, default_user=user)


def project_scoped_models() -> list:
    return [m for m in apps.get_models() if issubclass(m, ProjectScoped)]


def wipe(project):
    """Remove a project with all its rows and their history, in bulk (no per-row signals).

    Foreign keys are checked at commit (Django declares them deferrable), so the order of the
    DELETEs does not matter inside the transaction.
    """
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model in project_scoped_models():
            for table in (model._meta.db_table, model.history.model._meta.db_table):
                cursor.execute(f"DELETE FROM {quote(table)} WHERE {quote('project_id')} = %s", [project.pk])
        project.delete()


def scale_members(project) -> list:
    User = get_user_model()
    members = []
    for username, role in SCALE_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": username.split("-")[1].title(), "last_name": "Scale"}
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
        members.append(user)
    return members


def build(size: str, seed: int = 1) -> Project:
    from importlib import import_module

    from projectcrm.governance.services import setup_new_project

    count = SIZES[size]
    rng = random.Random(seed)
    name = project_name(size)
    today = timezone.localdate()
    with translation.override("en"), transaction.atomic():
        for old in Project.objects.filter(name=name):
            wipe(old)
        project = Project.objects.create(
            name=name,
            company="Synthetic Frames Ltd.",
            objectives=f"Synthetic data: {count} rows per register.",
            start_date=today.replace(day=1),
            target_go_live=today.replace(day=1).replace(year=today.year + 1),
            status=ProjectStatus.ACTIVE,
        )
        members = scale_members(project)
        setup_new_project(project)
        for module_name in SEED_AREAS:
            module = import_module(module_name)
            if hasattr(module, "scale"):
                module.scale(project, members, count, rng)
    return project


class Command(BaseCommand):
    help = (
        "Build the synthetic project 'Scale test (<size>)', replacing one of that name. Rows per "
        "register: small 200, medium 2,000, large 20,000 (workstreams a hundredth of that, at least 6; "
        "escalation rules stay at the 3 defaults). Members: scale-pm, scale-steering, scale-evaluator, "
        "scale-trainer, scale-member, scale-viewer (password DEMO_PASSWORD)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (the same seed gives the same data).")

    def handle(self, *args, size, seed, **options):
        started = timezone.now()
        project = build(size, seed)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(f"{project.name} (id {project.pk}): {SIZES[size]} rows per register in {seconds:.1f} s.")
        )
