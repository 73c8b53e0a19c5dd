"""Gap analysis (design/gaps.py) against hand-worked pairs of maps.

Each test builds an as-is and a to-be map as plain data, works out by hand (in the comments) what
the comparison must find, and checks `compare` finds exactly that. No database is needed.
"""

import copy
from dataclasses import replace
from decimal import Decimal

from projectcrm.design import gaps
from projectcrm.design import mapdata as md
from projectcrm.design.choices import GapKind
from tests.design.conftest import small_map


def kinds(comparison):
    return [(d.kind, d.as_is_key, d.to_be_key) for d in comparison.differences]


def row(comparison, key):
    return next(r for r in comparison.rows if r.key == key)


# --- 1. Identical maps -------------------------------------------------------------------------------


def test_identical_maps_have_no_differences():
    result = gaps.compare(small_map(), small_map())
    assert result.differences == []
    assert len(result.pairs) == 5  # every step matched by its key
    # small_map: work steps Task_capture (task, 15 min, 1 pain point) and Task_assign (system, automated,
    # 1 min). Flows crossing lanes: Gateway_q (Sales) → Task_assign (CRM) and Task_assign → End_1 (Sales).
    expected = gaps.Figures(steps=2, manual=1, automated=1, handoffs=2, handoff_steps=0, duration=16,
                            without_duration=0, pain_points=1, effort_minutes=None, without_volume=0)
    assert result.before == expected
    assert result.after == expected
    assert all(r.change in (0, None) for r in result.rows)
    assert [r.key for r in result.rows] == ["steps", "manual", "automated", "handoffs", "handoff_steps", "duration",
                                            "pain_points"]  # no volumes: no effort row


# --- 2. A to-be map copied from the as-is and edited (matched by key) ---------------------------------


def as_is_quotation_intake():
    """small_map with the assignment done by hand in Sales and an extra manual step that goes away."""
    data = small_map()
    assign = data.step("Task_assign")
    assign.kind, assign.lane, assign.automated = "task", "Lane_sales", False
    assign.performer, assign.system, assign.duration_minutes = "Sales manager", "", 20
    assign.pain_points = ["slow_response"]
    data.steps.append(md.StepData("Task_print", "Print lead sheet", "task", "Lane_sales", 240, 80, duration_minutes=5))
    data.flows = [
        md.FlowData("Flow_1", "Start_1", "Task_capture"),
        md.FlowData("Flow_2", "Task_capture", "Task_print"),
        md.FlowData("Flow_2b", "Task_print", "Gateway_q"),
        md.FlowData("Flow_3", "Gateway_q", "Task_assign", "yes"),
        md.FlowData("Flow_4", "Gateway_q", "End_1", "no"),
        md.FlowData("Flow_5", "Task_assign", "End_1"),
    ]
    return data.normalised()


def to_be_copy_edited(as_is):
    data = copy.deepcopy(as_is)
    data.steps = [s for s in data.steps if s.key != "Task_print"]  # removed
    capture = data.step("Task_capture")  # renamed, quicker, pain point gone
    capture.name, capture.duration_minutes, capture.pain_points = "Capture lead in CRM", 5, []
    assign = data.step("Task_assign")  # automated (and moved, and faster)
    assign.kind, assign.lane, assign.automated = "system", "Lane_crm", True
    assign.performer, assign.system, assign.duration_minutes, assign.pain_points = "", "CRM", 1, []
    data.steps.append(md.StepData("Task_notify", "Notify sales rep", "system", "Lane_crm", 520, 80, system="CRM",
                                  automated=True))  # added, duration unknown
    data.flows = [
        md.FlowData("Flow_1", "Start_1", "Task_capture"),
        md.FlowData("Flow_2", "Task_capture", "Gateway_q"),
        md.FlowData("Flow_3", "Gateway_q", "Task_assign", "yes"),
        md.FlowData("Flow_4", "Gateway_q", "End_1", "no"),
        md.FlowData("Flow_6", "Task_assign", "Task_notify"),
        md.FlowData("Flow_7", "Task_notify", "End_1"),
    ]
    return data.normalised()


