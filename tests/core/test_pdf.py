"""PDF rendering (projectcrm/core/pdf.py, templates/pdf/base.html): languages, CJK fonts, the locked
fetcher and the download response.

The text checks use poppler's pdftotext and pdffonts (Debian poppler-utils, installed by bin/test).
pdftotext extracts Chinese even when it is drawn as empty boxes, so the font checks matter: a CJK
font must be embedded for the Chinese text.
"""

import logging
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from projectcrm.core.pdf import (
    LOCAL_ORIGIN,
    LockedURLFetcher,
    locked_fetcher,
    pdf_response,
    render_pdf,
    static_file,
)

POPPLER = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) is not installed (bin/test installs it)",
)
RED_DOT = (
    "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'>"
    "<rect width='8' height='8' fill='red'/></svg>"
)

REPORT = """{% extends "pdf/base.html" %}{% load i18n static %}
{% block title %}评估报告 Evaluation{% endblock %}
{% block header %}客户关系管理 CRM{% endblock %}
{% block content %}
<h1>供应商评估 {{ heading }}</h1>
<p>Plain English. <span class="chip green">通过</span></p>
<table class="data"><thead><tr><th>候选</th><th class="num">得分</th></tr></thead>
<tbody><tr><td>甲公司</td><td class="num">81.2</td></tr><tr><td>Beta</td><td class="num">74.0</td></tr></tbody></table>
{% endblock %}"""


def report_template(source=REPORT):
    return engines["django"].from_string(source)


def run(tool, pdf, tmp_path, *args):
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), "-"] if tool == "pdftotext" else [tool, str(path)],
                          capture_output=True, text=True, check=True).stdout


# --- Rendering -------------------------------------------------------------------------------------


@POPPLER
@pytest.mark.parametrize(
    "language, cjk_font", [("en", "Noto-Sans-CJK-SC"), ("zh-hans", "Noto-Sans-CJK-SC"), ("zh-hant", "Noto-Sans-CJK-TC")]
)
def test_it_renders_chinese_in_every_language(tmp_path, language, cjk_font):
    pdf = render_pdf(report_template(), {"heading": "2026"}, language=language)

    assert pdf.startswith(b"%PDF-")
    text = run("pdftotext", pdf, tmp_path, "-layout")
    assert "供应商评估 2026" in text
    assert "甲公司" in text and "Plain English." in text
    assert "客户关系管理 CRM" in text  # the running header
    assert "评估报告 Evaluation" in text  # the title in the running footer
    fonts = run("pdffonts", pdf, tmp_path)
    assert cjk_font in fonts  # real CJK glyphs, in the variant of the reader's language
    if language == "zh-hant":
        assert "CJK-SC" not in fonts
    # The language applied to this rendering only.
    assert translation.get_language() == "en"


@POPPLER
def test_it_numbers_the_pages(tmp_path):
    many_rows = "".join(f"<tr><td>{i}</td><td class='num'>{i}</td></tr>" for i in range(120))
    source = REPORT.replace("<tr><td>甲公司</td>", many_rows + "<tr><td>甲公司</td>")

    text = run("pdftotext", render_pdf(report_template(source), {}), tmp_path)

    pages = text.count("\f")  # pdftotext ends every page with a form feed
    assert pages > 1
    assert f"Page 1 of {pages}" in text
    assert f"Page {pages} of {pages}" in text


@POPPLER
def test_it_renders_a_template_by_name_with_the_title_as_metadata(tmp_path):
    pdf = render_pdf("pdf/base.html", {"title": "Steering report 七月"}, language="zh-hans")

    path = tmp_path / "base.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Steering report 七月" in info


def test_the_template_follows_the_language():
    template = engines["django"].get_template("pdf/base.html")
    for language, lang_attribute, font in [
        ("en", 'lang="en"', '"Noto Sans", "DejaVu Sans", "Noto Sans CJK SC"'),
        ("zh-hans", 'lang="zh-hans"', '"Noto Sans CJK SC"'),
        ("zh-hant", 'lang="zh-hant"', '"Noto Sans CJK TC"'),
    ]:
        with translation.override(language):
            html = template.render({"title": "T"})
        assert lang_attribute in html
        assert f"font-family: {font}" in html
    # The page counters sit inside the translated sentence, as CSS.
    html = template.render({"title": "T"})
    assert 'content: "Page " counter(page) " of " counter(pages) "";' in html


