"""The test dashboard (testing/dashboard.py, dashboard_views.py) against a hand-worked example.

Times are 10:00 local time; "03-04" is 2024-03-04 (a Monday). The dashboard is looked at as of
2024-03-20 (a Wednesday) unless said otherwise.

Cases and what they name (use cases | business rules):
    TC1  UC-03 Create quotation, UC-04 Approve quotation | BR-1 Discount limit
    TC2  UC-03                                           | BR-1, BR-2 Credit check
    TC3  UC-10 Print quote
    TC4  (nothing)
    TC5  UC-04 Approve quotation
    TC6  UC-11 Export quotes (in no cycle, never executed)

Cycle A (start 03-04, end 03-08; cases TC1-TC4, min pass rate 95 %):
    TC1 03-04 passed, 03-07 failed;  TC2 03-04 failed, 03-06 passed;  TC3 03-05 blocked;
    TC4 one execution "not run" without a time.
  burn-up 03-04..03-08   executed at least once 2 3 3 3 3;   passed 1 1 2 1 1;   scope 4
  latest: TC1 failed, TC2 passed, TC3 blocked, TC4 not run -> executed 3, passed 1, failed 1,
  blocked 1, not run 1, pass rate 1/3 = 33.3 %.
  As of 03-06: burn-up 03-04..03-06 executed 2 3 3, passed 1 1 2; TC1 and TC2 passed -> 2/3 = 66.7 %.

Cycle B (no dates; cases TC1, TC2, TC5):
    TC1 03-12 passed with remarks;  TC2 03-13 passed;  TC5 03-14 failed.
  burn-up from the first execution 03-12 to 03-20 (9 days): executed 1 2 3 3 3 3 3 3 3,
  passed 1 2 2 2 2 2 2 2 2; pass rate 2/3 = 66.7 %.

Defects (status history):
    D1 sev 1  03-04 new, 03-06 in progress                      cycle A, TC1
    D2 sev 2  03-05 new, 03-12 closed, 03-14 retest, 03-19 closed  cycle A, TC2
    D3 sev 2  03-18 new                                           cycle B, names "UC-09 Cancel order"
    D4 sev 3  02-01 new
    D5 sev 4  03-13 new, 03-13 rejected
    D6 sev 3  03-14 new                                           TC3, names "UC-10"
  Open on 03-20: D1 (age 16: 15-30 days), D3 (2: 0-2), D4 (48: >30), D6 (6: 3-7).
  Weeks from 01-29 (D4's week) to 03-18: raised 1 0 0 0 0 2 2 1; closed for the first time
  0 0 0 0 0 0 2 (D2 03-12, D5 03-13) 0 (D2's second closure is not counted);
  open at the week's end 1 1 1 1 1 3 (D4 D1 D2) 4 (D4 D1 D2-retest D6) 4 (D4 D1 D6 D3).

Traceability (latest over all cycles): TC1 passed with remarks (B), TC2 passed (B), TC3 blocked (A),
TC4 not run, TC5 failed (B), TC6 never executed.
    UC-03  TC1 (open D1), TC2            2/2  no flag
    UC-04  TC1, TC5                      1/2  failed
    UC-09  no case, named on open D3          no test case
    UC-10  TC3 (open D6)                 0/1  blocked (not flagged)
    UC-11  TC6                           0/1  never run
  flagged 3; TC4 names no use case. BR-1: TC1, TC2; BR-2 Credit check: TC2.
"""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from testing import dashboard as calc
from testing import services
from testing.choices import DefectStatus, Result
from testing.models import Defect, Execution, TestCase, TestCycle, TestPlan

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2024, 3, 20)


def day(month, dom) -> datetime.date:
    return datetime.date(2024, month, dom)


def at(month, dom, hour=10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2024, month, dom, hour))


def make_case(project, title, use_cases="", rules=""):
    return TestCase.objects.create(project=project, title=title, steps="Open the form | The form shows",
                                   use_cases=use_cases, business_rules=rules)


