"""A use case's page extras and status actions, and the functional specification (page and PDF).

The register's generic detail page includes design/_usecase_detail.html with the context of
`usecase_detail_context(obj, access)`. The status form posts `action` = review | approve | reopen to
`design:usecase-status`; the state changes are design/services.py. Review and reopen need a role
that may change the design area; approving (the sign-off) needs only view access plus being the
use case's business owner. 404 outside the project, 403 for a role the policy refuses.

The specification (`design:spec`, `design:spec-pdf`, view access) is assembled from the APPROVED
use cases only, grouped by the process of their to-be steps' maps (use cases without a step under
"Other"), with the rules they use, the to-be maps they touch drawn as SVG, a rules appendix, and
the use cases left out because they are not approved yet.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projectcrm.core.access import project_access
from projectcrm.core.pdf import pdf_response, render_pdf

from . import mapdata, services
from . import traceability as trace_calc
from .choices import MapKind, UseCaseStatus
from .models import BusinessRule, Step, UseCase

AREA = "design"


def use_case_url(use_case) -> str:
    return reverse("design:use-cases-detail", kwargs={"project": use_case.project_id, "pk": use_case.pk})


def step_url(step: Step) -> str:
    """The step in the map editor (its register page while the editor is not there)."""
    try:
        return step.get_absolute_url()
    except NoReverseMatch:
        return reverse("design:steps-detail", kwargs={"project": step.project_id, "pk": step.pk})


def numbered(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def sign_off_box(obj: UseCase, access) -> dict:
    """Status, owner, who signed and when, and the buttons the reader may use."""
    can_change = access.can(AREA, "change")
    is_owner = obj.business_owner_id is not None and obj.business_owner_id == access.user.pk
    can_approve = services.may_sign_off(obj, access.user, access.role)
    waiting = ""
    if obj.status == UseCaseStatus.REVIEWED and not can_approve:
        waiting = (_("Waiting for the sign-off of %(owner)s.") % {"owner": services.display_name(obj.business_owner)}
                   if obj.business_owner_id else _("Name a business owner: only they can sign this use case off."))
    elif obj.status == UseCaseStatus.DRAFT and not obj.business_owner_id:
        waiting = _("No business owner yet: name one before the use case can be signed off.")
    return {
        "status": obj.status, "status_label": obj.get_status_display(), "owner": obj.business_owner,
        "is_owner": is_owner, "signed_by": obj.signed_off_by, "signed_at": obj.signed_off_at,
        "can_review": can_change and obj.status == UseCaseStatus.DRAFT,
        "can_approve": can_approve,
        "can_reopen": can_change and obj.status != UseCaseStatus.DRAFT,
        "waiting": waiting,
        "action_url": reverse("design:usecase-status", kwargs={"project": obj.project_id, "pk": obj.pk}),
    }


def node_url(links, node) -> str:
    return links(trace_calc.URL_NAMES[node.kind], node.pk)


def test_rows(obj: UseCase, project_pk: int) -> dict:
    """The test cases naming the use case, their latest results and open defects (traceability)."""
    from testing.dashboard_views import Links

    links = Links(project_pk)
    trace = trace_calc.build(obj.project)
    row = trace.row_for(obj.pk)
    if row is None:
        return {"cases": [], "open_defects": []}
    cases = [{
        "ref": c.case.ref, "title": c.case.title, "url": node_url(links, c.case),
        "result": c.result, "result_label": c.result_label, "executions": c.executions,
        "latest": c.latest.ref if c.latest else "", "latest_url": node_url(links, c.latest) if c.latest else "",
        "defects": [{"ref": d.ref, "title": d.title, "url": node_url(links, d)} for d in c.defects],
    } for c in row.cases]
    return {
        "cases": cases, "passed": row.passed,
        "open_defects": [{"ref": d.ref, "title": d.title, "url": node_url(links, d)} for d in row.open_defects],
        "trace_url": reverse("design:traceability", kwargs={"project": project_pk}) + f"?item={obj.ref}",
    }


def usecase_detail_context(obj: UseCase, access) -> dict:
    steps = list(obj.steps.select_related("map").order_by("map__number", "x", "number"))
    gaps = list(obj.gaps.order_by("number"))
    rules = list(obj.business_rules.select_related("owner").order_by("number"))
    return {
        "uc_main_flow": numbered(obj.main_flow),
        "uc_alternate": numbered(obj.alternate_flows),
        "uc_exception": numbered(obj.exception_flows),
        "uc_steps": [{"step": s, "url": step_url(s)} for s in steps],
        "uc_gaps": gaps,
        "uc_rules": rules,
        "uc_sign_off": sign_off_box(obj, access),
        "uc_tests": test_rows(obj, access.project.pk),
    }


def _refusal(exc) -> str:
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Your role in this project does not allow this.")
    return " ".join(exc.messages)


DONE_MESSAGES = {
    services.REVIEW: lambda uc: _("%(ref)s is marked as reviewed.") % {"ref": uc.ref},
    services.APPROVE: lambda uc: _("%(ref)s is signed off.") % {"ref": uc.ref},
    services.REOPEN: lambda uc: _("%(ref)s is reopened as a draft.") % {"ref": uc.ref},
}


@login_required
@require_POST
def usecase_status(request, project, pk):
    """Review, sign off or reopen a use case, then back to its page with a message."""
    action = request.POST.get("action", "")
    needed = "view" if action == services.APPROVE else "change"
    access = project_access(request.user, project, AREA, needed)
    use_case = get_object_or_404(UseCase, project=access.project, pk=pk)
    if action not in services.ACTIONS:
        messages.error(request, _("“%(action)s” is not an action on a use case.") % {"action": action})
        return redirect(use_case_url(use_case))
    try:
        use_case = services.apply(use_case, request.user, action)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _refusal(exc))
    else:
        messages.success(request, DONE_MESSAGES[action](use_case))
    return redirect(use_case_url(use_case))


# ---------------------------------------------------------------------------------------------
# Functional specification (page and PDF)
# ---------------------------------------------------------------------------------------------


def draw_map(process_map) -> str:
    """The map as SVG, or "" while design/diagram.py is not importable."""
    try:
        from .diagram import render_svg
    except ImportError:
        return ""
    return render_svg(mapdata.load(process_map))


def _primary_process(steps):
    """The process (lowest number) of a use case's to-be steps' maps, or None."""
    processes = [s.map.process for s in steps]
    return min(processes, key=lambda p: p.number) if processes else None


def spec_entry(use_case: UseCase) -> dict:
    steps = sorted(use_case.steps.all(), key=lambda s: (s.map.number, s.x, s.number))
    return {
        "uc": use_case, "main_flow": numbered(use_case.main_flow), "alternate": numbered(use_case.alternate_flows),
        "exception": numbered(use_case.exception_flows), "steps": steps,
        "rules": sorted(use_case.business_rules.all(), key=lambda r: r.number),
        "process": _primary_process(steps),
        "maps": {s.map for s in steps if s.map.kind == MapKind.TO_BE},
    }


def build_spec(project, drawings: bool = True) -> dict:
    """The specification's parts: approved use cases grouped by process (with the to-be maps they
    touch), the rules they use, and the use cases left out (not approved yet)."""
    approved = (
        UseCase.objects.filter(project=project, status=UseCaseStatus.APPROVED)
        .select_related("business_owner", "signed_off_by").order_by("number")
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.select_related("map__process")),
            Prefetch("business_rules", queryset=BusinessRule.objects.select_related("owner", "source_step")),
        )
    )
    entries = [spec_entry(uc) for uc in approved]
    groups: dict = {}
    for entry in entries:
        process = entry["process"]
        group = groups.setdefault(process.pk if process else None, {"process": process, "entries": [], "maps": set()})
        group["entries"].append(entry)
        group["maps"] |= entry["maps"]
    ordered = sorted(groups.values(), key=lambda g: (g["process"] is None, g["process"].number if g["process"] else 0))
    for section, group in enumerate(ordered, start=1):
        group["section"] = section
        for index, entry in enumerate(group["entries"], start=1):
            entry["section"] = f"{section}.{index}"
        group["maps"] = [
            {"map": m, "svg": draw_map(m) if drawings else ""}
            for m in sorted(group["maps"], key=lambda m: m.number)
        ]
    rules = {r.pk: r for entry in entries for r in entry["rules"]}
    left_out = list(
        UseCase.objects.filter(project=project).exclude(status=UseCaseStatus.APPROVED).order_by("number")
        .only("pk", "number", "title", "status")
    )
    counts = {str(label): sum(1 for uc in left_out if uc.status == value) for value, label in UseCaseStatus.choices
              if value != UseCaseStatus.APPROVED}
    return {
        "groups": ordered, "approved_count": len(entries),
        "rules": sorted(rules.values(), key=lambda r: r.number),
        "left_out": left_out, "left_out_counts": counts,
        "appendix_section": len(ordered) + 1,
    }


def _spec_context(request, project):
    access = project_access(request.user, project, AREA, "view")
    context = {"project": access.project, "access": access, "area": AREA, "title": _("Functional specification"),
               "can_change": access.can(AREA, "change"), "generated": timezone.now(), **build_spec(access.project)}
    return access, context


@login_required
@require_GET
def spec_page(request, project):
    """The functional specification assembled from the approved use cases, their rules and maps."""
    _access, context = _spec_context(request, project)
    return render(request, "design/spec.html", context)


@login_required
@require_GET
def spec_pdf(request, project):
    """The same specification as an A4 PDF in the reader's language."""
    access, context = _spec_context(request, project)
    pdf = render_pdf("design/spec_pdf.html", context, request=request, language=get_language())
    filename = _("Functional specification") + f" - {access.project.name}.pdf"
    return pdf_response(pdf, filename)


urlpatterns = [
    path("use-cases/<int:pk>/status/", usecase_status, name="usecase-status"),
    path("spec/", spec_page, name="spec"),
    path("spec/pdf/", spec_pdf, name="spec-pdf"),
]
