"""State changes of the testing area: defects raised from a failed step, the defect workflow,
escalation into the issue log, and the UAT sign-off (refused while the exit criteria fail).

Each change runs in one transaction, bumps the row's version and records who made it in the row's
history (`obj._history_user`). Refusals: PermissionDenied when the person may not change the
testing area, ValidationError (with the reasons) when the change is not allowed.
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from projectcrm.core import policy
from projectcrm.core.models import Membership
from projectcrm.governance.choices import IssueStatus, Priority
from projectcrm.governance.models import Issue

from . import exit_criteria
from . import steps as step_text
from .choices import DEFECT_DONE, DEFECT_TRANSITIONS, PASSING, DefectStatus, Result, Severity, SignOffStatus
from .models import Defect, Execution, TestCycle, UatSignOff

AREA = "testing"
ESCALATION_PRIORITY = {Severity.CRITICAL: Priority.CRITICAL, Severity.MAJOR: Priority.HIGH}


def display_name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def require_tester(user, project) -> None:
    """PermissionDenied unless the user is a member whose role may change the testing area."""
    role = None
    if user is not None and getattr(user, "is_authenticated", False):
        role = Membership.objects.filter(user=user, project=project).values_list("role", flat=True).first()
    if not policy.allows(role, AREA, "change"):
        raise PermissionDenied(
            _("%(name)s may not change the testing records of this project.") % {"name": display_name(user)}
        )


def _save(obj, user):
    """Save a changed row with the next version and the user in its history (inside a transaction)."""
    if obj.pk is not None:
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        obj.version = current.version + 1
    obj._history_user = user
    obj.save()
    return obj


# ---------------------------------------------------------------------------------------------
# Cycle progress and exit criteria
# ---------------------------------------------------------------------------------------------


def latest_results(cycle: TestCycle) -> dict[int, str]:
    """{case pk: result of its latest execution in the cycle}, for the cycle's cases."""
    case_ids = set(cycle.cases.values_list("pk", flat=True))
    latest: dict[int, str] = {}
    rows = cycle.executions.order_by(F("executed_at").asc(nulls_first=True), "number").values_list("case_id", "result")
    for case_id, result in rows:  # later rows overwrite earlier ones; unexecuted (null time) come first
        if case_id in case_ids:
            latest[case_id] = result
    return {pk: latest.get(pk, Result.NOT_RUN) for pk in case_ids}


def cycle_counts(cycle: TestCycle) -> exit_criteria.Counts:
    results = Counter(latest_results(cycle).values())
    cases = sum(results.values())
    open_defects = Counter(
        cycle.defects.exclude(status__in=DEFECT_DONE).values_list("severity", flat=True)
    )
    return exit_criteria.Counts(
        cases=cases,
        executed=cases - results[Result.NOT_RUN],
        passed=sum(results[r] for r in PASSING),
        failed=results[Result.FAILED],
        blocked=results[Result.BLOCKED],
        open_by_severity=dict(open_defects),
    )


def thresholds(cycle: TestCycle) -> exit_criteria.Thresholds:
    return exit_criteria.Thresholds(
        min_pass_rate=cycle.min_pass_rate,
        max_open_critical=cycle.max_open_critical,
        max_open_major=cycle.max_open_major,
        all_cases_executed=cycle.all_cases_executed,
    )


def evaluate_cycle(cycle: TestCycle) -> dict:
    counts = cycle_counts(cycle)
    verdict = exit_criteria.evaluate(thresholds(cycle), counts)
    verdict["counts"] = {
        "cases": counts.cases, "executed": counts.executed, "passed": counts.passed, "failed": counts.failed,
        "blocked": counts.blocked, "not_run": counts.cases - counts.executed,
    }
    return verdict


# ---------------------------------------------------------------------------------------------
# Defects
# ---------------------------------------------------------------------------------------------


