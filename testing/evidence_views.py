"""Running a test case step by step, and the evidence files of an execution.

- `cycle_execute` (POST): a new execution of one of the cycle's cases by the current user, then the runner.
- `execution_run` (GET/POST): the runner. The case's preconditions and test data, each step with
  its result and actual result, the overall result suggested from the steps (steps.suggested_result;
  the tester may only turn a pass into a pass with remarks), build and environment. Saving keeps
  the step results in the text format of `testing/steps.py`, sets the execution time, and is
  refused when somebody saved the execution after the runner was opened (optimistic version).
- Evidence: upload (several files at once, all or none; testing/evidence.py says which files),
  serve through the app after the permission check (images inline, everything else as an
  attachment under `Content-Security-Policy: sandbox`), and delete (history keeps the row, the
  file stays on disk).

Every view starts from `project_access(..., "testing", ...)`: 404 outside the project, 403 for a
role the policy refuses. An upload from an htmx form answers with the evidence panel only, so the
runner's unsaved entries stay on the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from projectcrm.core.access import project_access
from projectcrm.core.registry import get_register
from projectcrm.core.services import EditConflict

from . import evidence, services
from . import steps as step_text
from .choices import PASSING, Result
from .models import Execution, ExecutionEvidence, TestCase, TestCycle

AREA = "testing"
FIELD_MAX = 120  # build and environment
OVERALL_FROM_STEPS = "steps"


def _error_text(exc) -> list[str]:
    if isinstance(exc, PermissionDenied):
        return [str(exc) or _("Your role in this project does not allow this.")]
    return list(exc.messages)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _execution(request, project, pk, action):
    access = project_access(request.user, project, AREA, action)
    execution = get_object_or_404(
        Execution.objects.select_related("case", "cycle", "tester"), project=access.project, pk=pk
    )
    return access, execution


def _register_page(request, template, access, title, obj, **context):
    register = get_register("testing:executions")
    context.update({
        "project": access.project, "access": access, "area": AREA, "title": title, "register": register,
        "list_url": reverse(register.url_name("list"), kwargs={"project": access.project.pk}),
        "can_change": access.can(AREA, "change"), "obj": obj,
    })
    return render(request, template, context)


# ---------------------------------------------------------------------------------------------
# Evidence panel context (also used on the execution's page: views.execution_detail_context)
# ---------------------------------------------------------------------------------------------


def evidence_context(execution: Execution, access, back: str = "detail", errors=None, uploaded=None) -> dict:
    """Context of testing/_execution_evidence.html."""
    rows = []
    for row in execution.evidence.select_related("uploaded_by").order_by("created", "pk"):
        rows.append({"obj": row, "is_image": evidence.is_image(row.name),
                     "uploader": services.display_name(row.uploaded_by) if row.uploaded_by_id else "—"})
    return {
        "evidence_rows": rows,
        "evidence_steps": execution.case.step_list,
        "evidence_back": back,
        "evidence_accept": ",".join(f".{ext}" for ext in evidence.ALLOWED),
        "evidence_extensions": ", ".join(evidence.ALLOWED),
        "evidence_max_mb": evidence.megabytes(evidence.max_bytes()),
        "evidence_errors": errors or [],
        "evidence_uploaded": uploaded or [],
        "evidence_can_change": access.can(AREA, "change"),
        "execution": execution,
        "project": access.project,
    }


# ---------------------------------------------------------------------------------------------
# From the cycle page: execute a case
# ---------------------------------------------------------------------------------------------


@login_required
@require_POST
def cycle_execute(request, project, pk, case):
    access = project_access(request.user, project, AREA, "change")
    cycle = get_object_or_404(TestCycle, project=access.project, pk=pk)
    test_case = TestCase.objects.filter(project=access.project, pk=case).first()
    if test_case is None:
        messages.error(request, _("There is no such test case in this project."))
        return redirect(cycle.get_absolute_url() + "#progress")
    try:
        execution = services.start_execution(cycle, test_case, request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(_error_text(exc)))
        return redirect(cycle.get_absolute_url() + "#progress")
    return redirect("testing:execution-run", project=access.project.pk, pk=execution.pk)


# ---------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------


def read_run(data, steps) -> tuple[dict, list[str], set[str]]:
    """The runner's posted values, the problems (as messages) and the names of the bad fields."""
    errors: list[str] = []
    bad: set[str] = set()
    results: dict[int, step_text.StepResult] = {}
    for step in steps:
        value = data.get(f"result-{step.number}") or Result.NOT_RUN
        actual = step_text.one_line(data.get(f"actual-{step.number}", ""))
        if value not in Result.values:
            errors.append(_("Step %(number)s: choose one of the results.") % {"number": step.number})
            bad.add(f"result-{step.number}")
            value = Result.NOT_RUN
        if value in (Result.FAILED, Result.BLOCKED) and not actual:
            errors.append(_("Step %(number)s is “%(result)s”: describe the actual result.")
                          % {"number": step.number, "result": Result(value).label})
            bad.add(f"actual-{step.number}")
        if value != Result.NOT_RUN or actual:
            results[step.number] = step_text.StepResult(step.number, value, actual)
    values = [results[s.number].result if s.number in results else Result.NOT_RUN for s in steps]
    suggested = step_text.suggested_result(values)
    overall = data.get("overall") or OVERALL_FROM_STEPS
    result = suggested
    if overall == Result.PASSED_WITH_REMARKS:
        if suggested in PASSING:
            result = Result.PASSED_WITH_REMARKS
        else:
            errors.append(_("The execution can pass with remarks only when every step passed; the steps say “%(result)s”.")
                          % {"result": Result(suggested).label})
            bad.add("overall")
    elif overall != OVERALL_FROM_STEPS:
        errors.append(_("Choose the overall result: as the steps say, or passed with remarks."))
        bad.add("overall")
    build = (data.get("build") or "").strip()
    environment = (data.get("environment") or "").strip()
    for name, label, value in (("build", _("Build"), build), ("environment", _("Environment"), environment)):
        if len(value) > FIELD_MAX:
            errors.append(_("%(field)s: at most %(max)s characters.") % {"field": label, "max": FIELD_MAX})
            bad.add(name)
    version = _int(data.get("version"))
    if version is None:
        errors.append(_("The form is incomplete: open the runner again."))
    values_out = {
        "results": results, "suggested": suggested, "overall": overall, "result": result, "version": version,
        "actual_result": (data.get("actual_result") or "").strip(), "build": build, "environment": environment,
    }
    return values_out, errors, bad


