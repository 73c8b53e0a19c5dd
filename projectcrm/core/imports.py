"""Register imports: validate a whole file first, save it only when every row is valid.

Both steps run as background tasks (core/tasks.py) and report progress on the ImportJob.
"""

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .choices import ImportStatus
from .models import ImportJob, Numbered, next_numbers
from .tabular import FileProblem, read_table

PROGRESS_EVERY = 250
MAX_STORED_ERRORS = 1000
PREVIEW_ROWS = 20


def register_for(job: ImportJob):
    from .registry import get_register

    return get_register(job.register)


class RowResult:
    __slots__ = ("row_number", "form", "errors", "instance", "cells")

    def __init__(self, row_number, form, errors, instance, cells=()):
        self.row_number = row_number
        self.form = form
        self.errors = errors
        self.instance = instance
        self.cells = cells  # the row's cells in the file's recognised columns, as text


def _progress(job: ImportJob, processed: int, total: int | None = None):
    job.processed_rows = processed
    changes = {"processed_rows": processed}
    if total is not None:
        job.total_rows = changes["total_rows"] = total
    ImportJob.objects.filter(pk=job.pk).update(**changes)


def validate_rows(job: ImportJob, register, on_progress=None):
    """Parse and validate every row; returns (recognised headers, results, file error, encoding)."""
    from .registers import RowConverter

    try:
        rows, used = read_table(bytes(job.content), job.filename, job.encoding)
    except FileProblem as exc:
        return [], [], str(exc), ""
    if on_progress:
        on_progress(0, total=len(rows) - 1)
    headers = [str(h).strip() for h in rows[0]]
    mapping = register.header_map()
    columns = []
    unknown = []
    for header in headers:
        target = mapping.get(header.casefold())
        if target is None and header:
            unknown.append(header)
        columns.append(target)
    if unknown:
        known = ", ".join(register.export_headers())
        return headers, [], _(
            "%(file)s: column(s) %(unknown)s are not fields of %(register)s. Known columns: %(known)s."
        ) % {
            "file": job.filename,
            "unknown": ", ".join(f"“{u}”" for u in unknown),
            "register": register.verbose_name_plural(),
            "known": known,
        }, used
    if not any(c not in (None, "id", "__ref__") for c in columns):
        return headers, [], _("%(file)s has no column of %(register)s.") % {
            "file": job.filename,
            "register": register.verbose_name_plural(),
        }, used

    converter = RowConverter(register, job.project)
    form_class = register.form_class()
    existing = {
        obj.pk: obj for obj in register.model._default_manager.filter(project=job.project)
    } if "id" in columns else {}
    labels = {name: str(register.model._meta.get_field(name).verbose_name) for name in register.io_fields()}
    defaults = {
        name: field.get_default()
        for name in register.io_fields()
        if (field := register.model._meta.get_field(name)).has_default()
    }
    results = []
    for index, row in enumerate(rows[1:], start=2):
        if all(str(cell).strip() == "" for cell in row):
            continue
        errors = []
        values = dict(zip(columns, list(row) + [""] * (len(columns) - len(row)), strict=False))
        instance = None
        raw_id = values.pop("id", None)
        raw_version = values.pop("__version__", None)
        values.pop("__ref__", None)
        values.pop(None, None)
        if raw_id not in (None, ""):
            try:
                instance = existing.get(int(float(str(raw_id))))
            except ValueError:
                instance = None
            if instance is None:
                errors.append(
                    {"row": index, "field": "ID", "message": _("ID %(id)s is not a row of this register in this project.") % {"id": raw_id}}
                )
            elif raw_version in (None, ""):
                errors.append({"row": index, "field": _("Version"), "message": _(
                    "Give the version from your export, so that changes made since are not overwritten."
                )})
            elif str(raw_version).strip().removesuffix(".0") != str(instance.version):
                errors.append({"row": index, "field": _("Version"), "message": _(
                    "Changed since your export (version %(old)s, now %(new)s). Export again and reapply your edits."
                ) % {"old": raw_version, "new": instance.version}})
        # A new row takes the model's defaults for the columns the file leaves out.
        data = model_to_dict(instance, fields=register.io_fields()) if instance else dict(defaults)
        for name, raw in values.items():
            value, error = converter.convert(name, raw)
            if error:
                errors.append({"row": index, "field": labels[name], "message": error})
            else:
                data[name] = value
        # Validate the form even when some cells did not convert, so every bad field of the row
        # is named at once (the cells already reported are not reported again).
        reported = {e["field"] for e in errors}
        form = form_class(data=data, instance=instance, project=job.project)
        if instance is not None:
            form.fields["version"].required = False
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = labels.get(name, name if name != "__all__" else _("Row"))
                if label in reported:
                    continue
                for message in messages:
                    errors.append({"row": index, "field": label, "message": message})
        shown = [str(cell)[:80] for cell, column in zip(row, columns, strict=False) if column is not None]
        results.append(RowResult(index, form, errors, instance, shown))
        if on_progress and len(results) % PROGRESS_EVERY == 0:
            on_progress(len(results))
    if hasattr(register, "validate_batch"):
        # Rules across rows (a loop closed by two rows): checked once every row is valid alone.
        valid = [(r.row_number, r.form.instance) for r in results if not r.errors and r.form is not None]
        for number, message in register.validate_batch(valid).items():
            for result in results:
                if result.row_number == number:
                    result.errors.append({"row": number, "field": _("Row"), "message": message})
    recognised = [h for h, column in zip(headers, columns, strict=False) if column is not None]
    return recognised, results, "", used


