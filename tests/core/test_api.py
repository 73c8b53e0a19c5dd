"""The JSON API: token authentication, the pages' access policy, optimistic locking, history,
model validation, and the OpenAPI schema and docs."""

import re

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projectcrm.core.registry import all_registers
from projectcrm.governance.choices import IssueStatus
from projectcrm.governance.models import Issue


@pytest.fixture
def api_for(users):
    """api_for("pm") -> an APIClient sending that user's token; api_for("anonymous") sends none."""

    def make(username):
        client = APIClient()
        if username != "anonymous":
            token, _created = Token.objects.get_or_create(user=users[username])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def issues_url(project, pk=None):
    if pk is None:
        return reverse("api-governance-issues-list", kwargs={"project": project.pk})
    return reverse("api-governance-issues-detail", kwargs={"project": project.pk, "pk": pk})


@pytest.fixture
def issue(project, users):
    return Issue.objects.create(project=project, title="Duplicate accounts after import", owner=users["member"])


def history_count(issue_pk):
    return Issue.history.filter(id=issue_pk).count()


# --- Authentication and the project list ------------------------------------------------------------
def test_it_lists_only_the_users_projects(api_for, project, other_project):
    response = api_for("viewer").get("/api/v1/projects/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [project.pk]
    assert results[0]["role"] == "viewer"


def test_outsider_sees_no_projects(api_for, project):
    response = api_for("outsider").get("/api/v1/projects/")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_it_refuses_a_missing_or_wrong_token(project, users):
    assert APIClient().get("/api/v1/projects/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/projects/").status_code == 401
    assert client.get(issues_url(project)).status_code == 401


def test_a_regenerated_token_replaces_the_old_one(pm_client, users, project):
    old = Token.objects.create(user=users["pm"])
    assert pm_client.post(reverse("api-token")).status_code == 302
    new = Token.objects.get(user=users["pm"])
    assert new.key != old.key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old.key}")
    assert client.get("/api/v1/projects/").status_code == 401


# --- A register through the API ------------------------------------------------------------------------
def test_it_lists_and_reads_issues(api_for, project, issue):
    client = api_for("viewer")
    response = client.get(issues_url(project))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["ref"] == "ISS-001"
    response = client.get(issues_url(project, issue.pk))
    assert response.status_code == 200
    assert response.json()["title"] == "Duplicate accounts after import"
    assert response.json()["version"] == 1


