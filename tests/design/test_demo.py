"""The design part of the demo: four valid maps whose to-be steps keep the keys of the as-is steps
they replace, gaps of every resolution type, rules and use cases under the numbers the testing demo
names, clean diagram coordinates, and a second run that writes nothing."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from projectcrm.core.management.commands.seed_demo import acting_as, ensure_project, ensure_users
from projectcrm.design import demo
from projectcrm.design import mapdata as md
from projectcrm.design.choices import (
    GATEWAY_KINDS,
    GapDecision,
    MapKind,
    Resolution,
    StepKind,
    UseCaseStatus,
)
from projectcrm.design.models import BusinessRule, Flow, Gap, ProcessMap, Step, UseCase
from testing import demo as testing_demo
from testing.dashboard import parse_references

pytestmark = pytest.mark.django_db


def seed(*areas):
    """What `seed_demo` does, for the given demo modules only (the design demo last)."""
    with translation.override("en"), transaction.atomic():
        users = ensure_users(settings.DEMO_PASSWORD)
        with acting_as(users["pm"]):
            project = ensure_project(users, timezone.localdate())
            for area in (*areas, demo):
                area.seed(project, users)
    return project


def design_counts() -> dict:
    """Rows of every design model, history and many-to-many tables included."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label == "design"
    }


def maps(project) -> dict:
    return {m.name: m for m in ProcessMap.objects.filter(project=project)}


def test_seeding_twice_changes_nothing():
    seed()
    first = design_counts()
    seed()
    assert design_counts() == first
    assert first["design.ProcessMap"] == 4 and first["design.Process"] == 2
    assert first["design.HistoricalStep"] == first["design.Step"]  # written once, never again
    assert first["design.HistoricalUseCase"] == first["design.UseCase"] == 12


def test_four_valid_maps_with_to_be_based_on_as_is():
    project = seed()
    by_name = maps(project)
    assert set(by_name) == set(demo.MAPS)
    for name, process_map in by_name.items():
        content = md.load(process_map)
        assert md.validate(content) == [], name
        assert 8 <= len(content.steps) <= 14, name
        kinds = {step.kind for step in content.steps}
        assert {StepKind.START, StepKind.END, StepKind.TASK, StepKind.DECISION} <= kinds, name
    for as_is, to_be in ((demo.LEAD_AS_IS, demo.LEAD_TO_BE), (demo.QUOTE_AS_IS, demo.QUOTE_TO_BE)):
        assert by_name[as_is].kind == MapKind.AS_IS and by_name[to_be].kind == MapKind.TO_BE
        assert by_name[to_be].based_on == by_name[as_is]
        assert by_name[to_be].process == by_name[as_is].process
    assert "CRM system" in [lane.name for lane in md.load(by_name[demo.LEAD_TO_BE]).lanes]
    assert "CRM system" not in [lane.name for lane in md.load(by_name[demo.LEAD_AS_IS]).lanes]


def test_to_be_steps_keep_the_keys_of_the_steps_they_replace():
    project = seed()
    by_name = maps(project)

    def keys(name):
        return set(Step.objects.filter(map=by_name[name]).values_list("key", flat=True))

    assert keys(demo.LEAD_AS_IS) & keys(demo.LEAD_TO_BE) == {
        "Start_enquiry", "Gateway_channel", "Task_capture_contact", "Task_log_enquiry", "Task_assign_lead",
        "Task_contact_lead", "Gateway_interest", "End_dropped", "End_qualified",
    }
    assert keys(demo.LEAD_AS_IS) - keys(demo.LEAD_TO_BE) == {
        "Task_send_cards", "Task_email_manager", "Task_forward_lead", "Task_copy_lead", "Task_report_weekly",
    }
    assert keys(demo.QUOTE_AS_IS) - keys(demo.QUOTE_TO_BE) == {"Task_read_request"}
    assert keys(demo.QUOTE_TO_BE) - keys(demo.QUOTE_AS_IS) == {"Task_open_account"}
    price_before = Step.objects.get(map=by_name[demo.QUOTE_AS_IS], key="Task_price_lines")
    price_after = Step.objects.get(map=by_name[demo.QUOTE_TO_BE], key="Task_price_lines")
    assert not price_before.automated and price_after.automated
    assert price_after.duration_minutes < price_before.duration_minutes


def test_step_details_pain_points_automation_and_conditions():
    project = seed()
    for process_map in maps(project).values():
        steps = Step.objects.filter(map=process_map)
        work = steps.filter(kind__in=[StepKind.TASK, StepKind.SYSTEM, StepKind.HANDOFF])
        assert not work.filter(duration_minutes=None).exists(), process_map.name
        assert not work.filter(volume=None).exists(), process_map.name
        assert not work.exclude(performer="").filter(kind=StepKind.SYSTEM).exists()  # systems have no performer
        if process_map.kind == MapKind.AS_IS:
            assert work.exclude(pain_points=[]).count() == work.count(), process_map.name
            assert steps.filter(kind=StepKind.HANDOFF).exists()
            assert not steps.filter(automated=True).exists()
        else:
            assert steps.filter(automated=True, kind=StepKind.SYSTEM).count() >= 3, process_map.name
            assert not steps.exclude(pain_points=[]).exists()
        for decision in steps.filter(kind__in=GATEWAY_KINDS):
            outgoing = Flow.objects.filter(source=decision)
            assert outgoing.count() >= 2 and not outgoing.filter(condition="").exists(), decision.key
    systems = " ".join(Step.objects.filter(project=project).values_list("system", flat=True))
    for name in ("Excel", "Outlook", "WeChat", "ERP", "CRM"):
        assert name in systems