def failed(job: ImportJob, exc: Exception):
    """Record an unexpected failure so the page stops waiting and says so (nothing was saved)."""
    job.status = ImportStatus.FAILED
    job.file_error = _("%(file)s could not be processed (%(error)s). Nothing was saved.") % {
        "file": job.filename,
        "error": exc.__class__.__name__,
    }
    job.finished = timezone.now()
    job.save(update_fields=["status", "file_error", "finished"])


def validate_job(job_id: int):
    job = ImportJob.objects.select_related("project", "user").get(pk=job_id)
    try:
        return _validate(job)
    except Exception as exc:
        failed(job, exc)
        raise


def _validate(job: ImportJob):
    register = register_for(job)
    with translation.override(job.language):
        job.status = ImportStatus.VALIDATING
        job.save(update_fields=["status"])
        headers, results, file_error, used = validate_rows(job, register, lambda n, total=None: _progress(job, n, total))
        job.headers = headers
        job.detected_encoding = used
        job.total_rows = len(results)
        job.processed_rows = len(results)
        if file_error:
            job.file_error = file_error
            job.status = ImportStatus.INVALID
        else:
            errors = [e for r in results for e in r.errors]
            job.row_errors = errors[:MAX_STORED_ERRORS]
            job.status = ImportStatus.INVALID if errors else ImportStatus.VALID
            job.preview = [
                {"row": r.row_number, "action": "update" if r.instance else "create",
                 "ok": not r.errors, "cells": list(r.cells)}
                for r in results[:PREVIEW_ROWS]
            ]
        job.finished = timezone.now()
        job.save()
    return job


def claim_for_import(job: ImportJob, user) -> bool:
    """Move a valid job to "importing" once: a second confirm (double click, two tabs) gets False."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, user=user, status=ImportStatus.VALID).update(status=ImportStatus.IMPORTING)
    )


def apply_job(job_id: int):
    """Save every row of a validated file in one transaction, one history row each."""
    job = ImportJob.objects.select_related("project", "user").get(pk=job_id)
    if job.status != ImportStatus.IMPORTING:
        return job  # not claimed, or already done (a retried task)
    try:
        return _apply(job)
    except Exception as exc:
        failed(job, exc)
        raise


def _apply(job: ImportJob):
    register = register_for(job)
    model = register.model
    with translation.override(job.language):
        job.processed_rows = 0
        job.save(update_fields=["processed_rows"])
        _headers, results, file_error, _used = validate_rows(job, register, lambda n, total=None: _progress(job, n, total))
        errors = [e for r in results for e in r.errors]
        if file_error or errors:
            # The data changed since validation (a member was removed, a row deleted...).
            job.file_error = file_error
            job.row_errors = errors[:MAX_STORED_ERRORS]
            job.status = ImportStatus.INVALID
            job.save()
            return job
        reason = _("Imported from %(file)s") % {"file": job.filename}
        now = timezone.now()
        # Every stored field except identity: derived ones (compute()) change with the entered ones.
        update_fields = [
            f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in ("project", "created", "number")
        ]
        with transaction.atomic():
            # Only one worker applies a job: lock it and check it is still waiting.
            if not ImportJob.objects.select_for_update().filter(pk=job.pk, status=ImportStatus.IMPORTING).exists():
                return job
            creates, updates = [], []
            for result in results:
                obj = result.form.save(commit=False)
                obj.project = job.project
                obj.compute()
                if result.instance is None:
                    obj.version = 1
                    creates.append(obj)
                else:
                    obj.version += 1
                    obj.updated = now
                    updates.append(obj)
            if creates and issubclass(model, Numbered):
                for obj, number in zip(creates, next_numbers(model, job.project_id, len(creates)), strict=True):
                    obj.number = number
            if creates:
                bulk_create_with_history(
                    creates, model, batch_size=500, default_user=job.user, default_change_reason=reason
                )
            if updates:
                bulk_update_with_history(
                    updates,
                    model,
                    fields=update_fields,
                    batch_size=500,
                    default_user=job.user,
                    default_change_reason=reason,
                )
            job.created_count = len(creates)
            job.updated_count = len(updates)
            job.processed_rows = len(results)
            job.status = ImportStatus.DONE
            job.finished = timezone.now()
            job.content = b""
            job.save()
    return job
