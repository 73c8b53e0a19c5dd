"""Governance state changes, each in one transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from projectcrm.core.services import save_versioned

from . import library
from .choices import EscalateTo, Priority, RiskStatus
from .models import EscalationRule, RaciAssignment, Risk, Workstream

DEFAULT_RULES = [
    (Priority.CRITICAL, 1, EscalateTo.SPONSOR),
    (Priority.HIGH, 3, EscalateTo.STEERING),
    (Priority.MEDIUM, 14, EscalateTo.PROJECT_MANAGER),
]


def default_workstreams():
    return [
        _("Roadmap and project management"),
        _("Vendor and partner evaluation"),
        _("Process design"),
        _("Testing and data migration"),
        _("Training and adoption"),
        _("Governance and reporting"),
    ]


def setup_new_project(project):
    """Defaults every new project starts with: escalation rules and the standard workstreams."""
    with transaction.atomic():
        for priority, days, target in DEFAULT_RULES:
            EscalationRule.objects.create(project=project, priority=priority, overdue_days=days, escalate_to=target)
        for name in default_workstreams():
            Workstream.objects.get_or_create(project=project, name=name)


def add_risks_from_library(project, keys, owner=None) -> list[Risk]:
    """Create a risk per chosen library entry, in the current language; skip ones already added."""
    chosen = [e for e in library.localised() if e["key"] in set(keys)]
    existing = set(Risk.objects.filter(project=project).exclude(library_key="").values_list("library_key", flat=True))
    created = []
    with transaction.atomic():
        for entry in chosen:
            if entry["key"] in existing:
                continue
            risk = Risk(
                project=project,
                title=entry["title"][:200],
                description=entry["description"],
                category=entry["category"],
                probability=entry["probability"],
                impact=entry["impact"],
                mitigation=entry["mitigation"],
                trigger=entry["trigger"],
                contingency=entry["contingency"],
                owner=owner,
                status=RiskStatus.IDENTIFIED,
                library_key=entry["key"],
            )
            risk.save()
            created.append(risk)
    return created


def set_raci(project, workstream, stakeholder, role: str):
    """Set, change or clear (role '') one cell of the RACI matrix; one history row per change."""
    with transaction.atomic():
        cell = RaciAssignment.objects.select_for_update().filter(
            project=project, workstream=workstream, stakeholder=stakeholder
        ).first()
        if not role:
            if cell:
                cell.delete()
            return None
        if cell is None:
            cell = RaciAssignment(project=project, workstream=workstream, stakeholder=stakeholder, role=role)
            return save_versioned(cell, None)
        if cell.role != role:
            cell.role = role
            save_versioned(cell, cell.version)
        return cell


def save_raci_cells(project, changes):
    """Save cells of the RACI matrix in one transaction, never over someone else's change.

    `changes`: iterable of (workstream, stakeholder, orig, role), where `orig` is the value the
    page showed when it was rendered (None: the client did not say; taken as the current value)
    and `role` the value posted. A cell whose posted value equals its orig was not touched and is
    skipped; a cell whose stored value is no longer orig was changed by someone else meanwhile and
    is left alone. Returns (number of cells changed, [(workstream, stakeholder, current value)]
    for the cells left alone).
    """
    changed = 0
    conflicts = []
    with transaction.atomic():
        current = {
            (a.workstream_id, a.stakeholder_id): a.role
            for a in RaciAssignment.objects.select_for_update().filter(project=project)
        }
        for workstream, stakeholder, orig, role in changes:
            now = current.get((workstream.pk, stakeholder.pk), "")
            if orig is None:
                orig = now
            if role == orig or role == now:
                continue
            if now != orig:
                conflicts.append((workstream, stakeholder, now))
                continue
            set_raci(project, workstream, stakeholder, role)
            current[(workstream.pk, stakeholder.pk)] = role
            changed += 1
    return changed, conflicts