def test_copied_and_edited_map():
    as_is = as_is_quotation_intake()
    to_be = to_be_copy_edited(as_is)
    result = gaps.compare(as_is, to_be)

    # As-is, Sales lane read left to right: Start_1 (40), Task_capture (160, renamed), Task_print (240, removed),
    # Gateway_q (300), Task_assign (440, automated), End_1 (580); then the to-be step nobody had: Task_notify.
    assert kinds(result) == [
        (GapKind.CHANGED, "Task_capture", "Task_capture"),
        (GapKind.REMOVED, "Task_print", None),
        (GapKind.AUTOMATED, "Task_assign", "Task_assign"),
        (GapKind.ADDED, None, "Task_notify"),
    ]
    changed, removed, automated, added = result.differences
    assert [str(c) for c in changed.changes] == ["name: Capture lead → Capture lead in CRM", "duration (minutes): 15 → 5"]
    assert changed.title() == "Step changed: Capture lead in CRM"
    assert removed.as_is_name == "Print lead sheet" and removed.changes == []
    # Automated once, with every other change of the pair listed too.
    assert [str(c) for c in automated.changes] == [
        "kind: Task → System action",
        "swimlane: Sales → CRM system",
        "performer: Sales manager → —",
        "system used: — → CRM",
        "duration (minutes): 20 → 1",
        "automated: No → Yes",
    ]
    assert added.to_be_name == "Notify sales rep"
    assert result.count(GapKind.AUTOMATED) == 1

    # Before: work steps capture (15), print (5), assign (20) = 3, none automated; every step in Sales: no hand-off;
    # duration 15 + 5 + 20 = 40; pain points duplicate_entry + slow_response = 2.
    assert result.before == gaps.Figures(steps=3, manual=3, automated=0, handoffs=0, handoff_steps=0, duration=40,
                                         without_duration=0, pain_points=2, effort_minutes=None, without_volume=0)
    # After: capture (5), assign (system, 1), notify (system, no duration) = 3, two automated; hand-offs
    # Gateway_q → Task_assign (Sales → CRM) and Task_notify → End_1 (CRM → Sales) = 2; duration 5 + 1 = 6 with
    # one step without duration; no pain points left.
    assert result.after == gaps.Figures(steps=3, manual=1, automated=2, handoffs=2, handoff_steps=0, duration=6,
                                        without_duration=1, pain_points=0, effort_minutes=None, without_volume=0)
    duration = row(result, "duration")
    assert (duration.before, duration.after, duration.change) == (40, 6, -34)
    assert duration.percent == Decimal("-85.0")  # -34 / 40 = -85 %
    assert duration.note_after == "1 without duration" and duration.note_before == ""
    assert row(result, "handoffs").percent is None  # 0 → 2: no percentage of nothing
    assert row(result, "manual").percent == Decimal("-66.7")  # 3 → 1: -2 / 3


def test_kind_becoming_system_counts_as_automated_without_the_flag():
    as_is = small_map()
    as_is.step("Task_capture").kind = "handoff"
    to_be = copy.deepcopy(as_is)
    to_be.step("Task_capture").kind = "system"  # flag left False: still automated (hand-off → system action)
    result = gaps.compare(as_is, to_be)
    assert kinds(result) == [(GapKind.AUTOMATED, "Task_capture", "Task_capture")]
    assert [c.field for c in result.differences[0].changes] == ["kind"]
    # Before: capture is a hand-off step; after it is a system action, automated by its kind.
    assert (result.before.handoff_steps, result.after.handoff_steps) == (1, 0)
    assert (result.before.automated, result.after.automated) == (1, 2)


def test_unautomating_is_a_change():
    as_is = small_map()
    to_be = copy.deepcopy(as_is)
    assign = to_be.step("Task_assign")
    assign.kind, assign.automated = "task", False  # system action → task: a change, not an automation
    result = gaps.compare(as_is, to_be)
    assert kinds(result) == [(GapKind.CHANGED, "Task_assign", "Task_assign")]
    assert [str(c) for c in result.differences[0].changes] == ["kind: System action → Task", "automated: Yes → No"]


# --- 3. Matching by name when the keys differ -------------------------------------------------------


