"""The functional specification (design:spec and design:spec-pdf): approved use cases only, grouped by
process, with their rules in full, the to-be maps they touch, a rules appendix and the use cases
left out."""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse

from projectcrm.design.choices import MapKind, RuleType, UseCaseStatus
from projectcrm.design.models import BusinessRule, Process, UseCase
from tests.design.conftest import small_map


@pytest.fixture
def spec_data(project, users, make_map):
    to_be = make_map(small_map(), kind=MapKind.TO_BE, name="Lead capture to-be")
    quote_process = Process.objects.create(project=project, name="Quotation")
    step = to_be.steps.get(key="Task_capture")
    used = BusinessRule.objects.create(
        project=project, name="Assign by region", rule_type=RuleType.ASSIGNMENT, trigger="Lead saved",
        condition="Region is known", action="Assign to the region's rep", owner=users["pm"],
    )
    unused = BusinessRule.objects.create(project=project, name="Escalate old requests", rule_type=RuleType.ESCALATION)
    approved = UseCase.objects.create(
        project=project, title="Capture a trade-fair lead", actor="Sales assistant", goal="No lead is lost",
        main_flow="Scan the badge\nCheck duplicates\nSave", postconditions="The lead is assigned",
        status=UseCaseStatus.APPROVED, business_owner=users["viewer"], signed_off_by=users["viewer"],
    )
    approved.steps.add(step)
    approved.business_rules.add(used)
    chinese = UseCase.objects.create(project=project, title="创建报价单", actor="销售代表",
                                     status=UseCaseStatus.APPROVED, main_flow="选择客户\n添加产品")
    draft = UseCase.objects.create(project=project, title="Escalate a complaint", actor="Service")
    draft.business_rules.add(unused)
    reviewed = UseCase.objects.create(project=project, title="Merge duplicates", actor="Admin",
                                      status=UseCaseStatus.REVIEWED)
    return {"approved": approved, "chinese": chinese, "draft": draft, "reviewed": reviewed, "used": used,
            "unused": unused, "map": to_be, "quote_process": quote_process}


def spec_url(project, pdf=False):
    return reverse("design:spec-pdf" if pdf else "design:spec", kwargs={"project": project.pk})


def test_spec_page_holds_only_approved_use_cases_and_their_rules(project, process, spec_data, client_for):
    response = client_for("viewer").get(spec_url(project))
    assert response.status_code == 200
    page = response.content.decode()
    body = page.split('id="not-included"')[0]
    assert "UC-001 Capture a trade-fair lead" in body and "创建报价单" in body
    assert "Escalate a complaint" not in body and "Merge duplicates" not in body
    assert "Assign by region" in body and "Region is known" in body and "Assign to the region&#x27;s rep" in body
    assert "Escalate old requests" not in page
    assert "<li>Scan the badge</li><li>Check duplicates</li><li>Save</li>" in page
    # grouped: the lead process first (section 1), the use case without a step under "Other" (section 2)
    assert page.index(f"1. {process.ref} {process.name}") < page.index("2. Other")
    assert page.index('id="uc-1"') < page.index("2. Other") < page.index('id="uc-2"')
    assert "Quotation" not in body  # a process no approved use case touches is left out
    not_included = page.split('id="not-included"')[1]
    assert "Escalate a complaint" in not_included and "Draft" in not_included
    assert "Merge duplicates" in not_included and "Reviewed" in not_included
    assert f'id="spec-map-{spec_data["map"].pk}"' in page and "<svg" in page
    assert 'href="#uc-1"' in page and 'id="rules-appendix"' in page


def test_spec_page_without_approved_use_cases(project, client_for):
    UseCase.objects.create(project=project, title="Only a draft", actor="A")
    page = client_for("pm").get(spec_url(project)).content.decode()
    assert 'id="spec-empty"' in page and "Only a draft" in page.split('id="not-included"')[1]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "spec.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_spec_pdf_in_english_and_chinese(project, spec_data, client_for, tmp_path):
    client = client_for("viewer")
    response = client.get(spec_url(project, pdf=True))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Capture a trade-fair lead" in text and "创建报价单" in text
    assert "BR-001 Assign by" in text and "Escalate a complaint" in text  # the latter as "not included"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(spec_url(project, pdf=True))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "创建报价单" in text and "Capture a trade-fair lead" in text


@pytest.mark.parametrize("pdf", [False, True])
def test_permissions(project, users, client_for, pdf):
    url = spec_url(project, pdf)
    for role in ("pm", "steering", "evaluator", "trainer", "member", "viewer"):
        assert client_for(role).get(url).status_code == 200, role
    assert client_for("outsider").get(url).status_code == 404
    response = client_for("anonymous").get(url)
    assert response.status_code == 302 and "/login" in response["Location"]
