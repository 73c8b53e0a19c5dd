"""Evaluation charts (evaluation/charts.py): small hand examples per figure, and the SVG export."""

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from django.template import engines

from evaluation import charts
from projectcrm.core.pdf import render_pdf
from tests.browser_support import CHROMIUM

CANDIDATES = ["Alpha CRM", "贝塔软件", "Gamma"]  # ranking order, best first
CATEGORIES = ["Functional", "Technical", "Vendor"]
POINTS = [[40.0, 25.0, 16.5], [35.0, 20.0, 15.0], [30.0, 22.0, 9.0]]
SCORES = [[90, 80, 60], [70, 85, 75], [50, 60, 95]]

NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (bin/test installs it)"),
]


def with_marks(marks):
    def apply(test):
        for mark in marks:
            test = mark(test)
        return test

    return apply


def test_it_stacks_each_candidates_points_by_category():
    fig = charts.contributions_figure(CANDIDATES, CATEGORIES, POINTS, title="Weighted points")

    assert [trace.name for trace in fig.data] == CATEGORIES
    functional = fig.data[0]
    assert functional.orientation == "h"
    assert list(functional.y) == CANDIDATES
    assert list(functional.x) == [40.0, 35.0, 30.0]
    assert list(fig.data[2].x) == [16.5, 15.0, 9.0]
    assert fig.layout.barmode == "stack"
    # Best at the top: the candidates keep their order, top to bottom.
    assert list(fig.layout.yaxis.categoryarray) == CANDIDATES
    assert fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text == "Points (of 100)"
    assert fig.layout.xaxis.range[0] == 0 and fig.layout.xaxis.range[1] >= 100
    assert [a.text for a in fig.layout.annotations] == ["<b>81.5</b>", "<b>70.0</b>", "<b>61.0</b>"]
    assert fig.layout.title.text == "Weighted points"
    assert "Points" in functional.hovertemplate and "%{fullData.name}" in functional.hovertemplate


def test_it_refuses_points_of_the_wrong_shape():
    with pytest.raises(ValueError):
        charts.contributions_figure(CANDIDATES, CATEGORIES, POINTS[:2])
    with pytest.raises(ValueError):
        charts.radar_figure(CANDIDATES, CATEGORIES, [[1, 2], [3, 4], [5, 6]])
    with pytest.raises(ValueError):
        charts.value_for_money_figure(CANDIDATES, [1, 2], [1, 2, 3], "NPV")
    with pytest.raises(ValueError):
        charts.first_place_figure(CANDIDATES, [0.5, 0.5])


def test_it_draws_one_closed_outline_per_candidate():
    fig = charts.radar_figure(CANDIDATES, CATEGORIES, SCORES)

    assert [trace.name for trace in fig.data] == CANDIDATES
    alpha = fig.data[0]
    assert list(alpha.r) == [90, 80, 60, 90]
    assert list(alpha.theta) == CATEGORIES + ["Functional"]
    assert list(fig.layout.polar.radialaxis.range) == [0, 100]


def test_each_candidate_keeps_its_colour_in_every_chart():
    colours = charts.candidate_colours(CANDIDATES)
    radar = charts.radar_figure(CANDIDATES, CATEGORIES, SCORES)
    value = charts.value_for_money_figure(CANDIDATES, [81.5, 70, 61], [1_200_000, 900_000, 700_000], "NPV")
    first = charts.first_place_figure(CANDIDATES, [0.6, 0.3, 0.1])

    assert [t.line.color for t in radar.data] == [colours[c] for c in CANDIDATES]
    assert [t.marker.color for t in value.data] == [colours[c] for c in CANDIDATES]
    assert list(first.data[0].marker.color) == [colours[c] for c in CANDIDATES]
    assert len(set(colours.values())) == 3
    assert colours["Alpha CRM"] == charts.CANDIDATE_PALETTE[0]  # the leader is always the same colour


