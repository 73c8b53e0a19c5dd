"""Build the synthetic project of the roadmap benchmark.

    python manage.py seed_roadmap_scale

The project "Roadmap scale test" (replacing one of that name) holds two releases written in bulk
with their history by `roadmap.demo.scale_release`: 1,000 tasks in 20 phases of 50 with 2,000
finish-to-start links, and 100 tasks in 20 phases of 5 with 200 links (for comparing query
counts). Members are the seed_scale users (scale-pm is the project manager).
"""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation

from projectcrm.core.choices import ProjectStatus
from projectcrm.core.management.commands.seed_scale import scale_members, wipe
from projectcrm.core.models import Project
from roadmap.demo import scale_release
from roadmap.models import BaselineItem

PROJECT_NAME = "Roadmap scale test"
LARGE = ("Scale: 1,000 tasks", 20, 50)
SMALL = ("Scale: 100 tasks", 20, 5)  # as many phases as the large one: only the task count differs


def build(seed: int = 1) -> Project:
    rng = random.Random(seed)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday(), weeks=20)
    with translation.override("en"), transaction.atomic():
        for old in Project.objects.filter(name=PROJECT_NAME):
            # Baseline items are not project-scoped rows: remove them before the bulk wipe.
            BaselineItem.objects.filter(baseline__project=old).delete()
            wipe(old)
        project = Project.objects.create(
            name=PROJECT_NAME, company="Synthetic Frames Ltd.", status=ProjectStatus.ACTIVE, start_date=start,
            objectives="Synthetic data for the roadmap benchmark.",
        )
        members = scale_members(project)
        for name, phases, per_phase in (LARGE, SMALL):
            scale_release(project, members, name, phases, per_phase, rng, start)
    return project


class Command(BaseCommand):
    help = (
        "Build the project 'Roadmap scale test' (replacing one of that name): a release of 1,000 tasks with "
        "2,000 dependencies and one of 100 tasks with 200, for bench/run.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="Random seed (the same seed gives the same data).")

    def handle(self, *args, seed, **options):
        started = timezone.now()
        project = build(seed)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(self.style.SUCCESS(f"{project.name} (id {project.pk}) built in {seconds:.1f} s."))
