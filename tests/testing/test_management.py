"""Test management: plans, cases, cycles, executions, defects and UAT sign-off, through the models,
testing.services and the pages."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from projectcrm.core.choices import ImportStatus
from projectcrm.core.models import ImportJob
from projectcrm.governance.choices import Priority
from projectcrm.governance.models import Issue
from testing import services
from testing.choices import DefectStatus, PlanType, Result, Severity, SignOffStatus
from testing.models import Defect, Execution, TestCase, TestCycle, TestPlan, UatSignOff

pytestmark = pytest.mark.django_db

STEPS = (
    "Open a new quote for Harbour Gallery | The quote form opens with the customer's price list\n"
    "Add 3 × oak frame F-20 | The line total is 3 × the unit price\n"
    "Send the quote for approval | The sales manager sees it in the approval queue"
)


def turl(name, project, **kwargs):
    return reverse(f"testing:{name}", kwargs={"project": project.pk, **kwargs})


def make_case(project, title="Quote with volume discount", steps=STEPS, **extra):
    return TestCase.objects.create(project=project, title=title, steps=steps, **extra)


@pytest.fixture
def uat(project, users):
    """A UAT plan and cycle with two cases, tester 'member'."""
    plan = TestPlan.objects.create(project=project, name="UAT sales", plan_type=PlanType.UAT, owner=users["pm"])
    cycle = TestCycle.objects.create(project=project, plan=plan, name="UAT round 1", business_area="Sales", build="1.4.0")
    first = make_case(project, plan=plan)
    second = make_case(project, title="Convert a lead to an account", plan=plan,
                       steps="Open lead L-1 | The lead shows\nConvert | An account and a contact are created")
    cycle.cases.set([first, second])
    cycle.testers.set([users["member"]])
    return {"plan": plan, "cycle": cycle, "cases": [first, second]}


def execute(project, cycle, case, result, step_results="", tester=None):
    return Execution.objects.create(project=project, cycle=cycle, case=case, result=result, step_results=step_results,
                                    tester=tester)


# --- Models ------------------------------------------------------------------------------------


def test_references_and_case_steps(project, uat):
    plan, cycle, (first, _second) = uat["plan"], uat["cycle"], uat["cases"]
    assert plan.ref == "TP-001" and cycle.ref == "CYC-001" and first.ref == "TC-001"
    assert [s.expected for s in first.step_list][1] == "The line total is 3 × the unit price"
    case = make_case(project, tags=" pricing,, discount ,")
    assert case.tags == "pricing, discount" and case.tag_list == ["pricing", "discount"]


def test_a_case_needs_steps(project):
    with pytest.raises(ValidationError) as caught:
        TestCase(project=project, title="Empty", steps="  \n ").full_clean()
    assert "steps" in caught.value.message_dict


def test_dates_and_pass_rate_are_checked_by_the_database(project, uat):
    with pytest.raises(ValidationError) as caught:
        TestPlan(project=project, name="Bad", start=datetime.date(2025, 5, 2), end=datetime.date(2025, 5, 1)).full_clean()
    assert "The end date cannot be before the start date." in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        TestCycle.objects.create(project=project, plan=uat["plan"], name="Too strict", min_pass_rate=101)


def test_an_execution_must_run_one_of_the_cycles_cases(project, uat):
    stranger = make_case(project, title="Not in the cycle")
    execution = Execution(project=project, cycle=uat["cycle"], case=stranger, result=Result.PASSED)
    with pytest.raises(ValidationError) as caught:
        execution.full_clean()
    assert "case" in caught.value.message_dict
    execution = Execution(project=project, cycle=uat["cycle"], case=uat["cases"][0], step_results="1 | perhaps")
    with pytest.raises(ValidationError) as caught:
        execution.full_clean()
    assert "step_results" in caught.value.message_dict


def test_an_execution_takes_time_build_and_environment(project, uat):
    execution = execute(project, uat["cycle"], uat["cases"][0], Result.PASSED)
    assert execution.executed_at is not None and execution.build == "1.4.0"
    assert execute(project, uat["cycle"], uat["cases"][0], Result.NOT_RUN).executed_at is None


def test_the_latest_execution_of_a_case_counts(project, uat):
    cycle, (first, second) = uat["cycle"], uat["cases"]
    early = datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC)
    Execution.objects.create(project=project, cycle=cycle, case=first, result=Result.FAILED, executed_at=early)
    Execution.objects.create(project=project, cycle=cycle, case=first, result=Result.PASSED_WITH_REMARKS,
                             executed_at=early + datetime.timedelta(days=1))
    Execution.objects.create(project=project, cycle=cycle, case=second, result=Result.BLOCKED, executed_at=early)
    counts = services.cycle_counts(cycle)
    assert (counts.cases, counts.executed, counts.passed, counts.failed, counts.blocked) == (2, 2, 1, 0, 1)


# --- Defect from a failed step -------------------------------------------------------------------


def test_a_failed_step_raises_a_defect_in_one_action(project, users, uat):
    cycle, case = uat["cycle"], uat["cases"][0]
    execution = execute(project, cycle, case, Result.PASSED, "1 | passed\n2 | failed | The total shows 0.00", users["member"])
    defect = services.raise_defect_from_step(execution, 2, users["member"])
    execution.refresh_from_db()
    assert execution.result == Result.FAILED and execution.version == 2
    assert defect.ref == "DEF-001" and defect.severity == Severity.MAJOR and defect.status == DefectStatus.NEW
    assert (defect.execution, defect.case, defect.cycle, defect.step_number) == (execution, case, cycle, 2)
    assert defect.title == "TC-001 step 2 failed"
    assert "Step 2: Add 3 × oak frame F-20" in defect.description
    assert "Expected: The line total is 3 × the unit price" in defect.description
    assert "Actual: The total shows 0.00" in defect.description
    assert defect.history.first().history_user == users["member"]


def test_a_step_not_yet_recorded_is_marked_failed(project, users, uat):
    execution = execute(project, uat["cycle"], uat["cases"][0], Result.NOT_RUN, "1 | passed")
    services.raise_defect_from_step(execution, 3, users["pm"], title="Approval queue empty", severity=Severity.CRITICAL)
    execution.refresh_from_db()
    assert execution.step_results == "1 | passed\n3 | failed"
    assert execution.tester == users["pm"] and execution.executed_at is not None
    assert Defect.objects.get().title == "Approval queue empty"


def test_raising_a_defect_is_refused_for_unknown_steps_and_viewers(project, users, uat):
    execution = execute(project, uat["cycle"], uat["cases"][0], Result.FAILED)
    with pytest.raises(ValidationError, match="has no step 9"):
        services.raise_defect_from_step(execution, 9, users["pm"])
    with pytest.raises(PermissionDenied):
        services.raise_defect_from_step(execution, 1, users["viewer"])
    assert not Defect.objects.exists()


def test_the_execution_page_offers_a_defect_per_failed_step(project, users, uat, client_for):
    execution = execute(project, uat["cycle"], uat["cases"][0], Result.FAILED, "1 | passed\n2 | failed | wrong total")
    page = client_for("member").get(turl("executions-detail", project, pk=execution.pk)).content.decode()
    assert page.count("Raise defect") == 1
    assert turl("execution-raise-defect", project, pk=execution.pk) in page
    response = client_for("member").post(turl("execution-raise-defect", project, pk=execution.pk), {"step": "2", "severity": "1"})
    defect = Defect.objects.get()
    assert response.status_code == 302 and response["Location"] == defect.get_absolute_url()
    assert defect.severity == Severity.CRITICAL and defect.raised_by == users["member"]
    page = client_for("viewer").get(turl("executions-detail", project, pk=execution.pk)).content.decode()
    assert defect.ref in page and "Raise defect" not in page
    # A bad step answers with the reason on the execution's page.
    response = client_for("member").post(turl("execution-raise-defect", project, pk=execution.pk), {"step": "7"}, follow=True)
    assert "has no step 7" in response.content.decode()


# --- Defect workflow and escalation --------------------------------------------------------------


def test_the_defect_workflow_refuses_skipped_steps(project, users):
    defect = Defect.objects.create(project=project, title="Rounding")
    with pytest.raises(ValidationError) as caught:
        services.change_defect_status(defect, DefectStatus.CLOSED, users["member"])
    assert "cannot go from “New” to “Closed”" in caught.value.messages[0]
    assert "Triaged, Rejected" in caught.value.messages[0]
    for status in ["triaged", "in_progress", "fixed", "retest", "in_progress", "fixed", "retest", "closed", "retest"]:
        defect = services.change_defect_status(defect, status, users["member"])
    assert defect.status == DefectStatus.RETEST and defect.version == 10
    with pytest.raises(PermissionDenied):
        services.change_defect_status(defect, DefectStatus.CLOSED, users["steering"])
    with pytest.raises(ValidationError):
        services.change_defect_status(defect, "nonsense", users["pm"])


def test_the_defect_page_moves_the_status(project, client_for):
    defect = Defect.objects.create(project=project, title="Rounding")
    page = client_for("pm").get(turl("defects-detail", project, pk=defect.pk)).content.decode()
    assert "Move to “Triaged”" in page and "Move to “Closed”" not in page
    client_for("pm").post(turl("defect-status", project, pk=defect.pk), {"status": "triaged"})
    defect.refresh_from_db()
    assert defect.status == DefectStatus.TRIAGED
    response = client_for("pm").post(turl("defect-status", project, pk=defect.pk), {"status": "closed"}, follow=True)
    assert "cannot go from “Triaged” to “Closed”" in response.content.decode()
    defect.refresh_from_db()
    assert defect.status == DefectStatus.TRIAGED


@pytest.mark.parametrize(("severity", "priority"), [(Severity.CRITICAL, Priority.CRITICAL), (Severity.MAJOR, Priority.HIGH)])
def test_escalation_puts_a_severe_defect_on_the_issue_log(project, users, severity, priority):
    defect = Defect.objects.create(project=project, title="Quotes lose their discount", severity=severity, assignee=users["member"])
    issue = services.escalate_defect(defect, users["member"])
    defect.refresh_from_db()
    assert defect.issue == issue and issue.priority == priority and issue.owner == users["member"]
    assert issue.title == f"Defect {defect.ref}: Quotes lose their discount"
    assert Issue.objects.filter(project=project).count() == 1
    with pytest.raises(ValidationError, match="already on the issue log"):
        services.escalate_defect(defect, users["member"])


def test_minor_or_closed_defects_are_not_escalated(project, users, client_for):
    minor = Defect.objects.create(project=project, title="Typo", severity=Severity.MINOR)
    with pytest.raises(ValidationError, match="Only severity-1 and severity-2"):
        services.escalate_defect(minor, users["pm"])
    closed = Defect.objects.create(project=project, title="Gone", severity=Severity.CRITICAL, status=DefectStatus.CLOSED)
    with pytest.raises(ValidationError, match="nothing to escalate"):
        services.escalate_defect(closed, users["pm"])
    assert "Escalate to the issue log" not in client_for("pm").get(turl("defects-detail", project, pk=minor.pk)).content.decode()
    assert not Issue.objects.filter(project=project).exists()


def test_the_escalate_button(project, client_for):
    defect = Defect.objects.create(project=project, title="Data loss", severity=Severity.CRITICAL)
    page = client_for("member").get(turl("defects-detail", project, pk=defect.pk)).content.decode()
    assert "Escalate to the issue log" in page
    response = client_for("member").post(turl("defect-escalate", project, pk=defect.pk), follow=True)
    defect.refresh_from_db()
    assert defect.issue is not None and defect.issue.ref in response.content.decode()


# --- UAT sign-off --------------------------------------------------------------------------------


def test_sign_off_is_refused_while_exit_criteria_fail_and_names_them(project, users, uat, client_for):
    cycle, (first, second) = uat["cycle"], uat["cases"]
    execute(project, cycle, first, Result.PASSED)
    execute(project, cycle, second, Result.FAILED)
    Defect.objects.create(project=project, title="Convert loses contact", severity=Severity.CRITICAL, cycle=cycle)
    with pytest.raises(ValidationError) as caught:
        services.sign_off_uat(cycle, users["member"], "Sales", "")
    assert caught.value.messages == [
        "The UAT cycle cannot be signed off while its exit criteria fail:",
        "Pass rate 50% (1 passed of 2 executed); at least 95% needed.",
        "1 open severity-1 (critical) defects; at most 0 allowed.",
    ]
    response = client_for("member").post(turl("cycle-sign-off", project, pk=cycle.pk), {"business_area": "Sales", "decision": "sign"},
                                         follow=True)
    page = response.content.decode()
    assert "cannot be signed off while its exit criteria fail" in page
    assert "Pass rate 50% (1 passed of 2 executed); at least 95% needed." in page
    assert "1 open severity-1 (critical) defects; at most 0 allowed." in page
    assert not UatSignOff.objects.exists()


def test_sign_off_is_accepted_when_exit_criteria_are_met(project, users, uat, client_for):
    cycle, (first, second) = uat["cycle"], uat["cases"]
    execute(project, cycle, first, Result.PASSED)
    execute(project, cycle, second, Result.PASSED_WITH_REMARKS)
    Defect.objects.create(project=project, title="Fixed already", severity=Severity.CRITICAL, cycle=cycle, status=DefectStatus.CLOSED)
    Defect.objects.create(project=project, title="Cosmetic", severity=Severity.MINOR, cycle=cycle)
    page = client_for("member").get(turl("cycles-detail", project, pk=cycle.pk)).content.decode()
    assert "Signing off is refused" not in page and "Pass rate" in page
    response = client_for("member").post(
        turl("cycle-sign-off", project, pk=cycle.pk),
        {"business_area": "Sales", "conditions": "Train the two new reps first", "decision": "sign"}, follow=True,
    )
    assert "Sales signed off CYC-001." in response.content.decode()
    row = UatSignOff.objects.get()
    assert (row.status, row.business_owner, row.conditions) == (SignOffStatus.SIGNED, users["member"], "Train the two new reps first")
    assert all(c["met"] for c in row.criteria) and len(row.criteria) == 4
    # The record never changes afterwards.
    edit = client_for("pm").get(turl("uat-sign-offs-edit", project, pk=row.pk), follow=True)
    assert "cannot be changed or deleted" in edit.content.decode()


def test_a_business_owner_may_record_a_refusal_with_reasons(project, users, uat):
    with pytest.raises(ValidationError, match="Give the reasons"):
        services.sign_off_uat(uat["cycle"], users["pm"], "Sales", "", refuse=True)
    row = services.sign_off_uat(uat["cycle"], users["pm"], "", "Discount rules not yet agreed", refuse=True)
    assert row.status == SignOffStatus.REFUSED and row.business_area == "Sales"


def test_only_members_who_change_testing_sign_off(project, users, uat, client_for, other_project):
    with pytest.raises(PermissionDenied):
        services.sign_off_uat(uat["cycle"], users["steering"], "Sales", "")
    cycle = uat["cycle"]
    for name, route, kwargs in [
        ("cycle-sign-off", cycle, {"business_area": "Sales"}),
    ]:
        assert client_for("viewer").post(turl(name, project, pk=route.pk), kwargs).status_code == 403
        assert client_for("outsider").post(turl(name, project, pk=route.pk), kwargs).status_code == 404
    assert not UatSignOff.objects.exists()


def test_viewers_may_not_post_and_outsiders_see_nothing(project, users, uat, client_for):
    execution = execute(project, uat["cycle"], uat["cases"][0], Result.FAILED)
    defect = Defect.objects.create(project=project, title="X", severity=Severity.CRITICAL)
    posts = [
        ("execution-raise-defect", execution.pk, {"step": "1"}),
        ("defect-status", defect.pk, {"status": "triaged"}),
        ("defect-escalate", defect.pk, {}),
        ("cycle-sign-off", uat["cycle"].pk, {"business_area": "Sales"}),
    ]
    for name, pk, data in posts:
        assert client_for("viewer").post(turl(name, project, pk=pk), data).status_code == 403, name
        assert client_for("outsider").post(turl(name, project, pk=pk), data).status_code == 404, name
        assert client_for("pm").get(turl(name, project, pk=pk)).status_code == 405, name
    for view in ["cycles-detail", "executions-detail", "defects-detail"]:
        pk = {"cycles-detail": uat["cycle"].pk, "executions-detail": execution.pk, "defects-detail": defect.pk}[view]
        assert client_for("outsider").get(turl(view, project, pk=pk)).status_code == 404
        assert client_for("viewer").get(turl(view, project, pk=pk)).status_code == 200
    defect.refresh_from_db()
    assert defect.status == DefectStatus.NEW and defect.issue is None and not Defect.objects.exclude(pk=defect.pk).exists()


def test_every_register_page_renders_in_three_languages(project, users, uat, client_for):
    execution = execute(project, uat["cycle"], uat["cases"][0], Result.FAILED, "2 | failed")
    defect = services.raise_defect_from_step(execution, 2, users["pm"])
    signed = services.sign_off_uat(uat["cycle"], users["pm"], "Sales", "No", refuse=True)
    rows = {"plans": uat["plan"], "cases": uat["cases"][0], "cycles": uat["cycle"], "executions": execution,
            "defects": defect, "uat-sign-offs": signed}
    client = client_for("pm")
    for language in ["en", "zh-hans", "zh-hant"]:
        client.cookies["django_language"] = language
        for slug, row in rows.items():
            for view, kwargs in [("list", {}), ("detail", {"pk": row.pk}), ("history", {"pk": row.pk})]:
                response = client.get(turl(f"{slug}-{view}", project, **kwargs), HTTP_ACCEPT_LANGUAGE=language)
                assert response.status_code == 200, (language, slug, view)
            assert client.get(turl(f"{slug}-export", project, fmt="xlsx")).status_code == 200


# --- XLSX round trip of test cases ---------------------------------------------------------------


def upload_and_apply(client, project, filename, data):
    before = set(ImportJob.objects.values_list("pk", flat=True))
    file = io.BytesIO(data)
    file.name = filename
    response = client.post(turl("cases-import", project), {"file": file, "encoding": ""})
    assert response.status_code == 302
    job = ImportJob.objects.exclude(pk__in=before).get()
    assert job.status == ImportStatus.VALID, (job.file_error, job.row_errors)
    assert client.post(turl("cases-import-apply", project, job=job.pk)).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, (job.file_error, job.row_errors)
    return job


def test_test_cases_round_trip_through_xlsx(project, users, uat, client_for):
    client = client_for("member")
    first, second = uat["cases"]
    TestCase.objects.filter(pk=first.pk).update(tags="pricing, discount", use_cases="UC-12", business_rules="BR-3",
                                                test_data="Customer Harbour Gallery", priority=Priority.HIGH)
    export = client.get(turl("cases-export", project, fmt="xlsx"))
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["ID", "Version", "Reference"]
    assert {"Title", "Home plan", "Steps", "Test data", "Priority", "Tags", "Use cases", "Business rules"} <= set(header)
    by_ref = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_ref["TC-001"]["Steps"] == STEPS and by_ref["TC-001"]["Priority"] == "High"
    assert by_ref["TC-001"]["Home plan"] == str(uat["plan"])

    # The team edits one case in the workbook and adds a new one.
    title_col, steps_col = header.index("Title"), header.index("Steps")
    for row in rows[1:]:
        if row[2] == "TC-002":
            row[title_col] = "Convert a qualified lead to an account"
    new = [None] * len(header)
    new[title_col] = "Reprint a delivery note"
    new[steps_col] = "1. Open order SO-77 | The order shows\n2. Reprint | A PDF opens"
    new[header.index("Priority")] = "Low"
    new[header.index("Home plan")] = "TP-001"
    rows.append(new)
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = upload_and_apply(client, project, "cases.xlsx", buffer.getvalue())
    assert (job.created_count, job.updated_count) == (1, 2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.steps == STEPS and first.tags == "pricing, discount" and first.priority == Priority.HIGH
    assert first.use_cases == "UC-12" and first.business_rules == "BR-3" and first.test_data == "Customer Harbour Gallery"
    assert second.title == "Convert a qualified lead to an account" and second.version == 2
    added = TestCase.objects.get(title="Reprint a delivery note")
    assert added.ref == "TC-003" and added.plan == uat["plan"] and added.priority == Priority.LOW
    assert [s.action for s in added.step_list] == ["Open order SO-77", "Reprint"]


def test_test_cases_import_from_csv_and_refuse_rows_without_steps(project, client_for):
    text = "Title,Steps,Priority,Tags\r\nLogin,Open the CRM | The login page shows,Medium,smoke\r\nNo steps,,High,\r\n"
    file = io.BytesIO(text.encode("utf-8"))
    file.name = "cases.csv"
    client_for("pm").post(turl("cases-import", project), {"file": file, "encoding": ""})
    job = ImportJob.objects.get(register="testing:cases")
    assert job.status == ImportStatus.INVALID
    assert any(e["row"] == 3 and "step" in e["message"].lower() for e in job.row_errors), job.row_errors
    assert not TestCase.objects.exists()


@pytest.mark.parametrize("slug", ["cycles", "defects"])
def test_cycle_and_defect_exports_reimport_without_touching_read_only_columns(project, users, uat, client_for, slug):
    defect = Defect.objects.create(project=project, title="Rounding", cycle=uat["cycle"], status=DefectStatus.TRIAGED)
    client = client_for("pm")
    export = client.get(turl(f"{slug}-export", project, fmt="xlsx"))
    rows = [list(row) for row in openpyxl.load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)]
    header = rows[0]
    if slug == "cycles":
        assert rows[1][header.index("Test cases")] == "TC-001, TC-002" and rows[1][header.index("Testers")] == "member"
        rows[1][header.index("Name")] = "UAT round 1 (sales)"
    else:
        assert rows[1][header.index("Status")] == "Triaged"
        rows[1][header.index("Status")] = "Closed"  # ignored: the workflow moves statuses
        rows[1][header.index("Title")] = "Rounding of discounts"
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = io.BytesIO(buffer.getvalue())
    file.name = f"{slug}.xlsx"
    client.post(turl(f"{slug}-import", project), {"file": file, "encoding": ""})
    job = ImportJob.objects.get(register=f"testing:{slug}")
    assert job.status == ImportStatus.VALID, (job.file_error, job.row_errors)
    client.post(turl(f"{slug}-import-apply", project, job=job.pk))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, (job.file_error, job.row_errors)
    if slug == "cycles":
        uat["cycle"].refresh_from_db()
        assert uat["cycle"].name == "UAT round 1 (sales)" and uat["cycle"].cases.count() == 2
    else:
        defect.refresh_from_db()
        assert defect.title == "Rounding of discounts" and defect.status == DefectStatus.TRIAGED
