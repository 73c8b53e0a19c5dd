"""Roadmap demo data for Lumen Frames, and the synthetic releases of the roadmap benchmark.

`seed(project, users)` is called by `manage.py seed_demo`: the pilot release for the Europe export
sales team, built from the book-style template and taken through its first twelve weeks (a
baseline at plan approval, slipped tasks, progress, a passed gate, a pending one and two change
requests), and the second wave, planned but not started. Every step goes through the roadmap's
own services, as the people named in it would have done it, so the history reads like a project.

Idempotent: a release is built once, found again by its name. The story is anchored to the Monday
twelve weeks before this week, so a run in the same week changes nothing and a run in a later week
moves every date of the story by whole weeks (weekdays, slips and progress stay as they were).

`scale_release(...)` writes a large synthetic release in bulk for `manage.py seed_roadmap_scale`
and the roadmap benchmark.
"""

import datetime

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projectcrm.core.management.commands.seed_demo import acting_as, upsert
from projectcrm.core.models import next_numbers
from projectcrm.core.services import save_versioned
from projectcrm.governance.choices import Priority
from projectcrm.governance.models import Stakeholder

from . import gates, methodology, schedule, services
from .choices import (
    ChangeStatus,
    CriterionKind,
    ItemKind,
    ReleaseKind,
    ReleaseStatus,
    TaskStatus,
    Vote,
)
from .models import Baseline, BaselineItem, ChangeRequest, Dependency, Gate, Phase, Release, Task

PILOT_NAME = "Pilot: export sales Europe"
WAVE2_NAME = "Wave 2: customer service and complaints"
PILOT_WEEKS_AGO = 12
WAVE2_WEEKS_AFTER_PILOT = 28  # the pilot goes live in its 30th week; wave 2 design starts before
BASELINE_NAME = "Plan approval"

PILOT = {
    "scope": (
        "Accounts, contacts, enquiries, quotations and sample requests for the Europe export sales team "
        "(six salespeople, about 300 importer and retail-chain accounts), with the product catalogue and "
        "the EUR price list loaded from the ERP."
    ),
    "business_goals": (
        "Every Europe account has one owner and its whole history in the CRM.\n"
        "Quotations are built only from the governed product catalogue: no retired moulding codes.\n"
        "Quotation turnaround from two days to the same day.\n"
        "An account is handed over in a day when a salesperson leaves or changes market."
    ),
    "status": ReleaseStatus.ACTIVE,
}
WAVE2 = {
    "scope": (
        "Complaint cases with a 48-hour first response and an escalation path to production, sample "
        "requests tracked from the sample room to the customer, and the customer service view of every "
        "account, for customer service and all export teams."
    ),
    "business_goals": (
        "No complaint is lost in a mailbox: every complaint is a case with an owner and a due date.\n"
        "First response to a complaint within 48 hours for 95% of cases.\n"
        "Salespeople see which samples a customer received, and when, before they call."
    ),
    "status": ReleaseStatus.PLANNED,
}

# Owners: by phase of the book template, then by item (template keys). Usernames of the demo users.
PHASE_OWNERS = {
    "initiation": "pm", "design": "steering", "build": "evaluator", "integration": "evaluator",
    "data-migration": "evaluator", "testing": "pm", "training": "trainer", "launch": "pm", "adoption": "pm",
}
ITEM_OWNERS = {
    "vision": "sponsor", "current-state": "member", "as-is": "member", "use-cases": "member",
    "functional-spec": "evaluator", "reports": "member", "test-cases": "member", "uat": "member",
    "super-users": "member", "adoption-tracking": "trainer", "hypercare": "evaluator", "handover": "evaluator",
}
# Tasks also owned by a stakeholder without a login: {release name: {template key: stakeholder}}.
STAKEHOLDER_OWNERS = {
    PILOT_NAME: {"cleansing": "Liu Na", "data-sources": "Liu Na", "migration-design": "Liu Na", "rules": "Deng Bo"},
    WAVE2_NAME: {"as-is": "Wu Fang", "to-be": "Wu Fang", "use-cases": "Wu Fang", "cleansing": "Liu Na"},
}

# Slips of the pilot, as the owner recorded them: (template key, extra working days, who, why).
SLIPS_BEFORE_CHANGE = [
    ("current-state", 3, "member",
     "Took three more days: the Middle East team's interviews moved until after the trade-fair preparation."),
    ("to-be", 2, "steering",
     "Two more days: key-user workshops 3 and 4 were repeated because nobody from the Middle East team came."),
]
SLIPS_AFTER_CHANGE = [
    ("cleansing", 8, "pm",
     "Eight more days: Ma Jun's team handed its customer lists over late, after the commission question was settled."),
]

