"""Governance demo data for Lumen Frames, and synthetic rows for the scale test.

`seed(project, users)` is called by `manage.py seed_demo`; `scale(project, members, count, rng)`
by `manage.py seed_scale`. Demo text is English, as a project team there would write it.
"""

import datetime

from django.utils import timezone, translation

from projectcrm.core.management.commands.seed_demo import EMAIL_DOMAIN, upsert

from . import schedule
from .choices import (
    ActionStatus,
    DecisionStatus,
    DeliveryMethod,
    Frequency,
    IssueStatus,
    Priority,
    Raci,
    RiskCategory,
    RiskStatus,
)
from .models import (
    ActionItem,
    CommunicationItem,
    CommunicationLog,
    Decision,
    Issue,
    Risk,
    Stakeholder,
    Workstream,
)
from .services import add_risks_from_library, default_workstreams, set_raci

# --- Stakeholders ----------------------------------------------------------------------------
# name, department, job title, role in the project, influence, interest, user, notes
STAKEHOLDERS = [
    ("Zhou Weiguo", "Management", "General manager", "Executive sponsor; chairs the steering committee",
     5, 4, "sponsor", "Wants every export account visible to management before the next trade-fair season."),
    ("Lin Hui", "Sales", "Sales director", "Steering committee; owns the sales process design",
     5, 5, "steering", "Has to settle account-ownership disputes between the export teams today, by hand."),
    ("Chen Jing", "Project office", "CRM project manager", "Project manager",
     4, 5, "pm", ""),
    ("Huang Tao", "Export sales", "Export sales manager, Europe", "Key-user lead for the Europe team",
     3, 5, "member", "Keeps about 300 importer contacts in one spreadsheet; keen to stop re-keying quotes."),
    ("Sun Yan", "Export sales", "Export sales manager, North America", "Key user",
     3, 4, None, "Lost the history of two retail-chain accounts when a colleague resigned last year."),
    ("Ma Jun", "Export sales", "Export sales manager, Middle East and Australia", "Key user",
     3, 2, None, "Sceptical about sharing personal contacts; worried about commission on shared accounts."),
    ("Wu Fang", "Customer service", "Customer service lead", "Key user for complaints and sample requests",
     3, 5, None, "Tracks complaints in mailbox folders; asks for one place to see what was promised to whom."),
    ("Wang Lei", "IT", "IT manager", "Evaluation lead; owns integrations and data migration",
     4, 4, "evaluator", "Must connect the CRM to the ERP for prices, orders and payment terms."),
    ("Zhao Li", "Finance", "Finance controller", "Budget owner; credit limits and payment terms",
     4, 2, "viewer", "Approves licence and partner spend; wants overdue payments visible to sales."),
    ("He Qiang", "Production", "Production planner", "Consulted on delivery dates shown to customers",
     2, 3, None, "Needs confirmed orders and sample requests early to plan moulding runs."),
    ("Xu Mei", "Human resources", "Training coordinator", "Trainer; runs the key-user and end-user courses",
     2, 5, "trainer", ""),
    ("Liu Na", "Sales operations", "Customer data analyst", "Data cleansing and reports",
     2, 4, None, "Profiles and de-duplicates the customer lists gathered from the salespeople."),
    ("Deng Bo", "Product development", "Product data supervisor", "Owns the product catalogue and sample room",
     2, 3, None, "Maintains moulding profiles, sizes and finishes; new items are added every month."),
    ("Li Ming", "Human resources", "HR manager", "Informed about role changes and the handover rule",
     2, 2, None, "Wants the account-handover step written into the leaver checklist."),
]

