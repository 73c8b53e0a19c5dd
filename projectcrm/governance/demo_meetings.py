"""Steering meetings of the demo project (called by `manage.py seed_demo` after the roadmap,
governance and readiness demos).

Three meetings were held and one is planned. Their days follow what they took, so the story stays
consistent whatever day the demo is built:

1. Steering committee 1, the day the packaged cloud CRM was chosen (about nine weeks ago): charter,
   budget, sourcing, vendor long list.
2. Steering committee 2, the day the pilot's initiation gate was decided (about six weeks ago): the
   gate review, the account-ownership rule, the private-contacts request.
3. Steering committee 3, the day the configurator change request was decided (about three weeks
   ago): the change request, complaint cases, trial migration results.
4. Steering committee 4, planned about three weeks ahead: the design sign-off gate and the ERP
   credit check change request.

When a row the story links is missing (the roadmap or governance demo changed), the meeting keeps
its fallback day and the link is left out. Existing decisions and action items are linked by
title; the ones the meetings add are found by title too, so a second run changes nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import upsert

from .choices import ActionStatus, DecisionStatus, MeetingKind, MeetingStatus
from .models import ActionItem, Decision, Meeting, Stakeholder

LOCATION = "Board room, 3rd floor, Lumen Frames head office (video link for the partner)"
START = datetime.time(14, 30)
CORE = ["Zhou Weiguo", "Lin Hui", "Chen Jing", "Wang Lei", "Zhao Li"]

MEETINGS = [
    {
        "title": "Steering committee 1",
        "anchor": ("decision", "Buy a packaged cloud CRM with an implementation partner"),
        "fallback_days": -63,
        "attendees": CORE,
        "guests": "Gao Min, internal audit (observer)",
        "apologies": "",
        "agenda": """\
Minutes and actions of the kick-off
Project charter, objectives and budget for approval
Sourcing: custom development, an on-premise package or a packaged cloud CRM with a partner
Vendor long list and evaluation approach
Top risks raised so far
Any other business""",
        "minutes": """\
1. Kick-off. The minutes were accepted; all kick-off actions are closed.

2. Charter and budget. Chen Jing presented the charter: one shared customer database for export sales and customer service, every enquiry, quotation, sample request and complaint logged against the customer, and go-live for all export teams before the spring trade-fair season. The committee approved the charter and the budget (licences, partner services, internal time) with a 10% contingency held by the sponsor. Zhao Li asked for a five-year cost view before a vendor is chosen; agreed.

3. Sourcing. Wang Lei compared the three options. With an IT team of two, custom development and an on-premise package were ruled out. Decided: buy a packaged cloud CRM and configure it with an implementation partner; vendors and partners are evaluated together.

4. Vendor long list. Five vendors accepted for the long list. Lin Hui asked that export sales key users score the demonstrations, not only IT; agreed.

5. Risks. The top risk is salespeople keeping their customer lists to themselves. Lin Hui will bring an account-ownership rule to the next meeting.

Next meeting: in about two weeks, with the gate review of the roadmap.""",
        "decisions": ["Buy a packaged cloud CRM with an implementation partner"],
        "new_decisions": [
            ("Approve the project charter and budget",
             "Charter, objectives and budget approved as presented; 10% contingency held by the sponsor.",
             DecisionStatus.APPROVED),
        ],
        "actions": ["Ask the vendor for a reference customer in furniture or home decor"],
        "new_actions": [
            ("Five-year cost view of the short-listed vendors", "viewer", 21, ActionStatus.DONE,
             "Buy a packaged cloud CRM with an implementation partner"),
        ],
        "gates": "",
        "changes": [],
    },
    {
        "title": "Steering committee 2",
        "anchor": ("gate", "first decided"),
        "fallback_days": -35,
        "attendees": ["Zhou Weiguo", "Lin Hui", "Chen Jing", "Wang Lei", "Huang Tao"],
        "guests": "",
        "apologies": "Zhao Li (month-end close); her comments on the budget were sent in writing",
        "agenda": """\