# The initiation gate's manual criteria, in order: the evidence note recorded for each.
INITIATION_NOTES = [
    "Charter, budget and the pilot scope (Europe export sales) approved by Zhou Weiguo at steering committee 1.",
    "Committee named in the charter: Zhou Weiguo (chair) and Lin Hui; first meeting held, minutes in the decision log.",
    "Communication plan sent to all fourteen stakeholders; the status report goes out every Friday.",
]
INITIATION_VOTES = [
    ("sponsor", Vote.GO, "The roadmap starts where the money is lost today: quotations. Go."),
    ("steering", Vote.GO, "The Europe team is ready and has the cleanest data. Go."),
]
DESIGN_NOTES = {
    "Business owners have signed off the to-be processes.":
        "Lin Hui signed the to-be quotation, sample-request and account-handover processes.",
}
DESIGN_VOTE = (
    "steering", Vote.GO,
    "Sales has reviewed the to-be processes and the configurator use cases; ready from our side once the "
    "functional specification is signed.",
)

CHANGE_APPROVED = {
    "title": "Add a product configurator for moulding variants to the pilot",
    "description": (
        "Salespeople configure a frame in a guided step (moulding profile, size, finish, glazing, mount) that "
        "offers only valid combinations and prices them from the catalogue, instead of typing product codes "
        "into the quotation."
    ),
    "reason": (
        "Two wrong quotes last month used retired moulding codes. The Europe team quotes from about 2,300 "
        "active variants; a plain product picker would not stop invalid combinations."
    ),
    "requested_by": "steering",
    "impact_scope": (
        "New use cases for configuring and pricing a frame; configurator rules maintained by product "
        "development; the catalogue clean-up must finish before the build."
    ),
    "impact_days": 3,
    "impact_cost": 18_000,
    "impact_risk": (
        "The configurator rules need the product data supervisor's time during the busy season; the partner "
        "has built similar configurators for furniture makers."
    ),
    "affected": "use-cases",
    "priority": "high",
    "assessment": (
        "Assessed with the partner: three more days of use-case work now; the configuration effort fits in "
        "the build phase's contingency."
    ),
    "decision": "Approved: the configurator is why the Europe team wants the CRM. The cost comes from the contingency.",
    "decided_after": 47,  # working days after the pilot start
}
CHANGE_SUBMITTED = {
    "title": "Check the customer's ERP credit status before a quotation is sent",
    "description": (
        "Show the customer's credit limit, overdue balance and payment terms from the ERP on the account, and "
        "hold a quotation to an account on credit hold until the finance controller releases it."
    ),
    "reason": (
        "Three quotations went out last quarter to importers on credit hold; salespeople cannot see the ERP "
        "balance today."
    ),
    "requested_by": "viewer",
    "impact_scope": "A new ERP interface for credit status (nightly and on demand), a quotation rule and a finance release step.",
    "impact_days": 8,
    "impact_cost": 26_000,
    "impact_risk": (
        "The ERP vendor has to expose the credit data; the work falls in the integration phase, which has "
        "the least float left."
    ),
    "affected": "interfaces",
    "priority": "medium",
}


def today() -> datetime.date:
    return timezone.localdate()


def pilot_start(on: datetime.date | None = None) -> datetime.date:
    """The Monday PILOT_WEEKS_AGO weeks before the week of `on` (today)."""
    on = on or today()
    return on - datetime.timedelta(days=on.weekday(), weeks=PILOT_WEEKS_AGO)


def workday(start: datetime.date, n: int) -> datetime.date:
    return schedule.add_workdays(start, n)


def seed(project, users):
    """The demo project's releases (idempotent; see the module docstring)."""
    start = pilot_start()
    book = methodology.built_in("book")
    pilot = Release.objects.filter(project=project, name=PILOT_NAME).first()
    if pilot is None:
        pilot = build_pilot(project, users, book, start)
    else:
        shift(pilot, start)
    upsert(Release, {"pk": pilot.pk}, PILOT)

    wave_start = start + datetime.timedelta(weeks=WAVE2_WEEKS_AFTER_PILOT)
    wave = Release.objects.filter(project=project, name=WAVE2_NAME).first()
    if wave is None:
        wave = methodology.instantiate(project, book, WAVE2_NAME, wave_start, kind=ReleaseKind.WAVE, language="en")
        assign_owners(wave, users, book)
    else:
        shift(wave, wave_start)
    upsert(Release, {"pk": wave.pk}, WAVE2)


