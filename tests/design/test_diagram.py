"""The swimlane diagram: a shape per step kind, escaped text, CJK wrapping, arrowheads, scale."""

import itertools
import time
import xml.etree.ElementTree as ET

import pytest

from projectcrm.design import diagram
from projectcrm.design import mapdata as md
from projectcrm.design.models import LANE_HEADER
from tests.design.conftest import small_map

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def one_of_each() -> md.MapData:
    kinds = ["start", "task", "system", "handoff", "decision", "parallel", "event", "end"]
    return md.MapData(
        lanes=[md.LaneData("L1", "Sales")],
        steps=[md.StepData(f"S_{kind}", f"The {kind}", kind, "L1", 60 + 150 * i, 80) for i, kind in enumerate(kinds)],
    )


def groups(root, cls):
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def test_every_kind_draws_its_shape():
    root = parse(diagram.render_svg(one_of_each(), interactive=True))
    by_key = {g.get("data-key"): g for g in groups(root, "step")}

    def tags(key):
        return [child.tag.removeprefix(SVG) for child in by_key[key]]

    assert tags("S_start").count("circle") == 1
    assert [c.get("stroke-width") for c in by_key["S_start"].iter(f"{SVG}circle")] == ["1.5"]  # thin
    assert [c.get("stroke-width") for c in by_key["S_end"].iter(f"{SVG}circle")] == ["4"]  # thick
    assert len(list(by_key["S_event"].iter(f"{SVG}circle"))) == 2  # double ring
    assert tags("S_task").count("rect") == 1
    task_rect = next(by_key["S_task"].iter(f"{SVG}rect"))
    assert task_rect.get("rx") and task_rect.get("stroke-dasharray") is None
    handoff_rect = next(by_key["S_handoff"].iter(f"{SVG}rect"))
    assert handoff_rect.get("stroke-dasharray")  # dashed border
    system_rect = next(by_key["S_system"].iter(f"{SVG}rect"))
    assert system_rect.get("fill") != task_rect.get("fill")  # a distinct fill
    assert "System action" in ET.tostring(by_key["S_system"], encoding="unicode")  # the gear marker's title
    assert "Manual hand-off" in ET.tostring(by_key["S_handoff"], encoding="unicode")
    for key in ("S_decision", "S_parallel"):
        diamond = next(by_key[key].iter(f"{SVG}path"))
        assert diamond.get("d").count("L") == 3 and diamond.get("d").endswith("Z")
    # The decision's mark is an × (two diagonals), the parallel's a + (horizontal and vertical).
    decision_mark = list(by_key["S_decision"].iter(f"{SVG}path"))[1].get("d")
    parallel_mark = list(by_key["S_parallel"].iter(f"{SVG}path"))[1].get("d")
    assert decision_mark != parallel_mark


def test_step_centre_is_lane_header_plus_x_and_lane_top_plus_y():
    data = md.MapData(lanes=[md.LaneData("A", "A", 100), md.LaneData("B", "B", 120)],
                      steps=[md.StepData("T", "t", "task", "B", 200, 50)])
    root = parse(diagram.render_svg(data, interactive=True))
    step = groups(root, "step")[0]
    assert (float(step.get("data-cx")), float(step.get("data-cy"))) == (LANE_HEADER + 200, 100 + 50)
    rect = next(step.iter(f"{SVG}rect"))
    assert (float(rect.get("x")), float(rect.get("y"))) == (LANE_HEADER + 200 - 60, 150 - 32)


def test_names_are_escaped():
    data = small_map()
    data.steps[0].name = "<script>alert(1)</script>"
    data.lanes[0].name = 'Sales "&" <b>'
    data.flows[0].condition = "<img src=x onerror=alert(1)>"
    svg = diagram.render_svg(data, interactive=True)
    assert "<script>" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    parse(svg)


def test_cjk_wraps_per_character_and_latin_at_spaces():
    lines = diagram.wrap("在电子表格中记录线索并检查是否重复", 106, 12)
    assert all(diagram.text_width(line, 12) <= 106 for line in lines)
    assert lines == ["在电子表格中记录", "线索并检查是否重", "复"]  # 8 characters of 12 px fit in 106 px
    assert diagram.wrap("Assign to sales rep", 106, 12) == ["Assign to sales", "rep"]
    # Mixed: Latin words stay whole, CJK characters break anywhere.
    assert diagram.wrap("CRM 系统自动分配", 60, 12) == ["CRM 系统", "自动分配"]


def test_long_names_are_cut_after_three_lines_with_an_ellipsis():
    lines = diagram.wrap("一二三四五六七八九十" * 5, 106, 12)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert diagram.text_width(lines[-1], 12) <= 106


def test_text_width_estimate():
    assert diagram.text_width("中文", 10) == 20
    assert diagram.text_width("ab", 10) == pytest.approx(11)


