"""Background tasks of the testing area (django.tasks; the database queue and `db_worker` run them)."""

from django.tasks import task

from . import reconciliation


@task
def run_reconciliation(reconciliation_id: int, language: str = "en") -> str:
    """Compare a reconciliation's source and target extracts (testing/reconciliation.run); returns
    the row's status ("deleted" when the row was deleted before the task ran)."""
    rec = reconciliation.run(reconciliation_id, language)
    return rec.status if rec is not None else "deleted"
