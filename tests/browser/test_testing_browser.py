"""Testing and data migration in a real browser, in 繁體中文: a tester executes a case from the cycle,
fails a step and raises a defect from it; then a mock run gets two uploaded extracts (Chinese key
column, composite differences) and shows its reconciliation. Playwright drives Debian's headless
Chromium, as the other browser tests do."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project
from testing.choices import PlanType, Result, RunStatus
from testing.models import (
    Defect,
    Execution,
    MigrationObject,
    MockRun,
    Reconciliation,
    RunObject,
    TestCase,
    TestCycle,
    TestPlan,
)
from tests.browser_support import BROWSER_MARKS, log_in

pytestmark = BROWSER_MARKS

SOURCE = (
    "客戶編號,客戶名稱,城市,信用額度\n"
    "K001,台北裱框行,台北,\"100,000\"\n"
    "K002,高雄畫廊,高雄,50000\n"
    "K003,台中藝術,台中,20000\n"
    "K004,新竹相框,新竹,30000\n"
    "K005,桃園框業,桃園,10000\n"
).encode("big5")
TARGET = (
    "客戶編號,客戶名稱,城市,信用額度\n"
    "K001,台北裱框行,台北,100000.00\n"
    "K002,高雄畫廊,高雄,55000\n"  # credit limit differs
    "K003,台中藝術, 台中 ,20000\n"  # spaces only: equal after trimming
    "K005,桃園框業,桃園,10000\n"  # K004 was not loaded
    "K900,測試客戶,台南,0\n"  # only in the target
).encode()


@pytest.fixture
def setup(transactional_db):
    tester = get_user_model().objects.create_user(username="tester", password="demo-pass", first_name="怡君")
    project = Project.objects.create(name="Lumen Frames CRM rollout", company="Lumen Frames",
                                     target_go_live=datetime.date.today() + datetime.timedelta(days=30))
    Membership.objects.create(project=project, user=tester, role=Role.MEMBER)
    plan = TestPlan.objects.create(project=project, name="使用者驗收測試", plan_type=PlanType.UAT)
    case = TestCase.objects.create(
        project=project, plan=plan, title="依價目表建立報價單",
        steps="開啟客戶並建立報價單 | 草稿報價單使用客戶幣別\n加入 LF-2041 橡木框 200 件 | 單價為價目表價格\n列印報價單 | PDF 顯示單價與付款條件",
    )
    cycle = TestCycle.objects.create(project=project, plan=plan, name="驗收第一輪", build="CRM 1.4",
                                     environment="UAT")
    cycle.cases.add(case)
    cycle.testers.add(tester)
    accounts = MigrationObject.objects.create(project=project, name="客戶", target_object="Account", sequence=10)
    run = MockRun.objects.create(project=project, name="第一次模擬遷移", run_date=datetime.date.today(),
                                 status=RunStatus.DONE)
    RunObject.objects.create(project=project, run=run, migration_object=accounts, extracted=5, transformed=5,
                             loaded=4, rejected=1)
    return project, cycle, case, run, accounts


def test_tester_fails_a_step_raises_a_defect_and_reconciles_a_mock_run_in_traditional_chinese(
    browser, live_server, setup, tmp_path
):
    project, cycle, case, run, accounts = setup
    base = live_server.url
    context, page = log_in(browser, base, "tester", "zh-hant", locale="zh-TW")

    # Execute the case from the cycle's page.
    page.goto(base + cycle.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    with page.expect_navigation():
        page.click(f"form[action$='/execute/{case.pk}/'] button")
    execution = Execution.objects.get(cycle=cycle, case=case)
    assert "執行" in page.content()  # the runner speaks Traditional Chinese
    page.check("input[name=result-1][value=passed]")
    page.check("input[name=result-2][value=failed]")
    page.fill("#actual-2", "單價顯示為 0.00")
    page.check("input[name=result-3][value=passed]")
    assert page.locator("#suggested").inner_text() == "失敗"
    with page.expect_navigation():
        page.click("#runner button[type=submit]")
    execution.refresh_from_db()
    assert execution.result == Result.FAILED
    assert execution.step_results == "1 | passed\n2 | failed | 單價顯示為 0.00\n3 | passed"

    # The failed step offers a defect; raise it.
    with page.expect_navigation():
        page.click("#step-2 form button[type=submit]")
    defect = Defect.objects.get(execution=execution)
    assert defect.step_number == 2 and defect.case == case
    assert defect.ref in page.content()

    # A mock run gets two extracts (Big5 source, UTF-8 target) and shows the reconciliation.
    source, target = tmp_path / "舊系統客戶.csv", tmp_path / "crm_accounts.csv"
    source.write_bytes(SOURCE)
    target.write_bytes(TARGET)
    page.goto(base + run.get_absolute_url())
    with page.expect_navigation():
        page.click(f"#reconciliations a[href$='/mock-runs/{run.pk}/reconcile/']")
    page.select_option("#id_migration_object", str(accounts.pk))
    page.set_input_files("#id_source", str(source))
    page.set_input_files("#id_target", str(target))
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    reconciliation = Reconciliation.objects.get(run=run)
    page.check("input[name=keys][value='客戶編號']")
    page.check("input[name=transforms][value=trim]")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.wait_for_selector("#summary #count-source_rows")

    def count(code):
        return page.locator(f"#count-{code} strong").inner_text().replace(",", "")

    assert (count("source_rows"), count("target_rows"), count("matched")) == ("5", "5", "4")
    assert (count("matched_equal"), count("mismatched_rows")) == ("3", "1")
    assert (count("source_only"), count("target_only")) == ("1", "1")
    assert page.locator("#reconciled-rate strong").inner_text() == "60.00%"
    assert "信用額度" in page.locator("#columns").inner_text()
    assert "K004" in page.locator("#source-only").inner_text()
    assert "K900" in page.locator("#target-only").inner_text()
    reconciliation.refresh_from_db()
    assert reconciliation.status == "done"
    assert RunObject.objects.get(run=run, migration_object=accounts).reconciled_rate == 60
    context.close()