def run(project, cycle, case, result, when=None):
    return Execution.objects.create(project=project, cycle=cycle, case=case, result=result, executed_at=when)


def defect(project, title, severity, steps, **fields):
    """A defect whose history rows get the given (moment, status) steps, the first being its creation."""
    row = Defect.objects.create(project=project, title=title, severity=severity, status=steps[0][1], **fields)
    for _when, status in steps[1:]:
        row.status = status
        row.save()
    history = list(Defect.history.filter(id=row.pk).order_by("history_id"))
    assert len(history) == len(steps)
    for entry, (when, _status) in zip(history, steps, strict=True):
        Defect.history.filter(history_id=entry.history_id).update(history_date=when)
    Defect.objects.filter(pk=row.pk).update(created=steps[0][0])
    return row


@pytest.fixture
def example(project):
    plan = TestPlan.objects.create(project=project, name="Quotation")
    tc1 = make_case(project, "Quote a frame", "UC-03 Create quotation, UC-04 Approve quotation", "BR-1 Discount limit")
    tc2 = make_case(project, "Quote with discount", "UC-03", "BR-1, BR-2 Credit check")
    tc3 = make_case(project, "Print a quote", "UC-10 Print quote")
    tc4 = make_case(project, "Log in")
    tc5 = make_case(project, "Approve a quote", "UC-04 Approve quotation")
    tc6 = make_case(project, "Export quotes", "UC-11 Export quotes")
    a = TestCycle.objects.create(project=project, plan=plan, name="System test", start=day(3, 4), end=day(3, 8),
                                 status="done")
    a.cases.set([tc1, tc2, tc3, tc4])
    b = TestCycle.objects.create(project=project, plan=plan, name="UAT", status="in_progress")
    b.cases.set([tc1, tc2, tc5])
    run(project, a, tc1, Result.PASSED, at(3, 4))
    run(project, a, tc2, Result.FAILED, at(3, 4))
    run(project, a, tc3, Result.BLOCKED, at(3, 5))
    run(project, a, tc2, Result.PASSED, at(3, 6))
    run(project, a, tc1, Result.FAILED, at(3, 7))
    not_run = run(project, a, tc4, Result.NOT_RUN)
    run(project, b, tc1, Result.PASSED_WITH_REMARKS, at(3, 12))
    run(project, b, tc2, Result.PASSED, at(3, 13))
    run(project, b, tc5, Result.FAILED, at(3, 14))
    S = DefectStatus
    d1 = defect(project, "Total wrong", 1, [(at(3, 4), S.NEW), (at(3, 6), S.IN_PROGRESS)], cycle=a, case=tc1)
    d2 = defect(project, "Discount lost", 2, [(at(3, 5), S.NEW), (at(3, 12), S.CLOSED), (at(3, 14), S.RETEST),
                                              (at(3, 19), S.CLOSED)], cycle=a, case=tc2)
    d3 = defect(project, "Cannot cancel", 2, [(at(3, 18), S.NEW)], cycle=b, use_cases="UC-09 Cancel order")
    d4 = defect(project, "Old layout", 3, [(at(2, 1), S.NEW)])
    d5 = defect(project, "Not a bug", 4, [(at(3, 13, 9), S.NEW), (at(3, 13, 15), S.REJECTED)])
    d6 = defect(project, "Logo blurred", 3, [(at(3, 14), S.NEW)], case=tc3, use_cases="UC-10")
    return {"a": a, "b": b, "tc": [None, tc1, tc2, tc3, tc4, tc5, tc6], "not_run": not_run,
            "d": [None, d1, d2, d3, d4, d5, d6]}


def url(project, name="testing:dashboard", **params):
    base = reverse(name, kwargs={"project": project.pk})
    if params:
        from urllib.parse import urlencode

        base += "?" + urlencode(params)
    return base


