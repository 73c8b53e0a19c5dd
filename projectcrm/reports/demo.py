"""Demo steering reports: two issued reports (the meetings of about six and three weeks ago, when the
demo has them) and a draft for today's report, linked to the next meeting.

Idempotent: reports are found by title; an issued report is never issued again nor changed, a draft
is updated only when its values differ. Issuing stores the frozen data at once; each PDF is drawn
from that data on its first download (issuing.stored_pdf), which keeps the seed quick.

The demo's rows are all written when it is seeded, yet they tell a story of months. Before the
reports are issued (each at the end of its meeting's day), `backdate()` gives the issues, risks,
decisions and change requests the creation time their own dates imply (an issue's "raised on", a
decision's "decided on"; risks one week apart from the project's start), and the same time to their
first history row: the reports then show what was known on their dates, and the second one what
changed since the first.
"""

import datetime

from django.utils import timezone

from projectcrm.core.management.commands.seed_demo import upsert

REPORTS = [
    {
        "title": "Steering committee report: pilot initiation",
        "meeting": "Steering committee 2",
        "weeks_ago": 5,
        "issue": True,
        "summary": (
            "The packaged cloud CRM is chosen and the implementation partner is on board. The pilot for the "
            "European export team starts now: the initiation gate is up for decision today.\n\n"
            "Main concerns: the quality of the customer spreadsheets to migrate, and the time the key users "
            "can give during the trade-fair preparation."
        ),
    },
    {
        "title": "Steering committee report: pilot design",
        "meeting": "Steering committee 3",
        "weeks_ago": 1,
        "issue": True,
        "summary": (
            "Design workshops are complete for quotations and sample requests. The product configurator "
            "change request is on the agenda: it adds scope to the pilot and moves its go-live.\n\n"
            "Training of the key users has begun; the readiness survey shows the weakest scores on "
            "communication and on recognising the people who keep the data clean."
        ),
    },
    {
        "title": "Steering committee report: design sign-off",
        "meeting": "Steering committee 4",
        "weeks_ago": 0,
        "issue": False,
        "summary": (
            "Draft for the next meeting: design sign-off for the pilot and the ERP interface. "
            "Update this summary before issuing."
        ),
    },
]


def backdate(project) -> None:
    """Creation times (and first history rows) of the demo's governance and change rows from their
    own dates; deterministic, so running it again changes nothing. See the module docstring."""
    from projectcrm.governance.models import Decision, Issue, Risk
    from roadmap.models import ChangeRequest

    today = timezone.localdate()
    start = project.start_date or today - datetime.timedelta(weeks=16)

    def moment(day: datetime.date) -> datetime.datetime:
        day = max(start, min(day, today - datetime.timedelta(days=1)))
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))

    plans = [
        (Issue, lambda row: row.raised_on),
        (Risk, lambda row: start + datetime.timedelta(weeks=row.number - 1)),
        (Decision, lambda row: (row.decided_on - datetime.timedelta(days=7)) if row.decided_on
         else start + datetime.timedelta(weeks=row.number)),
        (ChangeRequest, lambda row: (row.decided_on - datetime.timedelta(days=10)) if row.decided_on
         else start + datetime.timedelta(weeks=row.number + 4)),
    ]
    for model, day_of in plans:
        history = model.history.model
        for row in model.objects.filter(project=project):
            when = moment(day_of(row))
            if row.created != when:
                model.objects.filter(pk=row.pk).update(created=when)
            first = history.objects.filter(id=row.pk).order_by("history_date", "history_id").first()
            if first is not None and first.history_date != when:
                history.objects.filter(pk=first.pk).update(history_date=when)


def seed(project, users):
    """The demo reports (idempotent; see the module docstring)."""
    from projectcrm.governance.models import Meeting

    from . import issuing
    from .models import SteeringReport

    today = timezone.localdate()
    if not SteeringReport.objects.filter(project=project, status="issued").exists():
        backdate(project)
    for spec in REPORTS:
        meeting = Meeting.objects.filter(project=project, title=spec["meeting"]).first()
        if meeting is not None and spec["weeks_ago"]:
            report_date = timezone.localtime(meeting.starts).date()
        else:
            report_date = today - datetime.timedelta(weeks=spec["weeks_ago"])
        report = SteeringReport.objects.filter(project=project, title=spec["title"]).first()
        if report is not None and report.issued:
            continue  # frozen: never changed, never issued again
        report, _created = upsert(
            SteeringReport,
            {"project": project, "title": spec["title"]},
            {"report_date": report_date, "summary": spec["summary"], "meeting": meeting},
        )
        if spec["issue"]:
            # Issued at the end of the meeting's day (the demo's reports are history already).
            at = timezone.make_aware(datetime.datetime.combine(report_date, datetime.time(18)))
            issuing.issue(report, users["pm"], with_pdfs=False, at=min(at, timezone.now()))
