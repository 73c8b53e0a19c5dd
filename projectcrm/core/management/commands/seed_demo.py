"""Build or refresh the demo project: an export picture-frame maker introducing a CRM.

    python manage.py seed_demo

Running it again changes nothing unless the data changed: the project is found by its fixed
name and every row by a natural key (a name or a title), and a row is saved only when one of
its values differs. Dates are relative to today, so a run on a later day moves them along.

Each area seeds its own part through `seed(project, users)` in its `demo` module, named in
SEED_AREAS in the order they run (later areas may use what earlier ones created). The same
modules may offer `scale(project, members, count, rng)` for `seed_scale`.
"""

import datetime
from contextlib import contextmanager
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.utils import timezone, translation
from simple_history.models import HistoricalRecords

from projectcrm.core.choices import ProjectStatus, Role
from projectcrm.core.models import Membership, Project

SEED_AREAS = [
    "projectcrm.governance.demo",
    "roadmap.demo",
    "projectcrm.design.demo",
    "evaluation.demo",
    "training.demo",
    "testing.demo",
    "testing.demo_migration",
    "projectcrm.governance.demo_kpis",
    "projectcrm.governance.demo_readiness",
    "projectcrm.governance.demo_meetings",
    "projectcrm.reports.demo",
]

DEMO_PROJECT_NAME = "Lumen Frames CRM rollout"
DEMO_COMPANY = "Lumen Frames Co., Ltd."
EMAIL_DOMAIN = "lumenframes.example"

# username, first name, last name, role in the demo project (None: no membership), job
DEMO_USERS = [
    ("pm", "Jing", "Chen", Role.PROJECT_MANAGER, "CRM project manager"),
    ("sponsor", "Weiguo", "Zhou", Role.STEERING, "General manager, executive sponsor"),
    ("steering", "Hui", "Lin", Role.STEERING, "Sales director"),
    ("evaluator", "Lei", "Wang", Role.EVALUATOR, "IT manager"),
    ("evaluator2", "Fang", "Liu", Role.EVALUATOR, "Customer service manager"),
    ("evaluator3", "Qiang", "Sun", Role.EVALUATOR, "Sales operations analyst"),
    ("trainer", "Mei", "Xu", Role.TRAINER, "Training coordinator"),
    ("member", "Tao", "Huang", Role.MEMBER, "Export sales manager, Europe"),
    ("viewer", "Li", "Zhao", Role.VIEWER, "Finance controller"),
    ("outsider", "Peng", "Guo", None, "Logistics supervisor (not on the project)"),
]

PROJECT_OBJECTIVES = """\
Lumen Frames sells picture frames, mirrors and moulding to importers and retail chains in
Europe, North America, the Middle East and Australia. Customer records live in each
salesperson's spreadsheets and mailbox, so history leaves with people, two salespeople can
claim the same buyer, and requests or complaints are forgotten. Hundreds of moulding
profiles, sizes and finishes make wrong quotes common.

Objectives:
1. One customer database shared by sales and customer service, with a clear owner per account.
2. Every enquiry, quotation, sample request and complaint logged against the customer.
3. Quotations built from a maintained product catalogue and price list, not from memory.
4. Account handover in a day when a salesperson leaves or changes market.
5. Go live for all export sales teams before the spring trade-fair season."""


@contextmanager
def acting_as(user):
    """Attribute every history row written inside the block to `user` (as a request would)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def _differs(obj, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.is_relation:
        target = value.pk if isinstance(value, models.Model) else value
        return getattr(obj, field.attname) != target
    return getattr(obj, name) != value


def upsert(model, lookup: dict, values: dict | None = None, by=None):
    """Find the row by `lookup`; create it, or save it only if a value differs. -> (obj, created).

    `by` is the person the history row names (default: the user of `acting_as`).
    """
    values = values or {}
    obj = model._default_manager.filter(**lookup).order_by("pk").first()
    if obj is None:
        obj = model(**lookup, **values)
        if by is not None:
            obj._history_user = by
        obj.save()
        return obj, True
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        if hasattr(obj, "version"):
            obj.version += 1
        if by is not None:
            obj._history_user = by
        obj.save()
    return obj, False


def ensure_users(password: str) -> dict:
    """The demo users by username; passwords reset only when they no longer match."""
    User = get_user_model()
    users = {}
    for username, first, last, _role, _job in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        wanted = {"first_name": first, "last_name": last, "email": f"{username}@{EMAIL_DOMAIN}", "is_active": True}
        dirty = created or any(getattr(user, k) != v for k, v in wanted.items())
        for key, value in wanted.items():
            setattr(user, key, value)
        if created or not user.check_password(password):
            user.set_password(password)
            dirty = True
        if dirty:
            user.save()
        users[username] = user
    return users


def ensure_project(users: dict, today: datetime.date) -> Project:
    from projectcrm.governance.models import EscalationRule
    from projectcrm.governance.services import setup_new_project

    project, _created = upsert(
        Project,
        {"name": DEMO_PROJECT_NAME},
        {
            "company": DEMO_COMPANY,
            "sponsor": users["sponsor"],
            "objectives": PROJECT_OBJECTIVES,
            "start_date": today - datetime.timedelta(days=91),
            "target_go_live": today + datetime.timedelta(days=152),
            "status": ProjectStatus.ACTIVE,
        },
    )
    for username, _first, _last, role, _job in DEMO_USERS:
        if role is None:
            Membership.objects.filter(project=project, user=users[username]).delete()
            continue
        upsert(Membership, {"project": project, "user": users[username]}, {"role": role})
    if not EscalationRule.objects.filter(project=project).exists():
        setup_new_project(project)
    return project


class Command(BaseCommand):
    help = (
        "Create or refresh the demo project (Lumen Frames, an export picture-frame maker introducing "
        "a CRM) with users named after their roles. Idempotent. Password: DEMO_PASSWORD (default 'demo')."
    )

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        today = timezone.localdate()
        with translation.override("en"), transaction.atomic():
            users = ensure_users(password)
            with acting_as(users["pm"]):
                project = ensure_project(users, today)
                for module_name in SEED_AREAS:
                    import_module(module_name).seed(project, users)
        self.stdout.write(self.style.SUCCESS(f"Demo project “{project.name}” (id {project.pk}) is ready."))
        self.stdout.write("Demo logins (password: %s):" % password)
        for username, first, last, role, job in DEMO_USERS:
            role_label = Role(role).label if role else "no project"
            self.stdout.write(f"  {username:<10} {first + ' ' + last:<14} {str(role_label):<27} {job}")
