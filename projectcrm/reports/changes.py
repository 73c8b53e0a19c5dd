"""What changed in a project between two moments, read from the history tables (django-simple-history).

    changes_since(project, since, until) -> {"since", "until", "total", "groups": [...]}

The state of a row at a moment is its latest history row at or before that moment (None when it did
not exist yet or had been deleted). Only rows with a history row inside (since, until] can differ, so
each model costs one query whatever the size of the project: the rows changed in the window (a
subquery) and, for them, every history row up to `until`; Python keeps the latest before each moment.

The readers (`history_states`) touch the database; the diff functions below them are plain functions
of dicts, tested on their own. Every item is JSON-serialisable:
{"ref", "title", "before", "after", "url"} plus "days" for slipped milestones.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

# At most this many items per group are listed (the count says how many there were).
ITEM_LIMIT = 15


# --- Pure functions ------------------------------------------------------------------------------


def state_at(rows: list[dict], moment: datetime.datetime) -> dict | None:
    """The row's state at `moment` from its history rows (oldest first): None if absent or deleted."""
    latest = None
    for row in rows:
        if row["history_date"] > moment:
            break
        latest = row
    if latest is None or latest["history_type"] == "-":
        return None
    return latest


def pairs_of(history: dict[int, list[dict]], since, until) -> dict[int, tuple[dict | None, dict | None]]:
    """{id: (state at since, state at until)} for rows whose state may differ."""
    return {pk: (state_at(rows, since), state_at(rows, until)) for pk, rows in history.items()}


def appeared(pairs) -> list[tuple]:
    """Rows that did not exist at `since` and exist at `until`."""
    return [(pk, before, after) for pk, (before, after) in pairs.items() if before is None and after is not None]


def entered(pairs, field: str, values: Iterable, require_before: bool = False) -> list[tuple]:
    """Rows whose `field` is in `values` at `until` and was not at `since` (or the row is new)."""
    values = set(values)
    found = []
    for pk, (before, after) in pairs.items():
        if after is None or after[field] not in values:
            continue
        if before is None:
            if not require_before:
                found.append((pk, before, after))
        elif before[field] not in values:
            found.append((pk, before, after))
    return found


def changed(pairs, field: str) -> list[tuple]:
    """Rows that existed at both moments with a different `field`."""
    return [
        (pk, before, after)
        for pk, (before, after) in pairs.items()
        if before is not None and after is not None and before[field] != after[field]
    ]


def rose(pairs, field: str, only=None) -> list[tuple]:
    """Rows whose numeric `field` went up; `only(after)` filters (e.g. still open)."""
    return [
        (pk, before, after)
        for pk, before, after in changed(pairs, field)
        if after[field] > before[field] and (only is None or only(after))
    ]


def slipped(pairs, kind_field="kind", kind="milestone", date_field="planned_finish") -> list[tuple]:
    """Milestones whose date at `until` is later than at `since`, with the slip in days."""
    found = []
    for pk, before, after in changed(pairs, date_field):
        if after[kind_field] != kind or before[kind_field] != kind:
            continue
        if after[date_field] and before[date_field] and after[date_field] > before[date_field]:
            found.append((pk, before, after))
    return found


def group(key: str, label: str, found: list, make=None) -> dict:
    """A group of changes: how many, and the first ITEM_LIMIT as items (`make(*found_row)` builds
    one item; only the listed ones are built, so a large project's first report stays quick)."""
    listed = found[:ITEM_LIMIT]
    return {"key": key, "label": label, "count": len(found),
            "items": [make(*row) for row in listed] if make else listed}


# --- What each model contributes ---------------------------------------------------------------


def _ref(model, row) -> str:
    prefix = getattr(model, "REF_PREFIX", "")
    return f"{prefix}-{row['number']:03d}" if prefix and row.get("number") else ""


def _url(name: str, project_pk: int, pk: int) -> str:
    try:
        return reverse(name, kwargs={"project": project_pk, "pk": pk})
    except NoReverseMatch:
        return ""


def _labels(model, field: str) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _iso(value):
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