def test_it_creates_an_issue_with_one_history_row(api_for, project, users):
    response = api_for("member").post(
        issues_url(project), {"title": "Lead scoring unclear", "priority": "high", "owner": users["pm"].pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ref"] == "ISS-001"
    assert body["version"] == 1
    issue = Issue.objects.get(pk=body["id"])
    assert issue.project == project
    assert issue.owner == users["pm"]
    records = Issue.history.filter(id=issue.pk)
    assert [r.history_type for r in records] == ["+"]
    assert records[0].history_user == users["member"]


def test_it_updates_with_the_version_read(api_for, project, issue, users):
    client = api_for("pm")
    before = history_count(issue.pk)
    response = client.patch(issues_url(project, issue.pk), {"title": "Duplicates", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    issue.refresh_from_db()
    assert issue.title == "Duplicates"
    assert issue.version == 2
    assert history_count(issue.pk) == before + 1
    assert Issue.history.filter(id=issue.pk).latest("history_id").history_user == users["pm"]

    response = client.put(
        issues_url(project, issue.pk),
        {"title": "Duplicates in accounts", "priority": "critical", "status": "open", "version": 2},
        format="json",
    )
    assert response.status_code == 200, response.json()
    issue.refresh_from_db()
    assert (issue.title, issue.priority, issue.version) == ("Duplicates in accounts", "critical", 3)
    assert history_count(issue.pk) == before + 2


def test_an_update_without_version_is_refused(api_for, project, issue):
    before = history_count(issue.pk)
    response = api_for("pm").patch(issues_url(project, issue.pk), {"title": "No version"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()
    issue.refresh_from_db()
    assert issue.title == "Duplicate accounts after import"
    assert history_count(issue.pk) == before


def test_a_stale_version_is_a_conflict_and_changes_nothing(api_for, project, issue):
    client = api_for("pm")
    assert client.patch(issues_url(project, issue.pk), {"priority": "high", "version": 1}, format="json").status_code == 200
    before = history_count(issue.pk)
    response = client.patch(issues_url(project, issue.pk), {"title": "Stale edit", "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert "priority" in body["changed_fields"]
    issue.refresh_from_db()
    assert issue.title == "Duplicate accounts after import"
    assert issue.version == 2
    assert history_count(issue.pk) == before


def test_it_deletes_with_one_history_row(api_for, project, issue):
    before = history_count(issue.pk)
    response = api_for("steering").delete(issues_url(project, issue.pk))
    assert response.status_code == 204
    assert not Issue.objects.filter(pk=issue.pk).exists()
    assert history_count(issue.pk) == before + 1
    assert Issue.history.filter(id=issue.pk).latest("history_id").history_type == "-"


def test_model_rules_apply(api_for, project, issue):
    before = history_count(issue.pk)
    response = api_for("pm").patch(
        issues_url(project, issue.pk), {"status": IssueStatus.CLOSED, "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "resolution" in response.json()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert history_count(issue.pk) == before

    response = api_for("pm").post(
        issues_url(project), {"title": "Closed at once", "status": IssueStatus.CLOSED}, format="json"
    )
    assert response.status_code == 400
    assert "resolution" in response.json()
    assert Issue.objects.filter(project=project).count() == 1


def test_database_constraints_apply(api_for, project):
    response = api_for("pm").post(
        issues_url(project),
        {
            "title": "Resolved before raised",
            "status": IssueStatus.RESOLVED,
            "resolution": "Fixed",
            "raised_on": "2025-03-10",
            "resolved_on": "2025-03-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "cannot be resolved before" in str(response.json())


def test_owner_must_be_a_project_member(api_for, project, issue, users):
    response = api_for("pm").post(
        issues_url(project), {"title": "Owner from outside", "owner": users["outsider"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    response = api_for("pm").patch(
        issues_url(project, issue.pk), {"owner": users["outsider"].pk, "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "owner" in response.json()
    issue.refresh_from_db()
    assert issue.owner == users["member"]


def test_project_and_id_are_not_writable(api_for, project, other_project, issue):
    response = api_for("pm").patch(
        issues_url(project, issue.pk), {"project": other_project.pk, "id": 999, "version": 1}, format="json"
    )
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.project == project
    assert Issue.objects.filter(pk=issue.pk).exists()


# --- The policy --------------------------------------------------------------------------------------
def test_viewer_reads_but_cannot_write(api_for, project, issue):
    client = api_for("viewer")
    assert client.get(issues_url(project)).status_code == 200
    assert client.post(issues_url(project), {"title": "Not allowed"}, format="json").status_code == 403
    assert client.patch(issues_url(project, issue.pk), {"title": "x", "version": 1}, format="json").status_code == 403
    assert client.delete(issues_url(project, issue.pk)).status_code == 403
    assert Issue.objects.filter(project=project).count() == 1
    issue.refresh_from_db()
    assert issue.version == 1


def test_non_member_gets_404(api_for, project, issue):
    client = api_for("outsider")
    assert client.get(issues_url(project)).status_code == 404
    assert client.get(issues_url(project, issue.pk)).status_code == 404
    assert client.post(issues_url(project), {"title": "x"}, format="json").status_code == 404
    assert client.delete(issues_url(project, issue.pk)).status_code == 404
    assert Issue.objects.filter(pk=issue.pk).exists()


def test_anonymous_gets_401(api_for, project, issue):
    client = api_for("anonymous")
    assert client.get(issues_url(project)).status_code == 401
    assert client.get(issues_url(project, issue.pk)).status_code == 401
    assert client.post(issues_url(project), {"title": "x"}, format="json").status_code == 401


def test_rows_of_another_project_are_not_found(api_for, project, other_project):
    foreign = Issue.objects.create(project=other_project, title="Theirs")
    client = api_for("pm")
    assert client.get(issues_url(project, foreign.pk)).status_code == 404
    assert client.delete(issues_url(project, foreign.pk)).status_code == 404
    assert client.get(issues_url(other_project, foreign.pk)).status_code == 404
    assert Issue.objects.filter(pk=foreign.pk).exists()


def test_list_filters_by_register_filter_fields(api_for, project, users):
    Issue.objects.create(project=project, title="High one", priority="high")
    Issue.objects.create(project=project, title="Low one", priority="low")
    response = api_for("viewer").get(issues_url(project), {"priority": "high"})
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["High one"]


# --- Schema and docs ------------------------------------------------------------------------------
def test_schema_lists_every_register(client_for):
    response = client_for("viewer").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/projects/" in paths
    for register in all_registers():
        base = f"/api/v1/projects/{{project}}/{register.area}/{register.slug}/"
        assert base in paths, base
        assert f"{base}{{id}}/" in paths, base


def test_schema_answers_json_by_accept_header(client_for):
    response = client_for("viewer").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/projects/{project}/governance/issues/" in response.json()["paths"]


def test_docs_page_uses_local_static_files_only(client_for):
    response = client_for("viewer").get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"<script[^>]*\ssrc=[\"']([^\"']+)", html) + re.findall(
        r"<link[^>]*\shref=[\"']([^\"']+)", html
    )
    assert sources, "expected the Swagger UI's script and stylesheet"
    remote = [s for s in sources if re.match(r"(https?:)?//", s)]
    assert not remote, f"CDN references: {remote}"
    assert any("swagger-ui" in s for s in sources)
