"""The content of a steering report, as plain data: what a draft shows live and what issuing freezes.

    data = snapshot(project, report)            # in the active language, as of now

Everything is JSON-serialisable (dates as ISO strings, numbers as floats, labels translated in the
active language): the issued report stores one snapshot per language and its page and PDFs are
drawn from them alone. The parts come from their own modules:

    sections    projectcrm.reports.sections.build (releases, milestones, risks, issues, decisions,
                change requests, budget, communications, training, adoption, evaluation, testing)
    kpis        projectcrm.governance.kpis.scorecard
    golive      projectcrm.reports.golive.assess
    assessment  projectcrm.governance.assessment.summary (organisational readiness surveys)
    changes     projectcrm.reports.changes.changes_since, since the previous issued report

plus the headline figures (`headline()`, a plain function of those parts), the report's own fields
and an appendix (open high risks and overdue issues, capped) for the committee's reference.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .choices import ReportStatus

# Rows of each appendix table at most.
APPENDIX_LIMIT = 60
SNAPSHOT_VERSION = 1
RAG_ORDER = ("red", "amber", "green")


def _iso(value):
    return value.isoformat() if value else None


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# --- Pure parts ----------------------------------------------------------------------------------


def worst_rag(releases: list[dict]) -> str | None:
    """The worst RAG of the releases (red before amber before green), None without releases."""
    found = {r.get("rag") for r in releases}
    return next((rag for rag in RAG_ORDER if rag in found), None)


def headline(report_date: datetime.date, go_live: datetime.date | None, sections: dict, kpis: dict,
             golive: dict) -> dict:
    """The headline figures of the executive summary, from the other parts."""
    rag = worst_rag(sections.get("releases") or [])
    rag_labels = {"red": _("Red"), "amber": _("Amber"), "green": _("Green")}
    issues = sections.get("issues") or {}
    risks = sections.get("risks") or {}
    training = sections.get("training") or {}
    adoption = sections.get("adoption") or {}
    counts = kpis.get("counts") or {}
    return {
        "go_live": _iso(go_live),
        "days_to_go_live": (go_live - report_date).days if go_live else None,
        "rag": rag,
        "rag_label": rag_labels.get(rag, "") if rag else "",
        "open_issues": issues.get("open", 0),
        "critical_issues": issues.get("critical", 0),
        "open_risks": risks.get("open", 0),
        "high_risks": risks.get("high", 0),
        "verdict": golive.get("verdict"),
        "verdict_label": golive.get("verdict_label", ""),
        "training_percent": training.get("percent"),
        # The adoption rate is a share (0..1); the report shows a percentage.
        "adoption_percent": None if adoption.get("rate") is None else round(100 * adoption["rate"], 1),
        "kpis": {key: counts.get(key, 0) for key in ("green", "amber", "red", "none")},
    }


# --- Moments ---------------------------------------------------------------------------------------


def report_moment(report_date: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """The end of the report's window: now, or the end of its day when the report date has passed."""
    end = timezone.make_aware(datetime.datetime.combine(report_date + datetime.timedelta(days=1), datetime.time()))
    return min(now, end)


def previous_report(report):
    """The latest issued report of the project before this one (by report date, then issue time)."""
    from .models import SteeringReport

    candidates = SteeringReport.objects.filter(
        project_id=report.project_id, status=ReportStatus.ISSUED, report_date__lte=report.report_date
    ).exclude(pk=report.pk).order_by("-report_date", "-issued_at")
    return candidates.defer("data").first()


# --- Appendix --------------------------------------------------------------------------------------


