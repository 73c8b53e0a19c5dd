"""Home, project pages, members and the API token page."""

import heapq

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from . import services
from .access import project_access
from .choices import Role
from .forms import ActivityFilterForm, AddMemberForm, MemberRoleForm, ProjectForm
from .models import Membership, Project
from .policy import AREAS, POLICY
from .registry import all_registers


@login_required
def home(request):
    chosen = request.GET.get("p", "")
    if chosen.isdigit():
        # The project switcher without JavaScript; project-home itself answers 404 to non-members.
        return redirect("project-home", int(chosen))
    projects = Project.objects.for_user(request.user).select_related("sponsor").order_by("name")
    roles = dict(Membership.objects.filter(user=request.user).values_list("project_id", "role"))
    rows = [{"project": p, "role": Role(roles[p.pk]).label} for p in projects]
    if len(rows) == 1 and not request.GET.get("all"):
        return redirect(rows[0]["project"])
    return render(request, "core/home.html", {"rows": rows, "title": _("My projects")})


@login_required
def project_create(request):
    from roadmap import methodology
    from roadmap.choices import ReleaseKind

    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        release = None
        try:
            with transaction.atomic():
                project = form.save()
                Membership.objects.create(project=project, user=request.user, role=Role.PROJECT_MANAGER)
                from projectcrm.governance.services import setup_new_project

                setup_new_project(project)
                template = form.methodology_data()
                if template is not None:
                    release = methodology.instantiate(
                        project, template, form.cleaned_data["first_release"].strip(),
                        project.start_date or timezone.localdate(), kind=ReleaseKind.PILOT,
                        language=translation.get_language(),
                    )
        except methodology.TemplateProblem as problem:
            form.add_error("methodology", str(problem))
        else:
            messages.success(request, _("Project %(name)s created; you are its project manager.") % {"name": project})
            if release is not None:
                messages.success(request, _("%(release)s planned from the template.") % {"release": release})
                return redirect("roadmap:plan", project=project.pk, pk=release.pk)
            return redirect(project)
    return render(request, "core/project_form.html", {"form": form, "title": _("New project")})


@login_required
def project_edit(request, project):
    access = project_access(request.user, project, "project", "change")
    project = access.project
    form = ProjectForm(request.POST or None, instance=project)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_versioned(form.save(commit=False), form.cleaned_data.get("version"))
        except services.EditConflict as exc:
            conflict = exc
            form = ProjectForm(request.POST, instance=exc.current)
            form.data = form.data.copy()
            form.data["version"] = exc.current.version
        else:
            messages.success(request, _("Project saved."))
            return redirect(project)
    return render(
        request,
        "core/project_form.html",
        {"form": form, "project": project, "access": access, "conflict": conflict, "title": _("Edit project"), "area": "project"},
    )


def register_summary(project, access, today):
    """Counts and overdue rows of every register the member may see (a few queries each)."""
    areas = []
    overdue_rows = []
    for area in AREAS:
        if not access.can(area, "view"):
            continue
        cards = []
        for register in [r for r in all_registers() if r.area == area]:
            queryset = register.model._default_manager.filter(project=project)
            overdue = register.overdue(register.queryset(project), today)
            overdue_list = list(overdue[:5]) if overdue is not None else []
            overdue_count = (len(overdue) if isinstance(overdue, list) else overdue.count()) if overdue is not None else None
            for obj in overdue_list:
                overdue_rows.append((register, obj))
            cards.append(
                {
                    "register": register,
                    "count": queryset.count(),
                    "overdue": overdue_count,
                    "url": reverse(register.url_name("list"), kwargs={"project": project.pk}),
                }
            )
        if cards:
            areas.append({"key": area, "label": AREAS[area], "cards": cards})
    return areas, overdue_rows


def recent_activity(project, access, limit=15, since=None, register_key="", user_id=None):
    """The latest changes across the registers the member may see, newest first.

    One query per register (each limited), merged in Python: the cost does not grow with history.
    """
    streams = []
    for register in all_registers():
        if not access.can(register.area, "view") or (register_key and register.key() != register_key):
            continue
        rows = register.model.history.filter(project_id=project.pk)
        if since:
            rows = rows.filter(history_date__date__gte=since)
        if user_id:
            rows = rows.filter(history_user_id=user_id)
        rows = rows.select_related("history_user").order_by("-history_date")[:limit]
        streams.append([(row.history_date, register, row) for row in rows])
    merged = heapq.merge(*streams, key=lambda item: item[0], reverse=True)
    return [{"register": reg, "row": row} for _date, reg, row in list(merged)[:limit]]


