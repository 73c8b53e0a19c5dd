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