def test_name_matching_across_maps_with_other_keys():
    as_is = small_map()
    # Drawn again in another tool: every id differs; names differ only in case and spacing; lanes too.
    to_be = md.MapData(
        lanes=[md.LaneData("L_a", "sales"), md.LaneData("L_b", "CRM  System")],
        steps=[
            md.StepData("ev_a", "lead ARRIVES", "start", "L_a", 40, 80),
            md.StepData("act_1", "capture  lead", "task", "L_a", 160, 80, performer="sales assistant",
                        duration_minutes=15, pain_points=["duplicate_entry"]),
            md.StepData("gw", "Qualified?", "decision", "L_a", 300, 80),
            md.StepData("act_2", "Assign to sales rep", "system", "L_b", 440, 80, system="CRM", duration_minutes=1,
                        automated=True),
            md.StepData("end_a", "Done", "end", "L_a", 580, 80),  # "Done" twice: neither is matched by name
            md.StepData("end_b", "Done", "end", "L_b", 580, 80),
        ],
        flows=[md.FlowData("f1", "ev_a", "act_1"), md.FlowData("f2", "act_1", "gw"), md.FlowData("f3", "gw", "act_2"),
               md.FlowData("f4", "gw", "end_a"), md.FlowData("f5", "act_2", "end_b")],
    ).normalised()
    result = gaps.compare(as_is, to_be)
    pairs = sorted((a.key, b.key) for a, b in result.pairs)
    assert pairs == [("Gateway_q", "gw"), ("Start_1", "ev_a"), ("Task_assign", "act_2"), ("Task_capture", "act_1")]
    # Matched pairs differ only in case and spacing: no change. End_1 "Done" has two namesakes: removed; the two
    # to-be ends are added (Sales lane first, then CRM).
    assert kinds(result) == [
        (GapKind.REMOVED, "End_1", None),
        (GapKind.ADDED, None, "end_a"),
        (GapKind.ADDED, None, "end_b"),
    ]
    # Hand-offs: gw (sales) → act_2 (CRM System) only; act_2 → end_b stays in the CRM lane. 2 before, 1 after.
    assert (result.before.handoffs, result.after.handoffs) == (2, 1)


def test_key_match_wins_over_name_match():
    as_is = md.MapData(
        lanes=[md.LaneData("L", "Sales")],
        steps=[md.StepData("Task_x", "Check credit", "task", "L"), md.StepData("Task_z", "File quote", "task", "L")],
    )
    to_be = md.MapData(
        lanes=[md.LaneData("L", "Sales")],
        steps=[
            md.StepData("Task_x", "Verify customer", "task", "L"),  # same key: matched, renamed
            md.StepData("Task_y", "Check credit", "task", "L"),  # the old name, but its key is new: added
            md.StepData("Task_w", "file   QUOTE", "task", "L"),  # unmatched by key, matched by name
        ],
    )
    result = gaps.compare(as_is, to_be)
    assert sorted((a.key, b.key) for a, b in result.pairs) == [("Task_x", "Task_x"), ("Task_z", "Task_w")]
    assert kinds(result) == [(GapKind.CHANGED, "Task_x", "Task_x"), (GapKind.ADDED, None, "Task_y")]


# --- 4. Hand-offs by lane name --------------------------------------------------------------------------


def test_handoffs_and_lane_changes_by_lane_name():
    as_is = md.MapData(
        lanes=[md.LaneData("L1", "Sales"), md.LaneData("L2", "Back office")],
        steps=[md.StepData(key, key.upper(), "task", lane, x) for key, lane, x in
               (("a", "L1", 100), ("b", "L2", 200), ("c", "L1", 300), ("d", "L2", 400))],
        flows=[md.FlowData("f1", "a", "b"), md.FlowData("f2", "b", "c"), md.FlowData("f3", "c", "d")],
    )
    # Lanes in another order with other keys; "sales " is a second lane with the Sales name.
    to_be = md.MapData(
        lanes=[md.LaneData("X1", "Back office"), md.LaneData("X2", "Sales"), md.LaneData("X3", "sales ")],
        steps=[md.StepData(key, key.upper(), "task", lane, x) for key, lane, x in
               (("a", "X2", 100), ("b", "X2", 200), ("c", "X3", 300), ("d", "X1", 400))],
        flows=[md.FlowData("f1", "a", "b"), md.FlowData("f2", "b", "c"), md.FlowData("f3", "c", "d")],
    )
    result = gaps.compare(as_is, to_be)
    # Before: a→b Sales→Back office, b→c Back office→Sales, c→d Sales→Back office: 3 hand-offs.
    # After: a→b Sales→Sales, b→c Sales→"sales " (same name), c→d sales→Back office: 1 hand-off.
    assert (result.before.handoffs, result.after.handoffs) == (3, 1)
    assert row(result, "handoffs").percent == Decimal("-66.7")  # -2 / 3
    # Only b changed lane (Back office → Sales); c's lane has the same name in both maps.
    assert kinds(result) == [(GapKind.CHANGED, "b", "b")]
    assert [str(c) for c in result.differences[0].changes] == ["swimlane: Back office → Sales"]


