"""The steering report in a real browser: the project manager, in 简体中文, opens a draft report,
issues it and downloads its PDF (Chinese text inside); a steering committee member then finds it in
the archive and downloads the same stored PDF. Playwright drives Debian's headless Chromium, as the
other browser tests do."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project
from projectcrm.governance.models import Issue, Risk
from projectcrm.reports.models import ReportDocument, SteeringReport
from tests.browser_support import BROWSER_MARKS

pytestmark = [*BROWSER_MARKS, pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")]


@pytest.fixture
def setup(transactional_db):
    User = get_user_model()
    pm = User.objects.create_user(username="pm", password="demo-pass", first_name="Jing", last_name="Chen")
    member = User.objects.create_user(username="steering", password="demo-pass", first_name="Hui")
    project = Project.objects.create(name="Lumen Frames CRM rollout", company="Lumen Frames",
                                     target_go_live=timezone.localdate() + datetime.timedelta(days=90))
    Membership.objects.create(project=project, user=pm, role=Role.PROJECT_MANAGER)
    Membership.objects.create(project=project, user=member, role=Role.STEERING)
    Issue.objects.create(project=project, title="报价单币种错误", priority="critical")
    Risk.objects.create(project=project, title="关键用户在展会期间没有时间", probability=4, impact=4)
    report = SteeringReport.objects.create(project=project, title="三月指导委员会报告",
                                           summary="试点按计划进行，报价模块已完成配置。")
    return project, report


def log_in(browser, base, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-pass")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_pm_issues_a_report_in_chinese_and_a_committee_member_finds_it_in_the_archive(browser, live_server, setup):
    project, report = setup
    base = live_server.url
    context, page = log_in(browser, base, "pm")
    with page.expect_navigation():
        page.select_option("#language", "zh-hans")

    page.goto(f"{base}/p/{project.pk}/reports/steering-reports/{report.pk}/")
    page.click(f"a[href='/p/{project.pk}/reports/steering-reports/{report.pk}/report/']")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "关键用户在展会期间没有时间" in page.locator("#steering-report").text_content()
    assert "试点按计划进行" in page.locator("#steering-report").text_content()

    page.on("dialog", lambda dialog: dialog.accept())  # "Issue this report?"
    with page.expect_navigation(timeout=180000):
        page.click("#issue-report")
    assert page.locator(".msg.success").count() == 1
    assert page.locator("#issue-report").count() == 0  # issued: no second issue
    report.refresh_from_db()
    assert report.issued and report.issued_by.username == "pm"
    assert ReportDocument.objects.filter(report=report).count() == 3

    with page.expect_download() as download_info:
        page.click("#download-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith("zh-hans.pdf")
    path = Path(download.path())
    pdf = path.read_bytes()  # read now: the file goes when the browser context closes
    assert pdf.startswith(b"%PDF-")
    assert pdf == bytes(ReportDocument.objects.get(report=report, language="zh-hans").pdf)
    text = pdf_text(path)
    assert "三月指导委员会报告" in text and "关键用户在展会期间没有时间" in text
    context.close()

    context, page = log_in(browser, base, "steering")
    page.goto(f"{base}/p/{project.pk}/reports/archive/")
    row = page.locator(f"#archived-{report.pk}")
    assert "三月指导委员会报告" in row.text_content()
    assert "Chen" in row.text_content()  # issued by the project manager
    with page.expect_download() as download_info:
        row.locator("a[data-language='zh-hans']").click()
    assert Path(download_info.value.path()).read_bytes() == pdf
    context.close()