# --- Parsing ----------------------------------------------------------------------------------


def test_references_take_the_code_before_the_first_space_and_keep_the_whole_label():
    refs = calc.parse_references("UC-03 Create quotation, uc-04,  Print   the quote ;UC-03 again，UC-12创建报价")
    assert [(r.key, r.code, r.label) for r in refs] == [
        ("UC-03", "UC-03", "UC-03 Create quotation"),
        ("UC-04", "UC-04", "uc-04"),
        ("print the quote", "", "Print the quote"),
        ("UC-12", "UC-12", "UC-12创建报价"),
    ]
    assert calc.parse_references("") == []
    assert [r.code for r in calc.parse_references("BR12: rounding, Rule 7, 2024 plan")] == ["BR12", "", ""]


def test_references_sort_naturally():
    refs = calc.parse_references("UC-10, UC-2, Zeta, UC-2.1, alpha")
    assert [r.label for r in sorted(refs, key=calc.natural_key)] == ["UC-2", "UC-2.1", "UC-10", "alpha", "Zeta"]


# --- Execution progress and pass rates ---------------------------------------------------------


def test_burn_up_counts_per_day(project, example):
    board = calc.build(project, AS_OF)
    a = board.cycle_figures(example["a"].pk).burn_up
    assert a.days == [day(3, d) for d in range(4, 9)]
    assert a.executed == [2, 3, 3, 3, 3]
    assert a.passed == [1, 1, 2, 1, 1]
    assert a.scope == 4
    b = board.cycle_figures(example["b"].pk).burn_up
    assert b.days == [day(3, d) for d in range(12, 21)]
    assert b.executed == [1, 2, 3, 3, 3, 3, 3, 3, 3]
    assert b.passed == [1, 2, 2, 2, 2, 2, 2, 2, 2]
    assert b.scope == 3


def test_burn_up_and_pass_rate_as_of_an_earlier_day(project, example):
    board = calc.build(project, day(3, 6))
    a = board.cycle_figures(example["a"].pk)
    assert a.burn_up.days == [day(3, 4), day(3, 5), day(3, 6)]
    assert a.burn_up.executed == [2, 3, 3]
    assert a.burn_up.passed == [1, 1, 2]
    assert (a.counts.executed, a.counts.passed, a.pass_rate) == (3, 2, 66.7)
    assert not board.cycle_figures(example["b"].pk).burn_up  # not started by then


def test_burn_up_clamps_to_the_range_and_skips_a_cycle_not_started():
    runs = [calc.Run(1, 1, 1, 10, Result.PASSED, at(3, 1), day(3, 1)),  # before the start: counts on day one
            calc.Run(2, 2, 1, 11, Result.FAILED, None, None)]  # no time: day one too
    up = calc.burn_up([10, 11, 12], runs, day(3, 4), day(3, 5), AS_OF)
    assert (up.executed, up.passed, up.scope) == ([2, 2], [1, 1], 3)
    assert not calc.burn_up([10], [], day(4, 1), None, AS_OF)
    assert not calc.burn_up([10], [], None, None, AS_OF)


def test_pass_rates_per_cycle(project, example):
    board = calc.build(project, AS_OF)
    a = board.cycle_figures(example["a"].pk)
    counts = a.counts
    assert (counts.cases, counts.executed, counts.passed, counts.failed, counts.blocked, a.not_run) == (4, 3, 1, 1, 1, 1)
    assert a.pass_rate == 33.3
    assert a.verdict["met"] is False
    assert counts.open_by_severity == {1: 1}  # D1; D2 is closed by 03-20
    b = board.cycle_figures(example["b"].pk)
    assert (b.counts.executed, b.counts.passed, b.counts.failed, b.pass_rate) == (3, 2, 1, 66.7)
    assert b.open_defects == [example["d"][3].pk]


