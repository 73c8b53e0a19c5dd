"""Testing demo data for Lumen Frames: an ERP interface test plan, the pilot's UAT plan, test cases
for quoting, trade-fair leads, sample requests and complaints, two UAT rounds and their defects.

`seed(project, users)` is called by `manage.py seed_demo` and is idempotent: every row is found by a
natural key (a name, a title, or cycle + case for an execution) and saved only when a value
differs. Dates are relative to today. Demo text is English, as a project team there would write it.
"""

import datetime

from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import upsert
from projectcrm.governance.choices import Priority

from .choices import DEFECT_DONE, CycleStatus, DefectStatus, PlanStatus, PlanType, Result, Severity
from .models import Defect, Execution, TestCase, TestCycle, TestPlan

ERP_PLAN = "ERP interface: prices, accounts and orders"
UAT_PLAN = "Pilot UAT: Europe export sales team"

# name -> type, status, start/end (days from today), owner, scope, approach, environments,
# entry criteria, exit criteria, responsible
PLANS = {
    ERP_PLAN: (
        PlanType.INTEGRATION, PlanStatus.IN_PROGRESS, -42, 10, "evaluator",
        "Price lists, volume discounts and customer accounts synchronised from the ERP; confirmed "
        "quotations sent back to the ERP as sales orders.",
        "Scripted system and integration tests by the partner and IT, run on every interface build; "
        "results reconciled against ERP extracts.",
        "CRM sandbox connected to the ERP test company (copy of production, refreshed weekly).",
        "Interface build deployed to the sandbox; ERP test company refreshed; price list 2025-B loaded.",
        "Every interface case passed; no open severity-1 or severity-2 defect on the interface.",
        "Wang Lei (IT), partner integration consultant, Liu Na (data).",
    ),
    UAT_PLAN: (
        PlanType.UAT, PlanStatus.IN_PROGRESS, -28, 7, "member",
        "The pilot's daily work: quotations from the price list, trade-fair leads, lead assignment by "
        "region, sample requests, converting leads to accounts, complaints as cases.",
        "Key users run the cases with their own customers' (anonymised) data in two rounds; defects "
        "are fixed between rounds and retested in round 2.",
        "CRM UAT environment with migrated data from trial migration 2; ERP test company.",
        "System and integration tests passed; key users trained; UAT data loaded and checked.",
        "At least 95% of the executed cases passed; no open severity-1 defect and no open "
        "severity-2 defect; the sales director signs off.",
        "Huang Tao (key-user lead), Wu Fang (customer service), Xu Mei (coordination).",
    ),
}