def raise_defect_from_step(execution: Execution, step_number: int, user, title: str | None = None,
                           severity: int = Severity.MAJOR) -> Defect:
    """A defect for a failed step of an execution, in one action.

    The defect links the execution, its case and cycle; its description holds the step's action,
    expected and actual result. The step is recorded as failed and the execution's result set to
    failed if it was not.
    """
    require_tester(user, execution.project)
    case = execution.case
    steps = {step.number: step for step in case.step_list}
    step = steps.get(step_number)
    if step is None:
        raise ValidationError(_("%(case)s has no step %(number)s.") % {"case": case.ref, "number": step_number})
    with transaction.atomic():
        execution = Execution.objects.select_for_update().get(pk=execution.pk)
        results, _problems = step_text.parse_step_results(execution.step_results)
        previous = results.get(step_number)
        actual = previous.actual if previous else ""
        results[step_number] = step_text.StepResult(step_number, Result.FAILED, actual)
        execution.step_results = step_text.format_step_results(results)
        execution.result = Result.FAILED
        if execution.tester_id is None:
            execution.tester = user
        _save(execution, user)
        description = "\n".join([
            _("Test case: %(case)s") % {"case": str(case)},
            _("Step %(number)s: %(action)s") % {"number": step.number, "action": step.action},
            _("Expected: %(expected)s") % {"expected": step.expected or "—"},
            _("Actual: %(actual)s") % {"actual": actual or execution.actual_result or "—"},
            _("Build: %(build)s; environment: %(environment)s") % {
                "build": execution.build or "—", "environment": execution.environment or "—"},
        ])
        defect = Defect(
            project=execution.project,
            title=(title or "").strip()[:200] or (_("%(case)s step %(number)s failed") % {
                "case": case.ref, "number": step.number})[:200],
            description=description,
            severity=severity,
            status=DefectStatus.NEW,
            raised_by=user,
            cycle=execution.cycle,
            case=case,
            execution=execution,
            step_number=step.number,
            use_cases=case.use_cases,
        )
        _save(defect, user)
    return defect


def allowed_statuses(defect: Defect) -> list[str]:
    return list(DEFECT_TRANSITIONS.get(defect.status, []))


def change_defect_status(defect: Defect, new_status: str, user) -> Defect:
    require_tester(user, defect.project)
    with transaction.atomic():
        defect = Defect.objects.select_for_update().get(pk=defect.pk)
        if new_status not in allowed_statuses(defect):
            allowed = ", ".join(str(DefectStatus(s).label) for s in allowed_statuses(defect)) or "—"
            label = DefectStatus(new_status).label if new_status in DefectStatus.values else new_status
            raise ValidationError(
                _("A defect cannot go from “%(old)s” to “%(new)s”; from “%(old)s” it may go to: %(allowed)s.")
                % {"old": defect.get_status_display(), "new": label, "allowed": allowed}
            )
        defect.status = new_status
        _save(defect, user)
    return defect


def may_escalate(defect: Defect) -> bool:
    return defect.issue_id is None and defect.is_open and defect.severity in ESCALATION_PRIORITY


def escalate_defect(defect: Defect, user) -> Issue:
    """Put a severe open defect (severity 1 or 2) on the issue log and link it."""
    require_tester(user, defect.project)
    with transaction.atomic():
        defect = Defect.objects.select_for_update().get(pk=defect.pk)
        if defect.issue_id is not None:
            raise ValidationError(_("%(defect)s is already on the issue log as %(issue)s.")
                                  % {"defect": defect.ref, "issue": defect.issue.ref})
        if not defect.is_open:
            raise ValidationError(_("%(defect)s is closed or rejected: there is nothing to escalate.") % {"defect": defect.ref})
        if defect.severity not in ESCALATION_PRIORITY:
            raise ValidationError(_("Only severity-1 and severity-2 defects are escalated to the issue log."))
        issue = Issue(
            project=defect.project,
            title=(_("Defect %(ref)s: %(title)s") % {"ref": defect.ref, "title": defect.title})[:200],
            description=defect.description,
            raised_by=user,
            owner=defect.assignee,
            priority=ESCALATION_PRIORITY[defect.severity],
            status=IssueStatus.OPEN,
        )
        _save(issue, user)
        defect.issue = issue
        _save(defect, user)
    return issue


# ---------------------------------------------------------------------------------------------
# UAT sign-off
# ---------------------------------------------------------------------------------------------


def sign_off_uat(cycle: TestCycle, user, business_area: str, conditions: str = "", refuse: bool = False) -> UatSignOff:
    """The business owner's decision on a UAT cycle for a business area.

    Signing off is refused (ValidationError listing the failing criteria) while the cycle's exit
    criteria fail; a business owner may always record a refusal (with the reasons in `conditions`).
    """
    require_tester(user, cycle.project)
    business_area = (business_area or cycle.business_area or "").strip()
    if not business_area:
        raise ValidationError(_("Name the business area that is signed off."))
    if refuse and not conditions.strip():
        raise ValidationError(_("Give the reasons for refusing the sign-off."))
    with transaction.atomic():
        cycle = TestCycle.objects.select_for_update().get(pk=cycle.pk)
        verdict = evaluate_cycle(cycle)
        if not refuse and not verdict["met"]:
            raise ValidationError(
                [_("The UAT cycle cannot be signed off while its exit criteria fail:")] + verdict["failing"]
            )
        row = UatSignOff(
            project=cycle.project, cycle=cycle, business_area=business_area[:120], business_owner=user,
            status=SignOffStatus.REFUSED if refuse else SignOffStatus.SIGNED, conditions=conditions.strip(),
            signed_at=timezone.now(),
            criteria=[{"text": c["text"], "met": c["met"]} for c in verdict["criteria"]],
        )
        _save(row, user)
    return row