def test_latest_results_agree_with_the_cycle_page(project, example):
    board = calc.build(project, timezone.localdate())
    for cycle in (example["a"], example["b"]):
        figures = board.cycle_figures(cycle.pk)
        mine = {pk: (figures.latest[pk].result if pk in figures.latest else Result.NOT_RUN) for pk in figures.case_ids}
        assert mine == services.latest_results(cycle)


# --- Defects ---------------------------------------------------------------------------------


def test_open_defects_by_severity_and_age(project, example):
    board = calc.build(project, AS_OF)
    d = example["d"]
    assert board.ageing.cells == {(1, 3): [d[1].pk], (2, 0): [d[3].pk], (3, 4): [d[4].pk], (3, 1): [d[6].pk]}
    assert board.ageing.total == 4
    assert board.ageing.pks(3, None) == sorted([d[4].pk, d[6].pk])
    assert [calc.bucket_label(i) for i in range(5)] == ["0–2 days", "3–7 days", "8–14 days", "15–30 days", ">30 days"]
    assert [calc.bucket_of(n) for n in (0, 2, 3, 7, 8, 14, 15, 30, 31)] == [0, 0, 1, 1, 2, 2, 3, 3, 4]


def test_open_defects_as_of_an_earlier_day_read_the_history(project, example):
    # On 03-13: D1 open (age 9: 8-14), D2 closed on 03-12, D4 open (age 41), D5 rejected; D3 and D6 not raised yet.
    board = calc.build(project, day(3, 13))
    d = example["d"]
    assert board.ageing.cells == {(1, 2): [d[1].pk], (3, 4): [d[4].pk]}
    assert board.statuses[d[2].pk] == DefectStatus.CLOSED


def test_defect_arrivals_closures_and_open_count_per_week(project, example):
    weeks = calc.build(project, AS_OF).weeks
    d = example["d"]
    assert [w.start for w in weeks] == [day(1, 29), day(2, 5), day(2, 12), day(2, 19), day(2, 26), day(3, 4),
                                        day(3, 11), day(3, 18)]
    assert [len(w.arrived) for w in weeks] == [1, 0, 0, 0, 0, 2, 2, 1]
    assert [len(w.closed) for w in weeks] == [0, 0, 0, 0, 0, 0, 2, 0]
    assert weeks[6].closed == sorted([d[2].pk, d[5].pk])
    assert [w.open_count for w in weeks] == [1, 1, 1, 1, 1, 3, 4, 4]
    assert weeks[-1].end == AS_OF


def test_defect_history_is_read_in_one_query(project, example, django_assert_num_queries):
    with django_assert_num_queries(6):
        calc.load(project, AS_OF)


# --- Traceability ------------------------------------------------------------------------------


def by_key(rows):
    return {r.ref.key: r for r in rows}


def test_traceability_matrix(project, example):
    board = calc.build(project, AS_OF)
    tc, d = example["tc"], example["d"]
    rows = by_key(board.use_cases)
    assert list(rows) == ["UC-03", "UC-04", "UC-09", "UC-10", "UC-11"]
    uc03 = rows["UC-03"]
    assert uc03.ref.label == "UC-03 Create quotation"
    assert [(t.case.pk, t.result, t.latest.cycle_id, t.latest.day) for t in uc03.cases] == [
        (tc[1].pk, Result.PASSED_WITH_REMARKS, example["b"].pk, day(3, 12)),
        (tc[2].pk, Result.PASSED, example["b"].pk, day(3, 13)),
    ]
    assert [x.pk for x in uc03.cases[0].open_defects] == [d[1].pk]
    assert uc03.cases[1].open_defects == []  # D2 is closed
    assert (uc03.passed, uc03.flags) == (2, [])
    assert (rows["UC-04"].passed, rows["UC-04"].flags) == (1, [calc.FAILING])
    assert rows["UC-09"].cases == [] and rows["UC-09"].flags == [calc.NO_CASES]
    assert [x.pk for x in rows["UC-09"].named_defects] == [d[3].pk]
    assert rows["UC-10"].flags == [calc.BLOCKED_FLAG] and rows["UC-10"].named_defects == []  # D6 is under TC3
    assert rows["UC-11"].flags == [calc.NEVER_RUN] and rows["UC-11"].cases[0].latest is None
    assert [r.ref.key for r in board.use_cases if r.flagged] == ["UC-04", "UC-09", "UC-11"]
    assert [t.case.pk for t in board.without_use_case] == [tc[4].pk]
    rules = by_key(board.rules)
    assert [(k, r.ref.label, [t.case.pk for t in r.cases]) for k, r in rules.items()] == [
        ("BR-1", "BR-1 Discount limit", [tc[1].pk, tc[2].pk]),
        ("BR-2", "BR-2 Credit check", [tc[2].pk]),
    ]