def test_diagram_coordinates_are_clean():
    project = seed()
    for process_map in maps(project).values():
        content = md.load(process_map)
        heights = {lane.key: lane.height for lane in content.lanes}
        for step in content.steps:
            width, height = md.step_size(step.kind)
            assert (step.x - demo.FIRST_X) % demo.COLUMN == 0 and step.x - width / 2 > 0, step.key
            assert 0 <= step.y - height / 2 and step.y + height / 2 <= heights[step.lane], step.key
        for a in content.steps:
            for b in content.steps:
                if a.key < b.key and a.lane == b.lane:
                    (wa, ha), (wb, hb) = md.step_size(a.kind), md.step_size(b.kind)
                    apart = abs(a.x - b.x) >= (wa + wb) / 2 or abs(a.y - b.y) >= (ha + hb) / 2
                    assert apart, (process_map.name, a.key, b.key)
        for flow in content.flows:
            assert content.step(flow.target).x > content.step(flow.source).x, flow  # left to right


def test_gaps_cover_every_resolution_and_link_real_steps():
    project = seed()
    gaps = list(Gap.objects.filter(project=project))
    assert 8 <= len(gaps) <= 12
    assert {g.resolution for g in gaps} == set(Resolution.values)
    decisions = [g.decision for g in gaps]
    assert decisions.count(GapDecision.DEFERRED) == 1 and decisions.count(GapDecision.OPEN) == 1
    assert decisions.count(GapDecision.ACCEPTED) == len(gaps) - 2
    for gap in gaps:
        assert gap.owner and gap.effort_days is not None and gap.description, gap.title
        assert gap.as_is_map.kind == MapKind.AS_IS and gap.to_be_map.kind == MapKind.TO_BE
        assert gap.as_is_step or gap.to_be_step, gap.title
        assert gap.as_is_step is None or gap.as_is_step.map_id == gap.as_is_map_id
        assert gap.to_be_step is None or gap.to_be_step.map_id == gap.to_be_map_id
    assert not Gap.deliverables.through.objects.exists()  # no roadmap demo, no links, no error


def number_of(ref) -> int:
    return int(ref.code.split("-")[1])  # "UC-03" -> 3


def title_of(ref) -> str:
    return ref.label.split(" ", 1)[1]  # "UC-03 Create quotation" -> "Create quotation"


def test_rules_and_use_cases_have_the_numbers_the_testing_demo_names():
    project = seed()
    rules = {r.number: r for r in BusinessRule.objects.filter(project=project)}
    use_cases = {u.number: u for u in UseCase.objects.filter(project=project)}
    assert len(rules) >= 8 and len(use_cases) == 12
    assert set(use_cases) == set(range(1, 13))
    named = 0
    for *_rest, uc_text, br_text in testing_demo.CASES.values():
        for ref in parse_references(uc_text):
            assert title_of(ref) == use_cases[number_of(ref)].title, ref.label
            named += 1
        for ref in parse_references(br_text):
            assert title_of(ref) == rules[number_of(ref)].name, ref.label
            named += 1
    assert named >= 16
    assert rules[1].rule_type == "escalation" and rules[6].rule_type == "alert"
    to_be = set(ProcessMap.objects.filter(project=project, kind=MapKind.TO_BE).values_list("pk", flat=True))
    for rule in rules.values():
        assert rule.trigger and rule.condition and rule.action and rule.owner, rule.ref
        assert rule.source_step is None or rule.source_step.map_id in to_be, rule.ref
    assert sum(rule.source_step is not None for rule in rules.values()) >= 10


def test_use_cases_are_complete_and_signed_off_by_their_owners():
    project = seed()
    use_cases = list(UseCase.objects.filter(project=project).prefetch_related("steps", "business_rules"))
    statuses = [u.status for u in use_cases]
    assert statuses.count(UseCaseStatus.APPROVED) >= 7
    assert 1 <= statuses.count(UseCaseStatus.DRAFT) <= 2 and statuses.count(UseCaseStatus.REVIEWED) >= 2
    now = timezone.now()
    for uc in use_cases:
        assert 4 <= len(uc.main_flow_steps()) <= 8, uc.ref
        assert uc.actor and uc.goal and uc.preconditions and uc.trigger and uc.postconditions, uc.ref
        assert uc.alternate_flows and uc.exception_flows and uc.business_rules.exists(), uc.ref
        assert uc.business_owner.username in ("steering", "sponsor"), uc.ref
        assert all(step.map.kind == MapKind.TO_BE for step in uc.steps.all()), uc.ref
        if uc.status == UseCaseStatus.APPROVED:
            assert uc.signed_off_by == uc.business_owner, uc.ref
            assert 1 <= (now - uc.signed_off_at).days <= 14, uc.ref
        else:
            assert uc.signed_off_by is None and uc.signed_off_at is None, uc.ref
    assert UseCase.objects.filter(project=project, gaps__isnull=False).distinct().count() >= 6


def test_gaps_link_the_roadmap_deliverables_when_the_roadmap_demo_ran():
    from roadmap import demo as roadmap_demo
    from roadmap.choices import ItemKind

    seed(roadmap_demo)
    counts = design_counts()
    project = seed(roadmap_demo)
    assert design_counts() == counts
    linked = Gap.objects.filter(project=project, deliverables__isnull=False).distinct()
    assert linked.count() >= 5
    for gap in linked:
        for task in gap.deliverables.all():
            assert task.kind == ItemKind.DELIVERABLE and task.release.name == roadmap_demo.PILOT_NAME
    names = set(Gap.deliverables.through.objects.values_list("task__name", flat=True))
    assert names == {demo.INTEGRATION_DESIGN, demo.RULES_DELIVERABLE, demo.TRAINING_MATERIAL, demo.MIGRATION_DESIGN}