class Spec:
    """A model read for the changes: its fields, how to name a row, and its detail page."""

    def __init__(self, model, fields: list[str], title_field: str, url_name: str):
        self.model = model
        self.fields = fields
        self.title_field = title_field
        self.url_name = url_name

    def item(self, project_pk, pk, before, after, field=None, labels=None, **extra) -> dict:
        row = after or before
        labels = labels or {}

        def show(state):
            if state is None or field is None:
                return None
            value = state[field]
            return labels.get(value, _iso(value))

        return {
            "ref": _ref(self.model, row),
            "title": row[self.title_field],
            "before": show(before),
            "after": show(after),
            "url": _url(self.url_name, project_pk, pk),
            **extra,
        }


def specs() -> dict[str, Spec]:
    from projectcrm.governance.models import Decision, Issue, Risk
    from roadmap.models import ChangeRequest, Gate, Phase, Release, Task

    return {
        "issue": Spec(Issue, ["number", "title", "status", "priority"], "title", "governance:issues-detail"),
        "risk": Spec(Risk, ["number", "title", "status", "score"], "title", "governance:risks-detail"),
        "decision": Spec(Decision, ["number", "title", "status"], "title", "governance:decisions-detail"),
        "task": Spec(Task, ["number", "name", "kind", "status", "planned_finish"], "name", "roadmap:tasks-detail"),
        "release": Spec(Release, ["number", "name", "status", "rag_override"], "name", "roadmap:releases-detail"),
        "phase": Spec(Phase, ["name", "rag_override"], "name", "roadmap:phases-detail"),
        "gate": Spec(Gate, ["name", "status"], "name", "roadmap:gates-detail"),
        "change": Spec(ChangeRequest, ["number", "title", "status"], "title", "roadmap:changes-detail"),
    }


# --- The database reader ----------------------------------------------------------------------


def history_states(model, project_pk: int, since, until, fields: list[str]) -> dict[int, list[dict]]:
    """{id: [history rows up to `until`, oldest first]} of the rows that have a history row in
    (since, until]: one query."""
    historical = model.history.model
    touched = historical.objects.filter(
        project_id=project_pk, history_date__gt=since, history_date__lte=until
    ).values("id")
    rows = (
        historical.objects.filter(project_id=project_pk, id__in=touched, history_date__lte=until)
        .order_by("id", "history_date", "history_id")
        .values("id", "history_date", "history_type", *fields)
    )
    result: dict[int, list[dict]] = {}
    for row in rows:
        result.setdefault(row["id"], []).append(row)
    return result


