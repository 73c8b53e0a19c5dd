"""Browser test of the roadmap: in 简体中文 a project manager creates a project from the 26-step
template, saves a baseline, moves a task later with the plan's move control, opens the Gantt
(downloads it as PNG and SVG) and sees the task's slip against the baseline.
Playwright drives Debian's headless Chromium (same launch as test_foundation_browser.py)."""

import datetime
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from projectcrm.core.models import Project
from roadmap.models import Baseline, Release, Task
from tests.browser_support import BROWSER_MARKS

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))
MOVED_TASK = "评估和比较CRM方案"  # step 3 of the 26, with successors

pytestmark = BROWSER_MARKS



@pytest.fixture
def manager(transactional_db):
    return get_user_model().objects.create_user(username="pm", password="demo-pass", first_name="Lin")


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


def test_it_plans_moves_and_compares_a_26_step_project_in_chinese(page, manager):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "pm")
    page.fill("#id_password", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    # Simplified Chinese through the switcher.
    page.select_option("#language", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # A new project from the 26-step template; the first release is the pilot.
    page.goto(page.base + "/projects/new/")
    page.fill("#id_name", "灵光相框CRM实施")
    page.fill("#id_company", "灵光相框")
    today = datetime.date.today()
    start = today + datetime.timedelta(days=7 - today.weekday())  # next Monday: a plan ahead of us
    page.fill("#id_start_date", start.isoformat())
    page.select_option("#id_methodology", "steps26")
    page.fill("#id_first_release", "销售部试点")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "project-new-zh-hans.png"), full_page=True)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/roadmap/releases/*/plan/")
    project = Project.objects.get(name="灵光相框CRM实施")
    release = Release.objects.get(project=project)
    assert release.name == "销售部试点"
    assert Task.objects.filter(release=release).count() == 32
    assert MOVED_TASK in page.locator("main").inner_text()
    plan_url = page.url

    # The first baseline, at plan approval.
    page.fill("input[name=name][placeholder]", "计划批准")
    page.locator("form[action$='/plan/baseline/'] button").click()
    page.wait_for_url("**/roadmap/baselines/*/")
    baseline = Baseline.objects.get(release=release)
    assert baseline.name == "计划批准"

    # Move a task two weeks later with its row's move control (htmx swaps the plan body).
    page.goto(plan_url)
    task = Task.objects.get(release=release, name=MOVED_TASK)
    successors = {link.successor_id: link.successor.planned_start for link in task.successor_links.select_related("successor")}
    assert successors
    new_start = task.planned_start + datetime.timedelta(days=14)
    row = page.locator("tr", has_text=MOVED_TASK)
    row.locator("input[name=start]").fill(new_start.isoformat())
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#plan-body .msg.success")
    assert page.url == plan_url  # answered in place, no page load
    task.refresh_from_db()
    assert task.planned_start == new_start
    for pk, before in successors.items():
        assert Task.objects.get(pk=pk).planned_start > before
    assert new_start.isoformat() in page.locator("tr", has_text=MOVED_TASK).inner_text()
    page.screenshot(path=str(SCREENSHOTS / "roadmap-plan-zh-hans.png"), full_page=True)

    # The Gantt draws bars, with Chinese labels; it downloads as PNG and SVG.
    page.goto(plan_url.replace("/plan/", "/gantt/"))
    page.wait_for_selector(".js-plotly-plot .barlayer .point path")
    assert page.locator(".plotly").count() >= 1
    assert page.locator(".barlayer .point").count() >= 20
    assert MOVED_TASK in page.locator(".js-plotly-plot .yaxislayer-above").text_content()
    page.screenshot(path=str(SCREENSHOTS / "roadmap-gantt-zh-hans.png"), full_page=True)
    with page.expect_download() as png:
        page.click("button[data-download=png]")
    assert Path(png.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.value.suggested_filename == f"gantt-{release.ref}.png"
    with page.expect_download() as svg:
        page.click("button[data-download=svg]")
    svg_text = Path(svg.value.path()).read_text(encoding="utf-8")
    assert svg_text.startswith("<svg") and MOVED_TASK in svg_text

    # The baseline shows the moved task's slip.
    page.goto(f"{page.base}/p/{project.pk}/roadmap/baselines/{baseline.pk}/")
    moved_row = page.locator("tr", has_text=MOVED_TASK).first
    cells = moved_row.locator("td").all_inner_texts()
    assert int(cells[-1]) == 10, cells  # two weeks: ten working days
    assert "bad" in (moved_row.locator("td").last.get_attribute("class") or "")
