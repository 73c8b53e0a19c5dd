"""Training sessions: the roster (enrolment, waiting list, attendance, score, sign-off), the
trainee's acknowledgement, certificates, new course versions and the session calendar (page and .ics).

Every view starts from `project_access` (404 outside the project, 403 for a role the policy
refuses). State changes go through training.services; a refusal there answers the person with a
message and a redirect (or, for htmx, the row with the message), never a silent failure.
The acknowledgement page is public: its signed token is the proof (404 when forged or foreign).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access
from projectcrm.core.pdf import pdf_response, render_pdf
from projectcrm.core.services import EditConflict

from . import readiness, services
from .choices import EnrolmentStatus
from .models import Course, Department, Enrolment, JobRole, SignOff, Trainee, TrainingSession

User = get_user_model()
CALENDAR_LIMIT = 200  # sessions on one calendar page; filters narrow it down


def error_text(exc: ValidationError | PermissionDenied) -> str:
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("Your role in this project does not allow this.")
    return " ".join(exc.messages)


def _number(text) -> int:
    return int(text) if text and str(text).isdigit() else 0


def page(request, template, access, title, **context):
    context.update({"project": access.project, "access": access, "area": "training", "title": title,
                    "can_change": access.can("training", "change")})
    return render(request, template, context)


def session_for(request, project, pk, action: str = "view"):
    access = project_access(request.user, project, "training", action)
    session = get_object_or_404(
        TrainingSession.objects.select_related("course", "trainer", "delivered_by"), project=access.project, pk=pk
    )
    return access, session


def enrolment_for(request, project, pk, action: str = "change"):
    access = project_access(request.user, project, "training", action)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("session", "session__course", "trainee", "trainee__department", "trainee__job_role"),
        project=access.project, pk=pk,
    )
    return access, enrolment


def roster_url(session, anchor: str = "") -> str:
    url = reverse("training:session-roster", kwargs={"project": session.project_id, "pk": session.pk})
    return f"{url}#{anchor}" if anchor else url


def acknowledge_url(request, row: SignOff) -> str:
    url = reverse("training:acknowledge", kwargs={"project": row.project_id, "token": services.acknowledge_token(row)})
    return request.build_absolute_uri(url)


# ---------------------------------------------------------------------------------------------
# The roster
# ---------------------------------------------------------------------------------------------


def sign_offs_by_trainee(course: Course, trainee_ids) -> dict[int, list[SignOff]]:
    rows = defaultdict(list)
    for row in (
        SignOff.objects.filter(course=course, trainee_id__in=list(trainee_ids))
        .select_related("signed_by", "course").order_by("-course_version", "-signed_on")
    ):
        rows[row.trainee_id].append(row)
    return rows


def roster_row(request, enrolment: Enrolment, course: Course, sign_offs: list[SignOff], today) -> dict:
    """One enrolled person: attendance, score against the pass mark, sign-off state and links."""
    current = next((s for s in sign_offs if s.course_version == course.content_version), None)
    earlier = next((s for s in sign_offs if s is not current and services.is_valid(s, today)), None)
    return {
        "enrolment": enrolment,
        "trainee": enrolment.trainee,
        "passed": services.passes(course, enrolment.score),
        "sign_off": current,
        "earlier": earlier,
        "acknowledge_url": acknowledge_url(request, current) if current else "",
    }


def roster_context(request, access, session) -> dict:
    course = session.course
    today = timezone.localdate()
    enrolments = list(
        Enrolment.objects.filter(session=session)
        .select_related("trainee", "trainee__department", "trainee__job_role").order_by("created", "pk")
    )
    enrolled = sorted((e for e in enrolments if e.status == EnrolmentStatus.ENROLLED), key=lambda e: e.trainee.name.casefold())
    waiting = [e for e in enrolments if e.status == EnrolmentStatus.WAITING]
    cancelled = [e for e in enrolments if e.status == EnrolmentStatus.CANCELLED]
    sign_offs = sign_offs_by_trainee(course, [e.trainee_id for e in enrolled])
    rows = [roster_row(request, e, course, sign_offs.get(e.trainee_id, []), today) for e in enrolled]
    context = {
        "session": session,
        "course": course,
        "rows": rows,
        "waiting": waiting,
        "cancelled": cancelled,
        "enrolled_count": len(enrolled),
        "free": max(0, session.capacity - len(enrolled)),
        "attended_count": sum(1 for e in enrolled if e.attended),
        "signed_count": sum(1 for r in rows if r["sign_off"]),
        "delivered_by": session.delivered_by,
        "qualification": services.trainer_qualification(session.delivered_by, today) if session.delivered_by else None,
    }
    if access.can("training", "change"):
        taken = {e.trainee_id for e in enrolments if e.status != EnrolmentStatus.CANCELLED}
        choices = defaultdict(list)
        for trainee in (
            Trainee.objects.filter(project=access.project, active=True).select_related("department", "job_role")
            .order_by("department__name", "name")
        ):
            if trainee.pk not in taken:
                choices[trainee.department.name].append(trainee)
        context.update({
            "trainee_choices": list(choices.items()),
            "departments": Department.objects.filter(project=access.project).order_by("name"),
            "job_roles": JobRole.objects.filter(project=access.project).order_by("name"),
        })
    return context


@login_required
def roster(request, project, pk):
    """A session's people: enrolled (attendance, score, sign-off), the waiting list in order, cancelled."""
    access, session = session_for(request, project, pk)
    return page(request, "training/session_roster.html", access, str(session), **roster_context(request, access, session))


