"""The RACI matrix in a real browser: a change posts its own cell only (htmx), the cell is swapped in
place, the status block out of band, and a cell someone else changed meanwhile is not overwritten.
Playwright drives Debian's headless Chromium, as tests/browser does."""


import pytest
from django.contrib.auth import get_user_model

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project
from projectcrm.governance.models import RaciAssignment, Stakeholder, Workstream
from tests.browser_support import BROWSER_MARKS

pytestmark = BROWSER_MARKS




@pytest.fixture
def matrix(transactional_db):
    from projectcrm.governance.services import setup_new_project

    user = get_user_model().objects.create_user(username="pm", password="demo-pass", first_name="Lin")
    project = Project.objects.create(name="Lumen Frames CRM rollout", company="Lumen Frames")
    Membership.objects.create(project=project, user=user, role=Role.PROJECT_MANAGER)
    setup_new_project(project)
    people = [Stakeholder.objects.create(project=project, name=name) for name in ("Ann", "Bo")]
    return project, Workstream.objects.filter(project=project).order_by("name").first(), people


@pytest.fixture
def page(browser, live_server, matrix):
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "pm")
    page.fill("#id_password", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    yield page
    context.close()


def test_it_saves_one_raci_cell_per_change_and_keeps_other_peoples_changes(page, matrix):
    project, ws, (ann, bo) = matrix
    page.goto(f"{page.base}/p/{project.pk}/governance/raci/")
    ann_key, bo_key = f"{ws.pk}-{ann.pk}", f"{ws.pk}-{bo.pk}"

    # One change sends that cell and its orig, nothing else of the form.
    with page.expect_request(lambda r: r.method == "POST") as request_info:
        page.select_option(f"#raci-{ann_key}", "A")
    body = request_info.value.post_data
    assert sorted(part.split("=")[0] for part in body.split("&")) == [f"cell-{ann_key}", f"orig-{ann_key}"]
    page.wait_for_selector("td.raci-A")
    assert page.locator(f"input[name=orig-{ann_key}]").input_value() == "A"
    assert "RACI matrix saved (1 cells changed)." in page.locator("#raci-status").inner_text()
    assert page.locator("#raci-status").count() == 1
    assert RaciAssignment.objects.get(workstream=ws, stakeholder=ann).role == "A"

    # Someone else makes Bo informed; this page still shows Bo's cell empty and tries "R".
    RaciAssignment.objects.create(project=project, workstream=ws, stakeholder=bo, role="I")
    page.select_option(f"#raci-{bo_key}", "R")
    page.wait_for_selector(f"td.raci-I #raci-{bo_key}")
    assert page.locator(f"#raci-{bo_key}").input_value() == "I"
    status = page.locator("#raci-status").inner_text()
    assert f"{ws.name} / Bo: someone else set this cell to “I” meanwhile" in status
    assert RaciAssignment.objects.get(workstream=ws, stakeholder=bo).role == "I"

    # The Save button (a plain form post) now sends the refreshed origs: nothing is overwritten.
    page.click("button:has-text('Save matrix')")
    page.wait_for_load_state("networkidle")
    cells = dict(RaciAssignment.objects.filter(project=project).values_list("stakeholder__name", "role"))
    assert cells == {"Ann": "A", "Bo": "I"}
    assert "RACI matrix saved (0 cells changed)." in page.content()
