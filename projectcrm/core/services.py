"""State changes of register rows, each in one transaction and each leaving one history row."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


class EditConflict(Exception):
    """The row was saved by somebody else after the editor opened it."""

    def __init__(self, current, changes: list[FieldChange], by: str | None):
        self.current = current
        self.changes = changes
        self.by = by
        super().__init__(_("This record was changed by someone else while you were editing it."))


def display_value(obj, field, names: dict | None = None) -> str:
    """A field's value as a person reads it (choice labels, related object names).

    A link to a row that no longer exists reads "<what> #<id> (deleted)". `names` memoises related
    rows' names across calls (one query per distinct row, not per history entry).
    """
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")())
    if field.is_relation:
        raw = getattr(obj, field.attname, None)
        if raw is None:
            return "—"
        key = (field.related_model, raw)
        if names is not None and key in names:
            return names[key]
        target = field.related_model._default_manager.filter(pk=raw).first()
        if target is None:
            text = _("%(what)s #%(id)s (deleted)") % {"what": field.related_model._meta.verbose_name, "id": raw}
        elif hasattr(target, "get_full_name"):
            text = target.get_full_name() or target.get_username()
        else:
            text = str(target)
        if names is not None:
            names[key] = text
        return text
    value = getattr(obj, field.name, None)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.get_username()
    return str(value)


def historical_diff(old, new, model, names: dict | None = None) -> list[FieldChange]:
    """Field-level differences between two versions (historical rows or live instances)."""
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in {"id", "project", "created", "updated", "version", "number"}:
            continue
        attname = field.attname
        if getattr(old, attname, None) != getattr(new, attname, None):
            changes.append(
                FieldChange(
                    field=field.name,
                    label=str(field.verbose_name).capitalize(),
                    old=display_value(old, field, names) if old is not None else "—",
                    new=display_value(new, field, names),
                )
            )
    return changes


def conflict_changes(model, pk, seen_version: int, current) -> tuple[list[FieldChange], str | None]:
    """What changed between the version the editor saw and the current row, and by whom."""
    history = model.history.filter(id=pk).order_by("history_id")
    seen = history.filter(version=seen_version).last()
    latest = history.last()
    by = str(latest.history_user) if latest and latest.history_user else None
    if seen is None:
        return [], by
    return historical_diff(seen, current, model), by


def save_versioned(obj, seen_version: int | None):
    """Save an edited row unless someone else saved it since `seen_version`.

    The row is locked while its version is compared, so two saves cannot both pass.
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk is None:
            obj.version = 1
            obj.save()
            return obj
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if seen_version is not None and current.version != seen_version:
            changes, by = conflict_changes(model, obj.pk, seen_version, current)
            raise EditConflict(current, changes, by)
        obj.version = current.version + 1
        obj.save()
    return obj


def _set_null_relations(obj):
    """Rows that point at `obj` through a SET_NULL foreign key: (field, queryset) pairs."""
    from django.db import models

    for relation in obj._meta.related_objects:
        if relation.on_delete is models.SET_NULL and relation.one_to_many:
            queryset = relation.related_model._default_manager.filter(**{relation.field.name: obj})
            yield relation, queryset


