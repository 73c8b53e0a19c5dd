"""Traceability (design/traceability.py and design/trace_views.py) against a hand-built chain.

The chain (worked out by hand below): an as-is and a to-be copy of conftest.small_map; gap G1 joins
the two "Capture lead" steps and is resolved; gap G2 (to-be "Assign", no resolution, decision open)
has no use case. UC-003 "Create quotation" has the to-be capture step, G1 and rule R1; two test cases
name it ("UC-03" and "UC-003 Create quotation"); TC-001 ran twice (passed, then failed: latest
failed) and has open defect D1; TC-002 passed once and has closed defect D2; defect D3 names UC-003
directly (open); D4 names UC-42, which does not exist. TC-003 names "UC-2" and "UC-99 Ghost".
"""

import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projectcrm.design import traceability as calc
from projectcrm.design.choices import GapDecision, MapKind, Resolution, UseCaseStatus
from projectcrm.design.models import BusinessRule, Gap, Step, UseCase
from testing.choices import DefectStatus, Result
from testing.models import Defect, Execution, TestCase, TestCycle, TestPlan
from tests.design.conftest import small_map


def refs(nodes):
    return [n.ref for n in nodes]


@pytest.fixture
def chain(project, make_map):
    as_is = make_map(small_map(), kind=MapKind.AS_IS, name="Lead as-is")
    to_be = make_map(small_map(), kind=MapKind.TO_BE, name="Lead to-be")
    s = SimpleNamespace(as_is=as_is, to_be=to_be)
    s.old_capture = as_is.steps.get(key="Task_capture")
    s.old_assign = as_is.steps.get(key="Task_assign")
    s.capture = to_be.steps.get(key="Task_capture")
    s.assign = to_be.steps.get(key="Task_assign")
    s.g1 = Gap.objects.create(project=project, title="Leads typed twice", as_is_step=s.old_capture,
                              to_be_step=s.capture, resolution=Resolution.CONFIGURATION,
                              decision=GapDecision.ACCEPTED)
    s.g2 = Gap.objects.create(project=project, title="Manual assignment", to_be_step=s.assign)
    s.r1 = BusinessRule.objects.create(project=project, name="Quote uses current price list", source_step=s.capture)
    s.r2 = BusinessRule.objects.create(project=project, name="Alert on big deals")
    s.uc1 = UseCase.objects.create(project=project, title="Qualify lead", actor="Sales")
    s.uc2 = UseCase.objects.create(project=project, title="Assign lead", actor="Sales", status=UseCaseStatus.REVIEWED)
    s.uc3 = UseCase.objects.create(project=project, title="Create quotation", actor="Sales rep",
                                   status=UseCaseStatus.APPROVED)
    s.uc3.steps.add(s.capture)
    s.uc3.gaps.add(s.g1)
    s.uc3.business_rules.add(s.r1)
    plan = TestPlan.objects.create(project=project, name="UAT")
    cycle = TestCycle.objects.create(project=project, plan=plan, name="UAT 1")
    s.tc1 = TestCase.objects.create(project=project, title="Quote from price list", steps="a | b", use_cases="UC-03")
    s.tc2 = TestCase.objects.create(project=project, title="Quote total", steps="a | b",
                                    use_cases="UC-003 Create quotation")
    s.tc3 = TestCase.objects.create(project=project, title="Assign", steps="a | b", use_cases="UC-2; UC-99 Ghost")
    s.tc4 = TestCase.objects.create(project=project, title="Unrelated", steps="a | b")
    now = timezone.now()
    s.ex1 = Execution.objects.create(project=project, cycle=cycle, case=s.tc1, result=Result.PASSED,
                                     executed_at=now - datetime.timedelta(days=2))
    s.ex2 = Execution.objects.create(project=project, cycle=cycle, case=s.tc1, result=Result.FAILED,
                                     executed_at=now - datetime.timedelta(days=1))
    s.ex3 = Execution.objects.create(project=project, cycle=cycle, case=s.tc2, result=Result.PASSED, executed_at=now)
    s.d1 = Defect.objects.create(project=project, title="Old price used", case=s.tc1, execution=s.ex2)
    s.d2 = Defect.objects.create(project=project, title="Rounding", case=s.tc2, status=DefectStatus.CLOSED)
    s.d3 = Defect.objects.create(project=project, title="Slow quote", use_cases="UC-003", status=DefectStatus.TRIAGED)
    s.d4 = Defect.objects.create(project=project, title="Ghost", use_cases="UC-42")
    return s


# --- the calculation -----------------------------------------------------------------------------------