def run_rows(execution: Execution, steps, posted=None, bad=frozenset()) -> list[dict]:
    """One row per step for the runner: the step, its result and actual result (saved or as posted)."""
    saved, _problems = step_text.parse_step_results(execution.step_results)
    by_step: dict[int, list] = {}
    for row in execution.evidence.order_by("created", "pk"):
        if row.step_number:
            by_step.setdefault(row.step_number, []).append(row)
    rows = []
    for step in steps:
        if posted is not None:
            entry = posted["results"].get(step.number)
        else:
            entry = saved.get(step.number)
        rows.append({
            "step": step,
            "result": entry.result if entry else Result.NOT_RUN,
            "actual": entry.actual if entry else "",
            "result_bad": f"result-{step.number}" in bad,
            "actual_bad": f"actual-{step.number}" in bad,
            "evidence": by_step.get(step.number, []),
        })
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def execution_run(request, project, pk):
    access, execution = _execution(request, project, pk, "change")
    steps = execution.case.step_list
    errors: list[str] = []
    bad: set[str] = set()
    conflict = None
    posted = None
    if request.method == "POST":
        posted, errors, bad = read_run(request.POST, steps)
        if not errors:
            try:
                services.record_run(
                    execution, request.user, posted["version"], posted["results"], posted["result"],
                    posted["actual_result"], posted["build"], posted["environment"],
                )
            except EditConflict as exc:
                conflict = exc
                by = exc.by or _("someone else")
                errors.append(_("%(ex)s was saved by %(by)s after you opened the runner: nothing was saved. "
                                "Check the changes below, then save again to keep your results.")
                              % {"ex": execution.ref, "by": by})
                posted["version"] = exc.current.version
            except (ValidationError, PermissionDenied) as exc:
                errors.extend(_error_text(exc))
            else:
                execution.refresh_from_db()
                messages.success(request, _("%(ex)s saved: %(result)s.")
                                 % {"ex": execution.ref, "result": execution.get_result_display()})
                return redirect(execution.get_absolute_url() + "#steps")
    if posted is None:
        saved, _problems = step_text.parse_step_results(execution.step_results)
        values = [saved[s.number].result if s.number in saved else Result.NOT_RUN for s in steps]
        suggested = step_text.suggested_result(values)
        overall = (Result.PASSED_WITH_REMARKS
                   if execution.result == Result.PASSED_WITH_REMARKS and suggested == Result.PASSED
                   else OVERALL_FROM_STEPS)
        form = {"suggested": suggested, "overall": overall, "version": execution.version,
                "actual_result": execution.actual_result, "build": execution.build,
                "environment": execution.environment}
    else:
        form = posted
    context = {
        "rows": run_rows(execution, steps, posted, bad),
        "form": form,
        "suggested_label": Result(form["suggested"]).label,
        "results": Result.choices,
        "result_labels": {value: str(label) for value, label in Result.choices},
        "passed_with_remarks": Result.PASSED_WITH_REMARKS,
        "errors": errors,
        "bad": bad,
        "conflict": conflict,
        **evidence_context(execution, access, back="run"),
    }
    title = _("Run %(ex)s") % {"ex": execution.ref}
    return _register_page(request, "testing/execution_run.html", access, title, execution, **context)


