"""Governance pages beyond the generic register views: RACI matrix, communication log and
calendar feed, risk library."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core import policy
from projectcrm.core.access import membership_for, project_access

from . import ics, library, schedule, services
from .choices import Raci, RiskCategory
from .forms import CommunicationLogForm
from .models import CommunicationItem, RaciAssignment, Risk, Stakeholder, Workstream

FEED_SALT = "governance.calendar-feed"


@login_required
def raci_matrix(request, project):
    access = project_access(request.user, project, "governance", "view")
    project = access.project
    workstreams = list(Workstream.objects.filter(project=project).order_by("name"))
    stakeholders = list(Stakeholder.objects.filter(project=project).order_by("name"))
    cells = {
        (a.workstream_id, a.stakeholder_id): a.role
        for a in RaciAssignment.objects.filter(project=project)
    }
    can_change = access.can("governance", "change")
    if request.method == "POST":
        access.require("governance", "change")
        valid = {c.value for c in Raci}
        changed = 0
        for ws in workstreams:
            for st in stakeholders:
                key = f"cell-{ws.pk}-{st.pk}"
                if key not in request.POST:
                    continue
                role = request.POST[key]
                if role and role not in valid:
                    continue
                if cells.get((ws.pk, st.pk), "") != role:
                    services.set_raci(project, ws, st, role)
                    cells[(ws.pk, st.pk)] = role
                    changed += 1
        note = _("RACI matrix saved (%(n)d cells changed).") % {"n": changed}
        if not request.htmx:
            messages.success(request, note)
            return redirect("governance:raci", project=project.pk)
    else:
        note = ""
    rows = []
    warnings = []
    for ws in workstreams:
        row_cells = [{"stakeholder": st, "role": cells.get((ws.pk, st.pk), "")} for st in stakeholders]
        accountable = sum(1 for c in row_cells if c["role"] == Raci.ACCOUNTABLE)
        if stakeholders and accountable != 1:
            warnings.append(
                _("%(ws)s has %(n)d people accountable; a workstream needs exactly one.") % {"ws": ws.name, "n": accountable}
            )
        rows.append({"workstream": ws, "cells": row_cells})
    return render(
        request,
        "governance/_raci_status.html" if request.htmx else "governance/raci.html",
        {
            "project": project, "access": access, "area": "governance", "rows": rows,
            "stakeholders": stakeholders, "choices": Raci.choices, "can_change": can_change,
            "warnings": warnings, "title": _("RACI matrix"), "note": note,
        },
    )


@login_required
@require_POST
def log_communication(request, project, pk):
    access = project_access(request.user, project, "governance", "change")
    item = get_object_or_404(CommunicationItem, pk=pk, project=access.project)
    form = CommunicationLogForm(request.POST)
    note = ""
    if form.is_valid():
        entry = form.save(commit=False)
        entry.project = access.project
        entry.item = item
        entry.sent_by = request.user
        entry.save()
        note = _("Logged: %(what)s sent on %(date)s.") % {"what": item, "date": entry.sent_on}
        form = CommunicationLogForm(initial={"sent_on": timezone.localdate()})
        if not request.htmx:
            messages.success(request, note)
    elif not request.htmx:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {error}")
    if request.htmx:
        # The log panel alone, with the form's errors or the confirmation.
        return render(
            request,
            "governance/_communication_log.html",
            {"project": access.project, "obj": item, "log": item.log.select_related("sent_by")[:50],
             "log_form": form, "can_change": True, "note": note},
        )
    return redirect("governance:communications-detail", project=access.project.pk, pk=item.pk)


def feed_token(user, project) -> str:
    return signing.dumps({"u": user.pk, "p": project.pk}, salt=FEED_SALT)


def communications_calendar(request, project):
    """The upcoming communications as an .ics feed.

    Calendar programs cannot log in, so the feed also accepts a signed token (shown on the page)
    bound to one user and project; the user's current role must still allow viewing governance.
    """
    user = request.user
    token = request.GET.get("token")
    if token:
        try:
            data = signing.loads(token, salt=FEED_SALT)
        except signing.BadSignature:
            raise Http404
        if data.get("p") != project:
            raise Http404
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
        if user is None:
            raise Http404
    elif not user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    membership = membership_for(user, project)
    if membership is None:
        raise Http404
    if not policy.allows(membership.role, "governance", "view"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if not token:
        # A person in the browser gets the subscription address; calendar programs use the token.
        url = request.build_absolute_uri(
            reverse("governance:communications-calendar", kwargs={"project": project})
        ) + "?token=" + feed_token(user, membership.project)
        return render(
            request,
            "governance/calendar_link.html",
            {"project": membership.project, "area": "governance", "feed_url": url, "title": _("Calendar feed")},
        )
    today = timezone.localdate()
    until = today + datetime.timedelta(days=180)
    events = []
    for item in CommunicationItem.objects.filter(project=membership.project, active=True).select_related("owner"):
        last = item.last_sent_on
        for due in schedule.upcoming(item.frequency, item.start_date, last, item.end_date, until):
            events.append(
                ics.Event(
                    uid=f"comm-{item.pk}-{due:%Y%m%d}@projectcrm",
                    date=due,
                    summary=f"{item.deliverable} ({item.get_delivery_method_display()})",
                    description="\n".join(
                        filter(None, [item.purpose, _("Audience: %(a)s") % {"a": item.audience},
                                      _("Owner: %(o)s") % {"o": item.owner} if item.owner else ""])
                    ),
                )
            )
    body = ics.calendar(f"{membership.project.name} – {_('communication plan')}", events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="communications-{project}.ics"'
    return response


@login_required
def risk_library(request, project):
    access = project_access(request.user, project, "governance", "change")
    project = access.project
    existing = set(Risk.objects.filter(project=project).exclude(library_key="").values_list("library_key", flat=True))
    if request.method == "POST":
        keys = request.POST.getlist("key")
        created = services.add_risks_from_library(project, keys, owner=None)
        messages.success(request, _("%(n)d risks added from the library.") % {"n": len(created)})
        return redirect("governance:risks-list", project=project.pk)
    entries = library.localised()
    for entry in entries:
        entry["added"] = entry["key"] in existing
        entry["category_label"] = RiskCategory(entry["category"]).label
        entry["score"] = entry["probability"] * entry["impact"]
    return render(
        request,
        "governance/risk_library.html",
        {"project": project, "access": access, "area": "governance", "entries": entries, "title": _("Risk library")},
    )