# --- The pilot, step by step --------------------------------------------------------------------


def build_pilot(project, users, book: dict, start: datetime.date) -> Release:
    pilot = methodology.instantiate(project, book, PILOT_NAME, start, kind=ReleaseKind.PILOT, language="en")
    assign_owners(pilot, users, book)
    plan_approval = services.take_baseline(
        pilot, BASELINE_NAME, users["pm"], note="Plan approved by the sponsor at kick-off, before any work started."
    )
    slip(pilot, users, SLIPS_BEFORE_CHANGE)
    approved = change_request(project, pilot, users, CHANGE_APPROVED)
    with acting_as(users["pm"]):
        services.assess_change(approved, CHANGE_APPROVED["assessment"])
    with acting_as(users["steering"]):
        services.decide_change(approved, "steering", True, CHANGE_APPROVED["decision"])
    after_change = services.implement_change(approved, apply_schedule=True, user=users["pm"])
    decided_on = workday(start, CHANGE_APPROVED["decided_after"])
    upsert(ChangeRequest, {"pk": approved.pk}, {"decided_on": decided_on})
    slip(pilot, users, SLIPS_AFTER_CHANGE)
    record_progress(pilot, users, today())
    pass_initiation_gate(pilot, users)
    open_design_gate(pilot, users)
    change_request(project, pilot, users, CHANGE_SUBMITTED)
    # When the two baselines were taken: at kick-off, and when the change was implemented.
    backdate(plan_approval, start)
    backdate(after_change, workday(decided_on, 1))
    return pilot


def tasks_by_key(release) -> dict:
    return {t.template_key: t for t in Task.objects.filter(release=release)}


def assign_owners(release, users, book: dict):
    phase_of = {item["key"]: phase["key"] for phase in book["phases"] for item in phase["items"]}
    stakeholders = {s.name: s for s in Stakeholder.objects.filter(project=release.project)}
    extra = STAKEHOLDER_OWNERS.get(release.name, {})
    for key, task in tasks_by_key(release).items():
        username = ITEM_OWNERS.get(key) or PHASE_OWNERS.get(phase_of.get(key), "pm")
        task.owner = users[username]
        task.owner_stakeholder = stakeholders.get(extra.get(key))
        save_versioned(task, task.version)


def slip(release, users, slips):
    """Lengthen tasks as their owners reported, then move the successors by the links."""
    tasks = tasks_by_key(release)
    for key, days, who, why in slips:
        task = tasks[key]
        task.duration += days
        task.description = f"{task.description}\n\n{why}".strip()
        with acting_as(users[who]):
            save_versioned(task, task.version)
    with acting_as(users["pm"]):
        services.reschedule(release, users["pm"])


def change_request(project, release, users, spec: dict) -> ChangeRequest:
    change = ChangeRequest(
        project=project, release=release, title=spec["title"], description=spec["description"],
        reason=spec["reason"], requested_by=users[spec["requested_by"]], impact_scope=spec["impact_scope"],
        impact_days=spec["impact_days"], impact_cost=spec["impact_cost"], impact_risk=spec["impact_risk"],
        affected_task=tasks_by_key(release)[spec["affected"]], priority=spec["priority"],
        status=ChangeStatus.SUBMITTED,
    )
    # The PM logs requests from people whose role only views the roadmap.
    requester = users[spec["requested_by"]]
    with acting_as(requester if spec["requested_by"] in ("pm", "member") else users["pm"]):
        save_versioned(change, None)
    return change


def record_progress(release, users, on: datetime.date):
    """Work before `on` is done (deliverables accepted a week after they finish), work under way is
    in progress with its share of elapsed working days; each update by its owner (or the PM)."""
    accepted_before = workday(on, -5)
    for task in Task.objects.filter(release=release).select_related("owner").order_by("planned_start", "order"):
        if task.planned_finish < on:
            deliverable = task.kind == ItemKind.DELIVERABLE
            task.status = TaskStatus.ACCEPTED if deliverable and task.planned_finish <= accepted_before else TaskStatus.DONE
            task.actual_start, task.actual_finish, task.percent_complete = task.planned_start, task.planned_finish, 100
        elif task.planned_start <= on and task.kind != ItemKind.MILESTONE:
            elapsed = schedule.workdays_between(task.planned_start, on)
            task.status = TaskStatus.IN_PROGRESS
            task.actual_start = task.planned_start
            task.percent_complete = max(5, min(95, round(20 * elapsed / max(1, task.duration)) * 5))
        else:
            continue
        owner = task.owner.username if task.owner else "pm"
        with acting_as(users[owner] if owner in ("pm", "member") else users["pm"]):
            save_versioned(task, task.version)