# ---------------------------------------------------------------------------------------------
# Evidence files
# ---------------------------------------------------------------------------------------------


def _back_url(execution, back):
    if back == "run":
        return reverse("testing:execution-run", kwargs={"project": execution.project_id, "pk": execution.pk}) + "#evidence"
    return execution.get_absolute_url() + "#evidence"


@login_required
@require_POST
def execution_evidence_upload(request, project, pk):
    access, execution = _execution(request, project, pk, "change")
    back = "run" if request.POST.get("back") == "run" else "detail"
    errors, rows = [], []
    raw_step = (request.POST.get("step") or "").strip()
    step = _int(raw_step) if raw_step else None
    if raw_step and step is None:
        errors.append(_("“%(step)s” is not a step number.") % {"step": raw_step})
    else:
        try:
            rows = services.add_evidence(execution, request.user, request.FILES.getlist("files"), step,
                                         request.POST.get("note", ""))
        except (ValidationError, PermissionDenied) as exc:
            errors = _error_text(exc)
    if errors and request.FILES:
        errors.insert(0, _("Nothing was uploaded:"))
    if request.htmx:
        context = evidence_context(execution, access, back=back, errors=errors, uploaded=[r.name for r in rows])
        return render(request, "testing/_execution_evidence.html", context)
    if errors:
        messages.error(request, " ".join(errors))
    else:
        messages.success(request, _("Evidence added: %(files)s.") % {"files": ", ".join(r.name for r in rows)})
    return redirect(_back_url(execution, back))


@login_required
def evidence_file(request, project, pk):
    access = project_access(request.user, project, AREA, "view")
    row = get_object_or_404(ExecutionEvidence, project=access.project, pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(_("The file of this evidence is missing.")) from exc
    inline = evidence.is_image(row.name)
    response = FileResponse(handle, as_attachment=not inline, filename=row.name,
                            content_type=evidence.content_type(row.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    if not inline:
        response["Content-Security-Policy"] = "sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def evidence_delete(request, project, pk):
    access = project_access(request.user, project, AREA, "change")
    row = get_object_or_404(ExecutionEvidence.objects.select_related("execution", "execution__case"),
                            project=access.project, pk=pk)
    execution = row.execution
    if request.method == "POST":
        try:
            services.delete_evidence(row, request.user)
        except PermissionDenied as exc:
            messages.error(request, " ".join(_error_text(exc)))
        else:
            messages.success(request, _("%(file)s removed from %(ex)s.") % {"file": row.name, "ex": execution.ref})
        return redirect(_back_url(execution, request.POST.get("back")))
    context = {"evidence": row, "is_image": evidence.is_image(row.name), "back": request.GET.get("back", "")}
    title = _("Remove %(file)s?") % {"file": row.name}
    return _register_page(request, "testing/evidence_delete.html", access, title, execution, **context)


urlpatterns = [
    path("cycles/<int:pk>/execute/<int:case>/", cycle_execute, name="cycle-execute"),
    path("executions/<int:pk>/run/", execution_run, name="execution-run"),
    path("executions/<int:pk>/evidence/", execution_evidence_upload, name="execution-evidence-upload"),
    path("evidence/<int:pk>/", evidence_file, name="evidence-file"),
    path("evidence/<int:pk>/delete/", evidence_delete, name="evidence-delete"),
]