def test_forward_row_of_the_use_case(project, chain):
    trace = calc.build(project)
    row = trace.row_for(chain.uc3.pk)
    assert refs(row.steps) == [chain.capture.ref, chain.old_capture.ref]  # own step first, then via the gap
    assert refs(row.gaps) == ["GAP-001"] and refs(row.rules) == ["BR-001"]
    assert [c.case.ref for c in row.cases] == ["TC-001", "TC-002"]
    tc1, tc2 = row.cases
    assert (tc1.result, tc1.executions, tc1.latest.pk, refs(tc1.defects)) == (Result.FAILED, 2, chain.ex2.pk, ["DEF-001"])
    assert (tc2.result, tc2.executions, tc2.defects) == (Result.PASSED, 1, [])
    assert row.passed == 1
    assert refs(row.open_defects) == ["DEF-001", "DEF-003"] and refs(row.closed_defects) == ["DEF-002"]
    assert row.colour == "red"
    uc2 = trace.row_for(chain.uc2.pk)
    assert [c.case.ref for c in uc2.cases] == ["TC-003"] and uc2.cases[0].result == Result.NOT_RUN


def test_a_defect_raised_on_an_execution_counts_for_its_case(project, chain):
    # Raised from TC-002's execution without naming the case: it belongs to TC-002 all the same.
    Defect.objects.create(project=project, title="PDF misses the terms", execution=chain.ex3)
    row = calc.build(project).row_for(chain.uc3.pk)
    tc2 = row.cases[1]
    assert refs(tc2.defects) == ["DEF-005"]
    assert refs(row.open_defects) == ["DEF-001", "DEF-003", "DEF-005"]


def test_coverage_and_unknown_references(project, chain):
    trace = calc.build(project)
    assert refs(trace.coverage[calc.UC_NO_TESTS]) == ["UC-001"]
    assert refs(trace.coverage[calc.GAPS_OPEN]) == ["GAP-002"]
    assert trace.gap_reasons[chain.g2.pk] == ["no resolution", "decision open"]
    assert refs(trace.coverage[calc.RULES_NO_UC]) == ["BR-002"]
    assert refs(trace.coverage[calc.STEPS_NO_UC]) == [chain.assign.ref]  # events and gateways do not count
    assert sorted(s.step.ref for s in trace.loose_steps) == sorted([chain.old_assign.ref, chain.assign.ref])
    assert [(u.source.ref, u.label) for u in trace.unknown] == [("TC-003", "UC-99 Ghost"), ("DEF-004", "UC-42")]


def test_references_resolve_by_number_or_title(project):
    a = UseCase.objects.create(project=project, title="Create quotation", actor="A")
    resolver = calc.Resolver({a.pk: calc.Node(calc.USE_CASE, a.pk, a.number, a.title)})
    assert resolver.resolve("uc-1, UC-001 x; UC1；create   QUOTATION") == ([a.pk], [])
    assert resolver.resolve("UC-1.2, BR-01, UC-2, Something") == ([], ["UC-1.2", "BR-01", "UC-2", "Something"])


@pytest.mark.parametrize("name, up, down", [
    ("uc3", {"step": 2, "gap": 1, "rule": 1}, {"case": 2, "execution": 3, "defect": 3}),
    ("capture", {}, {"gap": 1, "rule": 1, "usecase": 1, "case": 2, "execution": 3, "defect": 3}),
    ("g1", {"step": 2}, {"usecase": 1, "case": 2, "execution": 3, "defect": 3}),
    ("r1", {"step": 1}, {"usecase": 1, "case": 2, "execution": 3, "defect": 3}),
    ("tc1", {"step": 2, "gap": 1, "rule": 1, "usecase": 1}, {"execution": 2, "defect": 1}),
    ("ex2", {"step": 2, "gap": 1, "rule": 1, "usecase": 1, "case": 1}, {"defect": 1}),
    ("d3", {"step": 2, "gap": 1, "rule": 1, "usecase": 1}, {}),
])
def test_backward_and_forward_chain_of_each_kind(project, chain, name, up, down):
    trace = calc.build(project)
    obj = getattr(chain, name)
    item = calc.parse_item(trace, obj.ref.lower().replace("-0", "-"))  # "uc-03" style works too
    assert item is not None and item.pk == obj.pk
    found = calc.chain(trace, item)
    assert {k: len(v) for k, v in found.upstream.items()} == up
    assert {k: len(v) for k, v in found.downstream.items()} == down


def test_parse_item_rejects_unknown(project, chain):
    trace = calc.build(project)
    assert calc.parse_item(trace, "UC-999") is None
    assert calc.parse_item(trace, "XYZ-1") is None
    assert calc.parse_item(trace, "hello") is None


def test_filters(project, chain, process):
    trace = calc.build(project)
    rows, loose = calc.filtered(trace, status=UseCaseStatus.APPROVED)
    assert [r.use_case.ref for r in rows] == ["UC-003"] and loose == []
    rows, loose = calc.filtered(trace, map_pk=chain.as_is.pk)
    assert [r.use_case.ref for r in rows] == ["UC-003"]  # through G1's as-is step
    assert [s.step.ref for s in loose] == [chain.old_assign.ref]
    rows, _loose = calc.filtered(trace, process_pk=process.pk)
    assert [r.use_case.ref for r in rows] == ["UC-003"]


