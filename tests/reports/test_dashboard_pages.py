"""The project dashboard page and its PDF: who may see them, what the tiles show and link to, and
the reader's language."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Evaluation
from projectcrm.governance.models import BudgetLine, Decision, Issue, Risk
from roadmap.models import ChangeRequest, Release
from tests.browser_support import CHROMIUM

ROLES = ["pm", "steering", "evaluator", "trainer", "member", "viewer"]
TODAY = timezone.localdate()


def url(project, name="reports:dashboard"):
    return reverse(name, kwargs={"project": project.pk})


def register(project, name):
    return reverse(name, kwargs={"project": project.pk})


@pytest.fixture
def filled(project, users):
    """A little of everything the tiles show."""
    project.target_go_live = TODAY + datetime.timedelta(days=45)
    project.save()
    Release.objects.create(project=project, name="Pilot", start_date=TODAY, status="active")
    Issue.objects.create(project=project, title="Quote PDF garbled", priority="critical",
                         raised_on=TODAY - datetime.timedelta(days=20), due_date=TODAY - datetime.timedelta(days=5))
    Risk.objects.create(project=project, title="Key users too busy", probability=5, impact=4, owner=users["pm"])
    Decision.objects.create(project=project, title="Choose the hosting region")
    ChangeRequest.objects.create(project=project, title="Add WeChat login", description="x", impact_days=5)
    Evaluation.objects.create(project=project, name="CRM selection")
    return project


@pytest.mark.parametrize("role", ROLES)
def test_every_member_role_sees_the_dashboard(client_for, filled, role):
    response = client_for(role).get(url(filled))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Project dashboard" in page
    assert "Quote PDF garbled" in page and "Key users too busy" in page
    assert "Choose the hosting region" in page and "Add WeChat login" in page
    # The evaluation tile only for roles that may see evaluations.
    assert ("CRM selection" in page) == (role not in ("trainer", "viewer"))


def test_outsiders_get_404_and_anonymous_the_login(client_for, filled, other_project):
    assert client_for("outsider").get(url(filled)).status_code == 404
    assert client_for("outsider").get(url(filled, "reports:dashboard-pdf")).status_code == 404
    assert client_for("pm").get(url(other_project)).status_code == 404
    response = client_for("anonymous").get(url(filled))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_tiles_link_to_their_registers(client_for, filled):
    page = client_for("steering").get(url(filled)).content.decode()
    for name, query in [
        ("governance:issues-list", "?view=escalated"),
        ("governance:issues-list", "?view=overdue"),
        ("governance:risks-list", "?view=open"),
        ("governance:risks-list", "?view=high"),
        ("governance:decisions-list", "?status=proposed"),
        ("roadmap:changes-list", ""),
        ("roadmap:tasks-list", "?view=milestones"),
        ("roadmap:releases-list", ""),
        ("governance:budget-list", ""),
        ("governance:communications-list", ""),
        ("training:readiness", ""),
    ]:
        assert f'href="{register(filled, name)}{query}"' in page, name
    issue = Issue.objects.get(title="Quote PDF garbled")
    assert reverse("governance:issues-detail", kwargs={"project": filled.pk, "pk": issue.pk}) in page
    assert url(filled, "reports:dashboard-pdf") in page


def test_escalated_issue_days_to_go_live_and_heat_map(client_for, filled):
    page = client_for("pm").get(url(filled)).content.decode()
    assert "Executive sponsor" in page  # a critical issue 5 days overdue goes to the sponsor
    assert "<strong>45</strong>" in page  # days to go-live
    assert 'class="heatmap"' in page and "?view=open&amp;probability=5&amp;impact=4" in page


def test_budget_tile_without_lines_invites_to_add_them(client_for, project):
    page = client_for("pm").get(url(project)).content.decode()
    assert "No budget entered yet." in page
    assert register(project, "governance:budget-create") in page
    viewer = client_for("viewer").get(url(project)).content.decode()
    assert register(project, "governance:budget-create") not in viewer  # viewers cannot add


def test_budget_tile_with_lines_shows_planned_and_actual(client_for, project):
    BudgetLine.objects.create(project=project, category="licences", planned=120000, actual=60000, committed=20000)
    page = client_for("steering").get(url(project)).content.decode()
    assert "No budget entered yet." not in page
    assert "Software licences" in page and "120,000" in page
    assert 'class="plotly-graph-div"' in page  # the planned/actual chart, as HTML


def test_an_earlier_day_can_be_shown(client_for, filled):
    day = TODAY - datetime.timedelta(days=30)
    page = client_for("member").get(url(filled) + f"?date={day.isoformat()}").content.decode()
    assert f"As of {day.isoformat()}" in page
    assert "Quote PDF garbled" not in page  # raised 20 days ago
    bad = client_for("member").get(url(filled) + "?date=yesterday")
    assert bad.status_code == 200 and f"As of {TODAY.isoformat()}" in bad.content.decode()


def test_page_in_simplified_chinese(client_for, filled):
    client = client_for("steering")
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(url(filled)).content.decode()
    assert 'lang="zh-hans"' in page
    assert "目标上线日期" in page and "距上线天数" in page and "里程碑" in page  # Target go-live, Days to go-live, Milestones
    assert "紧急" in page  # the priority Critical


@pytest.mark.skipif(not (shutil.which("pdftotext") and Path(CHROMIUM).exists()),
                    reason="needs poppler-utils and Chromium (bin/test installs them)")
def test_dashboard_pdf(client_for, filled, tmp_path):
    BudgetLine.objects.create(project=filled, category="partner", planned=50000, actual=20000)
    client = client_for("viewer")
    response = client.get(url(filled, "reports:dashboard-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "dashboard.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Project dashboard" in text and filled.name in text
    assert "Quote PDF garbled" in text and "Key users too busy" in text and "Add WeChat login" in text
    assert "CRM selection" not in text  # viewers do not see evaluations
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages <= 2

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.get(url(filled, "reports:dashboard-pdf"))
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "目标上线日期" in text and "Quote PDF garbled" in text


def test_kpi_scorecard_and_go_live_tiles(client_for, filled):
    from projectcrm.governance.models import Kpi

    Kpi.objects.create(project=filled, name="Quote errors per month", owner="Sales", unit="errors",
                       direction="lower", baseline=12, target=4, target_date=TODAY + datetime.timedelta(days=180))
    page = client_for("trainer").get(url(filled)).content.decode()
    assert "Quote errors per month" in page
    assert f'href="{register(filled, "governance:kpi-scorecard")}"' in page
    assert f'href="{register(filled, "reports:golive")}"' in page
    assert any(label in page for label in ("No-go", "Go with conditions", "Go"))
