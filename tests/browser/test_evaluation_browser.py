"""An evaluation in a real browser: an evaluator scores blind in 繁體中文 (each score saved by htmx
as it changes), the lead closes the round and records consensus, and the ranking and charts appear.
Playwright drives Debian's headless Chromium, as the other browser tests do."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from evaluation import services
from evaluation.models import Candidate, Category, Consensus, Criterion, Evaluation, Score, TeamMember
from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project
from tests.browser_support import BROWSER_MARKS, log_in

pytestmark = BROWSER_MARKS


@pytest.fixture
def setup(transactional_db):
    User = get_user_model()
    lead = User.objects.create_user(username="lead", password="demo-pass", first_name="Jing")
    scorer = User.objects.create_user(username="scorer", password="demo-pass", first_name="Lei")
    project = Project.objects.create(name="Lumen Frames CRM rollout", company="Lumen Frames")
    Membership.objects.create(project=project, user=lead, role=Role.PROJECT_MANAGER)
    Membership.objects.create(project=project, user=scorer, role=Role.EVALUATOR)
    evaluation = Evaluation.objects.create(project=project, name="CRM software", lead=lead)
    functions = Category.objects.create(evaluation=evaluation, name="功能", weight=Decimal(70))
    usability = Category.objects.create(evaluation=evaluation, name="易用性", weight=Decimal(30))
    Criterion.objects.create(evaluation=evaluation, category=functions, name="銷售管理", weight=Decimal(100),
                             anchors="無\n很差\n基本\n良好\n很好\n優秀")
    Criterion.objects.create(evaluation=evaluation, category=usability, name="介面", weight=Decimal(100))
    for name in ("甲公司", "乙公司"):
        Candidate.objects.create(evaluation=evaluation, name=name, status="short_list")
    TeamMember.objects.create(evaluation=evaluation, user=scorer)
    round_ = services.open_round(evaluation, lead, "書面建議")
    return project, evaluation, round_


def login(browser, live_server, username, language):
    context, page = log_in(browser, live_server.url, username, language, locale="en-US")
    page.base = live_server.url
    return context, page


def test_evaluator_scores_in_traditional_chinese_then_the_lead_agrees_and_ranks(browser, live_server, setup):
    project, evaluation, round_ = setup
    sales, ui = Criterion.objects.order_by("pk")
    first, second = Candidate.objects.order_by("pk")
    with translation.override("zh-hant"):
        saved_text = translation.gettext("Saved")
    assert saved_text != "Saved"

    context, page = login(browser, live_server, "scorer", "zh-hant")
    page.goto(f"{page.base}/p/{project.pk}/evaluation/rounds/{round_.pk}/sheet/?candidate={first.pk}")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    # The anchored scale is in the options; a change saves the row at once.
    assert "4 – 很好" in page.locator(f"#v-{sales.pk}").inner_text()
    page.fill(f"#m-{sales.pk}", "報價功能完整")
    page.select_option(f"#v-{sales.pk}", "4")
    page.wait_for_selector(f"#criterion-{sales.pk} .badge.green")
    assert saved_text in page.locator(f"#criterion-{sales.pk}").inner_text()
    page.select_option(f"#v-{ui.pk}", "3")
    page.wait_for_selector(f"#criterion-{ui.pk} .badge.green")
    page.click(f"a[href='?candidate={second.pk}']")
    page.wait_for_load_state("networkidle")
    page.select_option(f"#v-{sales.pk}", "2")
    page.wait_for_selector(f"#criterion-{sales.pk} .badge.green")
    page.select_option(f"#v-{ui.pk}", "5")
    page.wait_for_selector(f"#criterion-{ui.pk} .badge.green")
    context.close()
    scores = {(s.candidate.name, s.criterion.name): (s.value, s.comment) for s in Score.objects.select_related("candidate", "criterion")}
    assert scores[("甲公司", "銷售管理")] == (Decimal(4), "報價功能完整")
    assert len(scores) == 4

    context, page = login(browser, live_server, "lead", "en")
    page.goto(f"{page.base}/p/{project.pk}/evaluation/rounds/{round_.pk}/")
    assert "報價功能完整" not in page.content()  # still blind for the lead
    page.click("button:has-text('Close the round')")
    page.wait_for_load_state("networkidle")
    assert "is closed" in page.content()
    # One consensus by hand with a rationale (htmx), the rest by accepting the proposals.
    cell = page.locator(f"#consensus-{first.pk}-{sales.pk}")
    cell.locator("input[name=value]").fill("4.5")
    cell.locator("input[name=rationale]").fill("Strongest quotation module in the demo")
    cell.locator("button").click()
    page.wait_for_selector(f"#consensus-{first.pk}-{sales.pk} .badge.green")
    page.click("button:has-text('Accept the proposal wherever the panel agrees')")
    page.wait_for_load_state("networkidle")
    assert Consensus.objects.count() == 4
    assert Consensus.objects.get(candidate=first, criterion=sales).rationale == "Strongest quotation module in the demo"

    page.goto(f"{page.base}/p/{project.pk}/evaluation/evaluations/{evaluation.pk}/results/")
    page.wait_for_selector(".plotly-graph-div .main-svg")
    ranking = page.locator("table.grid").first.inner_text()
    # 甲: 0.7 x 0.9 + 0.3 x 0.6 = 81.0; 乙: 0.7 x 0.4 + 0.3 x 1.0 = 58.0
    assert "81.0" in ranking and "58.0" in ranking
    assert ranking.index("甲公司") < ranking.index("乙公司")
    assert page.locator(".plotly-graph-div").count() >= 3
    context.close()