# workstream (index into default_workstreams()) -> lead user, description, {stakeholder: RACI}
WORKSTREAMS = [
    ("pm", "Plan, budget, status reporting and the release roadmap.",
     {"Zhou Weiguo": "A", "Chen Jing": "R", "Lin Hui": "C", "Wang Lei": "C", "Zhao Li": "I"}),
    ("evaluator", "Choosing the CRM vendor and the implementation partner.",
     {"Wang Lei": "A", "Chen Jing": "R", "Lin Hui": "C", "Zhao Li": "C", "Huang Tao": "C", "Zhou Weiguo": "I"}),
    ("steering", "Quotation, sample request, complaint and account-handover processes.",
     {"Lin Hui": "A", "Huang Tao": "R", "Wu Fang": "R", "Sun Yan": "C", "Ma Jun": "C", "He Qiang": "C",
      "Deng Bo": "C", "Zhou Weiguo": "I"}),
    ("evaluator", "Trial migrations of customer lists and the product catalogue; user acceptance tests.",
     {"Wang Lei": "A", "Liu Na": "R", "Deng Bo": "R", "Huang Tao": "C", "Wu Fang": "C", "Lin Hui": "I"}),
    ("trainer", "Key-user and end-user training, champions and adoption measures.",
     {"Chen Jing": "A", "Xu Mei": "R", "Huang Tao": "C", "Li Ming": "C", "Lin Hui": "I", "Sun Yan": "I"}),
    ("pm", "Steering committee, issue and risk registers, decisions.",
     {"Zhou Weiguo": "A", "Chen Jing": "R", "Zhao Li": "C", "Lin Hui": "I", "Wang Lei": "I"}),
]

STATUS_HIGHLIGHTS = [
    "Kick-off held; charter and team list circulated.",
    "Interviews with the three export sales teams done; every source of customer lists catalogued.",
    "Current quotation and sample-request processes mapped with sales and customer service.",
    "Long list of five CRM vendors agreed; requirements workbook out for comment.",
    "Vendor demonstrations booked; first profiling run on the salespeople's spreadsheets.",
    "Two vendors short-listed; duplicate importer records logged as the top data issue.",
    "Steering committee approved the account-ownership rule; partner reference calls completed.",
    "Negotiating with the preferred vendor; product catalogue clean-up started.",
    "Future quotation process agreed with sales; configurator scope confirmed.",
    "Complaint-handling design workshops held with customer service.",
    "Trial migration 1 loaded 4,100 customer records; 11% turned out to be duplicates.",
    "Price-list consolidation behind plan; raised with the steering committee.",
    "Key-user workshop 4 held; draft training plan circulated.",
]

STEERING_PACKS = [
    ("Pack 1: charter, budget and vendor long list. Decided: a packaged cloud CRM with a partner.",
     "Finance asked for a five-year cost view."),
    ("Pack 2: short-list, account-ownership rule, first data profiling results.",
     "Sales director asked for a pilot with the Europe team."),
    ("Pack 3: vendor recommendation, trial migration results, price-list issue escalated.",
     ""),
]

