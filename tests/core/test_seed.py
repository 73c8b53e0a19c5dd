"""The demo seed (idempotent, usable logins) and the scale seed (expected row counts)."""

from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import DEMO_PROJECT_NAME, DEMO_USERS
from projectcrm.core.models import Membership, Project
from projectcrm.governance import models as gov
from projectcrm.governance.registers import CommunicationRegister, IssueRegister

pytestmark = pytest.mark.django_db


def row_counts() -> dict:
    """Rows of every model of our apps and auth, history tables included."""
    labels = {"core", "governance", "auth"}
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label in labels}


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_leaves_the_same_rows_and_prints_the_logins():
    seed_demo()
    first = row_counts()
    output = seed_demo()
    assert row_counts() == first
    assert Project.objects.filter(name=DEMO_PROJECT_NAME).count() == 1
    assert first["governance.Stakeholder"] >= 10
    assert first["governance.Issue"] >= 10
    assert first["governance.HistoricalIssue"] == first["governance.Issue"]  # no extra history on re-run
    for username, *_rest in DEMO_USERS:
        assert username in output
    assert settings.DEMO_PASSWORD in output


def test_demo_users_log_in_with_the_demo_password():
    seed_demo()
    for username in ("pm", "sponsor", "viewer", "outsider"):
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": settings.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session.get("_auth_user_id"), username


def test_demo_roles_sponsor_and_outsider():
    seed_demo()
    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {u: r for u, _f, _l, r, _j in DEMO_USERS if r}
    assert project.sponsor.username == "sponsor"
    assert not Membership.objects.filter(user__username="outsider").exists()


def test_demo_data_tells_the_story():
    seed_demo()
    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    for workstream in gov.Workstream.objects.filter(project=project):
        assert workstream.raci.filter(role="A").count() == 1, workstream.name
    today = timezone.localdate()
    overdue = CommunicationRegister.overdue(CommunicationRegister.queryset(project), today)
    assert [item.deliverable for item in overdue] == ["Issue log review"]
    escalated = set(IssueRegister.queryset(project).exclude(escalation="").values_list("escalation", flat=True))
    assert escalated == {"sponsor", "steering", "pm"}
    assert gov.Issue.objects.filter(project=project, status="resolved").exclude(resolution="").exists()
    assert gov.Risk.objects.filter(project=project).exclude(library_key="").count() == 10
    assert gov.ActionItem.objects.filter(project=project, decision__isnull=False).count() >= 6
    history_users = set(gov.Issue.history.filter(project_id=project.pk).values_list("history_user__username", flat=True))
    assert "member" in history_users


def test_seed_scale_small_creates_the_expected_rows():
    call_command("seed_scale", size="small", stdout=StringIO())
    call_command("seed_scale", size="small", stdout=StringIO())  # replaces, does not add
    project = Project.objects.get(name="Scale test (small)")
    for model in (gov.Stakeholder, gov.CommunicationItem, gov.CommunicationLog, gov.Issue, gov.Risk,
                  gov.Decision, gov.ActionItem, gov.RaciAssignment):
        assert model.objects.filter(project=project).count() == 200, model.__name__
        assert model.history.filter(project_id=project.pk).count() == 200, model.__name__
    assert gov.Workstream.objects.filter(project=project).count() == 6
    assert gov.EscalationRule.objects.filter(project=project).count() == 3
    numbers = sorted(gov.Issue.objects.filter(project=project).values_list("number", flat=True))
    assert numbers == list(range(1, 201))
    risk = gov.Risk.objects.filter(project=project).first()
    assert risk.score == risk.probability * risk.impact
    assert Membership.objects.filter(project=project, user__username="scale-pm", role="pm").exists()
