"""Background tasks of the training area (django.tasks; the database queue and `db_worker` run them)."""

from django.tasks import task

from . import usage


@task
def import_usage(import_id: int, language: str = "en") -> str:
    """Read, check and save an uploaded usage file (training/usage.py); returns the import's status."""
    return usage.run_import(import_id, language).status