# deliverable, information need, description, purpose, method, frequency, owner, feedback,
# audience, first due (days after project start, or "go-live-N"), log style
COMMUNICATIONS = [
    ("Project status report",
     "Schedule, open issues, top risks, key meetings and milestones",
     "One page on progress, issues and risks, sent every Friday.",
     "Keep sponsor and team on the same picture of progress.",
     DeliveryMethod.EMAIL, Frequency.WEEKLY, "pm", "Reply to the project manager or raise it at Monday's meeting",
     "Project manager; Executive sponsor; Project team", 4, "status"),
    ("Steering committee pack",
     "Status against plan, budget, escalated issues, decisions needed",
     "Slides and decision requests for the monthly steering committee.",
     "Get decisions and support from management.",
     DeliveryMethod.MEETING, Frequency.MONTHLY, "pm", "Minutes and decision log",
     "Steering committee; Executive sponsor", 27, "steering"),
    ("Issue log review",
     "List of issues, resolutions and owners",
     "The issue log shared on the project drive and walked through with the team.",
     "Make sure every issue has an owner and a date.",
     DeliveryMethod.INTRANET, Frequency.WEEKLY, "pm", "Comments in the shared log",
     "Project manager; Executive sponsor; Project team", 7, "issues"),
    ("Data quality scorecard",
     "Duplicates, missing fields and unmatched records per customer list",
     "Figures from the latest profiling run or trial migration.",
     "Show the sales teams how clean their data is and what to fix.",
     DeliveryMethod.EMAIL, Frequency.FORTNIGHTLY, "evaluator", "Data owners reply with corrections",
     "Export sales managers; Customer service lead; Customer data analyst", 35, "data"),
    ("CRM Countdown newsletter",
     "What is changing, when, and why it helps",
     "Short staff newsletter with a story from a key user and the next milestones.",
     "Build interest and answer worries before go-live.",
     DeliveryMethod.NEWSLETTER, Frequency.MONTHLY, "trainer", "Questions box on the intranet",
     "All sales, customer service and sample-room staff", 14, "newsletter"),
    ("Key-user workshop",
     "Process questions and design choices to confirm",
     "Working session with one key user from each sales team and customer service.",
     "Agree how the CRM will be used before it is configured.",
     DeliveryMethod.WORKSHOP, Frequency.FORTNIGHTLY, "trainer", "Workshop notes reviewed by the key users",
     "Key users; Process design workstream", 21, "workshop"),
    ("Training announcements",
     "Course dates, rooms, who attends which session",
     "Invitations and reminders for end-user training.",
     "Get every user trained before go-live.",
     DeliveryMethod.EMAIL, Frequency.FORTNIGHTLY, "trainer", "Enrolment replies to the training coordinator",
     "All CRM users; Their managers", "go-live-63", None),
    ("Notice to importers and agents",
     "New quotation format, single contact for complaints",
     "Letter to overseas customers and agents about the new quotation and complaint process.",
     "Tell customers what changes for them.",
     DeliveryMethod.EMAIL, Frequency.ONCE, "steering", "Replies to the account owner",
     "Overseas importers; Agents", "go-live-14", None),
]

