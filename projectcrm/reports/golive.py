"""Go-live readiness: each of the project's go-live criteria (reports.GoLiveCheck) read from the
evidence in the app, never typed in, and the overall verdict by the project's rules.

Three layers:

* **Evaluation** (`evaluate_*`): pure functions, figures in -> `Outcome` (met, the figure, the limit
  and one readable sentence). No database, no request; tested against hand-worked examples.
* **Evidence readers** (`read_*`): the figures of one project from the database.
* **`assess(project, as_of)`**: every active criterion evaluated, with a link to its evidence, and
  the verdict; JSON-serialisable (the steering report freezes it).

Evidence and limits (a criterion's `threshold`, else the default of its kind, DEFAULT_THRESHOLD):

* Phase gates passed: the release going live next is the first release (by start) still planned
  or active; its go-live phase is the one holding its go-live milestone (template key "go-live" or
  "live", or a milestone named "go-live"), else its last phase. Every gate of the phases before
  that one counts; a gate is passed when decided "go" or "go with conditions" on or before the day.
  Met when the share passed reaches the limit (default 100%). No such gate (no release, or nothing
  before the go-live phase has a gate): no evidence.
* Open critical issues (priority critical, not resolved or closed) at most the limit (default 0).
* Open high risks (score >= governance.scoring.HIGH, not closed) at most the limit (default 2).
* Change requests waiting for a decision (submitted or assessed) at most the limit (default 0).
  For these three an empty register is evidence: nothing is open.
* Training signed off: per department, the share of its active trainees' required courses with a
  valid sign-off (the training readiness page's figures); met when every department reaches the
  limit (default 90%); the figure shown is the lowest department. Nothing required: no evidence.
* Communication plan carried out: for every active item of the plan, its due dates before the day
  (schedule.occurrence from its first due date up to its last; "as needed" items have none) and the
  communications logged as sent on or before the day; an item counts as sent for at most as many
  due dates as it has (sending twice does not make up for another item). Met when the share sent
  reaches the limit (default 90%). Nothing due yet: no evidence.
* UAT pass rate, severe defects: read from the testing area when the project keeps its tests there
  (UAT executions; any test plan for defects), else manual checks.
* Mock migration and cutover rehearsal: read from the go/no-go checklist of the data migration
  (testing.migration.go_no_go: the last mock run done and the last rehearsal done) when the project
  keeps a migration plan (any migration object), else manual checks. Mock migration is met when the
  data criteria are met (every object run, rejected records and reconciliation within each object's
  thresholds, no open severity-1 or 2 defect on the run's objects); no run done yet: no evidence.
  Cutover rehearsal is met when the runbook and rehearsal criteria are met (every step has an owner
  and a planned duration, no cycle; the last rehearsal timed every step and stayed within the
  planned window plus testing.migration.WINDOW_MARGIN %); no runbook step yet: no evidence.
* The support model and the project's own manual criteria are manual checks: met when ticked on
  the criterion (with its note), else not met.

Verdict: any criterion not met whose failure means "no-go" -> no-go; otherwise any criterion not
met whose failure means "go with conditions" -> go with conditions; otherwise go. "Not met"
includes a criterion without evidence (`met` None) and a manual check not ticked: the committee
never goes live on missing evidence.

A project without criteria of its own is assessed by the standard ones (DEFAULT_CHECKS, not
stored); `standard` says so. `ensure_default_checks` stores them for editing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import CheckKind, OnFail, Verdict

# kind, limit (None: none applies), what a failure means. Order = order on the page.
DEFAULT_CHECKS = [
    (CheckKind.GATES_PASSED, 100, OnFail.NO_GO),
    (CheckKind.CRITICAL_ISSUES, 0, OnFail.NO_GO),
    (CheckKind.HIGH_RISKS, 2, OnFail.CONDITIONS),
    (CheckKind.UAT_PASS_RATE, 95, OnFail.NO_GO),
    (CheckKind.SEVERE_DEFECTS, 0, OnFail.NO_GO),
    (CheckKind.MOCK_MIGRATION, None, OnFail.CONDITIONS),
    (CheckKind.CUTOVER_REHEARSAL, None, OnFail.NO_GO),
    (CheckKind.TRAINING_SIGNOFF, 90, OnFail.NO_GO),
    (CheckKind.COMMUNICATIONS, 90, OnFail.CONDITIONS),
    (CheckKind.CHANGE_REQUESTS, 0, OnFail.CONDITIONS),
    (CheckKind.SUPPORT_MODEL, None, OnFail.NO_GO),
]

# The limit of a kind when its criterion leaves it empty.
DEFAULT_THRESHOLD = {
    CheckKind.GATES_PASSED: 100.0,
    CheckKind.CRITICAL_ISSUES: 0.0,
    CheckKind.HIGH_RISKS: 2.0,
    CheckKind.UAT_PASS_RATE: 95.0,
    CheckKind.SEVERE_DEFECTS: 0.0,
    CheckKind.TRAINING_SIGNOFF: 90.0,
    CheckKind.COMMUNICATIONS: 90.0,
    CheckKind.CHANGE_REQUESTS: 0.0,
}

# Evidence read from the testing area when the project keeps its tests there; a project without
# UAT executions (or without any test plan, for defects) is checked by hand as before.
TESTING_KINDS = {CheckKind.UAT_PASS_RATE, CheckKind.SEVERE_DEFECTS}
# Evidence read from the data migration's go/no-go when the project keeps a migration plan (any
# migration object); a project without one is checked by hand.
MIGRATION_KINDS = {CheckKind.MOCK_MIGRATION, CheckKind.CUTOVER_REHEARSAL}
MANUAL_KINDS = {CheckKind.SUPPORT_MODEL, CheckKind.MANUAL}
# Kinds whose figure is a percentage to reach; the other limits are counts not to exceed.
PERCENT_KINDS = {CheckKind.GATES_PASSED, CheckKind.UAT_PASS_RATE, CheckKind.TRAINING_SIGNOFF, CheckKind.COMMUNICATIONS}

# Milestones that mark a release's go-live in the built-in methodologies.
GO_LIVE_KEYS = ("go-live", "live")

NAMES_SHOWN = 3  # gates, departments or communications named in an evidence sentence


@dataclass(frozen=True)
class Outcome:
    """One criterion evaluated: met (None: no evidence), the figure against the limit, the evidence."""

    met: bool | None
    evidence: str
    value: float | None = None
    threshold: float | None = None
    manual: bool = False


def limit_of(kind: str, threshold) -> float | None:
    """The criterion's limit as a float, or its kind's default."""
    if threshold is not None:
        return float(threshold)
    return DEFAULT_THRESHOLD.get(kind)


def _names(names) -> str:
    names = list(names)
    shown = ", ".join(f"“{n}”" for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += " " + _("and %(n)d more") % {"n": len(names) - NAMES_SHOWN}
    return shown


def _pct(value: float) -> str:
    return f"{value:.0f}%"


# --- Evaluation: figures in, outcome out ---------------------------------------------------------


def evaluate_gates(release: str | None, passed: list[str], pending: list[str], limit: float) -> Outcome:
    """Gates before go-live of the release going live next: names of those passed and not (yet)."""
    total = len(passed) + len(pending)
    if release is None:
        return Outcome(None, _("No release is planned or active: nothing is going live yet."), None, limit)
    if total == 0:
        return Outcome(
            None,
            _("“%(release)s” has no phase gate before its go-live phase: no evidence.") % {"release": release},
            None, limit,
        )
    share = 100.0 * len(passed) / total
    text = _("%(passed)d of %(total)d gates before the go-live of “%(release)s” passed (%(share)s); limit %(limit)s.") % {
        "passed": len(passed), "total": total, "release": release, "share": _pct(share), "limit": _pct(limit),
    }
    if pending:
        text += " " + _("Not passed yet: %(names)s.") % {"names": _names(pending)}
    return Outcome(share >= limit, text, share, limit)


def evaluate_count(kind: str, count: int, limit: float) -> Outcome:
    """A count not to exceed: open critical issues, open high risks, change requests waiting."""
    from projectcrm.governance import scoring

    values = {"n": count, "limit": f"{limit:g}", "score": scoring.HIGH}
    if kind == CheckKind.CRITICAL_ISSUES:
        text = ngettext(
            "%(n)d open critical issue; limit %(limit)s.", "%(n)d open critical issues; limit %(limit)s.", count
        ) % values
    elif kind == CheckKind.HIGH_RISKS:
        text = ngettext(
            "%(n)d open high risk (score %(score)d or more); limit %(limit)s.",
            "%(n)d open high risks (score %(score)d or more); limit %(limit)s.", count,
        ) % values
    else:
        text = ngettext(
            "%(n)d change request waiting for a decision; limit %(limit)s.",
            "%(n)d change requests waiting for a decision; limit %(limit)s.", count,
        ) % values
    return Outcome(count <= limit, text, float(count), limit)


def evaluate_training(departments: list[tuple[str, int, int]], limit: float) -> Outcome:
    """Per department (name, signed off, required): every department must reach the limit."""
    required = [(name, signed, total) for name, signed, total in departments if total]
    if not required:
        return Outcome(
            None, _("No training is required yet (no curricula or no trainees): no evidence."), None, limit
        )
    shares = sorted(((100.0 * signed / total, name, signed, total) for name, signed, total in required))
    lowest, name, signed, total = shares[0]
    below = [n for share, n, _s, _t in shares if share < limit]
    text = _(
        "%(ok)d of %(count)d departments have signed off at least %(limit)s of their required training; "
        "lowest: “%(name)s” %(share)s (%(signed)d of %(total)d)."
    ) % {
        "ok": len(shares) - len(below), "count": len(shares), "limit": _pct(limit), "name": name,
        "share": _pct(lowest), "signed": signed, "total": total,
    }
    if below:
        text += " " + _("Below the limit: %(names)s.") % {"names": _names(below)}
    return Outcome(not below, text, lowest, limit)


def communications_due_sent(
    items: list[tuple[str, str, datetime.date, datetime.date | None, list[datetime.date]]], as_of: datetime.date
) -> tuple[int, int, list[str]]:
    """Communications due before `as_of` and how many of them were sent, with the items behind.

    items: (name, frequency, first due, last due or None, dates sent). An item counts as sent for
    at most its number of due dates.
    """
    from projectcrm.governance import schedule

    due_total = sent_total = 0
    behind = []
    for name, frequency, start, end, sent_dates in items:
        if frequency == "as_needed":
            continue
        last = as_of - datetime.timedelta(days=1)
        if end is not None:
            last = min(last, end)
        due = schedule.occurrences_until(frequency, start, last)
        sent = min(due, sum(1 for day in sent_dates if day <= as_of))
        due_total += due
        sent_total += sent
        if sent < due:
            behind.append(name)
    return due_total, sent_total, behind


def evaluate_communications(due: int, sent: int, behind: list[str], limit: float) -> Outcome:
    if due == 0:
        return Outcome(None, _("No communication of the plan was due yet: no evidence."), None, limit)
    share = 100.0 * sent / due
    text = _("%(sent)d of %(due)d communications due so far were sent (%(share)s); limit %(limit)s.") % {
        "sent": sent, "due": due, "share": _pct(share), "limit": _pct(limit),
    }
    if behind:
        text += " " + _("Behind: %(names)s.") % {"names": _names(behind)}
    return Outcome(share >= limit, text, share, limit)


def evaluate_manual(kind: str, met: bool, note: str, threshold: float | None = None) -> Outcome:
    """A criterion checked by hand: met when ticked; the note is the evidence."""
    parts = []
    unread = kind in MIGRATION_KINDS or kind in TESTING_KINDS
    if kind in MIGRATION_KINDS:
        parts.append(_("No migration plan in the app (no migration objects): manual check."))
    elif kind in TESTING_KINDS:
        parts.append(_("No test results in the app for this: manual check."))
    if note.strip():
        parts.append(note.strip())
    elif not unread:
        parts.append(_("Checked by hand.") if met else _("Not checked yet."))
    if unread and not note.strip():
        parts.append(_("Ticked as met.") if met else _("Not ticked yet."))
    return Outcome(bool(met), " ".join(parts), None, threshold, manual=True)


def evaluate_uat(cycles: list[tuple[str, int, int]], limit: float) -> Outcome | None:
    """UAT cycles (name, cases executed, passed or passed with remarks; each case's latest
    execution): the pass rate over all of them against the limit. None without any execution."""
    executed = sum(e for _name, e, _p in cycles)
    if not executed:
        return None
    passed = sum(p for _name, _e, p in cycles)
    rate = 100.0 * passed / executed
    text = _("%(passed)d of %(executed)d user acceptance test cases passed (%(rate)s) in %(cycles)s; limit %(limit)s.") % {
        "passed": passed, "executed": executed, "rate": _pct(rate), "limit": _pct(limit),
        "cycles": _names([name for name, e, _p in cycles if e]),
    }
    return Outcome(rate >= limit, text, rate, limit)


def evaluate_severe_defects(open_by_severity: dict, limit: float) -> Outcome:
    """Open defects of severity 1 and 2 together, not to exceed the limit."""
    critical, major = open_by_severity.get(1, 0), open_by_severity.get(2, 0)
    count = critical + major
    text = _("%(n)d open severity 1 or 2 defects (%(critical)d critical, %(major)d major); limit %(limit)s.") % {
        "n": count, "critical": critical, "major": major, "limit": f"{limit:g}",
    }
    return Outcome(count <= limit, text, float(count), limit)


def evaluate_migration(kind: str, checklist) -> Outcome:
    """Mock migration or cutover rehearsal from the migration's go/no-go checklist
    (testing.migration.GoNoGo: its run, rehearsal, planned schedule and criteria with code, group,
    met and text)."""
    from testing import migration

    if kind == CheckKind.MOCK_MIGRATION:
        if checklist.run is None:
            return Outcome(None, _("No mock run is done yet: no evidence."))
        failing = checklist.failing(migration.DATA)
        if not failing:
            table = checklist.table
            text = _(
                "Last mock run %(run)s: all %(n)d objects ran within their thresholds (%(rate)s%% rejected overall), "
                "with no open severity-1 or 2 defect."
            ) % {"run": checklist.run.ref, "n": table.objects,
                 "rate": migration.number(table.rejected_rate or 0)}
            return Outcome(True, text)
        text = _("Last mock run %(run)s:") % {"run": checklist.run.ref}
        return Outcome(False, " ".join([text, *(c.text for c in failing)]))
    if checklist.planned is None:
        return Outcome(None, _("The cutover runbook has no steps yet: no evidence."))
    failing = checklist.failing(migration.CUTOVER)
    if not failing:
        rehearsal = checklist.rehearsal
        text = _(
            "Rehearsal %(run)s timed every step and took %(actual)d minutes against a planned window of "
            "%(planned)d minutes (limit %(limit)s)."
        ) % {"run": rehearsal.ref, "actual": checklist.rehearsed.total, "planned": checklist.planned.total,
             "limit": migration.number(checklist.window_limit)}
        return Outcome(True, text)
    return Outcome(False, " ".join(c.text for c in failing))


def verdict(criteria: list[tuple[bool | None, str]]) -> str:
    """(met, on_fail) of every criterion -> Verdict value (see the module docstring)."""
    failed = [on_fail for met, on_fail in criteria if met is not True]
    if OnFail.NO_GO in failed:
        return Verdict.NO_GO
    if failed:
        return Verdict.CONDITIONS
    return Verdict.GO


# --- Evidence readers ----------------------------------------------------------------------------


def read_gates(project, as_of: datetime.date) -> tuple[str | None, list[str], list[str]]:
    """The release going live next, and the names of its gates before go-live passed / not passed."""
    from roadmap.choices import GateStatus, ItemKind, ReleaseStatus
    from roadmap.models import Gate, Phase, Release, Task

    release = (
        Release.objects.filter(project=project, status__in=[ReleaseStatus.PLANNED, ReleaseStatus.ACTIVE])
        .order_by("start_date", "number").first()
    )
    if release is None:
        return None, [], []
    phases = list(Phase.objects.filter(release=release).order_by("order", "pk").values_list("pk", flat=True))
    milestones = Task.objects.filter(release=release, kind=ItemKind.MILESTONE)
    marker = (
        milestones.filter(template_key__in=GO_LIVE_KEYS).values_list("phase_id", flat=True).first()
        or next(
            (phase for phase, name in milestones.values_list("phase_id", "name")
             if phase and name.casefold().replace(" ", "-").startswith("go-live")),
            None,
        )
    )
    go_live_index = phases.index(marker) if marker in phases else len(phases) - 1
    before = phases[:max(go_live_index, 0)]
    passed, pending = [], []
    for gate in Gate.objects.filter(phase_id__in=before).order_by("phase__order", "pk"):
        ok = gate.status in (GateStatus.PASSED, GateStatus.PASSED_CONDITIONS) and (
            gate.decided_on is None or gate.decided_on <= as_of
        )
        (passed if ok else pending).append(gate.name)
    return release.name, passed, pending


def read_critical_issues(project) -> int:
    from projectcrm.governance.choices import ISSUE_DONE, Priority
    from projectcrm.governance.models import Issue

    return Issue.objects.filter(project=project, priority=Priority.CRITICAL).exclude(status__in=ISSUE_DONE).count()


def read_high_risks(project) -> int:
    from projectcrm.governance import scoring
    from projectcrm.governance.choices import RISK_DONE
    from projectcrm.governance.models import Risk

    return Risk.objects.filter(project=project, score__gte=scoring.HIGH).exclude(status__in=RISK_DONE).count()


def read_change_requests(project) -> int:
    from roadmap.choices import ChangeStatus
    from roadmap.models import ChangeRequest

    return ChangeRequest.objects.filter(
        project=project, status__in=[ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED]
    ).count()


def read_training(project, as_of: datetime.date) -> list[tuple[str, int, int]]:
    """(department, signed off, required) of the training readiness (the readiness page's figures)."""
    from training import readiness_views

    summary = readiness_views.cached_summary(project, as_of)
    if summary is not None:
        result = summary.result
    else:
        result = readiness_views.compute(readiness_views.readiness_inputs(project, as_of, progress=False))
    return [(str(name), counts.signed_off, counts.required) for name, counts in result.by_department.items()]


def read_uat(project) -> list[tuple[str, int, int]]:
    """The project's user acceptance test cycles (not cancelled): (name, executed, passed)."""
    from testing.choices import PlanType
    from testing.models import TestCycle
    from testing.services import cycle_counts

    cycles = TestCycle.objects.filter(project=project, plan__plan_type=PlanType.UAT).order_by(
        "start", "number"
    )
    found = []
    for cycle in cycles:
        counts = cycle_counts(cycle)
        found.append((f"{cycle.ref} {cycle.name}", counts.executed, counts.passed))
    return found


def read_defects(project) -> dict | None:
    """Open defects by severity, or None when the project has no test plan in the app."""
    from testing.choices import DEFECT_DONE
    from testing.models import Defect, TestPlan

    if not TestPlan.objects.filter(project=project).exists():
        return None
    return dict(
        Defect.objects.filter(project=project).exclude(status__in=DEFECT_DONE)
        .values_list("severity").order_by().annotate(n=Count("pk"))
    )


def read_migration(project):
    """The data migration's go/no-go checklist, or None when the project keeps no migration plan."""
    from testing import migration
    from testing.models import MigrationObject

    if not MigrationObject.objects.filter(project=project).exists():
        return None
    return migration.go_no_go(project)


def read_communications(project, as_of: datetime.date) -> tuple[int, int, list[str]]:
    from collections import defaultdict

    from projectcrm.governance.models import CommunicationItem, CommunicationLog

    # Plain values, not model instances (a large plan has thousands of items and log rows).
    sent = defaultdict(list)
    for item_id, day in CommunicationLog.objects.filter(project=project, sent_on__lte=as_of).values_list(
        "item_id", "sent_on"
    ).order_by():
        sent[item_id].append(day)
    items = [
        (deliverable, frequency, start, end, sent[pk])
        for pk, deliverable, frequency, start, end in CommunicationItem.objects.filter(
            project=project, active=True, start_date__lt=as_of
        ).exclude(frequency="as_needed").order_by("deliverable").values_list(
            "pk", "deliverable", "frequency", "start_date", "end_date"
        )
    ]
    return communications_due_sent(items, as_of)


# --- Assessment ----------------------------------------------------------------------------------


def evidence_url(project, check) -> str:
    """The page that shows a criterion's evidence (relative)."""
    kwargs = {"project": project.pk}
    kind = check.kind
    if kind == CheckKind.GATES_PASSED:
        return reverse("roadmap:gates-list", kwargs=kwargs)
    if kind == CheckKind.CRITICAL_ISSUES:
        return reverse("governance:issues-list", kwargs=kwargs) + "?priority=critical&view=open"
    if kind == CheckKind.HIGH_RISKS:
        return reverse("governance:risks-list", kwargs=kwargs) + "?view=high"
    if kind == CheckKind.CHANGE_REQUESTS:
        return reverse("roadmap:changes-list", kwargs=kwargs) + "?view=waiting"
    if kind == CheckKind.TRAINING_SIGNOFF:
        return reverse("training:readiness", kwargs=kwargs)
    if kind == CheckKind.COMMUNICATIONS:
        return reverse("governance:communications-list", kwargs=kwargs)
    if kind == CheckKind.UAT_PASS_RATE and not check.evidence_link:
        return reverse("testing:cycles-list", kwargs=kwargs)
    if kind == CheckKind.SEVERE_DEFECTS and not check.evidence_link:
        return reverse("testing:defects-list", kwargs=kwargs)
    if kind == CheckKind.MOCK_MIGRATION and not check.evidence_link:
        return reverse("testing:migration", kwargs=kwargs)
    if kind == CheckKind.CUTOVER_REHEARSAL and not check.evidence_link:
        return reverse("testing:cutover", kwargs=kwargs)
    if check.evidence_link:
        return check.evidence_link
    if check.pk:
        return reverse("reports:golive-checks-detail", kwargs={**kwargs, "pk": check.pk})
    return reverse("reports:golive-checks-list", kwargs=kwargs)


def evaluate_check(project, check, as_of: datetime.date, cache: dict) -> Outcome:
    """One criterion against the project's evidence (`cache` keeps figures read for an earlier one)."""
    kind = check.kind
    limit = limit_of(kind, check.threshold)
    if kind in MANUAL_KINDS:
        return evaluate_manual(kind, check.met, check.note, limit)

    def read(key, reader):
        if key not in cache:
            cache[key] = reader()
        return cache[key]

    if kind == CheckKind.GATES_PASSED:
        return evaluate_gates(*read(kind, lambda: read_gates(project, as_of)), limit)
    if kind == CheckKind.CRITICAL_ISSUES:
        return evaluate_count(kind, read(kind, lambda: read_critical_issues(project)), limit)
    if kind == CheckKind.HIGH_RISKS:
        return evaluate_count(kind, read(kind, lambda: read_high_risks(project)), limit)
    if kind == CheckKind.CHANGE_REQUESTS:
        return evaluate_count(kind, read(kind, lambda: read_change_requests(project)), limit)
    if kind == CheckKind.TRAINING_SIGNOFF:
        return evaluate_training(read(kind, lambda: read_training(project, as_of)), limit)
    if kind == CheckKind.COMMUNICATIONS:
        return evaluate_communications(*read(kind, lambda: read_communications(project, as_of)), limit)
    if kind == CheckKind.UAT_PASS_RATE:
        outcome = evaluate_uat(read(kind, lambda: read_uat(project)), limit)
        return outcome or evaluate_manual(kind, check.met, check.note, limit)
    if kind == CheckKind.SEVERE_DEFECTS:
        defects = read(kind, lambda: read_defects(project))
        if defects is None:  # the project keeps no tests in the app
            return evaluate_manual(kind, check.met, check.note, limit)
        return evaluate_severe_defects(defects, limit)
    if kind in MIGRATION_KINDS:
        checklist = read("migration", lambda: read_migration(project))
        if checklist is None:  # the project keeps no migration plan in the app
            return evaluate_manual(kind, check.met, check.note, limit)
        return evaluate_migration(kind, checklist)
    return evaluate_manual(kind, check.met, check.note, limit)  # a kind added later: by hand until read


def standard_checks(project) -> list:
    """The standard criteria as unsaved rows (order 10, 20, ...)."""
    from .models import GoLiveCheck

    return [
        GoLiveCheck(project=project, kind=kind, threshold=threshold, on_fail=on_fail, order=10 * (index + 1))
        for index, (kind, threshold, on_fail) in enumerate(DEFAULT_CHECKS)
    ]


def ensure_default_checks(project, user=None) -> int:
    """Store the standard criteria when the project has none (active or not); -> how many were made."""
    from projectcrm.core.models import Project
    from projectcrm.core.services import save_versioned

    from .models import GoLiveCheck

    with transaction.atomic():
        # Lock the project so that two clicks at once cannot both add the criteria.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        if GoLiveCheck.objects.filter(project=project).exists():
            return 0
        checks = standard_checks(project)
        for check in checks:
            if user is not None:
                check._history_user = user
            save_versioned(check, None)
    return len(checks)


def assess(project, as_of: datetime.date | None = None) -> dict:
    """The go-live readiness of `project` on `as_of` (default today); see the module docstring."""
    from .models import GoLiveCheck

    as_of = as_of or timezone.localdate()
    checks = list(GoLiveCheck.objects.filter(project=project, active=True).order_by("order", "pk"))
    standard = not GoLiveCheck.objects.filter(project=project).exists()
    if standard:
        checks = standard_checks(project)
    cache: dict = {}
    criteria = []
    for check in checks:
        outcome = evaluate_check(project, check, as_of, cache)
        criteria.append({
            "pk": check.pk,
            "kind": check.kind,
            "label": check.text or str(check.get_kind_display()),
            "met": outcome.met,
            "manual": outcome.manual,
            "on_fail": check.on_fail,
            "on_fail_label": str(OnFail(check.on_fail).label),
            "evidence": outcome.evidence,
            "value": None if outcome.value is None else round(float(outcome.value), 1),
            "threshold": None if outcome.threshold is None else float(outcome.threshold),
            "url": evidence_url(project, check),
            "unit": "%" if check.kind in PERCENT_KINDS else "",
        })
    result = verdict([(c["met"], c["on_fail"]) for c in criteria])
    return {
        "as_of": as_of.isoformat(),
        "verdict": str(result),
        "verdict_label": str(Verdict(result).label),
        "standard": standard,
        "criteria": criteria,
        "counts": {
            "met": sum(1 for c in criteria if c["met"] is True),
            "failed": sum(1 for c in criteria if c["met"] is not True),
            "manual": sum(1 for c in criteria if c["manual"]),
            "no_evidence": sum(1 for c in criteria if c["met"] is None),
        },
    }
