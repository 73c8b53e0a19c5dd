"""Browser tests: a person logs in, switches to 简体中文, creates an issue, imports a GBK issue
log through the preview and exports XLSX. Playwright drives Debian's headless Chromium."""

import io
import os
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project
from projectcrm.governance.models import Issue
from tests.browser_support import BROWSER_MARKS

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))

pytestmark = BROWSER_MARKS



@pytest.fixture
def demo(transactional_db):
    from projectcrm.governance.services import setup_new_project

    user = get_user_model().objects.create_user(username="pm", password="demo-pass", first_name="Lin")
    project = Project.objects.create(name="Lumen Frames CRM rollout", company="Lumen Frames")
    Membership.objects.create(project=project, user=user, role=Role.PROJECT_MANAGER)
    setup_new_project(project)
    return project


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


def log_in(page):
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "pm")
    page.fill("#id_password", "demo-pass")
    page.click("button[type=submit]")


def test_it_runs_the_foundation_journey_in_chinese(page, demo, tmp_path):
    log_in(page)
    page.wait_for_url(f"**/p/{demo.pk}/")
    assert page.locator("h1").first.inner_text() == "Lumen Frames CRM rollout"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "project-home-en.png"), full_page=True)

    # Switch the language to Simplified Chinese with the switcher.
    page.select_option("#language", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "项目首页" in page.locator("nav.sidebar").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "project-home-zh-hans.png"), full_page=True)

    # Create an issue through the form.
    page.goto(f"{page.base}/p/{demo.pk}/governance/issues/new/")
    page.fill("#id_title", "报价单使用了过期价格表")
    page.fill("#id_description", "外贸部上周有三张报价单的价格不对。")
    page.select_option("#id_priority", "high")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"**/p/{demo.pk}/governance/issues/*/")
    assert "报价单使用了过期价格表" in page.locator("h1").inner_text()
    assert Issue.objects.filter(project=demo, title="报价单使用了过期价格表").count() == 1

    # Import a GBK-encoded issue log through the preview.
    csv_text = "标题,描述,优先级,状态\n客户资料分散在业务员手里,离职后客户历史丢失,高,待处理\n投诉没有人跟进,客户投诉三天没有回复,紧急,进行中\n"
    csv_path = tmp_path / "问题日志.csv"
    csv_path.write_bytes(csv_text.encode("gbk"))
    page.goto(f"{page.base}/p/{demo.pk}/governance/issues/import/")
    page.set_input_files("#id_file", str(csv_path))
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#import-status")
    status = page.locator("#import-status").inner_text()
    assert "2" in status and "gb18030" in status, status
    page.click("#import-status button[type=submit]")
    page.wait_for_selector("#import-status .msg.success")
    assert set(Issue.objects.filter(project=demo).values_list("title", flat=True)) >= {
        "客户资料分散在业务员手里",
        "投诉没有人跟进",
    }

    # Export the register as XLSX and read it back.
    page.goto(f"{page.base}/p/{demo.pk}/governance/issues/")
    page.click("details.dropdown summary")
    with page.expect_download() as download_info:
        page.click("text=导出 XLSX")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    sheet = workbook.active
    titles = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "投诉没有人跟进" in titles
    assert sheet.cell(row=1, column=4).value == "标题"
