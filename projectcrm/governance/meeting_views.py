"""Steering meetings: the meeting page's panels (agenda, attendees, minutes, what the meeting
decided), quick forms that record a decision or an action item in the meeting, the minutes as a
PDF and the meeting as a calendar entry (.ics).

The meeting's own fields are edited through its register (governance:meetings); decisions and
action items are rows of their registers that point at the meeting; gate reviews and change
requests are linked on the meeting's edit page.
"""

import datetime

import icalendar
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from projectcrm.core.access import project_access
from projectcrm.core.pdf import pdf_response, render_pdf
from projectcrm.core.register_views import DetailView, render_cell
from projectcrm.core.registers import Column, limit_choices
from projectcrm.core.services import save_versioned

from .choices import DecisionStatus, MeetingStatus
from .models import ActionItem, Decision, Meeting
from .registers import MeetingRegister

AREA = "governance"
# Long texts the meeting panel shows in its own way (numbered agenda, minutes): left out of the
# generic field list above it.
SHOWN_IN_PANEL = {"agenda", "guests", "apologies", "minutes"}
DEFAULT_DECIDED_BY = gettext_lazy("Steering committee")


def meeting_day(meeting) -> datetime.date:
    return timezone.localtime(meeting.starts).date()


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- Quick forms -------------------------------------------------------------------------------


class MeetingDecisionForm(forms.ModelForm):
    """A decision taken in the meeting: dated the meeting's day unless another date is given."""

    prefix = "decision"

    class Meta:
        model = Decision
        fields = ["title", "description", "status", "decided_by", "decided_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "decided_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, meeting, **kwargs):
        self.meeting = meeting
        kwargs.setdefault("initial", {
            "status": DecisionStatus.APPROVED, "decided_on": meeting_day(meeting), "decided_by": DEFAULT_DECIDED_BY,
        })
        super().__init__(*args, **kwargs)
        self.instance.project = meeting.project
        self.fields["decided_by"].help_text = _("Empty: the steering committee.")
        self.fields["decided_on"].help_text = _("Empty: the day of the meeting.")

    def clean_decided_by(self):
        return self.cleaned_data.get("decided_by", "").strip() or str(DEFAULT_DECIDED_BY)

    def clean_decided_on(self):
        return self.cleaned_data.get("decided_on") or meeting_day(self.meeting)

    def _post_clean(self):
        # The meeting's link is part of the row before the model's own rules run.
        self.instance.meeting = self.meeting
        self.instance.source_meeting = str(self.meeting)[:200]
        super()._post_clean()


class MeetingActionForm(forms.ModelForm):
    """An action item agreed in the meeting, optionally following one of its decisions."""

    prefix = "action"

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_date", "decision"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, meeting, **kwargs):
        self.meeting = meeting
        super().__init__(*args, **kwargs)
        self.instance.project = meeting.project
        limit_choices(self, meeting.project)
        self.fields["decision"].queryset = Decision.objects.filter(meeting=meeting).order_by("number")
        self.fields["decision"].help_text = _("Only the decisions of this meeting.")

    def _post_clean(self):
        self.instance.meeting = self.meeting
        self.instance.source_meeting = str(self.meeting)[:200]
        super()._post_clean()


# --- The meeting page's panel (MeetingRegister.detail_context) ----------------------------------


def detail_context(register, meeting, access) -> dict:
    # The generic fields without the long texts the panel shows (numbered agenda, minutes).
    io_fields = register.io_fields()
    columns = [c for c in register.columns() if c.name not in io_fields]
    columns += [Column(register.model, name) for name in io_fields if name not in SHOWN_IN_PANEL]
    fields = [{"label": c.label, "long": False, **render_cell(meeting, c)} for c in columns]
    can_change = access.can(AREA, "change")
    context = meeting_data(meeting)
    context.update(fields=fields)
    if can_change:
        context.update(
            decision_form=MeetingDecisionForm(meeting=meeting),
            action_form=MeetingActionForm(meeting=meeting),
        )
    return context


