"""Optimistic locking: the second of two concurrent edits is refused and shown what changed."""

import datetime

import pytest
from django.urls import reverse

from projectcrm.core import services
from projectcrm.governance.choices import IssueStatus, Priority
from projectcrm.governance.models import Issue

pytestmark = pytest.mark.django_db


def edit_url(project, issue):
    return reverse("governance:issues-edit", kwargs={"project": project.pk, "pk": issue.pk})


@pytest.fixture
def issue(project, users):
    issue = Issue(
        project=project, title="Single sign-on not working", description="Users cannot log in.",
        priority=Priority.MEDIUM, status=IssueStatus.OPEN, raised_on=datetime.date(2025, 3, 1),
    )
    return services.save_versioned(issue, None)


def posted_form(response) -> dict:
    """The edit form's fields as the browser would post them back."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_the_second_save_is_refused_and_shows_the_first_change(client_for, project, users, issue):
    pm, member = client_for("pm"), client_for("member")
    first_form = posted_form(pm.get(edit_url(project, issue)))
    second_form = posted_form(member.get(edit_url(project, issue)))
    assert first_form["version"] == second_form["version"] == 1

    first_form["title"] = "SSO fails for external users"
    response = pm.post(edit_url(project, issue), first_form)
    assert response.status_code == 302

    second_form["priority"] = Priority.CRITICAL
    response = member.post(edit_url(project, issue), second_form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "someone else changed this record" in html
    conflict = response.context["conflict"]
    assert conflict.by == "pm"
    assert "Last change by pm." in html
    assert [(c.field, c.old, c.new) for c in conflict.changes] == [
        ("title", "Single sign-on not working", "SSO fails for external users")
    ]
    assert "Single sign-on not working" in html
    assert "SSO fails for external users" in html
    # The form keeps the second user's entry and now carries the current version.
    form = response.context["form"]
    assert form["priority"].value() == Priority.CRITICAL
    assert str(form["version"].value()) == "2"

    issue.refresh_from_db()
    assert issue.title == "SSO fails for external users"
    assert issue.priority == Priority.MEDIUM
    assert issue.version == 2
    assert Issue.history.filter(id=issue.pk).count() == 2

    # Saving again from the re-shown form (now at version 2) goes through.
    again = posted_form(response)
    response = member.post(edit_url(project, issue), again)
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.priority == Priority.CRITICAL
    assert issue.title == "Single sign-on not working"  # the member's form still had the old title
    assert issue.version == 3


def test_a_stale_form_cannot_overwrite_even_the_same_field(client_for, project, issue):
    pm, steering = client_for("pm"), client_for("steering")
    stale = posted_form(steering.get(edit_url(project, issue)))
    fresh = posted_form(pm.get(edit_url(project, issue)))
    fresh["description"] = "Only the Shanghai office."
    assert pm.post(edit_url(project, issue), fresh).status_code == 302
    stale["description"] = "All offices."
    response = steering.post(edit_url(project, issue), stale)
    assert response.status_code == 200
    assert [c.field for c in response.context["conflict"].changes] == ["description"]
    issue.refresh_from_db()
    assert issue.description == "Only the Shanghai office."


def test_save_versioned_raises_edit_conflict(project, users, issue):
    first = Issue.objects.get(pk=issue.pk)
    second = Issue.objects.get(pk=issue.pk)
    first.status = IssueStatus.IN_PROGRESS
    services.save_versioned(first, 1)
    assert first.version == 2

    second.title = "Changed title"
    with pytest.raises(services.EditConflict) as caught:
        services.save_versioned(second, 1)
    conflict = caught.value
    assert conflict.current.version == 2
    assert conflict.current.status == IssueStatus.IN_PROGRESS
    assert [(c.field, c.old, c.new) for c in conflict.changes] == [("status", "Open", "In progress")]
    assert "changed by someone else" in str(conflict)

    fresh = Issue.objects.get(pk=issue.pk)
    assert (fresh.title, fresh.status, fresh.version) == ("Single sign-on not working", IssueStatus.IN_PROGRESS, 2)
    assert Issue.history.filter(id=issue.pk).count() == 2


def test_save_versioned_counts_versions(project, users, issue):
    assert issue.version == 1
    for expected in (2, 3, 4):
        issue.description += "!"
        services.save_versioned(issue, issue.version)
        assert issue.version == expected
    # Without a seen version (an internal save) the version still goes up.
    services.save_versioned(issue, None)
    assert Issue.objects.get(pk=issue.pk).version == 5