# title, description, raised by, raised (days ago), owner, priority, status, due (days from
# today; None: two weeks after raised), resolution, resolved (days ago)
ISSUES = [
    ("Price lists for EUR and USD customers kept in two unsynchronised spreadsheets",
     "Sales quote from whichever file they have open; the two differ on 140 items. The CRM cannot "
     "load a price list until one is agreed.",
     "member", 40, "steering", Priority.HIGH, IssueStatus.OPEN, -4, "", None),
    ("Product codes in quotation templates refer to retired moulding profiles",
     "About 2,300 active variants (profile x size x finish); quotation templates still list codes "
     "retired last year, which caused two wrong quotes this month.",
     "steering", 35, "evaluator", Priority.CRITICAL, IssueStatus.IN_PROGRESS, -2, "", None),
    ("Salespeople will not hand over personal customer lists until commission is clarified",
     "Ma Jun's team has not sent its lists for profiling. They fear losing commission on shared "
     "accounts.",
     "pm", 30, "steering", Priority.HIGH, IssueStatus.OPEN, -6, "", None),
    ("Same importer recorded under different spellings by three salespeople",
     "Profiling found 'Nordic Art Import', 'Nordic Art Imports AB' and 'NAI Stockholm' as separate "
     "customers, each with its own history.",
     "evaluator", 28, "evaluator", Priority.HIGH, IssueStatus.IN_PROGRESS, 10, "", None),
    ("Complaint history only exists in customer service mailbox folders",
     "Nothing can be migrated automatically; the team needs a template to log open complaints.",
     "member", 21, "pm", Priority.MEDIUM, IssueStatus.OPEN, 14, "", None),
    ("ERP payment terms not mapped, so credit warnings cannot be shown on quotes",
     "Finance wants sales to see overdue balances before quoting; the ERP field needs a mapping "
     "and a nightly sync.",
     "viewer", 45, "evaluator", Priority.MEDIUM, IssueStatus.OPEN, -20, "", None),
    ("Middle East team not released for key-user workshops during trade-fair preparation",
     "Workshops 3 and 4 had no one from the Middle East team.",
     "trainer", 16, "steering", Priority.HIGH, IssueStatus.ON_HOLD, -1, "", None),
    ("Mail server firewall blocks the CRM e-mail integration",
     "The vendor sandbox cannot read the test mailbox; IT security must approve the connection.",
     "evaluator", 9, "evaluator", Priority.MEDIUM, IssueStatus.IN_PROGRESS, 7, "", None),
    ("Sample requests tracked on paper slips in the sample room",
     "No record of which customer received which sample, or when.",
     "member", 12, "member", Priority.LOW, IssueStatus.OPEN, None, "", None),
    ("No rule for who owns a buyer met at the trade-fair booth",
     "Two salespeople logged the same retail chain after the spring fair.",
     "member", 70, "steering", Priority.HIGH, IssueStatus.RESOLVED, None,
     "Steering committee approved the account-ownership rule (see the decision log): the first "
     "qualified contact logged owns the account for 12 months; disputes go to the sales director.",
     52),
    ("Departing salesperson's customer files not handed over",
     "A North America salesperson left with no handover; three open quotations were found only in "
     "his sent items.",
     "steering", 80, "pm", Priority.HIGH, IssueStatus.CLOSED, None,
     "IT recovered the mailbox; HR added an account-handover step to the leaver checklist.",
     66),
    ("Vendor demo environment unavailable for key-user workshop 2",
     "The short-listed vendor's demo tenant expired the day before the workshop.",
     "trainer", 50, "evaluator", Priority.MEDIUM, IssueStatus.CLOSED, None,
     "Vendor extended the demo tenant to the end of the evaluation; workshop re-run the next week.",
     44),
    ("Quotation layout shows frame sizes in centimetres only",
     "North American buyers expect inches; today the salespeople convert by hand.",
     "member", 25, "pm", Priority.LOW, IssueStatus.RESOLVED, None,
     "Quotation template will print both units; confirmed with the vendor in the design workshop.",
     10),
]

LIBRARY_RISKS = {
    # key: owner, probability, impact, status, review (days from today)
    "poor_data_quality": ("evaluator", 5, 5, RiskStatus.MITIGATING, -3),
    "departmental_politics": ("steering", 3, 4, RiskStatus.MITIGATING, 14),
    "resistance_to_change": ("sponsor", 4, 4, RiskStatus.ASSESSED, 7),
    "training_neglected": ("trainer", 2, 4, RiskStatus.MITIGATING, 21),
    "automating_flawed_processes": ("steering", 3, 4, RiskStatus.MITIGATING, 14),
    "scope_creep": ("pm", 4, 3, RiskStatus.ASSESSED, 10),
    "competing_priorities": ("pm", 4, 4, RiskStatus.ASSESSED, -1),
    "low_adoption": ("sponsor", 3, 5, RiskStatus.MITIGATING, 30),
    "partner_on_price": ("evaluator", 2, 4, RiskStatus.CLOSED, None),
    "over_complex_design": ("evaluator", 3, 3, RiskStatus.IDENTIFIED, 28),
}