def gate_of(release, order: int) -> Gate:
    return Gate.objects.get(phase__release=release, phase__order=order)


def pass_initiation_gate(release, users):
    gate = gate_of(release, 1)
    manual = gate.criteria.filter(kind=CriterionKind.MANUAL).order_by("order", "pk")
    for criterion, note in zip(manual, INITIATION_NOTES, strict=True):
        criterion.met, criterion.note = True, note
        save_versioned(criterion, criterion.version)
    for username, decision, comment in INITIATION_VOTES:
        with acting_as(users[username]):
            gates.cast_vote(gate, users[username], decision, comment, "")
    gates.decide(gate)
    milestone = Task.objects.get(phase=gate.phase, kind=ItemKind.MILESTONE)
    upsert(Gate, {"pk": gate.pk}, {"decided_on": workday(milestone.planned_finish, 1)})


def open_design_gate(release, users):
    gate = gate_of(release, 2)
    for criterion in gate.criteria.filter(text__in=list(DESIGN_NOTES)):
        criterion.met, criterion.note = True, DESIGN_NOTES[criterion.text]
        save_versioned(criterion, criterion.version)
    username, decision, comment = DESIGN_VOTE
    with acting_as(users[username]):
        gates.cast_vote(gate, users[username], decision, comment, "")


def backdate(baseline: Baseline | None, day: datetime.date):
    """Date a baseline to when it was taken in the story (its creation time, not a tracked field)."""
    if baseline is None:
        return
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(17, 0)))
    Baseline.objects.filter(pk=baseline.pk).update(created=moment)


# --- Moving the story along ---------------------------------------------------------------------


def shift(release, start: datetime.date):
    """Move every date of a seeded release by whole weeks so that it starts on `start`."""
    delta = start - release.start_date
    if not delta:
        return
    upsert(Release, {"pk": release.pk}, {"start_date": start})
    for task in Task.objects.filter(release=release):
        upsert(
            Task, {"pk": task.pk},
            {
                "planned_start": task.planned_start + delta,
                "actual_start": task.actual_start and task.actual_start + delta,
                "actual_finish": task.actual_finish and task.actual_finish + delta,
            },
        )
    items = list(BaselineItem.objects.filter(baseline__release=release))
    for item in items:
        item.start, item.finish = item.start + delta, item.finish + delta
    BaselineItem.objects.bulk_update(items, ["start", "finish"])
    for baseline in Baseline.objects.filter(release=release):
        Baseline.objects.filter(pk=baseline.pk).update(created=baseline.created + delta)
    for gate in Gate.objects.filter(phase__release=release).exclude(decided_on=None):
        upsert(Gate, {"pk": gate.pk}, {"decided_on": gate.decided_on + delta})
    for change in ChangeRequest.objects.filter(release=release).exclude(decided_on=None):
        upsert(ChangeRequest, {"pk": change.pk}, {"decided_on": change.decided_on + delta})


# --- Scale ---------------------------------------------------------------------------------------


SCALE_TASKS_PER_RELEASE = (10, 20)  # phases, tasks per phase
SCALE_CHANGE_TOPICS = [
    "moulding configurator", "ERP credit check", "price list import", "complaint categories", "sample tracking",
    "quotation layout", "account handover", "trade-fair leads", "e-mail integration", "dashboard for managers",
]


