"""The go-live readiness page: the project's criteria read from their evidence and the verdict
(calculations in reports/golive.py), and the action that stores the standard criteria."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access

from . import golive
from .models import GoLiveCheck

AREA = "reports"


@login_required
def readiness(request, project):
    access = project_access(request.user, project, AREA, "view")
    result = golive.assess(access.project)
    context = {
        "project": access.project,
        "access": access,
        "area": AREA,
        "title": _("Go-live readiness"),
        "result": result,
        "colour": {"go": "green", "conditions": "amber", "no_go": "red"}[result["verdict"]],
        "has_rules": GoLiveCheck.objects.filter(project=access.project).exists(),
        "can_change": access.can(AREA, "change"),
    }
    return render(request, "reports/golive.html", context)


@login_required
@require_POST
def use_defaults(request, project):
    access = project_access(request.user, project, AREA, "view")
    access.require(AREA, "change")
    made = golive.ensure_default_checks(access.project, request.user)
    if made:
        messages.success(request, ngettext(
            "%(n)d standard criterion added; edit it in the go-live criteria.",
            "%(n)d standard criteria added; edit them in the go-live criteria.", made,
        ) % {"n": made})
    else:
        messages.info(request, _("The project already has go-live criteria; nothing was added."))
    return redirect("reports:golive", project=access.project.pk)


urlpatterns = [
    path("golive/", readiness, name="golive"),
    path("golive/defaults/", use_defaults, name="golive-defaults"),
]