# title -> home plan, priority, tags, preconditions, steps, test data, use cases, business rules
CASES = {
    "Quotation priced from the ERP price list": (
        ERP_PLAN, Priority.HIGH, "quotation, price list, erp",
        "Price list 2025-B synchronised from the ERP; importer account with price group EU-A.",
        "Open the importer account and create a quotation | A draft quotation with the account's currency (EUR) and price group\n"
        "Add moulding profile LF-2041 oak, 40 x 50 cm, 200 pieces | The unit price is the price-list price for EU-A\n"
        "Change the finish to antique gold | The unit price changes to the antique-gold price\n"
        "Print the quotation to PDF | The PDF shows item, size, finish, unit price and payment terms",
        "Account: Nordhaus Bilderrahmen GmbH (EU-A); item LF-2041.",
        "UC-03 Create quotation", "BR-11 Prices come from the ERP price list only",
    ),
    "Volume discount applied on quotation lines": (
        ERP_PLAN, Priority.HIGH, "quotation, discount, erp",
        "Volume-discount scale synchronised from the ERP: 3% from 500 pieces, 5% from 1,000.",
        "Create a quotation with 450 pieces of LF-2041 | No volume discount on the line\n"
        "Change the quantity to 600 pieces | A 3% volume discount is shown on the line\n"
        "Change the quantity to 1,200 pieces | A 5% volume discount is shown on the line\n"
        "Confirm the quotation | A sales order with the same net prices arrives in the ERP",
        "Account: Nordhaus Bilderrahmen GmbH; item LF-2041.",
        "UC-03 Create quotation; UC-07 Confirm order", "BR-12 Volume discount by quantity per line",
    ),
    "Lead captured from a trade-fair badge scan": (
        UAT_PLAN, Priority.HIGH, "lead, trade fair",
        "Scanner export from the Ambiente stand (CSV) available.",
        "Import the scanner CSV into leads | One lead per scanned badge, source Ambiente\n"
        "Open a lead with a German company name with umlauts | The company name is shown exactly as scanned\n"
        "Add the visit note and the moulding profiles shown | The note and products are saved on the lead\n"
        "Scan the same badge again and import | No duplicate lead; the existing lead gets a second visit",
        "File ambiente_scans_day1.csv (42 badges).",
        "UC-01 Capture lead", "BR-02 One lead per contact e-mail",
    ),
    "Lead assigned to the sales manager of its region": (
        UAT_PLAN, Priority.HIGH, "lead, assignment, region",
        "Regions set up: Europe, North America, Middle East and Australia, each with one sales manager.",
        "Create a lead with country Germany | Assigned to Huang Tao (Europe)\n"
        "Create a lead with country Canada | Assigned to Sun Yan (North America)\n"
        "Create a lead with country United Arab Emirates | Assigned to Ma Jun (Middle East and Australia)\n"
        "Open the new-leads view of Ma Jun | The UAE lead is listed and a notification was sent",
        "Three test leads, one per country.",
        "UC-02 Assign lead", "BR-04 Leads are owned by the sales manager of their region",
    ),
    "Sample request sent to the sample room": (
        UAT_PLAN, Priority.MEDIUM, "sample request",
        "Account with an open opportunity; sample items flagged in the product catalogue.",
        "Create a sample request from the opportunity | A sample request linked to the account and opportunity\n"
        "Add three corner samples and one finish card | Only items flagged as samples can be chosen\n"
        "Submit the request | The sample room queue shows the request with a due date five working days ahead\n"
        "Mark the samples as shipped with the courier number | The account timeline shows the shipment",
        "Account: Maison Cadre SARL; samples LF-2041-C, LF-3310-C, LF-0907-C, finish card FC-12.",
        "UC-05 Request samples", "BR-15 Samples ship within five working days",
    ),
    "Convert a qualified lead to an account and contact": (
        UAT_PLAN, Priority.HIGH, "lead, account, conversion",
        "Qualified lead from a trade fair with company, contact and country.",
        "Open the qualified lead and choose Convert | The conversion dialog proposes a new account and contact\n"
        "Convert with a new opportunity for the spring range | Account, contact and opportunity are created\n"
        "Open the new account | The owner is the lead's owner and the trade-fair visit is in the history\n"
        "Search for the lead | The lead shows as converted with a link to the account",
        "Lead: Galleria Nord S.r.l., Milan.",
        "UC-04 Convert lead", "BR-05 The lead owner becomes the account owner",
    ),
    "Existing customer found on conversion (no duplicate)": (
        UAT_PLAN, Priority.MEDIUM, "lead, account, duplicates",
        "The account Nordhaus Bilderrahmen GmbH exists; a lead with the same VAT number is qualified.",
        "Convert the lead | The dialog warns that the account already exists\n"
        "Choose the existing account | The contact is added to the existing account\n"
        "Open the account | One account, with the new contact and the lead's history",
        "Lead: Nordhaus Bilderrahmen (Frankfurt fair), VAT DE123456789.",
        "UC-04 Convert lead", "BR-03 One account per customer (VAT number)",
    ),
    "Complaint logged as a case with a 48-hour first response": (
        UAT_PLAN, Priority.HIGH, "complaint, case, service level",
        "Customer service queue set up with the 48-hour first-response service level.",
        "Log a complaint from the account (damaged corners on delivery) | A case with type Complaint and the 48-hour target time\n"
        "Attach the customer's photos and the order number | The case shows the photos and links to the order\n"
        "Leave the case without response for 40 hours (time shifted in UAT) | The case owner and the customer service lead are warned\n"
        "Record the first response | The first-response time is stored and the service level shows as met",
        "Account: Maison Cadre SARL; order SO-24-1187.",
        "UC-09 Handle complaint", "BR-20 First response to a complaint within 48 hours",
    ),
}

# The UAT rounds: name -> start, end (days from today), status, build, environment, business area,
# testers, min pass rate
CYCLES = {
    "UAT round 1": (-24, -20, CycleStatus.DONE, "CRM 1.3 / interface 0.9", "UAT", "Export sales (Europe)",
                    ("member", "trainer")),
    "UAT round 2": (-4, 3, CycleStatus.IN_PROGRESS, "CRM 1.4 / interface 1.0", "UAT", "Export sales (Europe)",
                    ("member", "trainer")),
}

