"""The data-migration part of the demo: idempotent, runs that improve, a real reconciliation of the
rehearsal's accounts, and a go/no-go that shows the one problem left (order history)."""

import datetime
import decimal

import pytest
from django.apps import apps
from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import DEMO_PROJECT_NAME
from projectcrm.core.models import Project
from testing import demo_migration as demo
from testing.choices import DEFECT_DONE, CutoverStage, ReconciliationStatus, RunStatus
from testing.migration_counts import parse_errors
from testing.models import (
    CutoverStep,
    FieldMapping,
    MigrationObject,
    MockRun,
    Reconciliation,
    RehearsalTiming,
    RunObject,
    SourceSystem,
)

pytestmark = pytest.mark.django_db

D = decimal.Decimal


def area_counts() -> dict:
    """Rows of every testing model, history tables included."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models() if m._meta.app_label == "testing"}


def seed_demo():
    """What `seed_demo` does for the testing area only (the other areas take most of its time)."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import translation

    from projectcrm.core.management.commands.seed_demo import acting_as, ensure_project, ensure_users
    from testing import demo as testing_demo

    with translation.override("en"), transaction.atomic():
        users = ensure_users(settings.DEMO_PASSWORD)
        with acting_as(users["pm"]):
            project = ensure_project(users, timezone.localdate())
            testing_demo.seed(project, users)
            demo.seed(project, users)


def demo_project() -> Project:
    return Project.objects.get(name=DEMO_PROJECT_NAME)


def runs(project) -> list:
    return list(MockRun.objects.filter(project=project).order_by("number"))


def test_seed_demo_twice_creates_nothing_new():
    seed_demo()
    first = area_counts()
    reconciliation = Reconciliation.objects.get()
    seed_demo()
    assert area_counts() == first
    assert Reconciliation.objects.get().pk == reconciliation.pk  # found again, not run twice
    assert first["testing.HistoricalReconciliation"] == Reconciliation.history.count()
    assert first["testing.HistoricalRunObject"] == first["testing.RunObject"] + 1  # + the reconciled rate
    assert first["testing.MockRun"] == 3 and first["testing.RunObject"] == 21


def test_sources_objects_mappings_and_the_runbook():
    seed_demo()
    project = demo_project()
    sources = SourceSystem.objects.filter(project=project)
    assert sources.count() == 4
    for source in sources:
        assert source.owner and source.record_count and source.data_format and source.assessment
        assert None not in (source.duplicate_rate, source.missing_fields_rate, source.outdated_rate)
    assert sources.get(name=demo.SPREADSHEETS).quality == "poor"

    objects = list(MigrationObject.objects.filter(project=project).order_by("sequence"))
    assert [o.name for o in objects] == [
        "Accounts", "Contacts", "Price lists", "Products", "Open quotations", "Order history", "Leads"]
    after = {o.name: sorted(d.name for d in o.depends_on.all()) for o in objects}
    assert after["Contacts"] == ["Accounts"]
    assert after["Open quotations"] == ["Accounts", "Contacts", "Products"]
    assert after["Order history"] == ["Accounts", "Products"]
    for obj in objects:  # every dependency loads earlier
        assert all(d.sequence < obj.sequence for d in obj.depends_on.all()), obj.name
        assert obj.max_rejected_rate == D("0.50")
        assert obj.min_reconciled_rate in (D("99.50"), D("100.00"))

    mappings = FieldMapping.objects.filter(project=project)
    assert mappings.filter(migration_object__name="Accounts").count() == 10
    assert mappings.filter(migration_object__name="Contacts").count() == 7
    assert mappings.exclude(lookup_table="").count() >= 5
    assert mappings.filter(source_field="").exclude(default_value="").count() == 2  # defaults only
    for mapping in mappings:
        mapping.full_clean()

    steps = list(CutoverStep.objects.filter(project=project).order_by("sequence"))
    assert len(steps) == 15
    assert {s.stage for s in steps} == set(CutoverStage.values)
    assert all(s.owner and s.planned_minutes and s.instructions for s in steps)
    loads = {s.migration_object.name for s in steps if s.migration_object}
    assert loads == set(MigrationObject.objects.filter(project=project).values_list("name", flat=True))
    for step in steps:
        assert all(d.sequence < step.sequence for d in step.depends_on.all()), step.name
    first, second, third = runs(project)
    assert RehearsalTiming.objects.filter(run=third).count() == 15
    assert RehearsalTiming.objects.filter(run=second).count() == 6
    assert not RehearsalTiming.objects.filter(run=first).exists()
    late = RehearsalTiming.objects.filter(run=third, step__name="Load order history").get()
    assert (late.step.planned_minutes, late.actual_minutes) == (210, 241)