def test_traceability_of_one_cycle(project, example):
    board = calc.build(project, AS_OF, example["a"].pk)
    rows = by_key(board.use_cases)
    assert list(rows) == ["UC-03", "UC-04", "UC-10"]  # TC5, TC6 are not in cycle A; D3 belongs to B
    assert [t.result for t in rows["UC-03"].cases] == [Result.FAILED, Result.PASSED]
    assert rows["UC-03"].flags == [calc.FAILING]
    assert [t.case.pk for t in board.without_use_case] == [example["tc"][4].pk]
    assert [f.cycle.pk for f in board.cycles] == [example["a"].pk]
    assert board.ageing.total == 1  # D1 only


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_the_figures_with_links_to_their_rows(project, example, client_for):
    response = client_for("viewer").get(url(project, date="2024-03-20"))
    assert response.status_code == 200
    html = response.content.decode()
    a = example["a"]
    assert f'data-show="cycle.{a.pk}.failed"' in html
    assert reverse("testing:cycles-detail", kwargs={"project": project.pk, "pk": a.pk}) in html
    assert 'id="burnup-chart"' in html and 'id="flow-chart"' in html and 'id="ageing-chart"' in html
    assert "plotly.min.js" in html
    assert "33.3%" in html
    assert reverse("testing:defects-detail", kwargs={"project": project.pk, "pk": example["d"][3].pk}) in html
    assert reverse("testing:traceability-xlsx", kwargs={"project": project.pk}) + "?date=2024-03-20" in html