def test_flows_are_orthogonal_polylines_with_arrowheads_and_conditions():
    svg = diagram.render_svg(small_map(), interactive=True)
    root = parse(svg)
    assert root.find(f"{SVG}defs/{SVG}marker").get("id") == "pcm-arrow"
    flows = groups(root, "flow")
    assert {f.get("data-key") for f in flows} == {"Flow_1", "Flow_2", "Flow_3", "Flow_4", "Flow_5"}
    for flow in flows:
        line = [p for p in flow.iter(f"{SVG}polyline") if p.get("marker-end")][0]
        assert line.get("marker-end") == "url(#pcm-arrow)"
        points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            assert x0 == x1 or y0 == y1  # orthogonal segments only
    yes = next(f for f in flows if f.get("data-key") == "Flow_3")
    assert "yes" in "".join(yes.itertext())


def test_route_enters_the_target_on_its_side():
    source, target = diagram.Box(100, 80, 120, 64), diagram.Box(400, 80, 120, 64)
    assert diagram.flow_points(source, target) == [(160, 80), (340, 80)]
    lower = diagram.Box(400, 240, 120, 64)
    # A task to another row: out of its right side, down just before the target, into its left side
    # (not down its own column, where other steps may stand).
    assert diagram.flow_points(source, lower) == [(160, 80), (320, 80), (320, 240), (340, 240)]
    gateway = diagram.Box(100, 80, 50, 50)
    assert diagram.flow_points(gateway, lower) == [(100, 105), (100, 240), (340, 240)]  # a vertex, then across
    back = diagram.Box(50, 80, 36, 36)
    points = diagram.flow_points(target, back)
    assert points[0] == (400, 112) and points[-1] == (50, 98) and points[1][1] > 112  # loops below


def test_interactive_marks_keys_and_selection():
    plain = diagram.render_svg(small_map())
    assert "data-key" not in plain
    root = parse(diagram.render_svg(small_map(), interactive=True, selected="Task_capture"))
    assert {g.get("data-key") for g in groups(root, "lane")} == {"Lane_sales", "Lane_crm"}
    selected = [g.get("data-key") for g in groups(root, "selected")]
    assert selected == ["Task_capture"]


def test_titles_and_badges():
    root = parse(diagram.render_svg(small_map(), interactive=True))
    by_key = {g.get("data-key"): g for g in groups(root, "step")}
    title = by_key["Task_capture"].find(f"{SVG}title").text
    assert "Capture lead" in title and "Sales assistant" in title and "15" in title and "Task" in title
    assert groups(by_key["Task_capture"], "badge-pain")
    pain = groups(by_key["Task_capture"], "badge-pain")[0]
    assert "Duplicate entry" in pain.find(f"{SVG}title").text and "1" in "".join(pain.itertext())
    assert groups(by_key["Task_assign"], "badge-automated")
    assert not groups(by_key["Task_capture"], "badge-automated")


def test_view_box_fits_the_content():
    root = parse(diagram.render_svg(small_map()))
    x, y, width, height = map(float, root.get("viewBox").split())
    assert x < 0 and y < 0
    assert width >= LANE_HEADER + 580 + 18 and height >= 320
    assert root.get("xmlns") is None or root.tag == f"{SVG}svg"
    assert root.tag == f"{SVG}svg"


def test_empty_map_draws_a_note():
    svg = diagram.render_svg(md.MapData())
    assert "No swimlane yet." in svg
    parse(svg)


def scale_map(steps=300, flows=400, lanes=6) -> md.MapData:
    lane_data = [md.LaneData(f"Lane_{i}", f"泳道 {i}") for i in range(lanes)]
    step_data = [md.StepData(f"S_{i}", f"步骤 {i} check the quotation", ["task", "system", "decision", "start"][i % 4],
                             f"Lane_{i % lanes}", 80 + (i // lanes) * 160, 80, pain_points=["no_owner"] * (i % 2))
                 for i in range(steps)]
    flow_data = [md.FlowData(f"F_{i}", f"S_{i % steps}", f"S_{(i * 7 + 1) % steps}", "ok" if i % 5 == 0 else "")
                 for i in range(flows)]
    return md.MapData(lane_data, step_data, flow_data)


def test_three_hundred_steps_render_quickly():
    data = scale_map()
    started = time.perf_counter()
    svg = diagram.render_svg(data, interactive=True)
    elapsed = time.perf_counter() - started
    root = parse(svg)
    assert len(groups(root, "step")) == 300 and len(groups(root, "flow")) == 400
    assert elapsed < 1.0


@pytest.mark.django_db
def test_render_for_map_reads_the_saved_map(make_map):
    process_map = make_map(small_map())
    svg = diagram.render_for_map(process_map)
    assert "Capture lead</tspan>" in svg
    assert ">Assign to sales</tspan>" in svg and ">rep</tspan>" in svg  # wrapped over two lines


def test_chinese_lane_names_stand_upright_in_a_column():
    upright = diagram.lane_label("销售部", 20, 80, 160)
    assert "rotate" not in upright and upright.count("<tspan") == 3
    turned = diagram.lane_label("CRM system", 20, 80, 160)
    assert "rotate(-90)" in turned
    long = diagram.lane_label("一二三四五六七八九十" * 4, 20, 50, 100)
    assert long.count("<tspan") <= 14 and "…" in long