def test_three_runs_whose_rejected_rates_fall():
    seed_demo()
    project = demo_project()
    today = timezone.localdate()
    first, second, third = runs(project)
    assert [r.run_date for r in (first, second, third)] == [today - datetime.timedelta(days=d) for d in (70, 42, 14)]
    assert {r.status for r in (first, second, third)} == {RunStatus.DONE}
    assert [r.is_rehearsal for r in (first, second, third)] == [False, False, True]

    # Hand-added from RUN_OBJECTS: extracted and rejected of the seven objects per run.
    #   RUN-001: 2296 + 5912 + 1804 + 4105 + 702 + 51240 + 4310 = 70,369 extracted;
    #            108 + 357 + 33 + 172 + 98 + 1360 + 308 = 2,436 rejected -> 3.46 %
    #   RUN-002: 2188 + 5540 + 1772 + 3956 + 668 + 49870 + 3390 = 67,384; 21 + 64 + 4 + 25 + 9 + 259 + 49 = 431 -> 0.64 %
    #   RUN-003: 2140 + 5402 + 1766 + 3921 + 646 + 49420 + 3205 = 66,500; 3 + 7 + 0 + 3 + 0 + 118 + 7 = 138 -> 0.21 %
    expected = [(70369, 2436, "3.46"), (67384, 431, "0.64"), (66500, 138, "0.21")]
    for run, (extracted, rejected, rate) in zip((first, second, third), expected, strict=True):
        rows = RunObject.objects.filter(run=run)
        assert rows.count() == 7
        total_extracted = sum(r.extracted for r in rows)
        total_rejected = sum(r.rejected for r in rows)
        assert (total_extracted, total_rejected) == (extracted, rejected), run.ref
        assert round(D(100 * total_rejected) / total_extracted, 2) == D(rate)
        for row in rows:
            row.full_clean()  # counts add up, errors parse
            categories, _problems = parse_errors(row.errors)
            assert sum(n for _c, n in categories) == row.rejected, (run.ref, row.migration_object.name)
    # Every object rejects less in each run than in the one before (none rejects more).
    for obj in MigrationObject.objects.filter(project=project):
        rates = [RunObject.objects.get(run=run, migration_object=obj).rejected_rate for run in (first, second, third)]
        assert rates[0] > rates[1] >= rates[2], obj.name
    assert RunObject.objects.get(run=first, migration_object__name="Products").errors.startswith(
        "missing mandatory field: 120")

    # Defects: the earlier ones are closed; the rehearsal's is open but not severe.
    defects = {}
    for row in RunObject.objects.filter(project=project).prefetch_related("defects"):
        for defect in row.defects.all():
            defects.setdefault(defect.pk, (defect, set()))[1].add(row.run.number)
    assert len(defects) == 7
    for defect, numbers in defects.values():
        if max(numbers) < 3:
            assert defect.status in DEFECT_DONE, defect.title
        else:
            assert defect.status not in DEFECT_DONE and defect.severity == 3, defect.title


