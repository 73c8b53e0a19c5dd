"""Background tasks (django.tasks; the database queue and `db_worker` run them)."""

from django.tasks import task

from . import imports


@task
def validate_import(job_id: int) -> str:
    return imports.validate_job(job_id).status


@task
def apply_import(job_id: int) -> str:
    return imports.apply_job(job_id).status