def _describe(trainees) -> str:
    return ", ".join(t.name for t in trainees)


@login_required
@require_POST
def session_enrol(request, project, pk):
    """Enrol chosen people and/or everyone of a department and/or job role."""
    access, session = session_for(request, project, pk, "change")
    ids = [_number(v) for v in request.POST.getlist("trainee")]
    chosen = list(Trainee.objects.filter(project=access.project, pk__in=[i for i in ids if i]).order_by("name"))
    department = Department.objects.filter(project=access.project, pk=_number(request.POST.get("department"))).first()
    job_role = JobRole.objects.filter(project=access.project, pk=_number(request.POST.get("job_role"))).first()
    if not chosen and department is None and job_role is None:
        messages.error(request, _("Choose the people to enrol, or a department or job role."))
        return redirect(roster_url(session, "enrol"))
    if department is not None or job_role is not None:
        group = list(services.group_candidates(session, department, job_role))
        known = {t.pk for t in chosen}
        chosen += [t for t in group if t.pk not in known]
        if not group and not ids:
            messages.info(request, _("Everyone active in this department or job role is already in the session or signed off."))
            return redirect(roster_url(session, "enrol"))
    try:
        result = services.enrol(session, chosen, request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return redirect(roster_url(session))
    if result.enrolled:
        messages.success(request, _("Enrolled: %(names)s.") % {"names": _describe(result.enrolled)})
    if result.waiting:
        messages.warning(request, _("The session is full; on the waiting list: %(names)s.") % {"names": _describe(result.waiting)})
    for trainee, reason in result.skipped:
        messages.info(request, _("Not enrolled: %(name)s %(reason)s.") % {"name": trainee.name, "reason": reason})
    return redirect(roster_url(session))


@login_required
@require_POST
def enrolment_cancel(request, project, pk):
    access, enrolment = enrolment_for(request, project, pk)
    try:
        promoted = services.cancel_enrolment(enrolment, request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The enrolment of %(name)s is cancelled.") % {"name": enrolment.trainee.name})
        if promoted:
            messages.info(request, _("Moved up from the waiting list: %(names)s.") % {"names": _describe(e.trainee for e in promoted)})
    return redirect(roster_url(enrolment.session))


@login_required
@require_POST
def session_fill(request, project, pk):
    """Give free places (after the capacity was raised) to the first people on the waiting list."""
    access, session = session_for(request, project, pk, "change")
    try:
        promoted = services.promote_waiting(session, request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        if promoted:
            messages.success(request, _("Moved up from the waiting list: %(names)s.") % {"names": _describe(e.trainee for e in promoted)})
        else:
            messages.info(request, _("No free place or nobody waiting: nothing changed."))
    return redirect(roster_url(session))


def _row_response(request, access, enrolment, *, error="", saved="", typed=None) -> HttpResponse:
    session = enrolment.session
    sign_offs = sign_offs_by_trainee(session.course, [enrolment.trainee_id]).get(enrolment.trainee_id, [])
    row = roster_row(request, enrolment, session.course, sign_offs, timezone.localdate())
    return render(request, "training/session_roster_row.html", {
        "row": row, "session": session, "course": session.course, "project": access.project,
        "can_change": access.can("training", "change"), "error": error, "saved": saved, "typed": typed,
    })


@login_required
@require_POST
def enrolment_save(request, project, pk):
    """Save one person's attendance and score (htmx: answers with the row; else back to the roster)."""
    access, enrolment = enrolment_for(request, project, pk)
    seen = request.POST.get("version")
    error = ""
    typed = None  # a refused score stays in the box to be corrected
    try:
        enrolment = services.record_result(
            enrolment, request.user, attended="attended" in request.POST, score=request.POST.get("score"),
            seen_version=int(seen) if seen and seen.isdigit() else None,
        )
    except (ValidationError, PermissionDenied) as exc:
        error = error_text(exc)
        typed = request.POST.get("score", "")[:20]
        enrolment.refresh_from_db()
    except EditConflict as exc:
        current = exc.current
        error = _("Someone else changed this row meanwhile (attended: %(attended)s, score: %(score)s); "
                  "it now shows their values. Check them and save again.") % {
            "attended": _("yes") if current.attended else (_("no") if current.attended is False else "—"),
            "score": current.score if current.score is not None else "—",
        }
        enrolment.refresh_from_db()
    if request.htmx:
        return _row_response(request, access, enrolment, error=error, saved="" if error else _("Saved"), typed=typed)
    if error:
        messages.error(request, f"{enrolment.trainee.name}: {error}")
    else:
        messages.success(request, _("Attendance and score of %(name)s saved.") % {"name": enrolment.trainee.name})
    return redirect(roster_url(enrolment.session, f"enrolment-{enrolment.pk}"))


@login_required
@require_POST
def enrolment_sign_off(request, project, pk):
    """Sign off an attendee on the session's course (services.sign_off decides who may)."""
    access, enrolment = enrolment_for(request, project, pk)
    session = enrolment.session
    error = ""
    try:
        services.sign_off(
            enrolment.trainee, session.course, request.user, practical_done=request.POST.get("practical_done") == "on",
            note=request.POST.get("note", ""), session=session,
        )
    except (ValidationError, PermissionDenied) as exc:
        error = error_text(exc)
    done = _("%(name)s is signed off on %(course)s (version %(version)s).") % {
        "name": enrolment.trainee.name, "course": session.course.title, "version": session.course.content_version}
    if request.htmx:
        return _row_response(request, access, enrolment, error=error, saved="" if error else done)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(roster_url(session, f"enrolment-{enrolment.pk}"))


# ---------------------------------------------------------------------------------------------
# Acknowledgement (public, signed link), certificate, course versions
# ---------------------------------------------------------------------------------------------


def acknowledge(request, project, token):
    """The trainee confirms the sign-off (no login: the signed token is the proof)."""
    row = services.sign_off_for_token(token, project)
    if row is None:
        raise Http404(_("This acknowledgement link is not valid."))
    if request.method == "POST":
        if services.acknowledge(row):
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
        else:
            messages.info(request, _("You acknowledged this sign-off before; nothing changed."))
        return redirect(request.path)
    return render(request, "training/acknowledge.html", {
        "sign_off": row, "course": row.course, "trainee": row.trainee, "company": row.project.company,
        "project_name": row.project.name, "title": _("Acknowledge your training sign-off"),
        "valid": services.is_valid(row),
    })


@login_required
def certificate(request, project, pk):
    """A one-page PDF certificate of a sign-off, in the reader's language."""
    access = project_access(request.user, project, "training", "view")
    row = get_object_or_404(SignOff.objects.select_related("trainee", "course", "signed_by"), project=access.project, pk=pk)
    state = services.sign_off_state(row)
    context = {
        "project": access.project, "sign_off": row, "trainee": row.trainee, "course": row.course,
        "signer": services.display_name(row.signed_by), "state": state,
        "state_label": readiness.sign_off_label(state),
        "expires": readiness.expiry_date(row.signed_on, row.course.valid_months) if row.course.valid_months else None,
        "title": _("Certificate of training"),
    }
    pdf = render_pdf("training/certificate_pdf.html", context, request=request, language=get_language())
    name = slugify(row.trainee.name, allow_unicode=True) or "trainee"
    return pdf_response(pdf, f"{_('certificate')}-{name}-{row.course.ref}.pdf")


@login_required
@require_POST
def course_new_version(request, project, pk):
    access = project_access(request.user, project, "training", "change")
    course = get_object_or_404(Course, project=access.project, pk=pk)
    material = request.POST.get("material") == "on"
    try:
        services.new_course_version(course, request.user, material=material, note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        if material:
            messages.warning(request, _("%(course)s is now version %(version)s, a material change: earlier sign-offs no longer count "
                                        "and those people need training again.") % {"course": course, "version": course.content_version})
        else:
            messages.success(request, _("%(course)s is now version %(version)s; earlier sign-offs stay valid.")
                             % {"course": course, "version": course.content_version})
    return redirect(course.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# Calendar: page by week, and .ics
# ---------------------------------------------------------------------------------------------


def filtered_sessions(access, params):
    """Sessions of the project, with counts, filtered by course and trainer from the query string."""
    sessions = (
        TrainingSession.objects.filter(project=access.project)
        .select_related("course", "trainer", "delivered_by")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
            waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
        )
        .order_by("starts", "pk")
    )
    course = _number(params.get("course"))
    trainer = _number(params.get("trainer"))
    if course:
        sessions = sessions.filter(course_id=course)
    if trainer:
        sessions = sessions.filter(trainer_id=trainer)
    return sessions, course, trainer


@login_required
def calendar_page(request, project):
    """Upcoming sessions week by week, with places taken; filters by course and trainer."""
    access = project_access(request.user, project, "training", "view")
    sessions, course, trainer = filtered_sessions(access, request.GET)
    past = request.GET.get("past") == "1"
    if not past:
        sessions = sessions.filter(ends__gte=timezone.now())
    shown = list(sessions[: CALENDAR_LIMIT + 1])
    more = len(shown) > CALENDAR_LIMIT
    shown = shown[:CALENDAR_LIMIT]
    weeks = defaultdict(list)
    for session in shown:
        day = timezone.localtime(session.starts).date()
        weeks[day - datetime.timedelta(days=day.weekday())].append(session)
    trainers = User.objects.filter(
        pk__in=TrainingSession.objects.filter(project=access.project, trainer__isnull=False).values("trainer")
    ).order_by("first_name", "username")
    query = request.GET.copy()
    query.pop("past", None)
    return page(
        request, "training/calendar.html", access, _("Session calendar"),
        weeks=[{"monday": monday, "sunday": monday + datetime.timedelta(days=6), "iso": monday.isocalendar()[1],
                "sessions": items} for monday, items in sorted(weeks.items())],
        courses=Course.objects.filter(project=access.project).order_by("number"), trainers=trainers,
        course=course, trainer=trainer, past=past, more=more, limit=CALENDAR_LIMIT,
        filter_query=query.urlencode(), today=timezone.localdate(),
    )


@login_required
def calendar_ics(request, project):
    """Every session (of the chosen course and trainer) as an iCalendar event."""
    import icalendar

    access = project_access(request.user, project, "training", "view")
    sessions, _course, _trainer = filtered_sessions(access, request.GET)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ProjectCRM//Training sessions//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{access.project.name} – {_('training sessions')}")
    stamp = timezone.now()
    for session in sessions:
        event = icalendar.Event()
        event.add("uid", f"training-session-{session.pk}@projectcrm")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts)
        event.add("dtend", session.ends)
        event.add("summary", f"{session.ref} {session.course.title}")
        if session.location:
            event.add("location", session.location)
        lines = [
            _("Trainer: %(name)s") % {"name": services.display_name(session.trainer)} if session.trainer else "",
            _("Delivered by: %(name)s") % {"name": session.delivered_by.name} if session.delivered_by else "",
            _("Places: %(enrolled)s of %(capacity)s taken, %(waiting)s waiting")
            % {"enrolled": session.enrolled, "capacity": session.capacity, "waiting": session.waiting},
            session.link,
            session.notes,
        ]
        event.add("description", "\n".join(line for line in lines if line))
        event.add("url", request.build_absolute_uri(roster_url(session)))
        event.add("status", {"cancelled": "CANCELLED", "held": "CONFIRMED"}.get(session.status, "TENTATIVE"))
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-sessions.ics"'
    return response


# ---------------------------------------------------------------------------------------------
# Extras for the register detail pages (the registers' detail_context hooks)
# ---------------------------------------------------------------------------------------------


def session_detail_context(obj: TrainingSession, access) -> dict:
    counts = Enrolment.objects.filter(session=obj).aggregate(
        enrolled=Count("pk", filter=Q(status=EnrolmentStatus.ENROLLED)),
        waiting=Count("pk", filter=Q(status=EnrolmentStatus.WAITING)),
        attended=Count("pk", filter=Q(status=EnrolmentStatus.ENROLLED, attended=True)),
    )
    qualification = services.trainer_qualification(obj.delivered_by) if obj.delivered_by_id else None
    return {"session_counts": counts, "qualification": qualification}


def sign_off_detail_context(obj: SignOff, access) -> dict:
    state = services.sign_off_state(obj)
    context = {"sign_off_state": state, "sign_off_state_label": readiness.sign_off_label(state)}
    if access.can("training", "change"):
        url = reverse("training:acknowledge", kwargs={"project": obj.project_id, "token": services.acknowledge_token(obj)})
        context["acknowledge_path"] = url
    return context


def course_detail_context(obj: Course, access) -> dict:
    """Versions of the course (from its history) and how many sign-offs still count."""
    versions = []
    previous = None
    for record in obj.history.order_by("history_date", "history_id").select_related("history_user"):
        if previous is None or record.content_version != previous:
            versions.append({
                "version": record.content_version, "date": record.history_date,
                "by": services.display_name(record.history_user) if record.history_user else "",
                "note": record.history_change_reason or "",
                "material": record.content_version in (obj.material_versions or []),
            })
            previous = record.content_version
    today = timezone.localdate()
    valid = lapsed = 0
    for row in SignOff.objects.filter(course=obj).select_related("course"):
        if services.is_valid(row, today):
            valid += 1
        else:
            lapsed += 1
    return {"course_versions": list(reversed(versions)), "sign_offs_valid": valid, "sign_offs_lapsed": lapsed,
            "note_length": services.NOTE_LENGTH}


urlpatterns = [
    path("sessions/calendar/", calendar_page, name="calendar"),
    path("sessions/calendar.ics", calendar_ics, name="calendar-ics"),
    path("sessions/<int:pk>/roster/", roster, name="session-roster"),
    path("sessions/<int:pk>/enrol/", session_enrol, name="session-enrol"),
    path("sessions/<int:pk>/fill/", session_fill, name="session-fill"),
    path("enrolments/<int:pk>/save/", enrolment_save, name="enrolment-save"),
    path("enrolments/<int:pk>/cancel/", enrolment_cancel, name="enrolment-cancel"),
    path("enrolments/<int:pk>/sign-off/", enrolment_sign_off, name="enrolment-sign-off"),
    path("sign-offs/<int:pk>/certificate.pdf", certificate, name="certificate"),
    path("courses/<int:pk>/new-version/", course_new_version, name="course-new-version"),
    path("acknowledge/<str:token>/", acknowledge, name="acknowledge"),
]
