"""Training pages of the lead: the job-role library. (Sessions, readiness and adoption pages live
in session_views.py, readiness_views.py and adoption_views.py.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projectcrm.core.access import project_access

from . import library
from .models import JobRole


@login_required
def job_role_library(request, project):
    """Add standard job roles (salesperson, service agent, CRM administrator...) in the reader's language."""
    access = project_access(request.user, project, "training", "change")
    project = access.project
    existing = JobRole.objects.filter(project=project)
    added_keys = set(existing.exclude(catalogue_key="").values_list("catalogue_key", flat=True))
    names = {name.lower() for name in existing.values_list("name", flat=True)}
    entries = library.localised()
    if request.method == "POST":
        chosen = set(request.POST.getlist("key"))
        created = 0
        with transaction.atomic():
            for entry in entries:
                if entry["key"] in chosen and entry["key"] not in added_keys and entry["name"].lower() not in names:
                    role = JobRole(project=project, name=entry["name"], description=entry["description"],
                                   catalogue_key=entry["key"])
                    role._history_user = request.user
                    role.save()
                    created += 1
        messages.success(request, ngettext("%(n)d job role added.", "%(n)d job roles added.", created) % {"n": created})
        return redirect("training:job-roles-list", project=project.pk)
    for entry in entries:
        entry["added"] = entry["key"] in added_keys or entry["name"].lower() in names
    return render(
        request, "training/job_role_library.html",
        {"project": project, "access": access, "area": "training", "entries": entries, "title": _("Standard job roles")},
    )


urlpatterns = [path("job-roles/library/", job_role_library, name="job-role-library")]