def test_the_rows_behind_a_count(project, example, client_for):
    client = client_for("viewer")
    a, tc = example["a"], example["tc"]
    response = client.get(url(project, date="2024-03-20", show=f"cycle.{a.pk}.failed"))
    picked = response.context["picked"]
    assert [t.case.pk for t in picked.cases] == [tc[1].pk]
    assert 'id="rows-table"' in response.content.decode()
    # As an htmx fragment: just the list.
    response = client.get(url(project, date="2024-03-20", show="age.3.all"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'id="rows"' in html
    assert [d.pk for d in response.context["picked"].defects] == [example["d"][4].pk, example["d"][6].pk]
    week = client.get(url(project, date="2024-03-20", show="week.2024-03-11.open")).context["picked"]
    assert sorted(d.pk for d in week.defects) == sorted(example["d"][i].pk for i in (1, 2, 4, 6))
    response = client.get(url(project, show="cycle.99999.failed"))
    assert response.status_code == 200
    assert "Nothing on this dashboard is called “cycle.99999.failed”." in response.content.decode()


def test_bad_filters_are_named_and_ignored(project, example, other_project, client_for):
    client = client_for("viewer")
    other_plan = TestPlan.objects.create(project=other_project, name="Theirs")
    theirs = TestCycle.objects.create(project=other_project, plan=other_plan, name="Their cycle")
    response = client.get(url(project, cycle=theirs.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"“{theirs.pk}” is not a test cycle of this project: all cycles are shown." in html
    assert "Their cycle" not in html
    assert response.context["cycle"] is None and len(response.context["cycle_rows"]) == 2
    html = client.get(url(project, date="20-03-2024")).content.decode()
    assert "“20-03-2024” is not a date: write it as YYYY-MM-DD." in html
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.get(url(project, date=future))
    assert response.context["as_of"] == timezone.localdate()
    assert "is in the future" in response.content.decode()


def test_one_cycle_on_the_page(project, example, client_for):
    response = client_for("viewer").get(url(project, cycle=example["b"].pk, date="2024-03-20"))
    assert [r["cycle"].pk for r in response.context["cycle_rows"]] == [example["b"].pk]
    assert 'name="date" value="2024-03-20"' in response.content.decode()


@pytest.mark.parametrize("username", ["pm", "steering", "evaluator", "trainer", "member", "viewer"])
def test_every_member_may_look(project, example, client_for, username):
    assert client_for(username).get(url(project)).status_code == 200
    assert client_for(username).get(url(project, "testing:traceability-xlsx")).status_code == 200


def test_outsiders_get_404_and_anonymous_logs_in(project, example, client_for, other_project):
    assert client_for("outsider").get(url(project)).status_code == 404
    assert client_for("outsider").get(url(project, "testing:traceability-xlsx")).status_code == 404
    assert client_for("pm").get(url(other_project)).status_code == 404
    response = client_for("anonymous").get(url(project))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_is_read_only(project, client_for):
    assert client_for("pm").post(url(project)).status_code == 405


@pytest.mark.parametrize("language, words", [("zh-hans", ["通过率", "测试用例"]), ("zh-hant", ["通過率", "測試案例"])])
def test_renders_in_chinese(project, example, client_for, language, words):
    response = client_for("viewer").get(url(project, date="2024-03-20"), headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for word in words:
        assert word in html


def test_an_empty_project_renders(project, client_for):
    response = client_for("viewer").get(url(project))
    assert response.status_code == 200
    assert "No test cycles yet." in response.content.decode()


def test_queries_stay_flat_as_the_rows_grow(project, example, client_for, django_assert_max_num_queries):
    client = client_for("viewer")
    with django_assert_max_num_queries(12) as first:
        client.get(url(project, date="2024-03-20"))
    plan = TestPlan.objects.first()
    for n in range(4):
        cycle = TestCycle.objects.create(project=project, plan=plan, name=f"Extra {n}", start=day(3, 1))
        cases = [make_case(project, f"Extra {n}.{i}", f"UC-{20 + i} More", f"BR-{i}") for i in range(5)]
        cycle.cases.set(cases)
        for i, case in enumerate(cases):
            run(project, cycle, case, Result.FAILED, at(3, 2 + i))
            run(project, cycle, case, Result.PASSED, at(3, 9 + i))
            defect(project, f"Extra {n}.{i}", 1 + i % 4, [(at(3, 2 + i), DefectStatus.NEW),
                                                           (at(3, 10 + i), DefectStatus.REJECTED)],
                   cycle=cycle, case=case, use_cases=f"UC-{20 + i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url(project, date="2024-03-20"))
    assert len(response.context["cycle_rows"]) == 6
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url(project, "testing:traceability-xlsx", date="2024-03-20"))


# --- XLSX ------------------------------------------------------------------------------------------


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_traceability_xlsx(project, example, client_for):
    response = client_for("viewer").get(url(project, "testing:traceability-xlsx", date="2024-03-20"))
    assert 'filename="traceability-2024-03-20.xlsx"' in response["Content-Disposition"]
    book = workbook(response)
    assert book.sheetnames == ["Use cases", "Business rules", "Cases without use case"]
    rows = list(book["Use cases"].iter_rows(values_only=True))
    assert rows[0] == ("Use case", "Label", "Flags", "Passed", "Test case", "Title", "Latest result", "Cycle",
                       "Execution", "Executed on", "Open defects of the case", "Other open defects naming it")
    a, b = example["a"], example["b"]
    d1 = example["d"][1]
    assert rows[1][:10] == ("UC-03", "UC-03 Create quotation", None, "2/2", "TC-001", "Quote a frame",
                            "Passed with remarks", b.ref, rows[1][8], datetime.datetime(2024, 3, 12))
    assert rows[1][10] == f"{d1.ref} Total wrong"
    uc09 = [r for r in rows if r[0] == "UC-09"]
    assert uc09 == [("UC-09", "UC-09 Cancel order", "No test case", "0/0", None, None, None, None, None, None,
                     None, f"{example['d'][3].ref} Cannot cancel")]
    uc10 = [r for r in rows if r[0] == "UC-10"][0]
    assert (uc10[6], uc10[7]) == ("Blocked", a.ref)
    unnamed = list(book["Cases without use case"].iter_rows(values_only=True))
    assert [r[0] for r in unnamed[1:]] == ["TC-004"]
    rules = list(book["Business rules"].iter_rows(values_only=True))
    assert [r[0] for r in rules[1:]] == ["BR-1", "BR-1", "BR-2"]


@pytest.mark.parametrize("language, header", [("zh-hans", "测试用例"), ("zh-hant", "測試案例")])
def test_xlsx_headers_are_translated(project, example, client_for, language, header):
    response = client_for("viewer").get(url(project, "testing:traceability-xlsx"), headers={"Accept-Language": language})
    book = workbook(response)
    first = next(book.worksheets[0].iter_rows(values_only=True))
    assert header in first
    assert "Test case" not in first


def test_long_matrices_are_cut_on_the_page_but_not_in_the_download(project, example, client_for, monkeypatch):
    from testing import dashboard_views

    monkeypatch.setattr(dashboard_views, "MATRIX_ROWS", 4)  # UC-03 and UC-04 take 2 lines each
    client = client_for("viewer")
    response = client.get(url(project, date="2024-03-20"))
    assert [r["key"] for r in response.context["use_cases"]] == ["UC-03", "UC-04"]
    assert "Show every row" in response.content.decode()
    response = client.get(url(project, date="2024-03-20", matrix="all"))
    assert [r["key"] for r in response.context["use_cases"]] == ["UC-03", "UC-04", "UC-09", "UC-10", "UC-11"]
    assert response.context["use_cases"][2]["flags"] == [("no_cases", "No test case", "red")]
    assert "Show every row" not in response.content.decode()


def test_charts_are_built_from_the_figures():
    from testing import dashboard_charts as charts

    days = [day(3, 4), day(3, 5)]
    fig = charts.burnup_figure([charts.BurnUpSeries("CYC-001 A", days, [2, 3], [1, 1], 4),
                                charts.BurnUpSeries("CYC-002 B", days, [1, 1], [0, 1], 2)], shown=1)
    assert [t.visible for t in fig.data] == [False] * 3 + [True] * 3
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["CYC-001 A", "CYC-002 B"]
    assert list(fig.data[4].y) == [1, 1] and list(fig.data[3].y) == [2, 2]
    with pytest.raises(ValueError):
        charts.burnup_figure([charts.BurnUpSeries("X", days, [1], [1, 1], 1)])
    fig = charts.pass_rate_figure(["CYC-001", "CYC-002"], [33.3, None], [95, 90], ["33.3% (1/3)", "—"])
    assert list(fig.data[0].marker.color) == [charts.FAILED_COLOUR, charts.EMPTY_COLOUR]
    fig = charts.ageing_figure(["0–2", "3–7"], {1: [0, 1], 3: [2, 0]}, {1: "critical", 3: "minor"})
    assert [t.name for t in fig.data] == ["critical", "minor"] and fig.layout.barmode == "stack"
    fig = charts.flow_figure(days, [1, 2], [0, 1], [1, 2])
    assert list(fig.data[2].y) == [1, 2]