# --- The locked fetcher ----------------------------------------------------------------------------


def test_it_refuses_other_hosts_and_files():
    for url in [
        "http://example.com/x.png",
        "https://example.com/static/projectcrm/app.css",  # a static path, but another host
        "file:///etc/passwd",
        "ftp://example.com/x",
        LOCAL_ORIGIN + "media/upload.png",
        LOCAL_ORIGIN + "static/../projectcrm/settings.py",
        LOCAL_ORIGIN + "static/%2e%2e/projectcrm/settings.py",
        LOCAL_ORIGIN + "static/projectcrm/missing.css",
    ]:
        with pytest.raises(ValueError):
            locked_fetcher(url)


def test_it_serves_data_urls():
    response = locked_fetcher(RED_DOT)
    assert b"<rect" in response.read()
    assert response.content_type == "image/svg+xml"


def test_it_serves_static_files_through_the_finders():
    css = locked_fetcher(LOCAL_ORIGIN + "static/projectcrm/app.css")
    assert css.content_type == "text/css"
    assert css.read()
    plotly = locked_fetcher(LOCAL_ORIGIN + "static/plotly/plotly.min.js?v=1")  # the package's file
    assert plotly.read(100)


def test_it_serves_collected_files_by_their_hashed_names(settings, tmp_path):
    (tmp_path / "projectcrm").mkdir()
    (tmp_path / "projectcrm" / "app.0123abcd.css").write_text("body { color: red }")
    settings.STATIC_ROOT = tmp_path

    assert static_file(LOCAL_ORIGIN + "static/projectcrm/app.0123abcd.css") == tmp_path / "projectcrm" / "app.0123abcd.css"


def test_it_serves_the_requests_own_origin():
    fetcher = LockedURLFetcher("http://testserver/")
    assert fetcher("http://testserver/static/projectcrm/app.css").read()
    with pytest.raises(ValueError):
        fetcher(LOCAL_ORIGIN + "static/projectcrm/app.css")


def test_refused_resources_are_left_out_of_the_pdf(caplog):
    source = """{% extends "pdf/base.html" %}{% load static %}{% block content %}
    <link rel="stylesheet" href="{% static 'projectcrm/app.css' %}">
    <img src="http://example.com/x.png"><img src="file:///etc/passwd"><img src="{{ dot }}">
    <img src="{% static 'plotly/plotly.min.js' %}">
    {% endblock %}"""
    request = RequestFactory().get("/p/1/report.pdf")

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(report_template(source), {"dot": RED_DOT}, request=request)

    assert pdf.startswith(b"%PDF-")
    failed = "\n".join(r.getMessage() for r in caplog.records)
    assert "http://example.com/x.png" in failed
    assert "file:///etc/passwd" in failed
    assert "app.css" not in failed and "data:image" not in failed
    # plotly.min.js was fetched (a static file) but is no image: weasyprint says so, not "refused".
    assert "RefusedURL" not in "\n".join(m for m in failed.splitlines() if "plotly.min.js" in m)


# --- The download ----------------------------------------------------------------------------------


def test_it_answers_a_download_with_a_chinese_filename():
    response = pdf_response(b"%PDF-1.7 test", "评估报告 2026/Q3")

    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 test"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''" + quote("评估报告 2026-Q3.pdf", safe="") in disposition
    assert 'filename="____ 2026-Q3.pdf"' in disposition
    disposition.encode("ascii")  # a header value any client can read


def test_it_keeps_an_ascii_filename():
    response = pdf_response(b"%PDF", 'steering "July".pdf')
    assert response["Content-Disposition"] == (
        "attachment; filename=\"steering _July_.pdf\"; filename*=UTF-8''steering%20%22July%22.pdf"
    )