def test_the_rehearsal_reconciles_the_accounts_with_the_designed_counts():
    seed_demo()
    project = demo_project()
    rehearsal = runs(project)[2]
    reconciliation = Reconciliation.objects.get(run=rehearsal)
    assert reconciliation.status == ReconciliationStatus.DONE, reconciliation.error
    assert (reconciliation.migration_object.name, reconciliation.source_name, reconciliation.requested_by.username) == (
        "Accounts", demo.SOURCE_NAME, "evaluator3")
    result = reconciliation.result
    # 2,127 ordinary customers + 6 with a designed difference are once on each side (2,133 matched);
    # 3 rows without a country only in the source; K10480 and K16622 twice in the source (4 rows),
    # once in the target; 2 UAT test accounts only in the target.
    assert {key: result[key] for key in demo.ACCOUNTS_RECONCILED} == {
        "source_rows": 2140, "target_rows": 2137, "matched": 2133, "mismatched_rows": 3, "source_only": 3,
        "target_only": 2, "source_duplicate_keys": 2, "target_duplicate_keys": 0, "source_duplicate_rows": 4,
        "target_duplicate_rows": 2,
    }
    # Cities with spaces (3), dates 2016/05/03 and numbers with separators (every row) are equal after
    # trim, date and number; SYDNEY, TORONTO and the credit limit 80,000 -> 85,000 are not.
    columns = result["columns"]
    assert {name: col["mismatches"] for name, col in columns.items()} == {
        "account_name": 0, "city": 2, "credit_limit": 1, "currency": 0, "customer_since": 0}
    assert [(s["source"], s["target"]) for s in columns["city"]["samples"]] == [("SYDNEY", "Sydney"), ("TORONTO", "Toronto")]
    assert columns["credit_limit"]["max_difference"] == 5000
    assert [s["key"]["CustNo"] for s in result["source_only_samples"]] == demo.SOURCE_ONLY
    assert [s["key"]["CustNo"] for s in result["target_only_samples"]] == demo.TARGET_ONLY
    assert (result["unmapped_source_columns"], result["unmapped_target_columns"]) == (
        ["Country", "SalesRep"], ["country_code", "owner"])
    assert result["matched_equal"] == demo.ACCOUNTS_EQUAL == 2130  # matched 2,133 - 3 with a difference
    # 2,130 / 2,140 = 99.53 %, at least the 99.50 % accounts need; stored on the run's accounts row.
    assert reconciliation.reconciled_rate == pytest.approx(99.5327, abs=1e-4)
    row = RunObject.objects.get(run=rehearsal, migration_object__name="Accounts")
    assert row.reconciled_rate == D("99.53") >= row.migration_object.min_reconciled_rate


def test_the_extracts_are_deterministic_with_chinese_names():
    source, target = demo.account_extracts()
    assert (source, target) == demo.account_extracts()
    assert source.startswith(b"\xef\xbb\xbf")  # the old system's export carries a BOM
    text = source.decode("utf-8-sig")
    assert text.count("\n") == 2140 + 1 and target.decode().count("\n") == 2137 + 1
    assert "画框有限公司" in text and '"80,000.00"' in text and " Hamburg," in text


def test_go_no_go_shows_the_order_history_problem():
    seed_demo()
    try:
        from testing.migration import go_no_go
    except ImportError:
        pytest.skip("testing/migration.py (go_no_go) is not written yet: the go/no-go is not checked.")
    project = demo_project()
    result = go_no_go(project)
    assert result.run.name == "Mock run 3: cutover rehearsal" and result.rehearsal == result.run
    assert result.verdict == "no_go"
    failing = result.failing()
    assert [c.code for c in failing] == ["reconciled"]
    assert "Order history" in failing[0].text and "99.2%" in failing[0].text
    assert "Accounts" not in failing[0].text
    # The cutover criteria pass: planned window 675 minutes (critical path: lookups 60, freeze 30,
    # extract 90, price lists 10, products 35, order history 210, reconcile 90, smoke test 120,
    # go/no-go 30), limit 742.5 with the 10 % margin; the rehearsal took 55 + 25 + 118 + 8 + 29 + 241
    # + 120 + 95 + 35 = 726.
    assert result.planned.total == 675
    assert result.rehearsed.total == 726
    assert result.cutover_met