def appendix(project, as_of: datetime.date, limit: int = APPENDIX_LIMIT) -> dict:
    """Every open high risk and every overdue issue (up to `limit` of each): four queries."""
    from django.urls import reverse

    from projectcrm.governance.choices import ISSUE_DONE, RISK_DONE, Priority
    from projectcrm.governance.models import Issue, Risk
    from projectcrm.governance.scoring import HIGH, rating

    def name(first, last, username):
        return " ".join(p for p in (first, last) if p) or username or ""

    risks = Risk.objects.filter(project=project, score__gte=HIGH).exclude(status__in=RISK_DONE)
    issues = Issue.objects.filter(project=project, due_date__lt=as_of).exclude(status__in=ISSUE_DONE)
    priorities = dict(Priority.choices)
    risk_status = dict(Risk._meta.get_field("status").flatchoices)
    owner = ("owner__first_name", "owner__last_name", "owner__username")
    return {
        "limit": limit,
        "risks_count": risks.count(),
        "risks": [
            {
                "ref": f"{Risk.REF_PREFIX}-{r['number']:03d}", "title": r["title"], "score": r["score"],
                "rating": str(rating(r["score"])), "status_label": str(risk_status.get(r["status"], r["status"])),
                "owner": name(*(r[k] for k in owner)),
                "url": reverse("governance:risks-detail", kwargs={"project": project.pk, "pk": r["pk"]}),
            }
            for r in risks.order_by("-score", "number").values("pk", "number", "title", "score", "status", *owner)[:limit]
        ],
        "issues_count": issues.count(),
        "issues": [
            {
                "ref": f"{Issue.REF_PREFIX}-{i['number']:03d}", "title": i["title"],
                "priority_label": str(priorities.get(i["priority"], i["priority"])),
                "due": _iso(i["due_date"]), "overdue_days": (as_of - i["due_date"]).days,
                "owner": name(*(i[k] for k in owner)),
                "url": reverse("governance:issues-detail", kwargs={"project": project.pk, "pk": i["pk"]}),
            }
            for i in issues.order_by("due_date", "number").values("pk", "number", "title", "priority", "due_date", *owner)[:limit]
        ],
    }


# --- The snapshot ----------------------------------------------------------------------------------


def report_fields(report) -> dict:
    meeting = report.meeting
    return {
        "pk": report.pk,
        "ref": report.ref,
        "title": report.title,
        "report_date": report.report_date.isoformat(),
        "summary": report.summary,
        "status": report.status,
        "status_label": str(ReportStatus(report.status).label),
        "meeting": None if meeting is None else {
            "ref": meeting.ref, "title": meeting.title,
            "starts": timezone.localtime(meeting.starts).strftime("%Y-%m-%d %H:%M"),
        },
        "issued_by": _person(report.issued_by) if report.issued_by_id else "",
        "issued_at": timezone.localtime(report.issued_at).strftime("%Y-%m-%d %H:%M") if report.issued_at else "",
    }


def charted_parts(project, report) -> dict:
    """The parts of the snapshot the charts are drawn from (sections, KPI scorecard, surveys): taken
    first, so the charts can be drawn while the rest of the snapshot is read."""
    from projectcrm.governance import assessment, kpis
    from projectcrm.reports import sections

    return {
        "sections": sections.build(project, report.report_date),
        "kpis": kpis.scorecard(project, report.report_date),
        "assessment": assessment.summary(project, report.report_date),
    }


def snapshot(project, report, as_of: datetime.datetime | None = None, parts: dict | None = None) -> dict:
    """The report's content in the active language; `as_of` is the moment it is taken (default now).
    `parts`: charted_parts() taken already in this language."""
    from projectcrm.reports import golive

    from .changes import changes_since

    now = as_of or timezone.now()
    report_date = report.report_date
    until = report_moment(report_date, now)
    previous = previous_report(report)
    if previous is not None and previous.issued_at:
        since, first = previous.issued_at, False
    else:
        since, first = project.created, True
    parts = parts or charted_parts(project, report)
    readiness = golive.assess(project, report_date)
    # The first report has nothing to compare with: its "what changed" section says so (reading the
    # whole history of a large project for it would only list every row as new).
    changes = changes_since(project, until, until) if first else changes_since(project, since, until)
    changes.update(first=first, previous=None if previous is None else {
        "ref": previous.ref, "title": previous.title, "report_date": previous.report_date.isoformat(),
        "issued_at": timezone.localtime(previous.issued_at).strftime("%Y-%m-%d %H:%M"),
    })
    return {
        "version": SNAPSHOT_VERSION,
        "language": get_language(),
        "taken_at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        "report": report_fields(report),
        "project": {
            "name": project.name, "company": project.company, "target_go_live": _iso(project.target_go_live),
        },
        "headline": headline(report_date, project.target_go_live, parts["sections"], parts["kpis"], readiness),
        "sections": parts["sections"],
        "kpis": parts["kpis"],
        "golive": readiness,
        "assessment": parts["assessment"],
        "changes": changes,
        "appendix": appendix(project, report_date),
    }