Minutes and actions of meeting 1
Gate review: roadmap approval for the Europe pilot
Account-ownership rule for export customers
Request to keep private contacts hidden from managers
Vendor short list and first data profiling results
Any other business""",
        "minutes": """\
1. Actions of meeting 1. The reference customer request is with the vendors; the five-year cost view follows with the short list.

2. Gate review: roadmap approval. Chen Jing walked through the exit criteria: charter and pilot scope approved, committee named, communication plan sent. Zhou Weiguo and Lin Hui voted go. The gate passed; the Europe pilot moves into requirements and design.

3. Account ownership. Lin Hui proposed that the first qualified contact logged in the CRM owns the account for twelve months, with the sales director settling disputes. Huang Tao confirmed the Europe team supports it if commission follows the owner. Approved. The rule goes into the sales handbook and the leaver checklist.

4. Private contacts. One team asked to mark contacts as private. Rejected: hidden contacts recreate the problem the project is solving. Lin Hui will explain the decision to the team.

5. Short list and data. Two vendors short-listed. First profiling of the salespeople's spreadsheets: duplicate importer records are the biggest data issue; every salesperson hands in their customer lists.""",
        "decisions": [
            "Account-ownership rule for export customers",
            "Let salespeople keep private contacts hidden from managers",
        ],
        "new_decisions": [],
        "actions": [
            "Write the account-ownership rule into the sales handbook",
            "Collect customer lists from every salesperson",
            "Add account handover to the leaver checklist",
        ],
        "new_actions": [],
        "gates": "first-decided",
        "changes": [],
    },
    {
        "title": "Steering committee 3",
        "anchor": ("change", "Add a product configurator for moulding variants to the pilot"),
        "fallback_days": -7,
        "attendees": CORE + ["Huang Tao", "Deng Bo"],
        "guests": "Implementation partner: engagement lead",
        "apologies": "",
        "agenda": """\
Minutes and actions of meeting 2
Change request: product configurator for moulding variants in the pilot
Complaint handling: every complaint a case with a 48-hour first response
Trial migration 1 results and the price-list consolidation
Design sign-off gate: readiness and date
Any other business""",
        "minutes": """\
1. Actions of meeting 2. The account-ownership rule is in the sales handbook and the leaver checklist; customer lists are still coming in from the Middle East team.

2. Configurator. Lin Hui presented the change request after two wrong quotes used retired moulding codes. The partner assessed three more days of use-case work and configuration effort within the build contingency; cost 18,000 from the contingency. Deng Bo will maintain the configurator rules. Approved; the schedule and the baseline were updated the next day.

3. Complaints. Customer service opens a case for every complaint with a first response within 48 hours; the account owner is copied. Approved for wave 2; a category list is needed first.

4. Trial migration 1 loaded 4,100 customer records; 11% were duplicates. The price-list consolidation is behind plan: the EUR and USD lists still differ on 40 items. Escalated to the sales director.

5. Design sign-off. The committee will review the design gate once the configurator use cases are written, at the next meeting.""",
        "decisions": ["Log every complaint as a case with a 48-hour first response"],
        "new_decisions": [
            ("Review the design sign-off gate after the configurator use cases",
             "The design gate is taken at steering committee 4, once the configurator use cases are signed.",
             DecisionStatus.APPROVED),
        ],
        "actions": ["Draft the complaint category list"],
        "new_actions": [
            ("Report the duplicate rate of trial migration 2 to the committee", "evaluator", 35, ActionStatus.OPEN,
             ""),
            ("Book the design sign-off gate review with the committee", "pm", 10, ActionStatus.DONE,
             "Review the design sign-off gate after the configurator use cases"),
        ],
        "gates": "",
        "changes": ["Add a product configurator for moulding variants to the pilot"],
    },
    {
        "title": "Steering committee 4",
        "anchor": None,
        "fallback_days": 21,
        "attendees": CORE,
        "guests": "Implementation partner: engagement lead",
        "apologies": "",
        "agenda": """\
Minutes and actions of meeting 3
Gate review: design sign-off for the Europe pilot
Change request: check the customer's ERP credit status before a quotation is sent
Training plan and key-user readiness for the Europe pilot
First look at the go-live readiness criteria
Any other business""",
        "minutes": "",
        "decisions": [],
        "new_decisions": [],
        "actions": [],
        "new_actions": [],
        "gates": "",
        "changes": [],
    },
]