# (cycle, case) -> tester, days from today, hour, result, step results, actual result
EXECUTIONS = {
    "UAT round 1": [
        ("Quotation priced from the ERP price list", "member", -24, 10.0, Result.PASSED, "", ""),
        ("Volume discount applied on quotation lines", "member", -24, 11.5, Result.FAILED,
         "1 | passed\n2 | failed | No discount on the line at 600 pieces; the net price equals the list price\n"
         "3 | passed\n4 | not run",
         "The 3% band is not applied: the interface loads only the 1,000-piece band."),
        ("Lead captured from a trade-fair badge scan", "trainer", -23, 9.5, Result.FAILED,
         "1 | passed\n2 | failed | “Bilderrahmen Müller” is shown as “Bilderrahmen M?ller”\n3 | passed\n4 | passed",
         "Umlauts and other accented letters are lost on import."),
        ("Lead assigned to the sales manager of its region", "member", -23, 14.0, Result.PASSED, "", ""),
        ("Sample request sent to the sample room", "trainer", -22, 10.0, Result.BLOCKED,
         "1 | passed\n2 | blocked | No item can be chosen: no catalogue item is flagged as a sample",
         "Blocked: the sample flag was not migrated with the product catalogue."),
        ("Convert a qualified lead to an account and contact", "member", -22, 15.0, Result.PASSED, "", ""),
        ("Existing customer found on conversion (no duplicate)", "member", -21, 10.5,
         Result.PASSED_WITH_REMARKS, "",
         "Works; the warning names the account but not its owner, which sales would like to see."),
        ("Complaint logged as a case with a 48-hour first response", "trainer", -20, 11.0, Result.FAILED,
         "1 | passed\n2 | passed\n3 | failed | No warning was sent after 40 hours\n4 | passed",
         "The escalation rule was not active in the UAT environment."),
    ],
    "UAT round 2": [
        ("Quotation priced from the ERP price list", "member", -4, 10.0, Result.PASSED, "", ""),
        ("Volume discount applied on quotation lines", "member", -4, 11.0, Result.PASSED, "", ""),
        ("Lead captured from a trade-fair badge scan", "trainer", -3, 9.5, Result.PASSED, "", ""),
        ("Lead assigned to the sales manager of its region", "member", -3, 14.0, Result.FAILED,
         "1 | passed\n2 | passed\n3 | failed | The UAE lead was assigned to Huang Tao (Europe)\n4 | not run",
         "Leads from the Middle East fall back to the Europe queue since the region table was reloaded."),
        ("Sample request sent to the sample room", "trainer", -2, 10.0, Result.PASSED, "", ""),
        ("Convert a qualified lead to an account and contact", "member", -2, 15.0, Result.PASSED, "", ""),
        ("Existing customer found on conversion (no duplicate)", "member", -1, 10.5, Result.PASSED, "", ""),
        ("Complaint logged as a case with a 48-hour first response", "trainer", -1, 11.0,
         Result.PASSED_WITH_REMARKS, "",
         "Warning arrives after 40 hours; the e-mail subject is in English only."),
    ],
}

# title -> cycle, case, step, severity, priority, status, assignee, raised by, description, use cases
DEFECTS = {
    "Volume discount band for 500+ pieces not loaded from the ERP": (
        "UAT round 1", "Volume discount applied on quotation lines", 2, Severity.MAJOR, Priority.HIGH,
        DefectStatus.CLOSED, "evaluator", "member",
        "The interface reads only the last discount band per price group, so 600 pieces get no discount. "
        "Fixed in interface 1.0; retested in round 2.",
        "UC-03 Create quotation",
    ),
    "Accented letters lost when importing trade-fair scans": (
        "UAT round 1", "Lead captured from a trade-fair badge scan", 2, Severity.MINOR, Priority.MEDIUM,
        DefectStatus.CLOSED, "evaluator", "trainer",
        "The scanner CSV is UTF-8 but was read as Latin-1. The import now detects the encoding.",
        "UC-01 Capture lead",
    ),
    "Sample flag missing on migrated catalogue items": (
        "UAT round 1", "Sample request sent to the sample room", 2, Severity.MAJOR, Priority.HIGH,
        DefectStatus.FIXED, "evaluator", "trainer",
        "The migration mapping left out the ERP field that marks sample items. Mapping corrected; "
        "waiting for the next trial migration to confirm.",
        "UC-05 Request samples",
    ),
    "Middle East leads assigned to the Europe sales manager": (
        "UAT round 2", "Lead assigned to the sales manager of its region", 3, Severity.MAJOR, Priority.HIGH,
        DefectStatus.IN_PROGRESS, "evaluator", "member",
        "Since the region table was reloaded, countries of the Middle East and Australia region have no "
        "region, and the assignment rule falls back to Europe. Ma Jun would not see his leads.",
        "UC-02 Assign lead",
    ),
}


def at(day: datetime.date, hour: float) -> datetime.datetime:
    minutes = round(hour * 60)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60)))


def set_if_different(manager, wanted) -> None:
    if set(manager.values_list("pk", flat=True)) != {obj.pk for obj in wanted}:
        manager.set(wanted)