def attach_changes(entries):
    """Give each "changed" entry its field diff against the previous version (one query per register)."""
    by_register = {}
    names = {}  # related rows' names, looked up once each
    for entry in entries:
        entry["changes"] = []
        if entry["row"].history_type == "~":
            by_register.setdefault(entry["register"], []).append(entry)
    for register, items in by_register.items():
        ids = {e["row"].id for e in items}
        versions = {}
        for row in register.model.history.filter(id__in=ids).order_by("id", "history_date", "history_id"):
            versions.setdefault(row.id, []).append(row)
        for entry in items:
            chain = versions.get(entry["row"].id, [])
            position = next((i for i, r in enumerate(chain) if r.history_id == entry["row"].history_id), 0)
            if position:
                entry["changes"] = services.historical_diff(chain[position - 1], entry["row"], register.model, names)


@login_required
def activity(request, project):
    """Who changed what and when, across the registers: the report behind "what changed since"."""
    access = project_access(request.user, project, "reports", "view")
    project = access.project
    form = ActivityFilterForm(request.GET or None, project=project, access=access)
    since = register_key = user_id = None
    if form.is_valid():
        since = form.cleaned_data.get("since")
        register_key = form.cleaned_data.get("register") or ""
        user_id = form.cleaned_data["user"].pk if form.cleaned_data.get("user") else None
    entries = recent_activity(project, access, limit=200, since=since, register_key=register_key, user_id=user_id)
    attach_changes(entries)
    return render(
        request,
        "core/activity.html",
        {"project": project, "access": access, "area": "reports", "entries": entries, "form": form,
         "title": _("Activity")},
    )


@login_required
def project_home(request, project):
    access = project_access(request.user, project)
    project = access.project
    today = timezone.localdate()
    areas, overdue_rows = register_summary(project, access, today)
    context = {
        "project": project,
        "access": access,
        "area": "home",
        "areas": areas,
        "overdue_rows": overdue_rows[:20],
        "activity": recent_activity(project, access),
        "today": today,
        "days_to_go_live": (project.target_go_live - today).days if project.target_go_live else None,
        "title": project.name,
        "can_edit_project": access.can("project", "change"),
    }
    return render(request, "core/project_home.html", context)


@login_required
def members(request, project):
    access = project_access(request.user, project, "project", "view")
    project = access.project
    can_change = access.can("project", "change")
    form = AddMemberForm(request.POST or None, project=project)
    if request.method == "POST":
        access.require("project", "change")
        if form.is_valid():
            Membership.objects.create(project=project, user=form.user, role=form.cleaned_data["role"])
            messages.success(request, _("%(name)s added to the project.") % {"name": form.user.username})
            return redirect("members", project=project.pk)
    memberships = Membership.objects.filter(project=project).select_related("user").order_by("role", "user__username")
    rows = [{"m": m, "form": MemberRoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")} for m in memberships]
    matrix = [
        {"area": label, "levels": [POLICY[key].get(role.value, 0) for role in Role]}
        for key, label in AREAS.items()
    ]
    return render(
        request,
        "core/members.html",
        {
            "project": project, "access": access, "rows": rows, "form": form, "can_change": can_change,
            "area": "project", "title": _("Members and roles"), "roles": Role, "matrix": matrix,
        },
    )


@login_required
@require_POST
def member_update(request, project, pk):
    access = project_access(request.user, project, "project", "change")
    with transaction.atomic():
        # Lock the project's managers: two managers demoting each other at once leave one.
        pms = list(
            Membership.objects.select_for_update().filter(project=access.project, role=Role.PROJECT_MANAGER)
        )
        membership = get_object_or_404(Membership, pk=pk, project=access.project)
        last_pm = membership.role == Role.PROJECT_MANAGER and len(pms) == 1
        change_member(request, membership, last_pm)
    return redirect("members", project=access.project.pk)


def change_member(request, membership, last_pm: bool):
    """Remove a member or change their role (the caller holds the lock on the managers)."""
    if request.POST.get("remove"):
        if last_pm:
            messages.error(request, _("The project needs at least one project manager."))
        else:
            membership.delete()
            messages.success(request, _("%(name)s removed from the project.") % {"name": membership.user.username})
    else:
        form = MemberRoleForm(request.POST, prefix=f"m{membership.pk}")
        if form.is_valid():
            role = form.cleaned_data["role"]
            if last_pm and role != Role.PROJECT_MANAGER:
                messages.error(request, _("The project needs at least one project manager."))
            elif role != membership.role:
                membership.role = role
                membership.save()
                messages.success(request, _("%(name)s is now %(role)s.") % {"name": membership.user.username, "role": Role(role).label})


@login_required
def api_token(request):
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        if token:
            token.delete()
        token = Token.objects.create(user=request.user)
        messages.success(request, _("A new API token was created; the old one no longer works."))
        return redirect("api-token")
    return render(request, "core/api_token.html", {"token": token, "title": _("API token")})
