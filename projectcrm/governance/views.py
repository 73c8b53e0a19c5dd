"""Governance pages beyond the generic register views: RACI matrix, communication log and
calendar feed, risk library."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap

from projectcrm.core.access import project_access
from projectcrm.core.models import Membership, new_feed_key

from . import ics, library, schedule, scoring, services
from .choices import Raci, RiskCategory
from .forms import CommunicationLogForm
from .models import CommunicationItem, RaciAssignment, Risk, Stakeholder, Workstream
from .registers import CommunicationRegister

FEED_SALT = "governance.calendar-feed"


@login_required
def raci_matrix(request, project):
    """The matrix page; a POST saves the cells changed on the page (all of them from the Save
    button, one from an htmx <select>) and never a cell someone else changed meanwhile."""
    access = project_access(request.user, project, "governance", "view")
    project = access.project
    workstreams = list(Workstream.objects.filter(project=project).order_by("name"))
    stakeholders = list(Stakeholder.objects.filter(project=project).order_by("name"))
    can_change = access.can("governance", "change")
    note = ""
    conflict_warnings = []
    posted = []
    if request.method == "POST":
        access.require("governance", "change")
        valid = {c.value for c in Raci}
        changes = []
        for ws in workstreams:
            for st in stakeholders:
                key = f"{ws.pk}-{st.pk}"
                if f"cell-{key}" not in request.POST:
                    continue
                posted.append((ws, st))
                role = request.POST[f"cell-{key}"]
                if role and role not in valid:
                    continue
                # No orig (a client that predates it): the client states no expectation.
                changes.append((ws, st, request.POST.get(f"orig-{key}"), role))
        changed, conflicts = services.save_raci_cells(project, changes)
        note = _("RACI matrix saved (%(n)d cells changed).") % {"n": changed}
        conflict_warnings = [raci_conflict_text(ws, st, now) for ws, st, now in conflicts]
        if not request.htmx:
            messages.success(request, note)
            for warning in conflict_warnings:
                messages.warning(request, warning)
            return redirect("governance:raci", project=project.pk)
    cells = {
        (a.workstream_id, a.stakeholder_id): a.role
        for a in RaciAssignment.objects.filter(project=project)
    }
    rows = []
    warnings = list(conflict_warnings)
    for ws in workstreams:
        row_cells = [
            {"stakeholder": st, "role": cells.get((ws.pk, st.pk), ""), "key": f"{ws.pk}-{st.pk}"}
            for st in stakeholders
        ]
        accountable = sum(1 for c in row_cells if c["role"] == Raci.ACCOUNTABLE)
        if stakeholders and accountable != 1:
            warnings.append(
                _("%(ws)s has %(n)d people accountable; a workstream needs exactly one.") % {"ws": ws.name, "n": accountable}
            )
        rows.append({"workstream": ws, "cells": row_cells})
    context = {
        "project": project, "access": access, "area": "governance", "rows": rows,
        "stakeholders": stakeholders, "choices": Raci.choices, "can_change": can_change,
        "warnings": warnings, "title": _("RACI matrix"), "note": note,
    }
    if request.htmx and request.method == "POST":
        if len(posted) == 1:
            # One <select> posted its cell: answer with that cell as stored now (the new value, or
            # the value someone else set meanwhile) and the status block out of band.
            ws, st = posted[0]
            cell = next(c for row in rows if row["workstream"] == ws for c in row["cells"] if c["stakeholder"] == st)
            return render(request, "governance/_raci_cell_saved.html", {**context, "ws": ws, "cell": cell})
        # Nothing (or several cells) to put back in place: only the status block changes.
        if not posted:
            context["warnings"] = [_("This cell no longer exists; reload the page."), *warnings]
        response = render(request, "governance/_raci_status.html", {**context, "oob": True})
        return reswap(response, "none")
    return render(request, "governance/_raci_status.html" if request.htmx else "governance/raci.html", context)


def raci_conflict_text(workstream, stakeholder, now) -> str:
    names = {"ws": workstream.name, "st": stakeholder.name, "now": now}
    if now:
        return _(
            "%(ws)s / %(st)s: someone else set this cell to “%(now)s” meanwhile; your change to it was not saved."
        ) % names
    return _("%(ws)s / %(st)s: someone else cleared this cell meanwhile; your change to it was not saved.") % names


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
    """The signed token of a member's calendar feed: user, project and the membership's feed key,
    so a new key (feed_rotate) revokes every address given out before."""
    membership = Membership.objects.get(user=user, project=project)
    return signing.dumps({"u": user.pk, "p": project.pk, "k": membership.feed_key}, salt=FEED_SALT)


def feed_user(token, project_pk):
    """The active user a feed token stands for, or 404 when it is forged, for another project, or
    revoked (the member left or asked for a new address)."""
    try:
        data = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(data, dict) or data.get("p") != project_pk or not data.get("k"):
        raise Http404
    membership = (
        Membership.objects.select_related("user")
        .filter(user_id=data.get("u"), project_id=project_pk, feed_key=data["k"], user__is_active=True)
        .first()
    )
    if membership is None:
        raise Http404
    return membership.user


def communications_calendar(request, project):
    """The upcoming communications as an .ics feed.

    Calendar programs cannot log in, so the feed also accepts a signed token (shown on the page)
    bound to one member of one project; the member's current role must still allow viewing
    governance, and a new address (feed_rotate) makes the old token useless.
    """
    token = request.GET.get("token")
    if token:
        user = feed_user(token, project)
    elif request.user.is_authenticated:
        user = request.user
    else:
        return redirect_to_login(request.get_full_path())
    access = project_access(user, project, "governance", "view")
    if not token:
        # A person in the browser gets the subscription address; calendar programs use the token.
        url = request.build_absolute_uri(
            reverse("governance:communications-calendar", kwargs={"project": project})
        ) + "?token=" + feed_token(user, access.project)
        return render(
            request,
            "governance/calendar_link.html",
            {"project": access.project, "access": access, "area": "governance", "feed_url": url,
             "title": _("Calendar feed")},
        )
    today = timezone.localdate()
    until = today + datetime.timedelta(days=180)
    events = []
    # The register's query: the last send is annotated, the owner joined (no query per item).
    items = CommunicationRegister.queryset(access.project).filter(active=True).order_by("deliverable")
    for item in items:
        for due in schedule.upcoming(item.frequency, item.start_date, item.last_sent_on, item.end_date, until):
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
    body = ics.calendar(f"{access.project.name} – {_('communication plan')}", events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="communications-{project}.ics"'
    return response


@login_required
@require_POST
def feed_rotate(request, project):
    """Give the member a new feed address; the old one stops working at once."""
    access = project_access(request.user, project, "governance", "view")
    Membership.objects.filter(user=request.user, project=access.project).update(feed_key=new_feed_key())
    messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
    return redirect("governance:communications-calendar", project=access.project.pk)


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
        entry["score"] = scoring.risk_score(entry["probability"], entry["impact"])
        entry["colour"] = scoring.rating_colour(entry["score"])
    return render(
        request,
        "governance/risk_library.html",
        {"project": project, "access": access, "area": "governance", "entries": entries, "title": _("Risk library")},
    )
