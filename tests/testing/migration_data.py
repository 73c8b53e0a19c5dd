"""Builders of data migration rows for tests (objects, runs and counts, reconciliations, runbook steps,
rehearsal timings): tests/testing/test_migration.py and tests/reports/test_golive_migration.py."""

import datetime
from decimal import Decimal

from django.utils import timezone

from testing.choices import CutoverStage, DefectStatus, ReconciliationStatus, RunStatus, Severity
from testing.models import (
    CutoverStep,
    Defect,
    MigrationObject,
    MockRun,
    Reconciliation,
    RehearsalTiming,
    RunObject,
)

DAY = datetime.date(2025, 3, 1)


def make_object(project, name, sequence, max_rejected="0.50", min_reconciled="100.00", after=()):
    obj = MigrationObject.objects.create(
        project=project, name=name, target_object=name, sequence=sequence,
        max_rejected_rate=Decimal(max_rejected), min_reconciled_rate=Decimal(min_reconciled),
    )
    obj.depends_on.set(after)
    return obj


def make_run(project, status=RunStatus.DONE, rehearsal=False, day=0):
    return MockRun.objects.create(project=project, run_date=DAY + datetime.timedelta(days=day), status=status,
                                  is_rehearsal=rehearsal)


def counts(run, obj, extracted, rejected, loaded=None, transformed=None, reconciled=None, errors="", defects=()):
    row = RunObject.objects.create(
        project=run.project, run=run, migration_object=obj, extracted=extracted,
        transformed=extracted if transformed is None else transformed,
        loaded=extracted - rejected if loaded is None else loaded, rejected=rejected,
        reconciled_rate=None if reconciled is None else Decimal(reconciled), errors=errors,
    )
    row.defects.set(defects)
    return row


def reconciliation(run, obj, equal, source_rows, status=ReconciliationStatus.DONE, minutes=0):
    return Reconciliation.objects.create(
        project=run.project, run=run, migration_object=obj, source_file="s.csv", target_file="t.csv",
        source_name="s.csv", target_name="t.csv", keys="id", status=status,
        result={"source_rows": source_rows, "matched_equal": equal},
        finished=timezone.now() + datetime.timedelta(minutes=minutes),
    )


def make_step(project, name, minutes, owner=None, after=(), stage=CutoverStage.MIGRATION, sequence=10):
    step = CutoverStep.objects.create(project=project, name=name, planned_minutes=minutes, owner=owner, stage=stage,
                                      sequence=sequence)
    step.depends_on.set(after)
    return step


def diamond(project, owner=None):
    """A (10) -> B (30) and C (20) -> D (5)."""
    a = make_step(project, "Freeze", 10, owner, sequence=10)
    b = make_step(project, "Load accounts", 30, owner, [a], sequence=20)
    c = make_step(project, "Load contacts", 20, owner, [a], sequence=30)
    d = make_step(project, "Verify", 5, owner, [b, c], sequence=40)
    return a, b, c, d


def timings(run, minutes: dict):
    for step, actual in minutes.items():
        RehearsalTiming.objects.create(project=run.project, run=run, step=step, actual_minutes=actual)


def ready_plan(project, owner) -> dict:
    """A plan that meets every criterion.

    Objects: Accounts (at most 0.5% rejected, at least 100% reconciled), Contacts (1%, 99.5%).
    RUN-001 done, poor; RUN-002 done, a rehearsal, within every threshold; RUN-003 in progress, poor
    (not done: not read). Runbook: the diamond A 10 -> B 30, C 20 -> D 5 (window 45 minutes, limit
    49.5); RUN-002 timed A 12, B 31, C 20, D 6 -> A 0-12, B 12-43, C 12-32, D 43-49: 49 minutes.
    """
    accounts = make_object(project, "Accounts", 10, "0.50", "100.00")
    contacts = make_object(project, "Contacts", 20, "1.00", "99.50", after=[accounts])
    one, two = make_run(project, day=0), make_run(project, rehearsal=True, day=7)
    three = make_run(project, RunStatus.IN_PROGRESS, day=14)
    severe_elsewhere = Defect.objects.create(project=project, title="Old run crash", severity=Severity.CRITICAL)
    counts(one, accounts, 1000, 100, reconciled="50", defects=[severe_elsewhere])
    closed = Defect.objects.create(project=project, title="Fixed", severity=Severity.CRITICAL, status=DefectStatus.CLOSED)
    minor = Defect.objects.create(project=project, title="Cosmetic", severity=Severity.MINOR)
    rows = {
        "accounts": counts(two, accounts, 1000, 4, reconciled="100", defects=[closed, minor]),  # 0.4%
        "contacts": counts(two, contacts, 2000, 20, reconciled="99.5"),  # 1% exactly
    }
    counts(three, accounts, 1000, 500)
    steps = diamond(project, owner)
    a, b, c, d = steps
    timings(two, {a: 12, b: 31, c: 20, d: 6})
    return {"accounts": accounts, "contacts": contacts, "runs": (one, two, three), "rows": rows, "steps": steps}