def deletion_effects(obj) -> list[tuple[str, int, str]]:
    """What else a delete touches, for the confirmation page: (what, count, "deleted"|"unlinked")."""
    from django.contrib.admin.utils import NestedObjects
    from django.db import router

    collector = NestedObjects(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    effects = []
    for model, instances in collector.model_objs.items():
        if model is type(obj) or model._meta.auto_created:
            continue
        effects.append((str(model._meta.verbose_name_plural), len(instances), "deleted"))
    for relation, queryset in _set_null_relations(obj):
        count = queryset.count()
        if count:
            effects.append((str(relation.related_model._meta.verbose_name_plural), count, "unlinked"))
    return effects


def delete_row(obj):
    """Delete a row; its last state stays in history and can be restored.

    Rows that pointed at it through a SET_NULL link are unlinked one by one, so each of them
    records the change in its own history instead of losing the link silently.
    """
    with transaction.atomic():
        for relation, queryset in _set_null_relations(obj):
            for row in queryset.select_for_update():
                setattr(row, relation.field.name, None)
                if hasattr(row, "version"):
                    row.version += 1
                row.save()
        obj.delete()


def deleted_rows(model, project):
    """History rows of this project's deleted rows (newest first), one per deleted row."""
    from django.db.models import Exists, OuterRef

    live_ids = model._default_manager.filter(project=project).values("pk")
    # A row deleted, restored and deleted again has several "-" rows: keep the latest only.
    later = model.history.filter(id=OuterRef("id"), history_type="-", history_id__gt=OuterRef("history_id"))
    return (
        model.history.filter(project_id=project.pk, history_type="-")
        .exclude(id__in=live_ids)
        .exclude(Exists(later))
        .order_by("-history_date")
    )


class RestoreBlocked(Exception):
    """A deleted row cannot come back before the row it belongs to."""


def restore_row(history_row):
    """Bring a deleted row back as it was when deleted (a new '+' history row records it).

    Optional links to rows deleted since are cleared; a required one (a log entry whose
    communication is gone) blocks the restore with a message naming what to restore first.
    """
    model = history_row.instance_type
    with transaction.atomic():
        if model._default_manager.filter(pk=history_row.id).exists():
            return model._default_manager.get(pk=history_row.id)
        obj = history_row.instance
        for field in model._meta.concrete_fields:
            if not field.many_to_one or field.name == "project":
                continue
            raw = getattr(obj, field.attname)
            if raw is None or field.related_model._default_manager.filter(pk=raw).exists():
                continue
            if field.null:
                setattr(obj, field.attname, None)
            else:
                raise RestoreBlocked(
                    _("Restore the %(what)s it belongs to first (#%(id)s, under “Deleted rows”).")
                    % {"what": field.related_model._meta.verbose_name, "id": raw}
                )
        if hasattr(obj, "number") and model._default_manager.filter(project=obj.project_id, number=obj.number).exists():
            obj.number = 0  # taken meanwhile (data from before numbers were kept unique): take a new one
        obj.version = (history_row.version or 0) + 1
        obj.restoring = True  # lets save() tell a restore from a new row
        obj.save(force_insert=True)
        if hasattr(obj, "after_restore"):
            obj.after_restore()  # rows that belong to it and went with it (e.g. a baseline's dates)
    return obj


def restore_with_dependants(history_row, window_seconds: int = 60):
    """Restore a row and the rows its deletion took with it (cascaded in the same moment).

    Children come back in the order of the model's relations, each with its own children; a child
    still waiting for another parent (a dependency between two tasks) comes back with that parent.
    Returns the restored row.
    """
    import datetime

    from django.db import models

    obj = restore_row(history_row)
    deleted_at = history_row.history_date
    earliest = deleted_at - datetime.timedelta(seconds=window_seconds)
    for relation in obj._meta.related_objects:
        if relation.on_delete is not models.CASCADE or not (relation.one_to_many or relation.one_to_one):
            continue
        child = relation.related_model
        from .models import ProjectScoped

        if not issubclass(child, ProjectScoped):
            continue  # e.g. a baseline's dates, which the baseline restores itself (after_restore)
        rows = child.history.filter(
            **{relation.field.attname: obj.pk}, history_type="-", history_date__gte=earliest, history_date__lte=deleted_at
        ).order_by("history_id")
        for row in rows:
            if child._default_manager.filter(pk=row.id).exists():
                continue
            try:
                restore_with_dependants(row, window_seconds)
            except RestoreBlocked:
                continue  # comes back with its other parent
    return obj


def change_stamp(models) -> tuple:
    """The highest row id and history id of each model's table, in one query.

    Every save leaves a history row, so the stamp changes whenever a row of these models is added,
    edited or deleted: caches of figures computed from them compare stamps instead of recomputing.
    (A queryset .update() leaves no history and goes unnoticed.)
    """
    from django.db import connection

    quote = connection.ops.quote_name
    parts = []
    for model in models:
        parts.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})")
        parts.append(f"(SELECT MAX({quote('history_id')}) FROM {quote(model.history.model._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())
