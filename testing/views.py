"""Testing actions: raise a defect from a failed step, move a defect through its workflow,
escalate it to the issue log, and the UAT sign-off of a cycle; plus the detail-page contexts.

Every view starts from `project_access` (404 outside the project, 403 for a role the policy
refuses); a refusal from testing.services answers with a message on the row's page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access

from . import services
from . import steps as step_text
from .choices import DefectStatus, Result, Severity
from .models import Defect, Execution, TestCycle

AREA = "testing"


def error_text(exc) -> str:
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Your role in this project does not allow this.")
    return " ".join(exc.messages)


# ---------------------------------------------------------------------------------------------
# Detail-page contexts (used by the registers' detail_context)
# ---------------------------------------------------------------------------------------------


def execution_detail_context(obj: Execution, access) -> dict:
    results, problems = step_text.parse_step_results(obj.step_results)
    raised = {d.step_number: d for d in obj.defects.all() if d.step_number}
    rows = []
    for step in obj.case.step_list:
        result = results.get(step.number)
        value = result.result if result else Result.NOT_RUN
        rows.append({
            "step": step, "result": value, "result_label": Result(value).label,
            "actual": result.actual if result else "", "defect": raised.get(step.number),
        })
    from .evidence_views import evidence_context

    return {"step_rows": rows, "step_problems": problems, "severities": Severity.choices,
            "default_severity": Severity.MAJOR, **evidence_context(obj, access)}


def cycle_detail_context(obj: TestCycle, access) -> dict:
    verdict = services.evaluate_cycle(obj)
    latest = services.latest_results(obj)
    cases = [{"case": case, "result": latest.get(case.pk, Result.NOT_RUN),
              "result_label": Result(latest.get(case.pk, Result.NOT_RUN)).label}
             for case in obj.cases.order_by("number")]
    return {
        "verdict": verdict,
        "cycle_cases": cases,
        "cycle_testers": [u.get_full_name() or u.username for u in obj.testers.order_by("username")],
        "sign_offs": obj.sign_offs.select_related("business_owner"),
    }


def defect_detail_context(obj: Defect, access) -> dict:
    return {
        "next_statuses": [(s, DefectStatus(s).label) for s in services.allowed_statuses(obj)],
        "may_escalate": services.may_escalate(obj),
    }


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


def _row(request, project, model, pk):
    access = project_access(request.user, project, AREA, "view")
    access.require(AREA, "change")
    return access, get_object_or_404(model, project=access.project, pk=pk)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_POST
def execution_raise_defect(request, project, pk):
    access, execution = _row(request, project, Execution, pk)
    severity = _int(request.POST.get("severity"), Severity.MAJOR)
    if severity not in Severity.values:
        severity = Severity.MAJOR
    try:
        defect = services.raise_defect_from_step(
            execution, _int(request.POST.get("step"), 0), request.user, title=request.POST.get("title", ""), severity=severity
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(execution.get_absolute_url())
    messages.success(request, _("%(defect)s raised from step %(step)s.") % {"defect": defect, "step": defect.step_number})
    return redirect(defect.get_absolute_url())


@login_required
@require_POST
def defect_status(request, project, pk):
    access, defect = _row(request, project, Defect, pk)
    try:
        defect = services.change_defect_status(defect, request.POST.get("status", ""), request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(defect)s is now “%(status)s”.") % {"defect": defect.ref, "status": defect.get_status_display()})
    return redirect(defect.get_absolute_url())


@login_required
@require_POST
def defect_escalate(request, project, pk):
    access, defect = _row(request, project, Defect, pk)
    try:
        issue = services.escalate_defect(defect, request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(defect)s is on the issue log as %(issue)s.") % {"defect": defect.ref, "issue": issue.ref})
    return redirect(defect.get_absolute_url())


@login_required
@require_POST
def cycle_sign_off(request, project, pk):
    access, cycle = _row(request, project, TestCycle, pk)
    refuse = request.POST.get("decision") == "refuse"
    try:
        row = services.sign_off_uat(
            cycle, request.user, request.POST.get("business_area", ""), request.POST.get("conditions", ""), refuse=refuse
        )
    except (ValidationError, PermissionDenied) as exc:
        if isinstance(exc, ValidationError) and len(exc.messages) > 1:
            # The heading, then each failing criterion.
            messages.error(request, exc.messages[0] + " " + "; ".join(exc.messages[1:]))
        else:
            messages.error(request, error_text(exc))
    else:
        if refuse:
            messages.warning(request, _("The refusal of %(area)s is recorded.") % {"area": row.business_area})
        else:
            messages.success(request, _("%(area)s signed off %(cycle)s.") % {"area": row.business_area, "cycle": cycle.ref})
    return redirect(cycle.get_absolute_url() + "#sign-off")


urlpatterns = [
    path("executions/<int:pk>/raise-defect/", execution_raise_defect, name="execution-raise-defect"),
    path("defects/<int:pk>/status/", defect_status, name="defect-status"),
    path("defects/<int:pk>/escalate/", defect_escalate, name="defect-escalate"),
    path("cycles/<int:pk>/sign-off/", cycle_sign_off, name="cycle-sign-off"),
]