# ---------------------------------------------------------------------------------------------
# Running a test case (the runner) and its evidence files
# ---------------------------------------------------------------------------------------------


def start_execution(cycle: TestCycle, case, user) -> Execution:
    """A new execution of one of the cycle's cases by `user`, with the cycle's build and environment.

    An execution of the same case by the same tester that nobody has run yet (not run, no step
    results, no time) is reused, so a second click does not leave an empty row behind.
    """
    require_tester(user, cycle.project)
    if case is None or not cycle.cases.filter(pk=case.pk).exists():
        raise ValidationError(
            _("%(case)s is not one of the cases of %(cycle)s: add it to the cycle first.")
            % {"case": case.ref if case is not None else "—", "cycle": cycle.ref}
        )
    with transaction.atomic():
        untouched = (
            Execution.objects.select_for_update()
            .filter(cycle=cycle, case=case, tester=user, result=Result.NOT_RUN, executed_at__isnull=True, step_results="")
            .order_by("-number")
            .first()
        )
        if untouched is not None:
            return untouched
        execution = Execution(
            project=cycle.project, cycle=cycle, case=case, tester=user, result=Result.NOT_RUN,
            build=cycle.build, environment=cycle.environment,
        )
        execution._history_user = user
        execution.save()
    return execution


def record_run(execution: Execution, user, seen_version: int | None, results: dict, result: str, actual_result: str,
               build: str, environment: str) -> Execution:
    """Store what the tester recorded in the runner: step results, overall result, build, environment.

    `results` is {step number: steps.StepResult}. Lines of the old step results for steps the case
    no longer has are kept. The save is refused (core.services.EditConflict, nothing saved) when
    the execution changed since the runner was opened at `seen_version`.
    """
    from projectcrm.core.services import save_versioned

    require_tester(user, execution.project)
    with transaction.atomic():
        row = Execution.objects.select_for_update().get(pk=execution.pk)
        old, _problems = step_text.parse_step_results(row.step_results)
        numbers = {step.number for step in row.case.step_list}
        merged = {n: r for n, r in old.items() if n not in numbers}
        merged.update(results)
        row.step_results = step_text.format_step_results(merged)
        row.result = result
        row.actual_result = (actual_result or "").strip()
        row.build = (build or "").strip()[:120]
        row.environment = (environment or "").strip()[:120]
        row.executed_at = timezone.now()
        row.tester = user
        row._history_user = user
        save_versioned(row, seen_version)
    return row


def add_evidence(execution: Execution, user, files, step_number: int | None = None, note: str = "") -> list:
    """Attach files to an execution, all or none.

    `files` are uploaded files (name, size, chunks()). Every file is checked first
    (testing.evidence.problem); one bad file refuses the whole upload (ValidationError naming each
    bad file) and nothing is stored. A file written before a later one fails is removed again.
    """
    from django.core.files.base import File

    from . import evidence
    from .models import ExecutionEvidence

    require_tester(user, execution.project)
    files = list(files)
    if not files:
        raise ValidationError(_("Choose one or more files to upload."))
    if step_number is not None and step_number not in {s.number for s in execution.case.step_list}:
        raise ValidationError(_("%(case)s has no step %(number)s.") % {"case": execution.case.ref, "number": step_number})
    problems = []
    for upload in files:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        message = evidence.problem(upload.name, upload.size, head)
        if message:
            problems.append(message)
    if problems:
        raise ValidationError(problems)
    stored, rows = [], []
    try:
        with transaction.atomic():
            for upload in files:
                name = evidence.clean_name(upload.name)
                row = ExecutionEvidence(
                    project=execution.project, execution=execution, name=name, size=upload.size,
                    content_type=evidence.content_type(name), step_number=step_number,
                    note=(note or "").strip()[:300], uploaded_by=user,
                )
                row.file.save(name, File(upload, name=name), save=False)  # testing/<project>/evidence/<uuid>/<name>
                stored.append(row.file.name)
                row._history_user = user
                row.save()
                rows.append(row)
    except Exception:
        from django.core.files.storage import default_storage

        for path in stored:
            default_storage.delete(path)
        raise
    return rows


def delete_evidence(row, user) -> None:
    """Remove an evidence file from its execution. Its history keeps it and the file stays on disk,
    so it can be restored."""
    from projectcrm.core.services import delete_row

    require_tester(user, row.project)
    row._history_user = user
    delete_row(row)