def seed(project, users):
    """The demo project's steering meetings (idempotent; see the module docstring)."""
    today = timezone.localdate()
    stakeholders = {s.name: s for s in Stakeholder.objects.filter(project=project)}
    previous = None
    for spec in MEETINGS:
        day = anchor_day(project, spec["anchor"]) or today + datetime.timedelta(days=spec["fallback_days"])
        if previous and day <= previous:
            day = previous + datetime.timedelta(days=7)
        held = day < today
        meeting, _created = upsert(
            Meeting,
            {"project": project, "title": spec["title"]},
            {
                "kind": MeetingKind.STEERING,
                "starts": timezone.make_aware(datetime.datetime.combine(day, START)),
                "duration_minutes": 120,
                "location": LOCATION,
                "chair": users["sponsor"],
                "status": MeetingStatus.HELD if held else MeetingStatus.PLANNED,
                "agenda": spec["agenda"],
                "guests": spec["guests"],
                "apologies": spec["apologies"],
                "minutes": spec["minutes"] if held else "",
            },
        )
        previous = day
        meeting.attendees.set([stakeholders[name] for name in spec["attendees"] if name in stakeholders])
        link_roadmap(project, meeting, spec)
        for title in spec["decisions"]:
            link(Decision, project, title, meeting)
        for title in spec["actions"]:
            link(ActionItem, project, title, meeting)
        for title, description, status in spec["new_decisions"]:
            upsert(
                Decision,
                {"project": project, "title": title},
                {
                    "description": description, "status": status, "decided_by": "Steering committee",
                    "decided_on": day, "source_meeting": spec["title"], "meeting": meeting,
                },
            )
        for title, owner, due_after, status, decision in spec["new_actions"]:
            upsert(
                ActionItem,
                {"project": project, "title": title},
                {
                    "owner": users[owner], "due_date": day + datetime.timedelta(days=due_after), "status": status,
                    "source_meeting": spec["title"], "meeting": meeting,
                    "decision": Decision.objects.filter(project=project, title=decision).first() if decision else None,
                },
            )


def anchor_day(project, anchor) -> datetime.date | None:
    """The day a meeting took place: when the decision, gate or change request it took was decided."""
    from roadmap.models import ChangeRequest

    if anchor is None:
        return None
    kind, key = anchor
    if kind == "decision":
        return Decision.objects.filter(project=project, title=key).values_list("decided_on", flat=True).first()
    if kind == "gate":
        return first_decided_gates(project).values_list("decided_on", flat=True).first()
    return ChangeRequest.objects.filter(project=project, title=key).values_list("decided_on", flat=True).first()


def first_decided_gates(project):
    from roadmap.models import Gate

    return Gate.objects.filter(project=project).exclude(decided_on=None).order_by("decided_on", "pk")[:1]


def link_roadmap(project, meeting, spec):
    from roadmap.models import ChangeRequest

    gates = list(first_decided_gates(project)) if spec["gates"] == "first-decided" else []
    meeting.gates.set(gates)
    changes = list(ChangeRequest.objects.filter(project=project, title__in=spec["changes"]).exclude(decided_on=None))
    meeting.change_requests.set(changes)


def link(model, project, title: str, meeting):
    """Point an existing decision or action item at the meeting (never creates one)."""
    obj = model.objects.filter(project=project, title=title).order_by("pk").first()
    if obj is not None:
        upsert(model, {"pk": obj.pk}, {"meeting": meeting})
