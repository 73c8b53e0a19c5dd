"""Data migration figures (testing/migration.py) and pages (testing/migration_views.py).

Hand-worked examples: each test builds its figures and states the outcome they must give.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from testing import migration
from testing.choices import CutoverStage, DefectStatus, ReconciliationStatus, RunStatus, Severity
from testing.models import (
    CutoverStep,
    Defect,
    FieldMapping,
    MockRun,
    RehearsalTiming,
    RunObject,
    SourceSystem,
)
from tests.testing.migration_data import (
    counts,
    diamond,
    make_object,
    make_run,
    make_step,
    ready_plan,
    reconciliation,
    timings,
)

pytestmark = pytest.mark.django_db


# --- run_table ------------------------------------------------------------------------------------


@pytest.fixture
def plan_objects(project):
    accounts = make_object(project, "Accounts", 10, "0.50", "100.00")
    contacts = make_object(project, "Contacts", 20, "1.00", "99.50", after=[accounts])
    orders = make_object(project, "Orders", 30)
    return accounts, contacts, orders


def test_run_table_hand_worked(project, plan_objects):
    accounts, contacts, orders = plan_objects
    run = make_run(project)
    # Accounts: 4 of 1000 rejected = 0.4% (limit 0.5%); 100% reconciled as entered (at least 100%): passes.
    counts(run, accounts, 1000, 4, reconciled="100", errors="missing mandatory field: 3\nbad date: 1")
    # Contacts: 30 of 2000 rejected = 1.5% (limit 1%): fails; reconciled 1990 of 2000 = 99.5% by the latest
    # reconciliation done (an older one said 50%; a later failed one does not count).
    counts(run, contacts, 2000, 30, transformed=1990, loaded=1970, errors="missing mandatory field: 20\nduplicate: 10")
    reconciliation(run, contacts, 1000, 2000, minutes=-10)
    reconciliation(run, contacts, 1990, 2000, minutes=0)
    reconciliation(run, contacts, 0, 2000, status=ReconciliationStatus.FAILED, minutes=5)
    # Orders: not run.
    table = migration.run_table(run)

    assert [row.object for row in table.rows] == [accounts, contacts, orders]
    a, c, o = table.rows
    assert a.rejected_rate == pytest.approx(0.4) and a.reconciled == 100 and a.reconciled_from == "entered"
    assert (a.rejected_ok, a.reconciled_ok, a.passed) == (True, True, True)
    assert a.errors == [("missing mandatory field", 3), ("bad date", 1)]
    assert c.rejected_rate == pytest.approx(1.5) and c.reconciled == pytest.approx(99.5)
    assert c.reconciled_from == "reconciliation"
    assert (c.rejected_ok, c.reconciled_ok, c.passed) == (False, True, False)
    assert (o.ran, o.rejected_rate, o.reconciled, o.passed) == (False, None, None, False)
    # Totals: 3000 extracted, 2990 transformed, 996 + 1970 = 2966 loaded, 34 rejected = 1.1333%.
    assert (table.extracted, table.transformed, table.loaded, table.rejected) == (3000, 2990, 2966, 34)
    assert table.rejected_rate == pytest.approx(34 / 3000 * 100)
    # Reconciled weighted by extracted: (100 × 1000 + 99.5 × 2000) / 3000 = 99.6667%.
    assert table.reconciled == pytest.approx(299000 / 3000)
    assert (table.ran, table.passed, table.objects) == (2, 1, 3)
    assert table.errors == [("missing mandatory field", 23), ("duplicate", 10), ("bad date", 1)]


def test_run_table_thresholds_are_inclusive_and_missing_figures_prove_nothing(project):
    at_limit = make_object(project, "At the limits", 10, "0.50", "99.00")
    empty = make_object(project, "Nothing extracted", 20)
    unreconciled = make_object(project, "Not reconciled", 30)
    run = make_run(project)
    counts(run, at_limit, 1000, 5, reconciled="99.00")  # 5 / 1000 = 0.5% exactly, 99% exactly: passes
    counts(run, empty, 0, 0, reconciled="100")  # no extracted records: the rejected rate is not proven
    counts(run, unreconciled, 100, 0)  # 0% rejected, but no reconciliation
    rows = migration.run_table(run).rows
    assert rows[0].passed is True
    assert (rows[1].rejected_rate, rows[1].rejected_ok, rows[1].passed) == (None, False, False)
    assert (rows[2].rejected_ok, rows[2].reconciled, rows[2].passed) == (True, None, False)


def test_run_table_lists_the_defects_raised(project, plan_objects):
    accounts, contacts, _orders = plan_objects
    run = make_run(project)
    first = Defect.objects.create(project=project, title="Dates shift a day", severity=Severity.MAJOR)
    second = Defect.objects.create(project=project, title="Owner missing", severity=Severity.MINOR)
    counts(run, accounts, 10, 0, defects=[first, second])
    counts(run, contacts, 10, 0, defects=[first])
    table = migration.run_table(run)
    assert table.defects == [first, second]  # distinct, by number
    assert table.rows[0].defects == [first, second] and table.rows[1].defects == [first]


# --- trend ----------------------------------------------------------------------------------------


def test_trend_hand_worked(project, plan_objects):
    accounts, contacts, orders = plan_objects
    one = make_run(project, RunStatus.DONE, day=0)
    two = make_run(project, RunStatus.IN_PROGRESS, day=7)
    make_run(project, RunStatus.PLANNED, day=14)  # not in the trend
    abandoned = make_run(project, RunStatus.ABANDONED, day=21)
    counts(one, accounts, 1000, 20, reconciled="95")  # 2%
    counts(one, contacts, 500, 10, reconciled="90")  # 2%
    counts(two, accounts, 1000, 5, reconciled="100")  # 0.5%
    counts(two, orders, 200, 1)  # 0.5%, not reconciled
    counts(abandoned, accounts, 1000, 999)

    result = migration.trend(project)
    assert result.runs == [one, two]
    a, c, o = result.objects
    assert a.rejected_rate == [pytest.approx(2.0), pytest.approx(0.5)]
    assert a.reconciled == [95.0, 100.0] and a.loaded == [980, 995]
    assert c.rejected_rate == [pytest.approx(2.0), None] and c.loaded == [490, None]
    assert o.rejected_rate == [None, pytest.approx(0.5)] and o.reconciled == [None, None]
    # Overall, run 1: 30 of 1500 = 2%; reconciled (95 × 1000 + 90 × 500) / 1500 = 93.333%; loaded 1470.
    # Run 2: 6 of 1200 = 0.5%; reconciled 100% (orders has no figure); loaded 995 + 199 = 1194.
    assert result.overall.rejected_rate == [pytest.approx(2.0), pytest.approx(0.5)]
    assert result.overall.reconciled == [pytest.approx(140000 / 1500), pytest.approx(100.0)]
    assert result.overall.loaded == [1470, 1194]


# --- schedule -------------------------------------------------------------------------------------


def test_compute_schedule_on_a_diamond():
    # A (10) -> B (30), C (20) -> D (5): A 0-10, B 10-40, C 10-30, D 40-45; C has 10 minutes of slack.
    figures = migration.compute_schedule(
        ["A", "B", "C", "D"], {"B": ["A"], "C": ["A"], "D": ["B", "C"]}, {"A": 10, "B": 30, "C": 20, "D": 5},
        {"A", "B", "C", "D"},
    )
    assert figures["start"] == {"A": 0, "B": 10, "C": 10, "D": 40}
    assert figures["finish"] == {"A": 10, "B": 40, "C": 30, "D": 45}
    assert figures["total"] == 45
    assert figures["critical_path"] == ["A", "B", "D"]
    assert figures["slack"] == {"A": 0, "B": 0, "C": 10, "D": 0}


def test_schedule_planned_and_on_a_runs_timings(project, users):
    a, b, c, d = diamond(project, users["pm"])
    planned = migration.schedule(project)
    assert [(t.step, t.start, t.finish) for t in planned.steps] == [(a, 0, 10), (b, 10, 40), (c, 10, 30), (d, 40, 45)]
    assert planned.total == 45 and planned.total_hhmm == "00:45"
    assert planned.critical_path == [a, b, d]
    assert [t.critical for t in planned.steps] == [True, True, False, True]
    assert planned.ok and planned.message == ""
    # Timed: A 12, B 25, C 30, D 5 -> A 0-12, B 12-37, C 12-42, D 42-47: C is now on the critical path.
    run = make_run(project, rehearsal=True)
    timings(run, {a: 12, b: 25, c: 30, d: 5})
    actual = migration.schedule(project, timings=run)
    assert [(t.start, t.finish) for t in actual.steps] == [(0, 12), (12, 37), (12, 42), (42, 47)]
    assert actual.total == 47 and actual.critical_path == [a, c, d]
    assert [t.variance for t in actual.steps] == [2, -5, 10, 0]
    assert actual.complete and actual.untimed == []
    # Only A timed: the others count at their planned duration and are listed as not timed.
    partial = migration.schedule(project, timings={a.pk: 12})
    assert partial.total == 47 and partial.untimed == [b, c, d] and not partial.complete


def test_fallback_steps_are_scheduled_but_left_out_of_the_window(project, users):
    a, b, c, d = diamond(project, users["pm"])
    rollback = make_step(project, "Roll back", 60, users["pm"], [d], stage=CutoverStage.FALLBACK, sequence=50)
    result = migration.schedule(project)
    fallback = result.steps[-1]
    assert (fallback.step, fallback.start, fallback.finish) == (rollback, 45, 105)
    assert result.total == 45 and result.critical_path == [a, b, d]
    assert (fallback.critical, fallback.slack) == (False, None)
    assert migration.schedule(project, timings={a.pk: 10, b.pk: 30, c.pk: 20, d.pk: 5}).untimed == []


def test_schedule_reports_a_cycle_with_its_steps(project, users):
    a = make_step(project, "Freeze", 10, users["pm"], sequence=10)
    b = make_step(project, "Load", 30, users["pm"], [a], sequence=20)
    c = make_step(project, "Check", 20, users["pm"], [b], sequence=30)
    b.depends_on.add(c)  # B after C after B
    make_step(project, "Go live", 5, users["pm"], [c], sequence=40)  # after the circle, not on it
    result = migration.schedule(project)
    assert not result.ok and result.total is None
    assert result.cycle == [b, c]
    assert f"{b.ref} → {c.ref} → {b.ref}" in result.message
    assert f"{b.ref} “Load”" in result.message and f"{c.ref} “Check”" in result.message
    assert all(t.start is None for t in result.steps)


def test_a_step_after_itself_is_a_cycle(project, users):
    a = make_step(project, "Freeze", 10, users["pm"])
    a.depends_on.add(a)
    result = migration.schedule(project)
    assert result.cycle == [a] and f"{a.ref} → {a.ref}" in result.message


def test_hhmm():
    assert [migration.hhmm(m) for m in (0, 5, 65, 1600, -10, None)] == ["00:00", "00:05", "01:05", "26:40", "−00:10", "—"]


# --- go / no-go -----------------------------------------------------------------------------------


@pytest.fixture
def ready(project, users):
    """A plan that meets every criterion (migration_data.ready_plan)."""
    return ready_plan(project, users["pm"])


def criteria(project) -> dict:
    result = migration.go_no_go(project)
    return {c.code: c for c in result.criteria}


def test_go_when_every_criterion_is_met(project, ready):
    result = migration.go_no_go(project)
    assert result.run == ready["runs"][1] and result.rehearsal == ready["runs"][1]
    assert [(c.code, c.met) for c in result.criteria] == [
        ("objects_run", True), ("rejected", True), ("reconciled", True), ("defects", True),
        ("runbook", True), ("timed", True), ("window", True),
    ]
    assert result.go and result.verdict == "go" and result.data_met and result.cutover_met
    by = {c.code: c.text for c in result.criteria}
    run = ready["runs"][1].ref
    assert by["objects_run"] == f"{run} ran 2 of the 2 objects of the plan."
    # 24 of 3000 rejected overall = 0.8%.
    assert by["rejected"] == (f"2 of 2 objects within their limit of rejected records in {run}. "
                              "Overall 0.8% rejected (24 of 3000 extracted).")
    assert by["reconciled"] == f"2 of 2 objects reconciled at or above their threshold in {run}."
    assert by["defects"] == f"No open severity-1 or 2 defect raised on the objects of {run} (2 defects raised in all)."
    assert by["timed"] == f"{run} timed 4 of the 4 steps of the runbook."
    assert by["window"] == (f"{run} took 49 minutes along its critical path; the planned window is 45 minutes, "
                            "49.5 minutes with the 10% margin.")
    assert result.window_limit == pytest.approx(49.5)


def test_an_object_not_run_fails(project, ready):
    orders = make_object(project, "Orders", 30)
    by = criteria(project)
    assert by["objects_run"].met is False
    assert "ran 2 of the 3 objects" in by["objects_run"].text and f"Not run: {orders.ref} “Orders”." in by["objects_run"].text
    assert by["rejected"].met is False and "No records extracted, so not proven" in by["rejected"].text
    assert by["reconciled"].met is False and f"Not reconciled, so not proven: {orders.ref}" in by["reconciled"].text


def test_rejected_over_the_limit_fails(project, ready):
    RunObject.objects.filter(pk=ready["rows"]["contacts"].pk).update(rejected=21)  # 21 / 2000 = 1.05% > 1%
    result = migration.go_no_go(project)
    by = {c.code: c for c in result.criteria}
    assert by["rejected"].met is False
    assert f"{ready['contacts'].ref} “Contacts” 1.05% (at most 1%)" in by["rejected"].text
    assert "1 of 2 objects within their limit" in by["rejected"].text
    assert not result.go and result.verdict == "no_go" and not result.data_met and result.cutover_met


def test_reconciliation_below_the_threshold_fails(project, ready):
    RunObject.objects.filter(pk=ready["rows"]["contacts"].pk).update(reconciled_rate=Decimal("99.49"))
    by = criteria(project)
    assert by["reconciled"].met is False
    assert f"{ready['contacts'].ref} “Contacts” 99.49% (at least 99.5%)" in by["reconciled"].text


def test_an_open_severe_defect_on_the_last_run_fails(project, ready):
    severe = Defect.objects.create(project=project, title="Contacts lose their account", severity=Severity.MAJOR,
                                   status=DefectStatus.FIXED)  # fixed but not retested: still open
    ready["rows"]["contacts"].defects.add(severe)
    by = criteria(project)
    assert by["defects"].met is False
    assert by["defects"].text.startswith("1 open severity-1 or 2 defects raised on the objects of")
    assert f"{severe.ref} “Contacts lose their account”" in by["defects"].text


def test_the_runbook_needs_owners_and_durations(project, ready):
    a, b, c, d = ready["steps"]
    CutoverStep.objects.filter(pk=b.pk).update(owner=None)
    CutoverStep.objects.filter(pk=c.pk).update(planned_minutes=0)
    result = migration.go_no_go(project)
    by = {c.code: c for c in result.criteria}
    assert by["runbook"].met is False
    assert f"Without an owner: {b.ref} “Load accounts”." in by["runbook"].text
    assert f"Without a planned duration: {c.ref} “Load contacts”." in by["runbook"].text
    assert result.data_met and not result.cutover_met


def test_a_cycle_fails_the_runbook_and_the_window(project, ready):
    a, b, c, d = ready["steps"]
    a.depends_on.add(d)
    by = criteria(project)
    assert by["runbook"].met is False and "circle" in by["runbook"].text
    assert by["window"].met is False and by["window"].text.startswith("The window cannot be worked out")


def test_every_step_must_be_timed(project, ready):
    a, b, c, d = ready["steps"]
    RehearsalTiming.objects.filter(step=c).delete()
    by = criteria(project)
    assert by["timed"].met is False
    assert "timed 3 of the 4 steps" in by["timed"].text and f"Not timed: {c.ref} “Load contacts”." in by["timed"].text
    assert by["window"].met is False and "Not every step was timed" in by["window"].text


def test_a_rehearsal_over_the_window_fails(project, ready):
    a, b, c, d = ready["steps"]
    RehearsalTiming.objects.filter(step=b).update(actual_minutes=32)  # B 12-44, D 44-50: 50 > 49.5
    by = criteria(project)
    assert by["window"].met is False and "took 50 minutes" in by["window"].text


def test_without_a_rehearsal_done(project, ready):
    MockRun.objects.filter(pk=ready["runs"][1].pk).update(is_rehearsal=False)
    result = migration.go_no_go(project)
    by = {c.code: c for c in result.criteria}
    assert result.rehearsal is None
    assert by["timed"].met is False and by["timed"].text.startswith("No cutover rehearsal is done yet")
    assert by["window"].met is False and by["runbook"].met is True


def test_without_a_run_done_or_objects_or_steps(project):
    result = migration.go_no_go(project)
    assert not result.go and result.run is None
    texts = {c.code: c.text for c in result.criteria}
    assert texts["objects_run"] == "The migration plan has no objects yet."
    assert texts["runbook"] == "The cutover runbook has no steps yet."
    make_object(project, "Accounts", 10)
    make_run(project, RunStatus.IN_PROGRESS)
    result = migration.go_no_go(project)
    assert all(not c.met and c.text == "No mock run is done yet." for c in result.criteria if c.group == "data")


# --- Pages ----------------------------------------------------------------------------------------


def url(project, name="migration"):
    return reverse(f"testing:{name}", kwargs={"project": project.pk})


@pytest.mark.parametrize("name", ["migration", "cutover"])
def test_page_permissions(project, client_for, other_project, name):
    for role in ("viewer", "steering", "member", "pm"):
        assert client_for(role).get(url(project, name)).status_code == 200
    assert client_for("outsider").get(url(project, name)).status_code == 404
    assert client_for("pm").get(url(other_project, name)).status_code == 404
    anonymous = client_for("anonymous").get(url(project, name))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_migration_page_shows_the_plan(project, ready, client_for):
    SourceSystem.objects.create(project=project, name="Old Access database", duplicate_rate=Decimal("3.5"))
    FieldMapping.objects.create(project=project, migration_object=ready["accounts"], source_field="NAME",
                                target_field="name")
    viewer = client_for("viewer").get(url(project))
    html = viewer.content.decode()
    assert "Old Access database" in html and "3.50%" in html
    assert ready["accounts"].ref in html and ready["runs"][1].ref in html
    assert 'id="rejected-trend"' in html and 'id="reconciled-trend"' in html and "plotly.min.js" in html
    assert 'id="go-no-go-verdict">Go<' in html
    assert "Add an object" not in html  # the viewer may not change
    assert "Add an object" in client_for("member").get(url(project)).content.decode()


def test_cutover_page_shows_the_schedule_and_rehearsals(project, ready, client_for):
    a, b, c, d = ready["steps"]
    response = client_for("viewer").get(url(project, "cutover"))
    html = response.content.decode()
    assert response.context["planned"].total == 45
    assert f"{a.ref} → {b.ref} → {d.ref}" in html  # the critical path
    assert "00:40" in html and "00:45" in html  # D starts at 40 minutes, finishes at 45
    row = response.context["stages"][0]["rows"][1]  # B: planned 30, timed 31
    assert row["time"].step == b and row["cells"] == [{"actual": 31, "variance": 1, "variance_hhmm": "00:01",
                                                       "colour": "red"}]
    rehearsal = response.context["rehearsals"][0]
    assert (rehearsal["elapsed"], rehearsal["variance"], rehearsal["within"], rehearsal["last"]) == (49, 4, True, True)
    assert response.context["limit_hhmm"] == "00:49" and response.context["limit_text"] == "49.5"
    # A rehearsal planned but not timed yet measures nothing.
    make_run(project, RunStatus.PLANNED, rehearsal=True, day=30)
    later = client_for("viewer").get(url(project, "cutover")).context["rehearsals"][-1]
    assert (later["timed"], later["elapsed"], later["variance"], later["within"]) == (0, None, None, False)


def test_cutover_page_explains_a_cycle(project, ready, client_for):
    a, b, c, d = ready["steps"]
    a.depends_on.add(d)
    response = client_for("viewer").get(url(project, "cutover"))
    assert response.status_code == 200
    assert 'id="runbook-cycle"' in response.content.decode()


def test_mock_run_detail_page(project, ready, client_for):
    run = ready["runs"][1]
    response = client_for("viewer").get(reverse("testing:mock-runs-detail", kwargs={"project": project.pk, "pk": run.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="run-table"' in html and 'id="timing-table"' in html and 'id="reconciliations"' in html
    assert response.context["run_table"].passed == 2
    assert response.context["run_schedule"].total == 49 and response.context["elapsed_variance"] == 4
    assert "Record an object" not in html  # the viewer may not change
    # A run that is not a rehearsal has no timings section.
    other = client_for("viewer").get(reverse("testing:mock-runs-detail", kwargs={"project": project.pk,
                                                                                 "pk": ready["runs"][0].pk}))
    assert other.status_code == 200 and other.context["run_schedule"] is None


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("name", ["migration", "cutover"])
def test_pages_render_in_chinese(project, ready, client_for, language, name):
    client = client_for("viewer")
    client.cookies["django_language"] = language
    response = client.get(url(project, name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    run = ready["runs"][1]
    detail = client.get(reverse("testing:mock-runs-detail", kwargs={"project": project.pk, "pk": run.pk}),
                        HTTP_ACCEPT_LANGUAGE=language)
    assert detail.status_code == 200


@pytest.mark.parametrize("name", ["migration", "cutover"])
def test_query_count_does_not_grow_with_runs_and_objects(project, ready, users, client_for, name,
                                                         django_assert_max_num_queries):
    client = client_for("viewer")
    client.get(url(project, name))  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(project, name)).status_code == 200
    # Five more objects with mappings, five more runs with counts, defects and timings, five more steps.
    steps = list(ready["steps"])
    for i in range(5):
        obj = make_object(project, f"Object {i}", 40 + i, after=[ready["contacts"]])
        FieldMapping.objects.create(project=project, migration_object=obj, source_field="A", target_field="a")
        run = make_run(project, rehearsal=True, day=20 + i)
        defect = Defect.objects.create(project=project, title=f"Defect {i}", severity=Severity.MAJOR)
        counts(run, obj, 100, 1, defects=[defect])
        counts(run, ready["accounts"], 100, 0)
        reconciliation(run, obj, 99, 100)
        step = make_step(project, f"Step {i}", 5, users["pm"], [steps[-1]], sequence=50 + i)
        steps.append(step)
        timings(run, {s: 5 for s in steps})
        SourceSystem.objects.create(project=project, name=f"Source {i}")
    with django_assert_max_num_queries(len(small)):
        assert client.get(url(project, name)).status_code == 200
