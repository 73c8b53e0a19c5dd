"""Roadmap fixtures: a release from the book-style template, a three-member steering committee,
and small helpers to post register forms and read the messages a view left."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership
from roadmap import methodology
from roadmap.models import Task
from roadmap.registers import REGISTERS

# A Monday: the book template's dates below are worked out by hand from this day.
BOOK_START = datetime.date(2025, 1, 6)


def rurl(name, project, **kwargs):
    return reverse(f"roadmap:{name}", kwargs={"project": project.pk, **kwargs})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def register_form_data(obj, slug, **changes) -> dict:
    """POST data for a register's edit form: the row's current values, the version, the changes."""
    register = next(r for r in REGISTERS if r.slug == slug)
    values = model_to_dict(obj, fields=register.form_fields)
    values.update(changes)
    data = {"version": obj.version}
    for name, value in values.items():
        if value is None or value is False:
            value = ""
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[name] = value
    return data


def task(release, key) -> Task:
    """A task of a release made from a template, by its template key."""
    return Task.objects.get(release=release, template_key=key)


def next_monday(weeks_ahead=2) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday() + 7 * (weeks_ahead - 1))


@pytest.fixture
def book():
    return methodology.built_in("book")


@pytest.fixture
def book_release(project, book):
    return methodology.instantiate(project, book, "Sales pilot", BOOK_START, kind="pilot", language="en")


@pytest.fixture
def future_release(project, book):
    """The book plan starting two weeks ahead: nothing is overdue yet."""
    return methodology.instantiate(project, book, "Service wave", next_monday(), kind="wave", language="en")


@pytest.fixture
def committee(project, users):
    """Sponsor (the steering user) plus two more steering members: three voters."""
    User = get_user_model()
    project.sponsor = users["steering"]
    project.save()
    members = {"sponsor": users["steering"]}
    for name in ("steering2", "steering3"):
        user = User.objects.create_user(username=name, password="pw", first_name=name.title())
        Membership.objects.create(project=project, user=user, role=Role.STEERING)
        members[name] = user
    return members


@pytest.fixture
def login():
    """login(user) -> a test client logged in as that user (for users outside the role fixture)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
