"""The map as plain data: what validate() refuses, and save_content() keeping history and links."""

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from projectcrm.design import diagram
from projectcrm.design import mapdata as md
from projectcrm.design.models import Step, UseCase
from tests.design.conftest import small_map


def test_small_map_is_valid():
    assert md.validate(small_map()) == []


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.lanes.__setitem__(0, replace(d.lanes[0], height=99_999_999_999)), "higher than 2000 pixels"),
    (lambda d: d.steps.__setitem__(0, replace(d.steps[0], x=10**12)), "more than 100000 pixels away"),
    (lambda d: d.steps.__setitem__(0, replace(d.steps[0], duration_minutes=10**20)), "duration out of range"),
    (lambda d: d.steps.__setitem__(0, replace(d.steps[0], volume=-1)), "volume out of range"),
    (lambda d: d.steps.__setitem__(0, replace(d.steps[0], key="two words")), "not a valid BPMN id"),
    (lambda d: d.flows.append(md.FlowData("Flow_x", "Start_1", "Nowhere")), "does not connect two steps"),
])
def test_values_no_database_column_holds_are_refused_by_name(change, message):
    data = small_map()
    change(data)
    assert any(message in error for error in md.validate(data))


def test_control_characters_do_not_break_the_drawing():
    data = small_map()
    data.steps[0].name = "Lead\x01 arrives\x0b"
    svg = diagram.render_svg(data)
    ET.fromstring(svg)  # well-formed XML
    assert "Lead arrives" in svg


def test_saving_the_same_content_writes_nothing(make_map):
    pmap = make_map(small_map())
    before = Step.history.count()
    md.save_content(pmap, small_map())
    assert Step.history.count() == before


def test_a_step_named_by_a_use_case_is_not_deleted_and_nothing_changes(project, make_map):
    pmap = make_map(small_map())
    step = Step.objects.get(map=pmap, key="Task_assign")
    use_case = UseCase.objects.create(project=project, title="Assign lead", actor="Sales")
    use_case.steps.add(step)
    data = small_map()
    data.steps = [s for s in data.steps if s.key != "Task_assign"]
    data.flows = [f for f in data.flows if "Task_assign" not in (f.source, f.target)]
    data.steps[0].name = "Renamed"
    with pytest.raises(md.InvalidMap) as refused:
        md.save_content(pmap, data)
    assert refused.value.errors == [
        "Step “Assign to sales rep” is part of UC-001: remove it from those use cases before deleting it."]
    assert md.load(pmap) == small_map()  # all or nothing: the rename did not happen either
    use_case.steps.clear()
    md.save_content(pmap, data)
    assert not Step.objects.filter(pk=step.pk).exists()
    assert Step.history.filter(id=step.pk, history_type="-").exists()  # restorable


def test_a_gap_refuses_a_step_of_another_map(project, make_map):
    from django.core.exceptions import ValidationError

    from projectcrm.design.models import Gap

    as_is, to_be = make_map(small_map(), name="as-is"), make_map(small_map(), name="to-be")
    gap = Gap(project=project, title="x", as_is_map=as_is, as_is_step=Step.objects.get(map=to_be, key="Task_capture"))
    with pytest.raises(ValidationError) as refused:
        gap.full_clean(exclude=["number"])
    assert "as_is_step" in refused.value.message_dict