PROJECT_RISKS = [
    {
        "title": "Account knowledge lost if a senior export salesperson leaves before go-live",
        "description": "Three salespeople hold most of the retail-chain relationships in their own "
        "files. Staff turnover after the year-end bonus is usual.",
        "category": RiskCategory.PEOPLE,
        "probability": 3,
        "impact": 4,
        "owner": "steering",
        "mitigation": "Migrate the biggest accounts first; pair every key account with a second contact.",
        "contingency": "Apply the handover checklist; customer service calls the account within a week.",
        "trigger": "A resignation in the export sales teams.",
        "status": RiskStatus.MITIGATING,
        "review": 14,
    },
    {
        "title": "Peak export season overlaps with user acceptance testing",
        "description": "Autumn orders for the Christmas trade keep sales and customer service busy "
        "exactly when acceptance testing is planned.",
        "category": RiskCategory.PROJECT,
        "probability": 4,
        "impact": 4,
        "owner": "pm",
        "mitigation": "Book tester time with the sales director now; test in half-day slots.",
        "contingency": "Move the go-live of the Middle East team to the second wave.",
        "trigger": "Fewer than half the planned test cases run in the first test week.",
        "status": RiskStatus.ASSESSED,
        "review": 5,
    },
]

# title, description, rationale, impact, decided by, decided (days ago), status, source meeting
DECISIONS = [
    ("Buy a packaged cloud CRM with an implementation partner",
     "No custom development of a CRM; configure a packaged product.",
     "Small IT team; a packaged product brings proven sales and service processes.",
     "Evaluation covers vendors and partners together.",
     "Steering committee", 60, DecisionStatus.APPROVED, "Steering committee 1"),
    ("Account-ownership rule for export customers",
     "The first qualified contact logged in the CRM owns the account for 12 months; the sales "
     "director settles disputes.",
     "Ends disputes between salespeople and makes every account traceable to one owner.",
     "Customer lists must be loaded before the rule starts; commission follows the owner.",
     "Steering committee", 52, DecisionStatus.APPROVED, "Steering committee 2"),
    ("Quote only from the governed product catalogue",
     "Quotations pick profile, size and finish from the catalogue; no free-text product codes.",
     "Wrong codes and prices were the most frequent cause of re-quotes.",
     "Product data supervisor maintains the catalogue; price list must be consolidated first.",
     "Sales director", 30, DecisionStatus.APPROVED, "Key-user workshop 3"),
    ("Log every complaint as a case with a 48-hour first response",
     "Customer service opens a case for every complaint; the account owner is copied.",
     "Complaints were forgotten when they stayed in personal mailboxes.",
     "Needs a complaint category list and an escalation path to production.",
     "Steering committee", 24, DecisionStatus.APPROVED, "Steering committee 3"),
    ("Pilot with the Europe team before the other export teams",
     "The Europe team goes live first; the other teams follow four weeks later.",
     "The Europe team has the cleanest data and a keen key user.",
     "Two go-live dates; training plan split in two waves.",
     "", None, DecisionStatus.PROPOSED, "Weekly project meeting"),
    ("Let salespeople keep private contacts hidden from managers",
     "Request from one team to mark contacts as private.",
     "Rejected: hidden contacts recreate the problem the project solves.",
     "",
     "Steering committee", 52, DecisionStatus.REJECTED, "Steering committee 2"),
]

# title, description, owner, due (days from today), status, source meeting, decision title
ACTIONS = [
    ("Write the account-ownership rule into the sales handbook",
     "", "steering", -20, ActionStatus.DONE, "Steering committee 2", DECISIONS[1][0]),
    ("Collect customer lists from every salesperson",
     "Spreadsheets, mailbox contacts and business-card scans.", "member", -5, ActionStatus.IN_PROGRESS,
     "Steering committee 2", DECISIONS[1][0]),
    ("Add account handover to the leaver checklist",
     "", "viewer", -30, ActionStatus.DONE, "Steering committee 2", DECISIONS[1][0]),
    ("Consolidate the EUR and USD price lists",
     "One list, one owner, loaded from the ERP.", "steering", 9, ActionStatus.OPEN,
     "Key-user workshop 3", DECISIONS[2][0]),
    ("Retire obsolete product codes from the catalogue",
     "", "evaluator", -3, ActionStatus.IN_PROGRESS, "Key-user workshop 3", DECISIONS[2][0]),
    ("Draft the complaint category list",
     "With examples from last year's complaints.", "pm", 6, ActionStatus.OPEN,
     "Steering committee 3", DECISIONS[3][0]),
    ("Ask the vendor for a reference customer in furniture or home decor",
     "", "evaluator", -40, ActionStatus.DONE, "Steering committee 1", DECISIONS[0][0]),
    ("Prepare the pilot scope and dates for the Europe team",
     "", "pm", 12, ActionStatus.OPEN, "Weekly project meeting", DECISIONS[4][0]),
]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def seed(project, users):
    """Governance registers of the demo project (idempotent)."""
    stakeholders = seed_stakeholders(project, users)
    seed_workstreams(project, users, stakeholders)
    seed_communications(project, users)
    seed_issues(project, users)
    seed_risks(project, users)
    seed_decisions(project, users)