def test_it_places_value_against_cost_with_median_lines():
    fig = charts.value_for_money_figure(CANDIDATES, [81.5, 70, 61], [1_200_000, 900_000, 700_000], "NPV (CNY)")

    assert [(t.name, t.x[0], t.y[0], t.text[0]) for t in fig.data] == [
        ("Alpha CRM", 1_200_000.0, 81.5, "Alpha CRM"),
        ("贝塔软件", 900_000.0, 70.0, "贝塔软件"),
        ("Gamma", 700_000.0, 61.0, "Gamma"),
    ]
    assert all(t.mode == "markers+text" for t in fig.data)
    vertical, horizontal = fig.layout.shapes
    assert vertical.x0 == vertical.x1 == 900_000  # median cost
    assert horizontal.y0 == horizontal.y1 == 70  # median value
    assert fig.layout.xaxis.title.text == "NPV (CNY)"
    assert fig.layout.yaxis.title.text == "Value score (of 100)"
    assert "lower cost, higher value" in fig.layout.annotations[0].text
    low, high = fig.layout.xaxis.range
    assert low < 700_000 and high > 1_200_000  # room for the labels at both ends


def test_it_shows_the_probability_of_ranking_first_in_percent():
    fig = charts.first_place_figure(CANDIDATES, [0.62, 0.3, 0.08])

    (bars,) = fig.data
    assert list(bars.x) == CANDIDATES
    assert list(bars.y) == [0.62, 0.3, 0.08]
    assert list(bars.text) == ["62%", "30%", "8%"]
    assert fig.layout.yaxis.tickformat == ".0%"
    assert fig.layout.yaxis.range[0] == 0 and fig.layout.yaxis.range[1] >= 1


def test_it_sets_chinese_fonts_for_a_chinese_reader():
    fig = charts.first_place_figure(CANDIDATES, [0.62, 0.3, 0.08])
    assert charts.localise(fig, "en").layout.font.family == charts.FONT
    assert charts.localise(fig, "zh-hant").layout.font.family.startswith("Noto Sans CJK TC")
    assert charts.localise(fig, "zh-hans").layout.hoverlabel.font.family.startswith("Noto Sans CJK SC")


def test_the_page_embeds_a_div_without_loading_plotly_js():
    html = charts.figure_html(charts.first_place_figure(CANDIDATES, [0.62, 0.3, 0.08]))
    assert html.startswith("<div")
    assert "cdn" not in html.lower() and "<script src" not in html
    assert '"displaylogo": false' in html and '"responsive": true' in html


def test_no_figures_need_no_browser():
    assert charts.figures_svg([]) == []


@with_marks(NEEDS_CHROMIUM)
def test_it_exports_every_figure_as_svg_in_one_go():
    figures = [
        charts.contributions_figure(CANDIDATES, CATEGORIES, POINTS),
        charts.radar_figure(CANDIDATES, CATEGORIES, SCORES),
        charts.value_for_money_figure(CANDIDATES, [81.5, 70, 61], [1_200_000, 900_000, 700_000], "NPV"),
        charts.localise(charts.first_place_figure(CANDIDATES, [0.62, 0.3, 0.08]), "zh-hans"),
    ]

    svgs = charts.figures_svg(figures, width=700)

    assert len(svgs) == 4
    for svg in svgs:
        assert svg.startswith("<svg")  # no XML prolog: embeddable in HTML
        assert 'width="700"' in svg
        for name in CANDIDATES:
            assert name in svg
    assert 'height="360"' in svgs[3]  # the figure's own height when none is given
    assert "Noto Sans CJK SC" in svgs[3]


@with_marks(NEEDS_CHROMIUM)
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed (bin/test installs it)")
def test_the_svg_reaches_the_pdf_as_text(tmp_path):
    (svg,) = charts.figures_svg([charts.first_place_figure(CANDIDATES, [0.62, 0.3, 0.08])])
    template = engines["django"].from_string(
        '{% extends "pdf/base.html" %}{% block content %}<div class="chart"><img src="{{ chart }}"></div>'
        '<div class="chart">{{ svg|safe }}</div>{% endblock %}'
    )

    pdf = render_pdf(template, {"chart": charts.svg_data_url(svg), "svg": svg}, language="zh-hans")

    (tmp_path / "chart.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "chart.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("贝塔软件") == 2  # once from the data: URL image, once inline
    assert text.count("62%") == 2


def test_the_data_url_holds_the_svg():
    url = charts.svg_data_url("<svg>甲</svg>")
    assert url.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).decode() == "<svg>甲</svg>"