def seed(project, users):
    """Testing registers of the demo project (idempotent)."""
    today = timezone.localdate()
    days = lambda n: today + datetime.timedelta(days=n)  # noqa: E731

    plans = {}
    for name, (plan_type, status, start, end, owner, scope, approach, environments, entry, exit_, people) in PLANS.items():
        plans[name], _created = upsert(
            TestPlan,
            {"project": project, "name": name},
            {
                "plan_type": plan_type, "status": status, "start": days(start), "end": days(end),
                "owner": users[owner], "scope": scope, "approach": approach, "environments": environments,
                "entry_criteria": entry, "exit_criteria": exit_, "responsible": people,
            },
        )

    cases = {}
    for title, (plan, priority, tags, preconditions, steps, data, use_cases, rules) in CASES.items():
        cases[title], _created = upsert(
            TestCase,
            {"project": project, "title": title},
            {
                "plan": plans[plan], "priority": priority, "tags": tags, "preconditions": preconditions,
                "steps": steps, "test_data": data, "use_cases": use_cases, "business_rules": rules,
            },
        )

    cycles = {}
    for name, (start, end, status, build, environment, area, testers) in CYCLES.items():
        cycle, _created = upsert(
            TestCycle,
            {"project": project, "name": name},
            {
                "plan": plans[UAT_PLAN], "start": days(start), "end": days(end), "status": status,
                "build": build, "environment": environment, "business_area": area,
                "min_pass_rate": 95, "max_open_critical": 0, "max_open_major": 0, "all_cases_executed": True,
            },
        )
        set_if_different(cycle.cases, [cases[title] for title, *_rest in EXECUTIONS[name]])
        set_if_different(cycle.testers, [users[t] for t in testers])
        cycles[name] = cycle

    executions = {}
    for name, rows in EXECUTIONS.items():
        cycle = cycles[name]
        for title, tester, day, hour, result, step_results, actual in rows:
            executions[name, title], _created = upsert(
                Execution,
                {"project": project, "cycle": cycle, "case": cases[title]},
                {
                    "tester": users[tester], "result": result, "step_results": step_results,
                    "actual_result": actual, "executed_at": at(days(day), hour),
                    "build": cycle.build, "environment": cycle.environment,
                },
                by=users[tester],
            )

    for title, (cycle, case, step, severity, priority, status, assignee, raised_by, description, use_cases) in (
        DEFECTS.items()
    ):
        upsert(
            Defect,
            {"project": project, "title": title},
            {
                "cycle": cycles[cycle], "case": cases[case], "execution": executions[cycle, case],
                "step_number": step, "severity": severity, "priority": priority, "status": status,
                "assignee": users[assignee], "raised_by": users[raised_by], "description": description,
                "use_cases": use_cases,
            },
            by=users[raised_by],
        )


def backdate_defects(project) -> None:
    """Give the demo's defects a past: raised when their execution (or mock run) found them, and the
    closed or rejected ones closed some days later, so the arrival and closure chart has weeks to show.

    Deterministic, so seeding again changes nothing: each defect's creation time and first history row
    take the day it was found; a defect recorded as already closed gets the history of a defect raised
    as new and closed on the closure day (its own history row, moved to that day).
    """
    today = timezone.localdate()
    history = Defect.history.model
    for defect in Defect.objects.filter(project=project).select_related("execution").prefetch_related(
        "run_objects__run"
    ):
        found = None
        if defect.execution_id and defect.execution.executed_at:
            found = timezone.localtime(defect.execution.executed_at).date()
        else:
            runs = [ro.run.run_date for ro in defect.run_objects.all()]
            found = min(runs) + datetime.timedelta(days=1) if runs else None
        if found is None:
            continue
        found = min(found, today - datetime.timedelta(days=1))
        raised = at(found, 15)
        if defect.created != raised:
            Defect.objects.filter(pk=defect.pk).update(created=raised)
        rows = list(history.objects.filter(id=defect.pk).order_by("history_date", "history_id"))
        if not rows:
            continue
        first = rows[0]
        if defect.status in DEFECT_DONE and len(rows) == 1:
            # Recorded closed straight away: keep that row as the closure, add the raising before it.
            closed_row = first
            first = history.objects.get(pk=first.pk)
            first.pk = None
            first.history_id = None
            first.status = DefectStatus.NEW
            first.history_type = "+"
            first.history_date = raised
            first.save()
            closed = at(min(found + datetime.timedelta(days=4 + defect.number % 5), today), 11)
            history.objects.filter(pk=closed_row.pk).update(history_type="~", history_date=closed)
        elif first.history_date != raised:
            history.objects.filter(pk=first.pk).update(history_date=raised)