def seed_stakeholders(project, users) -> dict:
    result = {}
    for name, department, title, role, influence, interest, user, notes in STAKEHOLDERS:
        email = f"{user}@{EMAIL_DOMAIN}" if user else ".".join(reversed(name.lower().split())) + f"@{EMAIL_DOMAIN}"
        obj, _created = upsert(
            Stakeholder,
            {"project": project, "name": name},
            {
                "department": department,
                "title": title,
                "project_role": role,
                "influence": influence,
                "interest": interest,
                "email": email,
                "user": users.get(user) if user else None,
                "notes": notes,
            },
        )
        result[name] = obj
    return result


def seed_workstreams(project, users, stakeholders):
    for name, (lead, description, cells) in zip(default_workstreams(), WORKSTREAMS, strict=True):
        workstream, _created = upsert(
            Workstream, {"project": project, "name": name}, {"lead": users[lead], "description": description}
        )
        for person, role in cells.items():
            set_raci(project, workstream, stakeholders[person], Raci(role))


def seed_communications(project, users):
    start = project.start_date
    go_live = project.target_go_live
    today = timezone.localdate()
    for (deliverable, need, description, purpose, method, frequency, owner, feedback, audience, first,
         style) in COMMUNICATIONS:
        if isinstance(first, str):
            first_due = go_live - datetime.timedelta(days=int(first.rsplit("-", 1)[1]))
        else:
            first_due = start + datetime.timedelta(days=first)
        item, _created = upsert(
            CommunicationItem,
            {"project": project, "deliverable": deliverable},
            {
                "information_need": need,
                "description": description,
                "purpose": purpose,
                "delivery_method": method,
                "frequency": frequency,
                "owner": users[owner],
                "feedback": feedback,
                "audience": audience,
                "start_date": first_due,
                "end_date": go_live + datetime.timedelta(days=90) if frequency != Frequency.ONCE else None,
                "active": True,
            },
        )
        if style is None:
            continue
        dates = []
        n = 0
        while (due := schedule.occurrence(frequency, first_due, n)) <= today:
            dates.append(due)
            n += 1
        if style == "issues":
            dates = dates[:-2]  # the last two reviews were skipped: the item shows as overdue
        for index, sent_on in enumerate(dates):
            summary, feedback_text = log_text(style, index)
            upsert(
                CommunicationLog,
                {"project": project, "item": item, "summary": summary},
                {"sent_on": sent_on, "sent_by": users[owner], "feedback_received": feedback_text},
                by=users[owner],
            )


def log_text(style: str, index: int) -> tuple[str, str]:
    number = index + 1
    if style == "status":
        highlight = STATUS_HIGHLIGHTS[index] if index < len(STATUS_HIGHLIGHTS) else "Progress, issues and risks updated."
        feedback = "Sponsor asked for the data-quality figures in the next report." if number == 11 else ""
        return f"Status report {number}: {highlight}", feedback
    if style == "steering":
        if index < len(STEERING_PACKS):
            text, feedback = STEERING_PACKS[index]
            return text, feedback
        return f"Pack {number}: status, budget, escalations and decisions.", ""
    if style == "issues":
        return f"Issue log review {number}: open issues walked through, owners and dates confirmed.", ""
    if style == "data":
        return f"Scorecard {number}: duplicates and missing fields per customer list.", (
            "Europe team corrected 60 records." if number == 2 else ""
        )
    if style == "newsletter":
        return f"CRM Countdown issue {number}.", ("Three questions about commission on shared accounts." if number == 1 else "")
    return f"Key-user workshop {number}: notes and open questions circulated.", ""