# --- 5. Durations, a missing duration, volumes --------------------------------------------------------


def test_durations_with_missing_duration_and_volume_weighted_effort():
    lanes = [md.LaneData("L", "Sales")]
    as_is = md.MapData(lanes=lanes, steps=[
        md.StepData("e", "Request", "start", "L", duration_minutes=5, volume=10),  # an event: no work
        md.StepData("g", "Valid?", "decision", "L", duration_minutes=2),  # a gateway: no work
        md.StepData("t1", "Key in order", "task", "L", duration_minutes=10, volume=100),
        md.StepData("t2", "Check stock", "task", "L", volume=50),  # duration unknown
        md.StepData("t3", "Send to warehouse", "handoff", "L", duration_minutes=30),  # no volume
    ])
    to_be = md.MapData(lanes=lanes, steps=[
        replace(as_is.steps[0]), replace(as_is.steps[1]),
        md.StepData("t1", "Key in order", "system", "L", duration_minutes=1, volume=100, automated=True),
        md.StepData("t2", "Check stock", "task", "L", duration_minutes=20, volume=50),
    ])
    result = gaps.compare(as_is, to_be)
    # Before: work steps t1, t2, t3 = 3; duration 10 + 30 = 40 with t2 unknown; one hand-off step (t3).
    # Effort: only t1 has both: 10 min × 100 = 1000 min = 16.7 h; t3 is timed without volume.
    b = result.before
    assert (b.steps, b.duration, b.without_duration, b.handoff_steps) == (3, 40, 1, 1)
    assert (b.effort_minutes, b.effort_hours, b.without_volume) == (1000, Decimal("16.7"), 1)
    # After: t1 (1 min × 100) + t2 (20 min × 50) = 100 + 1000 = 1100 min = 18.3 h; duration 1 + 20 = 21.
    a = result.after
    assert (a.steps, a.duration, a.without_duration, a.handoff_steps, a.automated) == (2, 21, 0, 0, 1)
    assert (a.effort_minutes, a.effort_hours, a.without_volume) == (1100, Decimal("18.3"), 0)
    duration = row(result, "duration")
    assert (duration.change, duration.percent) == (-19, Decimal("-47.5"))  # -19 / 40
    assert duration.note_before == "1 without duration"
    effort = row(result, "effort")
    # Shown rounded (16.7 → 18.3, +1.6 h); the percentage from the exact minutes: 100 / 1000 = +10 %.
    assert (effort.before, effort.after, effort.change, effort.percent) == (
        Decimal("16.7"), Decimal("18.3"), Decimal("1.6"), Decimal("10.0"))
    assert effort.note_before == "1 timed step without volume"
    # t1 automated (task → system, flagged), t2 changed (duration — → 20), t3 removed.
    assert kinds(result) == [(GapKind.AUTOMATED, "t1", "t1"), (GapKind.CHANGED, "t2", "t2"), (GapKind.REMOVED, "t3", None)]
    assert [str(c) for c in result.differences[1].changes] == ["duration (minutes): — → 20"]


def test_effort_by_resolution():
    # configuration: 2 + 3.5 = 5.5 days in 2 gaps; training: 1 gap without estimate; unresolved: 1 + 0 = 1 in 2.
    totals = gaps.effort_by_resolution([
        ("configuration", Decimal("2")), ("", Decimal("1")), ("training", None), ("configuration", Decimal("3.5")),
        ("", None),
    ])
    assert totals == [("configuration", Decimal("5.5"), 2), ("", Decimal("1"), 2), ("training", Decimal("0"), 1)]
