"""Shared fixtures: one project with a member in every role, plus an outsider (Healthchecks style)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project


@pytest.fixture(autouse=True)
def english_between_tests():
    """A request in Chinese leaves its language active in the thread; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files (evidence, extracts) go to the test's own folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"


ROLE_USERS = {
    "pm": Role.PROJECT_MANAGER,
    "steering": Role.STEERING,
    "evaluator": Role.EVALUATOR,
    "trainer": Role.TRAINER,
    "member": Role.MEMBER,
    "viewer": Role.VIEWER,
}


@pytest.fixture
def project(db):
    from projectcrm.governance.services import setup_new_project

    project = Project.objects.create(name="Frame CRM rollout", company="Acme Frames")
    setup_new_project(project)
    return project


@pytest.fixture
def users(db, project):
    """{"pm": user, ..., "viewer": user, "outsider": user in no project}."""
    User = get_user_model()
    result = {}
    for username, role in ROLE_USERS.items():
        user = User.objects.create_user(username=username, password="pw", first_name=username.title())
        Membership.objects.create(project=project, user=user, role=role)
        result[username] = user
    result["outsider"] = User.objects.create_user(username="outsider", password="pw")
    return result


@pytest.fixture
def other_project(db, users):
    """A project the role users are not members of (its URLs must answer 404 to them)."""
    User = get_user_model()
    owner = User.objects.create_user(username="other-pm", password="pw")
    other = Project.objects.create(name="Someone else's rollout", company="Other Co")
    Membership.objects.create(project=other, user=owner, role=Role.PROJECT_MANAGER)
    return other


@pytest.fixture
def client_for(users):
    """client_for("pm") -> a logged-in test client."""

    def make(username):
        client = Client()
        if username != "anonymous":
            client.force_login(users[username])
        return client

    return make


@pytest.fixture
def pm_client(client_for):
    return client_for("pm")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run (Playwright drives Debian's /usr/bin/chromium).

    Playwright's sync API runs an event loop in the test thread, so Django's ORM calls made in
    fixtures and assertions need DJANGO_ALLOW_ASYNC_UNSAFE (bin/test sets it too).
    """
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, LAUNCH_ARGS

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield launched
            launched.close()