def seed_issues(project, users):
    for (title, description, raised_by, raised_ago, owner, priority, status, due, resolution,
         resolved_ago) in ISSUES:
        upsert(
            Issue,
            {"project": project, "title": title},
            {
                "description": description,
                "raised_by": users[raised_by],
                "raised_on": days(-raised_ago),
                "owner": users[owner],
                "priority": priority,
                "status": status,
                "due_date": days(due) if due is not None else days(-raised_ago + 14),
                "resolution": resolution,
                "resolved_on": days(-resolved_ago) if resolved_ago is not None else None,
            },
            by=users[raised_by],
        )


def seed_risks(project, users):
    with translation.override("en"):
        add_risks_from_library(project, list(LIBRARY_RISKS), owner=users["pm"])
    for key, (owner, probability, impact, status, review) in LIBRARY_RISKS.items():
        upsert(
            Risk,
            {"project": project, "library_key": key},
            {
                "owner": users[owner],
                "probability": probability,
                "impact": impact,
                "status": status,
                "review_date": days(review) if review is not None else None,
            },
        )
    for spec in PROJECT_RISKS:
        values = {k: v for k, v in spec.items() if k not in {"title", "owner", "review"}}
        values["owner"] = users[spec["owner"]]
        values["review_date"] = days(spec["review"])
        upsert(Risk, {"project": project, "title": spec["title"]}, values)


def seed_decisions(project, users):
    decisions = {}
    for title, description, rationale, impact, decided_by, decided_ago, status, meeting in DECISIONS:
        decision, _created = upsert(
            Decision,
            {"project": project, "title": title},
            {
                "description": description,
                "rationale": rationale,
                "impact": impact,
                "decided_by": decided_by,
                "decided_on": days(-decided_ago) if decided_ago is not None else None,
                "status": status,
                "source_meeting": meeting,
            },
        )
        decisions[title] = decision
    for title, description, owner, due, status, meeting, decision in ACTIONS:
        upsert(
            ActionItem,
            {"project": project, "title": title},
            {
                "description": description,
                "owner": users[owner],
                "due_date": days(due),
                "status": status,
                "source_meeting": meeting,
                "decision": decisions[decision],
            },
        )


# --- Scale test --------------------------------------------------------------------------------

SCALE_DEPARTMENTS = ["Export sales", "Customer service", "IT", "Finance", "Production", "Product development"]
SCALE_TOPICS = [
    "duplicate customer records", "price list mismatch", "missing payment terms", "sample request backlog",
    "complaint not answered", "wrong moulding code", "account ownership dispute", "integration error",
    "training room unavailable", "report figures differ from ERP",
]


