"""The process-map editor in a real browser, in 简体中文: a project manager draws a small to-be map
(two swimlanes, three tasks and a decision with two conditional flows) through the editor as a
user would (typing, choosing, clicking, one connection in click-to-connect mode and one step
dragged into the other swimlane), exports it as BPMN and sees the diagram on the map's page.
Playwright drives Debian's headless Chromium, as the other browser tests do."""

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from projectcrm.core.choices import Role
from projectcrm.core.models import Membership, Project
from projectcrm.design import mapdata as md
from projectcrm.design.choices import MapKind
from projectcrm.design.models import Process, ProcessMap
from tests.browser_support import BROWSER_MARKS, log_in

pytestmark = BROWSER_MARKS

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
LANES = ["销售代表", "销售经理"]
TASKS = [("录入报价", "销售代表"), ("审批报价", "销售经理"), ("发送报价", "销售代表")]
DECISION = ("金额超过十万？", "销售代表")


@pytest.fixture
def setup(transactional_db):
    manager = get_user_model().objects.create_user(username="pm", password="demo-pass", first_name="林")
    project = Project.objects.create(name="灵光相框CRM实施", company="灵光相框")
    Membership.objects.create(project=project, user=manager, role=Role.PROJECT_MANAGER)
    process = Process.objects.create(project=project, name="报价")
    to_be = ProcessMap.objects.create(project=project, process=process, name="报价（目标）", kind=MapKind.TO_BE)
    return to_be


def changes(page, action):
    """Do something that posts an editing operation and wait until the editor shows the new map."""
    state = page.get_attribute("#map-editor", "data-state")
    action()
    page.wait_for_function("s => document.getElementById('map-editor').dataset.state !== s", arg=state)


def step(page, name):
    return page.locator("#map-editor svg g.step", has_text=name)


def test_it_draws_a_to_be_map_in_chinese_exports_bpmn_and_shows_the_diagram(browser, live_server, setup):
    to_be = setup
    base = live_server.url
    context, page = log_in(browser, base, "pm", "zh-hans", locale="zh-CN", accept_downloads=True)
    page.goto(base + f"/p/{to_be.project_id}/design/maps/{to_be.pk}/editor/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    for lane in LANES:
        page.fill("#new-lane-name", lane)
        changes(page, lambda: page.click("#add-lane-form button[type=submit]"))
    assert page.locator("#map-editor svg g.lane").count() == 2

    for name, lane in [TASKS[0], DECISION, TASKS[1], TASKS[2]]:
        page.select_option("#new-step-kind", "decision" if name == DECISION[0] else "task")
        page.select_option("#new-step-lane", label=lane)
        page.fill("#new-step-name", name)
        changes(page, lambda: page.click("#add-step-form button[type=submit]"))
    assert page.locator("#map-editor svg g.step").count() == 4

    # One connection in click-to-connect mode: the source step, then the target step.
    page.click("#connect-mode")
    step(page, TASKS[0][0]).click()
    changes(page, lambda: step(page, DECISION[0]).click())

    # The others through the form, the decision's two with conditions.
    for source, target, condition in [(DECISION[0], TASKS[1][0], "是"), (DECISION[0], TASKS[2][0], "否"),
                                      (TASKS[1][0], TASKS[2][0], "")]:
        page.select_option("#flow-source", label=source)
        page.select_option("#flow-target", label=target)
        page.fill("#new-flow-condition", condition)
        changes(page, lambda: page.click("#connect-form button[type=submit]"))
    assert page.locator("#map-editor svg g.flow").count() == 4

    # Drag "发送报价" down into the second swimlane.
    box = step(page, TASKS[2][0]).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 80, steps=4)
    page.mouse.move(x + 40, y + 160, steps=4)
    changes(page, page.mouse.up)
    data = md.load(to_be)
    lane_names = {lane.key: lane.name for lane in data.lanes}
    assert {s.name: lane_names[s.lane] for s in data.steps} == {
        TASKS[0][0]: "销售代表", DECISION[0]: "销售代表", TASKS[1][0]: "销售经理", TASKS[2][0]: "销售经理"}
    assert sorted(f.condition for f in data.flows) == ["", "", "否", "是"]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "design-editor-zh-hans.png"), full_page=True)

    # Export BPMN: the download holds the lanes, the tasks, the gateway and the flows.
    with page.expect_download() as download_info:
        page.click("#export-bpmn")
    root = ET.fromstring(Path(download_info.value.path()).read_bytes())
    names = lambda tag: sorted(e.get("name") or "" for e in root.iter(BPMN + tag))  # noqa: E731
    assert names("lane") == sorted(LANES)
    assert names("task") + names("userTask") + names("manualTask") + names("serviceTask") == sorted(n for n, _ in TASKS)
    assert names("exclusiveGateway") == [DECISION[0]]
    flows = list(root.iter(BPMN + "sequenceFlow"))
    assert len(flows) == 4
    assert {"是", "否"} <= set(ET.tostring(root, encoding="unicode").split('"')) | {
        (e.text or "").strip() for e in root.iter(BPMN + "conditionExpression")} | {f.get("name") for f in flows}

    # The map's page shows the diagram with the Chinese names.
    page.goto(base + to_be.get_absolute_url())
    diagram = page.locator("#map-diagram svg")
    for name in [n for n, _ in TASKS] + [DECISION[0][:5]] + LANES:
        assert diagram.locator("text", has_text=name).first.is_visible()
    page.screenshot(path=str(SCREENSHOTS / "design-map-zh-hans.png"), full_page=True)
    context.close()
