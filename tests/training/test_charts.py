"""Training charts (training/charts.py): small hand examples per figure."""

import datetime

import pytest
from django.utils import translation

from training import charts

MONDAYS = [datetime.date(2025, 3, 3) + datetime.timedelta(weeks=i) for i in range(5)]


def test_it_draws_the_readiness_heat_map_with_signed_of_required_in_each_cell():
    fig = charts.readiness_heatmap(
        ["Sales", "Service"], ["CRS-001 Basics", "CRS-002 Pipeline"],
        [[50.0, None], [100.0, 0.0]], [["1/2", ""], ["3/3", "0/4"]],
        details=[["a", "b"], ["c", "d"]],
    )

    heat = fig.data[0]
    assert heat.type == "heatmap"
    assert list(heat.y) == ["Sales", "Service"] and list(heat.x) == ["CRS-001 Basics", "CRS-002 Pipeline"]
    assert [list(row) for row in heat.z] == [[50.0, None], [100.0, 0.0]]
    # Text "signed/required"; a course nobody in the department needs stays empty.
    assert [list(row) for row in heat.text] == [["1/2", ""], ["3/3", "0/4"]]
    assert heat.texttemplate == "%{text}"
    assert heat.zmin == 0 and heat.zmax == 100
    # Red at 0%, amber at 50%, green at 100%.
    stops = {stop[0]: stop[1] for stop in heat.colorscale}
    assert (stops[0.0], stops[0.5], stops[1.0]) == ("#f87171", "#fbbf24", "#4ade80")
    assert "Signed off" in heat.hovertemplate and "%{customdata}" in heat.hovertemplate
    assert [list(row) for row in heat.customdata] == [["a", "b"], ["c", "d"]]
    assert fig.layout.yaxis.autorange == "reversed"  # first department at the top


def test_it_refuses_a_heat_map_of_the_wrong_shape():
    with pytest.raises(ValueError):
        charts.readiness_heatmap(["Sales"], ["A", "B"], [[1.0]], [["1/1"]])
    with pytest.raises(ValueError):
        charts.readiness_heatmap(["Sales"], ["A"], [[1.0]], [["1/1", "x"]])


def test_it_draws_the_burn_up_with_scope_go_live_and_today():
    fig = charts.burnup_figure(MONDAYS, [2, 5, 9, None, None], 20, MONDAYS[4], MONDAYS[2] + datetime.timedelta(days=2))

    scope, signed = fig.data
    assert list(scope.y) == [20.0] * 5
    assert list(signed.y) == [2.0, 5.0, 9.0, None, None]
    assert signed.connectgaps is False
    assert list(signed.x)[0] == "2025-03-03"
    lines = [(s.x0, s.line.dash) for s in fig.layout.shapes]
    assert lines == [("2025-03-31", "dash"), ("2025-03-19", "dot")]
    assert [a.text for a in fig.layout.annotations] == ["Go-live", "Today"]
    # Labels above the plot in two rows, so they never overlap: go-live left of its line, today right of its.
    assert [(a.yshift, a.xanchor) for a in fig.layout.annotations] == [(15, "right"), (0, "left")]
    assert fig.layout.yaxis.range[1] >= 20


def test_the_burn_up_takes_a_scope_per_week_and_no_go_live():
    fig = charts.burnup_figure(MONDAYS[:2], [0, 1], [4, 6], None, None)
    assert list(fig.data[0].y) == [4.0, 6.0]
    assert not fig.layout.shapes
    with pytest.raises(ValueError):
        charts.burnup_figure(MONDAYS[:2], [0], 4, None, None)


def test_it_draws_adoption_rates_as_percent_with_gaps_target_and_the_80_percent_rule():
    fig = charts.adoption_trend_figure(
        MONDAYS, {"Whole project": [0.2, None, 0.55, 0.7, 0.82], "Sales": [0.3, 0.4, None, None, 0.9]},
        [None, 0.5, 0.5, 0.8, 0.8],
    )

    project, sales, target = fig.data
    assert [project.name, sales.name, target.name] == ["Whole project", "Sales", "Target"]
    assert list(project.y) == [0.2, None, 0.55, 0.7, 0.82]
    assert project.connectgaps is False and sales.connectgaps is False  # no line across weeks without data
    assert target.line.dash == "dash" and target.line.shape == "hv"
    assert list(target.y) == [None, 0.5, 0.5, 0.8, 0.8]
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.yaxis.range[1] > 1
    rule = fig.layout.shapes[0]
    assert rule.y0 == rule.y1 == 0.8 and rule.line.dash == "dot"
    assert "%{y:.0%}" in project.hovertemplate


def test_the_adoption_trend_leaves_out_a_target_without_values_and_checks_lengths():
    fig = charts.adoption_trend_figure(MONDAYS[:2], {"All": [None, None]}, [None, None])
    assert [t.name for t in fig.data] == ["All"]
    fig = charts.adoption_trend_figure(MONDAYS[:2], {"All": [0.1, 0.2]})
    assert len(fig.data) == 1
    with pytest.raises(ValueError):
        charts.adoption_trend_figure(MONDAYS[:2], {"All": [0.1]})
    with pytest.raises(ValueError):
        charts.adoption_trend_figure(MONDAYS[:2], {"All": [0.1, 0.2]}, [0.8])


def test_it_stacks_laggards_by_manager():
    fig = charts.laggards_by_manager_figure(["Wang Fang", "Li Lei"], [3, 0], [1, 2])

    never, inactive = fig.data
    assert never.orientation == "h" and fig.layout.barmode == "stack"
    assert list(never.y) == ["Wang Fang", "Li Lei"]
    assert list(never.x) == [3, 0] and list(inactive.x) == [1, 2]
    assert [never.name, inactive.name] == ["Never logged in", "Inactive for 7 days"]
    assert [a.text for a in fig.layout.annotations] == ["<b>4</b>", "<b>2</b>"]
    assert fig.layout.yaxis.autorange == "reversed"
    with pytest.raises(ValueError):
        charts.laggards_by_manager_figure(["A"], [1, 2], [0])


def test_chinese_readers_get_a_cjk_font():
    with translation.override("zh-hans"):
        fig = charts.laggards_by_manager_figure(["王芳"], [1], [0])
    charts.localise(fig, "zh-hans")
    assert "CJK SC" in fig.layout.font.family and "CJK SC" in fig.layout.hoverlabel.font.family
    english = charts.localise(charts.laggards_by_manager_figure(["A"], [1], [0]), "en")
    assert "CJK" not in (english.layout.font.family or "").split(",")[0]


def test_figures_embed_without_plotly_js():
    html = charts.figure_html(charts.laggards_by_manager_figure(["A"], [1], [1]))
    assert html.startswith("<div") and "plotly.min.js" not in html