def changes_since(project, since: datetime.datetime, until: datetime.datetime, kpis: bool = True) -> dict:
    """The changes of the project between `since` (excluded) and `until` (included), by group."""
    from projectcrm.governance.choices import ISSUE_DONE, RISK_DONE, DecisionStatus
    from projectcrm.governance.scoring import HIGH
    from roadmap.choices import TASK_FINISHED, ChangeStatus, ItemKind

    result = {"since": since.isoformat(), "until": until.isoformat(), "groups": [], "total": 0}
    if since >= until:
        return result
    spec = specs()
    pairs = {
        name: pairs_of(history_states(s.model, project.pk, since, until, s.fields), since, until)
        for name, s in spec.items()
    }
    pk = project.pk
    groups = []

    def add(key, label, found, make=None):
        groups.append(group(key, label, found, make))

    issue, risk = spec["issue"], spec["risk"]
    issue_status, risk_status = _labels(issue.model, "status"), _labels(risk.model, "status")
    priorities = _labels(issue.model, "priority")
    add("issues_new", _("New issues"), appeared(pairs["issue"]),
        lambda i, b, a: issue.item(pk, i, b, a, "priority", priorities))
    add("issues_closed", _("Issues resolved or closed"), entered(pairs["issue"], "status", ISSUE_DONE),
        lambda i, b, a: issue.item(pk, i, b, a, "status", issue_status))
    add("risks_new", _("New risks"), appeared(pairs["risk"]), lambda i, b, a: risk.item(pk, i, b, a, "score"))
    add("risks_closed", _("Risks closed"), entered(pairs["risk"], "status", RISK_DONE),
        lambda i, b, a: risk.item(pk, i, b, a, "status", risk_status))
    add("risks_rose", _("Risks rated higher"),
        rose(pairs["risk"], "score", only=lambda row: row["status"] not in RISK_DONE),
        lambda i, b, a: risk.item(pk, i, b, a, "score", high=a["score"] >= HIGH))
    task = spec["task"]
    slips = sorted(
        slipped(pairs["task"], kind=ItemKind.MILESTONE),
        key=lambda t: (t[1]["planned_finish"] - t[2]["planned_finish"]).days,
    )
    add("milestones_slipped", _("Milestones that slipped"), slips,
        lambda i, b, a: task.item(pk, i, b, a, "planned_finish", days=(a["planned_finish"] - b["planned_finish"]).days))
    task_status, task_kind = _labels(task.model, "status"), _labels(task.model, "kind")
    add("tasks_done", _("Work finished"), entered(pairs["task"], "status", TASK_FINISHED),
        lambda i, b, a: task.item(pk, i, b, a, "status", task_status, kind=task_kind.get(a["kind"], a["kind"])))
    release, phase = spec["release"], spec["phase"]
    release_status = _labels(release.model, "status")
    add("releases_status", _("Release status changes"), changed(pairs["release"], "status"),
        lambda i, b, a: release.item(pk, i, b, a, "status", release_status))
    rag = _labels(release.model, "rag_override")
    add("rag_overrides", _("RAG overrides set or changed"),
        [(release, *row) for row in changed(pairs["release"], "rag_override")]
        + [(phase, *row) for row in changed(pairs["phase"], "rag_override")],
        lambda s, i, b, a: s.item(pk, i, b, a, "rag_override", rag))
    gate = spec["gate"]
    gate_status = _labels(gate.model, "status")
    add("gates", _("Gate decisions"), changed(pairs["gate"], "status"),
        lambda i, b, a: gate.item(pk, i, b, a, "status", gate_status))
    decision = spec["decision"]
    decision_status = _labels(decision.model, "status")
    add("decisions_made", _("Decisions made"), entered(pairs["decision"], "status", [DecisionStatus.APPROVED]),
        lambda i, b, a: decision.item(pk, i, b, a, "status", decision_status))
    change = spec["change"]
    change_status = _labels(change.model, "status")
    decided = [ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.IMPLEMENTED]
    add("changes_decided", _("Change requests decided"), entered(pairs["change"], "status", decided),
        lambda i, b, a: change.item(pk, i, b, a, "status", change_status))
    if kpis:
        add("kpis_status", _("KPI status changes"), kpi_changes(project, since, until))
    result["groups"] = groups
    result["total"] = sum(g["count"] for g in groups)
    return result


def kpi_status_changes(before: dict, after: dict, labels: dict, url=None) -> list[dict]:
    """KPIs whose scorecard status differs between two scorecards (interface 1 dicts)."""
    was = {row["pk"]: row for row in before.get("rows", [])}
    items = []
    for row in after.get("rows", []):
        old = was.get(row["pk"])
        if old is None or old["status"] == row["status"]:
            continue
        items.append({
            "ref": row.get("ref", ""), "title": row.get("name", ""),
            "before": labels.get(old["status"], old["status"]), "after": labels.get(row["status"], row["status"]),
            "url": url(row["pk"]) if url else "",
        })
    return items


def kpi_changes(project, since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """KPI status at the two dates, from the KPI scorecard (values up to each date)."""
    from django.utils import timezone

    from projectcrm.governance import kpis

    labels = {"green": _("Green"), "amber": _("Amber"), "red": _("Red"), "none": _("No value")}
    before = kpis.scorecard(project, timezone.localtime(since).date())
    after = kpis.scorecard(project, timezone.localtime(until).date())
    return kpi_status_changes(before, after, labels, url=lambda pk: _url("governance:kpis-detail", project.pk, pk))
