"""The report page, the PDF and the XLSX matrix: contents, and nothing from an open round."""

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from evaluation import services
from tests.browser_support import CHROMIUM


def url(name, project, evaluation):
    return reverse(f"evaluation:{name}", kwargs={"project": project.pk, "pk": evaluation.pk})


@pytest.fixture
def decided(evaluation, users, named, client_for, project):
    """Round 1 closed with consensus (Alpha 80, Beta 64, Gamma knocked out), round 2 open with a secret score."""
    round_ = services.open_round(evaluation, users["pm"], "Proposals")
    services.save_score(round_, users["evaluator"], named("Alpha"), named("Sales"), "5", comment="Closed-round comment")
    services.close_round(round_, users["pm"])
    table = {"Alpha": ("5", "3", "4", "pass"), "Beta": ("4", "4", "2", "pass"), "Gamma": ("5", "5", "5", "fail")}
    for candidate, values in table.items():
        for name, value in zip(("Sales", "Service", "ERP", "Hosted in China"), values, strict=True):
            services.record_consensus(evaluation, round_, named(candidate), named(name), value, "", users["pm"])
    services.decide(evaluation, users["pm"], named("Alpha"), "Best fit for export sales")
    second = services.open_round(evaluation, users["pm"], "Demos")
    services.save_score(second, users["evaluator"], named("Beta"), named("Sales"), "1", comment="SECRET open-round note")
    return evaluation


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)


def cells(sheet):
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def test_matrix_xlsx_has_criteria_scores_consensus_and_totals(client_for, project, decided):
    response = client_for("steering").get(url("matrix-xlsx", project, decided))
    assert response.status_code == 200
    book = workbook(response)
    assert book.sheetnames == ["Criteria", "Consensus", "Scores", "Results", "Costs"]
    criteria = cells(book["Criteria"])
    assert ["Category", "Functions", None, 60, None, None, None, None] in criteria
    consensus = cells(book["Consensus"])
    assert consensus[0] == ["Category", "Criterion", "Alpha", "Beta", "Gamma"]
    assert ["Functions", "Sales", 5.0, 4.0, 5.0] in consensus
    assert consensus[-2][:4] == ["Total (of 100)", None, 80, 64]
    assert consensus[-1] == ["Rank", None, 1, 2, "Excluded"]
    scores = cells(book["Scores"])
    assert [row[1:6] for row in scores[1:]] == [["evaluator", "Alpha", "Sales", 5.0, "Closed-round comment"]]
    results = cells(book["Results"])
    assert results[1][:3] == [1, "Alpha", 80.0]
    assert results[-1][:2] == ["Excluded", "Gamma"]


def test_nothing_of_an_open_round_reaches_the_report_or_the_workbook(client_for, project, decided):
    for who in ("pm", "evaluator", "steering"):
        book = workbook(client_for(who).get(url("matrix-xlsx", project, decided)))
        text = repr([cells(book[name]) for name in book.sheetnames])
        assert "SECRET open-round note" not in text, who
        page = client_for(who).get(url("report", project, decided)).content.decode()
        assert "SECRET open-round note" not in page, who
    # A register export of the evaluation's rows has no score columns at all.
    export = client_for("pm").get(reverse("evaluation:candidates-export", kwargs={"project": project.pk, "fmt": "csv"}))
    assert b"SECRET" not in export.content


def test_report_page_shows_decision_knockouts_and_ranking(client_for, project, decided):
    page = client_for("member").get(url("report", project, decided)).content.decode()
    assert "Best fit for export sales" in page
    assert "Excluded from the ranking" in page and "Hosted in China" in page
    assert "80.0" in page and "64.0" in page


@pytest.mark.skipif(not (shutil.which("pdftotext") and Path(CHROMIUM).exists()),
                    reason="needs poppler-utils and Chromium (bin/test installs them)")
def test_report_pdf_in_traditional_chinese(client_for, project, decided, tmp_path):
    client = client_for("steering")
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    response = client.get(url("report-pdf", project, decided))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Alpha" in text and "Best fit for export sales" in text
    assert "評估報告" in text  # the title, in Traditional Chinese
    assert "SECRET" not in text
