"""Go-live readiness of the mock migration and the cutover rehearsal (reports/golive.py), read from the
data migration's go/no-go (testing/migration.py) when the project keeps a migration plan, checked by
hand otherwise: each present and met, present and failed, absent.

The plan of migration_data.ready_plan meets every go/no-go criterion: RUN-002 (done, a rehearsal)
ran both objects within their thresholds (24 of 3000 rejected = 0.8%), and timed every step of the
diamond runbook: 49 minutes against a planned window of 45 (limit 49.5).
"""

import pytest
from django.urls import reverse

from projectcrm.reports import golive
from projectcrm.reports.choices import CheckKind
from projectcrm.reports.models import GoLiveCheck
from testing.choices import RunStatus
from testing.models import CutoverStep, MockRun, RehearsalTiming, RunObject
from tests.testing.migration_data import make_object, make_run, make_step, ready_plan

pytestmark = pytest.mark.django_db

MIGRATION = sorted(golive.MIGRATION_KINDS)


def criterion(project, kind, **fields) -> dict:
    """The project's only criterion, of `kind`, assessed today."""
    GoLiveCheck.objects.filter(project=project).delete()
    GoLiveCheck.objects.create(project=project, kind=kind, **fields)
    result = golive.assess(project)
    assert len(result["criteria"]) == 1
    return result["criteria"][0]


def test_mock_migration_met(project, users):
    plan = ready_plan(project, users["pm"])
    c = criterion(project, CheckKind.MOCK_MIGRATION)
    run = plan["runs"][1].ref
    assert (c["met"], c["manual"]) == (True, False)
    assert c["evidence"] == (f"Last mock run {run}: all 2 objects ran within their thresholds (0.8% rejected overall), "
                             "with no open severity-1 or 2 defect.")
    assert c["url"] == reverse("testing:migration", kwargs={"project": project.pk})


def test_mock_migration_failed(project, users):
    plan = ready_plan(project, users["pm"])
    RunObject.objects.filter(pk=plan["rows"]["contacts"].pk).update(rejected=21)  # 1.05% > 1%
    c = criterion(project, CheckKind.MOCK_MIGRATION, met=True)  # a tick does not override the evidence
    assert (c["met"], c["manual"]) == (False, False)
    assert c["evidence"].startswith(f"Last mock run {plan['runs'][1].ref}: 1 of 2 objects within their limit")
    assert "“Contacts” 1.05% (at most 1%)" in c["evidence"]
    # The cutover does not depend on the data figures.
    assert criterion(project, CheckKind.CUTOVER_REHEARSAL)["met"] is True


def test_mock_migration_without_a_run_done_has_no_evidence(project):
    make_object(project, "Accounts", 10)
    make_run(project, RunStatus.IN_PROGRESS)
    c = criterion(project, CheckKind.MOCK_MIGRATION, met=True)
    assert (c["met"], c["manual"]) == (None, False)
    assert c["evidence"] == "No mock run is done yet: no evidence."


def test_cutover_rehearsal_met(project, users):
    plan = ready_plan(project, users["pm"])
    c = criterion(project, CheckKind.CUTOVER_REHEARSAL)
    assert (c["met"], c["manual"]) == (True, False)
    assert c["evidence"] == (f"Rehearsal {plan['runs'][1].ref} timed every step and took 49 minutes against a planned "
                             "window of 45 minutes (limit 49.5).")
    assert c["url"] == reverse("testing:cutover", kwargs={"project": project.pk})


def test_cutover_rehearsal_failed(project, users):
    plan = ready_plan(project, users["pm"])
    a, b, c_step, d = plan["steps"]
    RehearsalTiming.objects.filter(step=b).update(actual_minutes=32)  # 50 minutes > 49.5
    CutoverStep.objects.filter(pk=d.pk).update(owner=None)
    c = criterion(project, CheckKind.CUTOVER_REHEARSAL)
    assert (c["met"], c["manual"]) == (False, False)
    assert f"Without an owner: {d.ref} “Verify”." in c["evidence"] and "took 50 minutes" in c["evidence"]
    # The data figures still pass.
    assert criterion(project, CheckKind.MOCK_MIGRATION)["met"] is True


def test_cutover_rehearsal_without_a_rehearsal_fails(project, users):
    plan = ready_plan(project, users["pm"])
    MockRun.objects.filter(pk=plan["runs"][1].pk).update(is_rehearsal=False)
    c = criterion(project, CheckKind.CUTOVER_REHEARSAL)
    assert c["met"] is False and "No cutover rehearsal is done yet" in c["evidence"]


def test_cutover_rehearsal_without_a_runbook_has_no_evidence(project):
    make_object(project, "Accounts", 10)
    c = criterion(project, CheckKind.CUTOVER_REHEARSAL)
    assert (c["met"], c["manual"]) == (None, False)
    assert c["evidence"] == "The cutover runbook has no steps yet: no evidence."


@pytest.mark.parametrize("kind", MIGRATION)
def test_absent_without_a_migration_plan_is_a_manual_check(project, users, kind):
    # Runbook steps alone are no migration plan: the criterion stays a manual check.
    make_step(project, "Freeze", 10, users["pm"])
    c = criterion(project, kind)
    assert (c["met"], c["manual"]) == (False, True)
    assert c["evidence"] == "No migration plan in the app (no migration objects): manual check. Not ticked yet."
    ticked = criterion(project, kind, met=True, note="Mock 3 signed off by the data owners.")
    assert (ticked["met"], ticked["manual"]) == (True, True)
    assert ticked["evidence"] == ("No migration plan in the app (no migration objects): manual check. "
                                  "Mock 3 signed off by the data owners.")
    linked = criterion(project, kind, met=True, evidence_link="https://example.com/mock3")
    assert linked["url"] == "https://example.com/mock3"


def test_both_criteria_read_the_checklist_once(project, users, monkeypatch):
    ready_plan(project, users["pm"])
    GoLiveCheck.objects.create(project=project, kind=CheckKind.MOCK_MIGRATION, order=1)
    GoLiveCheck.objects.create(project=project, kind=CheckKind.CUTOVER_REHEARSAL, order=2)
    calls = []
    read = golive.read_migration
    monkeypatch.setattr(golive, "read_migration", lambda p: calls.append(p) or read(p))
    result = golive.assess(project)
    assert [c["met"] for c in result["criteria"]] == [True, True]
    assert result["verdict"] == "go" and len(calls) == 1