def scale(project, members, count, rng):
    """`count` synthetic rows in each governance register.

    Workstreams: count/100 in all, at least the 6 defaults; escalation rules: the 3 defaults.
    """
    from projectcrm.core.management.commands.seed_scale import bulk

    pm = members[0]
    today = timezone.localdate()

    def day(offset_low, offset_high):
        return today + datetime.timedelta(days=rng.randint(offset_low, offset_high))

    stakeholders = bulk(
        Stakeholder,
        [
            Stakeholder(
                project=project,
                name=f"Stakeholder {i:05d}",
                department=rng.choice(SCALE_DEPARTMENTS),
                title="Manager",
                project_role="Key user" if i % 3 else "Consulted",
                influence=rng.randint(1, 5),
                interest=rng.randint(1, 5),
                email=f"stakeholder{i}@scale.example",
            )
            for i in range(1, count + 1)
        ],
        pm,
    )
    existing = Workstream.objects.filter(project=project).count()  # the defaults
    bulk(
        Workstream,
        [
            Workstream(project=project, name=f"Workstream {i:04d}", description="Synthetic workstream.",
                       lead=rng.choice(members))
            for i in range(1, max(6, count // 100) - existing + 1)
        ],
        pm,
    )
    workstreams = list(Workstream.objects.filter(project=project).order_by("pk"))
    from .models import RaciAssignment

    bulk(
        RaciAssignment,
        [
            RaciAssignment(
                project=project,
                workstream=workstreams[i % len(workstreams)],
                stakeholder=stakeholder,
                role="A" if i < len(workstreams) else rng.choice("RCI"),
            )
            for i, stakeholder in enumerate(stakeholders)
        ],
        pm,
    )
    items = bulk(
        CommunicationItem,
        [
            CommunicationItem(
                project=project,
                deliverable=f"Communication {i:05d}",
                description="Synthetic communication plan row.",
                delivery_method=rng.choice(DeliveryMethod.values),
                frequency=rng.choice(Frequency.values),
                owner=rng.choice(members),
                audience="Project team; Steering committee",
                start_date=day(-120, 30),
            )
            for i in range(1, count + 1)
        ],
        pm,
    )
    bulk(
        CommunicationLog,
        [
            CommunicationLog(
                project=project,
                item=rng.choice(items),
                sent_on=day(-90, 0),
                sent_by=rng.choice(members),
                summary=f"Sent {i}.",
            )
            for i in range(1, count + 1)
        ],
        pm,
    )
    issues = []
    for i in range(1, count + 1):
        status = rng.choice(IssueStatus.values)
        raised = day(-200, 0)
        issues.append(
            Issue(
                project=project,
                number=i,
                title=f"Issue {i}: {rng.choice(SCALE_TOPICS)}",
                description="Synthetic issue.",
                raised_by=rng.choice(members),
                raised_on=raised,
                owner=rng.choice(members),
                priority=rng.choice(Priority.values),
                status=status,
                due_date=raised + datetime.timedelta(days=rng.randint(3, 60)),
                resolution="Resolved in the synthetic data." if status in (IssueStatus.RESOLVED, IssueStatus.CLOSED) else "",
            )
        )
    bulk(Issue, issues, pm)
    bulk(
        Risk,
        [
            Risk(
                project=project,
                number=i,
                title=f"Risk {i}: {rng.choice(SCALE_TOPICS)}",
                category=rng.choice(RiskCategory.values),
                probability=rng.randint(1, 5),
                impact=rng.randint(1, 5),
                owner=rng.choice(members),
                mitigation="Synthetic mitigation.",
                status=rng.choice(RiskStatus.values),
                review_date=day(-30, 60),
            )
            for i in range(1, count + 1)
        ],
        pm,
    )
    decisions = bulk(
        Decision,
        [
            Decision(
                project=project,
                number=i,
                title=f"Decision {i}",
                decided_by="Steering committee",
                decided_on=day(-200, 0),
                status=rng.choice(DecisionStatus.values),
                source_meeting=f"Steering committee {i % 12 + 1}",
            )
            for i in range(1, count + 1)
        ],
        pm,
    )
    bulk(
        ActionItem,
        [
            ActionItem(
                project=project,
                number=i,
                title=f"Action {i}: follow up {rng.choice(SCALE_TOPICS)}",
                owner=rng.choice(members),
                due_date=day(-60, 60),
                status=rng.choice(ActionStatus.values),
                source_meeting=f"Weekly project meeting {i % 40 + 1}",
                decision=rng.choice(decisions) if i % 2 else None,
            )
            for i in range(1, count + 1)
        ],
        pm,
    )