# --- the page and the download -------------------------------------------------------------------------


def page_url(project, **params):
    from urllib.parse import urlencode

    url = reverse("design:traceability", kwargs={"project": project.pk})
    return f"{url}?{urlencode(params)}" if params else url


def test_page_shows_matrix_coverage_and_unknown(project, chain, client_for):
    response = client_for("viewer").get(page_url(project))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-ref="UC-003"' in page and 'data-ref="UC-001"' in page
    assert reverse("testing:cases-detail", kwargs={"project": project.pk, "pk": chain.tc1.pk}) in page
    assert reverse("design:gaps-detail", kwargs={"project": project.pk, "pk": chain.g1.pk}) in page
    assert reverse("design:rules-detail", kwargs={"project": project.pk, "pk": chain.r1.pk}) in page
    assert reverse("design:steps-detail", kwargs={"project": project.pk, "pk": chain.capture.pk}) in page
    assert reverse("testing:defects-detail", kwargs={"project": project.pk, "pk": chain.d1.pk}) in page
    assert 'id="count-uc-no-tests">1<' in page and 'id="count-gaps-open">1<' in page
    assert 'id="count-rules-no-uc">1<' in page and 'id="count-steps-no-uc">1<' in page
    assert 'id="coverage-uc-no-tests"' in page
    assert "“UC-99 Ghost”" in page and "“UC-42”" in page


def test_page_item_lookup_and_bad_filters(project, chain, client_for):
    page = client_for("pm").get(page_url(project, item="TC-001")).content.decode()
    assert 'id="trace-chain"' in page and "UC-003" in page and "EX-002" in page
    page = client_for("pm").get(page_url(project, item="ZZ-9", status="nonsense", process="x")).content.decode()
    assert "Nothing in this project is called “ZZ-9”" in page
    assert "is not a use-case status" in page and "is not a process or map" in page
    page = client_for("pm").get(page_url(project, status="approved")).content.decode()
    assert 'data-ref="UC-003"' in page and 'data-ref="UC-001"' not in page


def test_xlsx_download(project, chain, client_for):
    response = client_for("viewer").get(reverse("design:traceability-xlsx", kwargs={"project": project.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    matrix = list(book.worksheets[0].iter_rows(values_only=True))
    assert matrix[0][0] == "Use case"
    uc3 = [r for r in matrix[1:] if r[0] == "UC-003"]
    assert [r[6] for r in uc3] == ["TC-001", "TC-002"]
    assert uc3[0][8] == "Failed" and uc3[0][10] == 2 and uc3[0][12] == 1
    unknown = list(book.worksheets[3].iter_rows(values_only=True))[1:]
    assert [r[2] for r in unknown] == ["UC-99 Ghost", "UC-42"]


def grow(project, map_, count: int):
    """`count` use cases, each with a step link, a gap, a rule, a test case, an execution and a defect."""
    steps = list(Step.objects.filter(map=map_))
    plan = TestPlan.objects.create(project=project, name=f"P{count}")
    cycle = TestCycle.objects.create(project=project, plan=plan, name="C")
    for i in range(count):
        uc = UseCase.objects.create(project=project, title=f"UC {i}", actor="A")
        uc.steps.add(steps[i % len(steps)])
        uc.gaps.add(Gap.objects.create(project=project, title=f"G {i}", to_be_step=steps[i % len(steps)]))
        uc.business_rules.add(BusinessRule.objects.create(project=project, name=f"R {i}"))
        case = TestCase.objects.create(project=project, title=f"T {i}", steps="a | b", use_cases=uc.ref)
        run = Execution.objects.create(project=project, cycle=cycle, case=case, result=Result.PASSED)
        Defect.objects.create(project=project, title=f"D {i}", case=case, execution=run, use_cases=uc.ref)


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow(project, make_map, client_for):
    to_be = make_map(small_map(), kind=MapKind.TO_BE)
    client = client_for("pm")
    grow(project, to_be, 5)
    small = page_queries(client, page_url(project))
    small_item = page_queries(client, page_url(project, item="UC-002"))
    grow(project, to_be, 45)
    assert UseCase.objects.filter(project=project).count() == 50
    assert page_queries(client, page_url(project)) == small
    assert page_queries(client, page_url(project, item="UC-002")) == small_item
    assert len(calc.build(project).rows) == 50


# --- permissions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["design:traceability", "design:traceability-xlsx"])
def test_permissions(project, users, client_for, name):
    url = reverse(name, kwargs={"project": project.pk})
    for role in ("pm", "steering", "evaluator", "trainer", "member", "viewer"):
        assert client_for(role).get(url).status_code == 200, role
    assert client_for("outsider").get(url).status_code == 404
    response = client_for("anonymous").get(url)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client_for("pm").post(url).status_code == 405