def meeting_data(meeting) -> dict:
    """What the page and the minutes show besides the meeting's own fields."""
    return {
        "agenda_items": meeting.agenda_items,
        "attendee_list": list(meeting.attendees.order_by("name")),
        "guest_list": lines(meeting.guests),
        "apology_list": lines(meeting.apologies),
        "meeting_decisions": list(meeting.decisions.order_by("number")),
        "meeting_actions": list(meeting.actions.select_related("owner", "decision").order_by("due_date", "number")),
        "meeting_gates": list(meeting.gates.select_related("phase__release").order_by("phase__release", "phase__order")),
        "meeting_changes": list(meeting.change_requests.order_by("number")),
        "meeting_day": meeting_day(meeting),
        "meeting_ends": timezone.localtime(meeting.starts) + datetime.timedelta(minutes=meeting.duration_minutes),
    }


# --- Posting a decision or an action item -------------------------------------------------------


class QuickFormPost(DetailView):
    """POST a quick form of the meeting page: saved and back to the page, or the page again with
    the form's errors next to its fields (nothing saved)."""

    form_class = None
    context_name = ""
    http_method_names = ["post"]

    register = MeetingRegister

    def post(self, request, *args, **kwargs):
        self.access.require(AREA, "change")
        meeting = self.get_object()
        form = self.form_class(request.POST, meeting=meeting)
        if form.is_valid():
            with transaction.atomic():
                obj = form.save(commit=False)
                obj.project = meeting.project
                save_versioned(obj, None)
            messages.success(request, self.saved_message(obj))
            return redirect(reverse("governance:meetings-detail", kwargs={"project": self.project.pk, "pk": meeting.pk}))
        context = self.get_context_data()
        context[self.context_name] = form
        context["form_error"] = self.context_name
        return self.render_to_response(context)

    def saved_message(self, obj) -> str:
        return _("%(what)s saved.") % {"what": str(obj)}


class DecisionPost(QuickFormPost):
    form_class = MeetingDecisionForm
    context_name = "decision_form"

    def saved_message(self, obj):
        return _("Decision %(what)s recorded in the meeting.") % {"what": str(obj)}


class ActionPost(QuickFormPost):
    form_class = MeetingActionForm
    context_name = "action_form"

    def saved_message(self, obj):
        return _("Action item %(what)s recorded in the meeting.") % {"what": str(obj)}


# --- Minutes (PDF) and calendar entry -----------------------------------------------------------


def meeting_for(request, project, pk):
    access = project_access(request.user, project, AREA, "view")
    return access, get_object_or_404(Meeting.objects.select_related("chair"), pk=pk, project=access.project)


@login_required
def minutes_pdf(request, project, pk):
    access, meeting = meeting_for(request, project, pk)
    language = get_language()
    context = meeting_data(meeting)
    context.update({
        "project": access.project, "meeting": meeting, "title": _("Minutes: %(meeting)s") % {"meeting": meeting},
    })
    pdf = render_pdf("governance/meeting_pdf.html", context, request=request, language=language)
    name = slugify(meeting.title, allow_unicode=True) or "minutes"
    return pdf_response(pdf, f"{meeting.ref}-{name}.pdf")


@login_required
def meeting_ics(request, project, pk):
    access, meeting = meeting_for(request, project, pk)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ProjectCRM//Meetings//EN")
    cal.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@projectcrm")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts)
    event.add("dtend", meeting.starts + datetime.timedelta(minutes=meeting.duration_minutes))
    event.add("summary", f"{access.project.name}: {meeting.title}")
    if meeting.location:
        event.add("location", meeting.location)
    agenda = "\n".join(f"{n}. {item}" for n, item in enumerate(meeting.agenda_items, start=1))
    if agenda:
        event.add("description", agenda)
    if meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting.ref}.ics"'
    return response


urlpatterns = [
    path("meetings/<int:pk>/decision/", DecisionPost.as_view(), name="meeting-decision"),
    path("meetings/<int:pk>/action/", ActionPost.as_view(), name="meeting-action"),
    path("meetings/<int:pk>/minutes.pdf", minutes_pdf, name="meeting-pdf"),
    path("meetings/<int:pk>/meeting.ics", meeting_ics, name="meeting-ics"),
]