def scale(project, members, count, rng):
    """Roadmap rows for `manage.py seed_scale`: `count` tasks in releases of 10 phases of 20 (each
    phase with a gate), twice as many links, and `count` change requests.

    No baselines: seed_scale's bulk wipe removes project rows only, and baseline items are not
    project rows (the roadmap benchmark's own project has them; see seed_roadmap_scale).
    """
    from projectcrm.core.management.commands.seed_scale import bulk

    phases, per_phase = SCALE_TASKS_PER_RELEASE
    on = today()
    start = on - datetime.timedelta(days=on.weekday(), weeks=20)
    releases = [
        scale_release(
            project, members, f"Release {index + 1:03d}", phases, per_phase, rng,
            start + datetime.timedelta(weeks=2 * (index % 26)), baseline=False,
        )
        for index in range(max(1, count // (phases * per_phase)))
    ]
    statuses = ChangeStatus.values
    bulk(
        ChangeRequest,
        [
            ChangeRequest(
                project=project, title=f"Change {i}: {rng.choice(SCALE_CHANGE_TOPICS)}",
                description="Synthetic change request.", requested_by=rng.choice(members),
                release=rng.choice(releases), impact_days=rng.randint(0, 15), impact_cost=rng.randint(0, 50) * 1000,
                priority=rng.choice(Priority.values), status=rng.choice(statuses),
            )
            for i in range(1, count + 1)
        ],
        members[0],
    )


def scale_release(
    project, members, name: str, phases: int, per_phase: int, rng, start: datetime.date, baseline: bool = True
) -> Release:
    """A synthetic release of phases x per_phase tasks and twice as many finish-to-start links, in bulk.

    Links form a DAG: every task of the first phase follows the kick-off (the first task), every task
    of a later phase follows two tasks of the phase before, and the links still missing to reach two
    per task are third predecessors, also from the phase before (as many as tiny phases allow). Every
    phase has a gate. Dates come from the links; work finished before today is done; a baseline is
    taken at the start if asked. Call inside a transaction.
    """
    from projectcrm.core.management.commands.seed_scale import BATCH_SIZE, bulk

    pm = members[0]
    on = today()
    release = Release(
        project=project, name=name, kind=ReleaseKind.WAVE, start_date=start, status=ReleaseStatus.ACTIVE,
        scope="Synthetic release for the roadmap benchmark.",
    )
    release.save()
    phase_rows = bulk(
        Phase,
        [Phase(project=project, release=release, name=f"Phase {p + 1:02d}", order=p + 1) for p in range(phases)],
        pm,
    )
    bulk(Gate, [Gate(project=project, phase=phase, name=f"Gate {phase.order:02d}") for phase in phase_rows], pm)
    count = phases * per_phase
    wanted = 2 * count
    predecessors: list[list[int]] = [[] for _i in range(count)]
    for i in range(1, per_phase):
        predecessors[i].append(0)
    for p in range(1, phases):
        previous = range((p - 1) * per_phase, p * per_phase)
        for i in range(p * per_phase, (p + 1) * per_phase):
            predecessors[i] = rng.sample(previous, min(2, per_phase))
    missing = wanted - sum(len(preds) for preds in predecessors)
    later = list(range(per_phase, count))
    while missing > 0 and later:
        i = later.pop(rng.randrange(len(later)))
        p = i // per_phase
        choices = [k for k in range((p - 1) * per_phase, p * per_phase) if k not in predecessors[i]]
        if choices:  # tiny phases may have no third task to follow
            predecessors[i].append(rng.choice(choices))
            missing -= 1
    durations = [0 if i % per_phase == per_phase - 1 or i == 0 else rng.randint(1, 10) for i in range(count)]
    links = [schedule.Link(k, i, 0) for i, preds in enumerate(predecessors) for k in preds]
    activities = [schedule.Activity(i, durations[i], milestone=durations[i] == 0) for i in range(count)]
    slots = schedule.schedule(activities, links, start).items
    numbers = next_numbers(Task, project.pk, count)
    tasks = []
    for i in range(count):
        slot = slots[i]
        milestone = durations[i] == 0
        if slot.early_finish < on:
            status, percent, actual = TaskStatus.DONE, 100, (slot.early_start, slot.early_finish)
        elif slot.early_start <= on:
            status, percent, actual = TaskStatus.IN_PROGRESS, rng.randint(1, 9) * 10, (slot.early_start, None)
        else:
            status, percent, actual = TaskStatus.NOT_STARTED, 0, (None, None)
        tasks.append(
            Task(
                project=project, release=release, phase=phase_rows[i // per_phase], number=numbers[i],
                name=f"{'Milestone' if milestone else 'Task'} {i + 1:04d}",
                kind=ItemKind.MILESTONE if milestone else rng.choice([ItemKind.TASK, ItemKind.DELIVERABLE]),
                owner=rng.choice(members), planned_start=slot.early_start, duration=durations[i],
                percent_complete=percent, status=status, actual_start=actual[0], actual_finish=actual[1],
                order=i + 1,
            )
        )
    tasks = bulk(Task, tasks, pm)
    bulk_create_with_history(
        [Dependency(project=project, predecessor=tasks[link.predecessor], successor=tasks[link.successor]) for link in links],
        Dependency, batch_size=BATCH_SIZE, default_user=pm,
    )
    if baseline:
        services.take_baseline(release, "Start", pm)
    return release
