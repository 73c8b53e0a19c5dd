"""The committee's view of a project on a day: the dashboard's tiles and the steering report's sections.

    data = sections.build(project, as_of)

`build` returns plain JSON-serialisable data (dates as ISO strings, amounts as floats, labels
already translated in the active language, URLs as paths), because a steering report freezes it
when issued. Keys (see the module docstring of each part below):

    as_of, releases, releases_total, milestones, risks, issues, decisions, change_requests,
    budget, communications, training, adoption, evaluation, testing

Reading the database: a bounded number of queries whatever the size of the registers (counts and
sums are aggregated in SQL, lists are limited, nothing is read per row), so the dashboard stays
fast on projects with tens of thousands of rows.

As of a past day, what the data allows is what was true then: issues open on that day (raised
by then, not resolved by then) and overdue then, escalated by the rules against that day;
milestones due within 30 days of it, not finished by then, slipped against the latest baseline
taken by then; decisions and change requests waiting then (created by then, decided later or not
at all); budget lines dated by then; communications due in the 14 days after it, counting what
was sent by then; training sign-offs given by then. What has no history of its own (a risk's
rating and status, a task's planned dates, release status) is read as it is now.

The pure helpers (RAG, slip, heat matrix, per-department readiness) take plain values and are
tested on their own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Case, CharField, Count, F, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.urls import reverse
from django.utils import timezone

from roadmap import schedule
from roadmap.choices import TASK_FINISHED, ChangeStatus, GateStatus, ItemKind, Rag, ReleaseStatus, TaskStatus

# --- Limits ---------------------------------------------------------------------------------------

MAX_RELEASES = 12  # releases shown (not closed, by start date)
MAX_ITEMS = 10  # rows of each list (overdue issues, decisions waiting, ...)
MAX_MILESTONES = 15
RECENT_ROWS = 8  # milestones reached recently
TOP_RISKS = 5
MILESTONE_DAYS = 30  # milestones due within this many days
RECENT_DAYS = 30  # milestones finished within this many days
COMMUNICATION_DAYS = 14  # communications due within this many days
# The longest gap between two due dates of a periodic communication (a quarter).
LONGEST_PERIOD_DAYS = {"daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 31, "quarterly": 92}

RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


# --- Pure helpers ---------------------------------------------------------------------------------


def iso(day) -> str | None:
    return day.isoformat() if day is not None else None


def number(value) -> float | None:
    return None if value is None else float(value)


def slip_days(planned: datetime.date | None, baseline: datetime.date | None) -> int | None:
    """Working days the planned finish lies after the baseline's (negative: earlier); None without both."""
    if planned is None or baseline is None:
        return None
    return schedule.workdays_between(baseline, planned)


def rag(max_slip: int, overdue: int) -> str:
    """The roadmap's RAG rule (roadmap.schedule.rag): worst slip in working days and overdue items."""
    return schedule.rag(max(0, max_slip or 0), overdue or 0)


def shown_rag(override: str, computed: str) -> str:
    return override or computed


def percent_complete(weighted_sum, weight, plain_sum, count) -> float | None:
    """Duration-weighted mean of the tasks' % complete; the plain mean when every item is a milestone."""
    if weight:
        return round(float(weighted_sum) / float(weight), 1)
    if count:
        return round(float(plain_sum) / count, 1)
    return None


def heat_matrix(counts) -> list[list[int]]:
    """5 x 5 counts [impact-1][probability-1] from (probability, impact, count) rows."""
    matrix = [[0] * 5 for _ in range(5)]
    for probability, impact, n in counts:
        if 1 <= probability <= 5 and 1 <= impact <= 5:
            matrix[impact - 1][probability - 1] += n
    return matrix


def readiness_by_department(people, requirements: dict, signed) -> tuple[dict, dict]:
    """(overall, {department: counts}) of required (person, course) pairs and those signed off.

    `people`: objects with key, department, role; `requirements`: role -> course keys;
    `signed`: the (person key, course) pairs with a valid sign-off. Counts are
    {"required": n, "signed_off": n, "percent": float or None}.
    """
    totals: dict = defaultdict(lambda: [0, 0])
    for person in people:
        for course in set(requirements.get(person.role, ())):
            cell = totals[person.department]
            cell[0] += 1
            cell[1] += (person.key, course) in signed

    def counts(required, signed_off):
        return {
            "required": required, "signed_off": signed_off,
            "percent": round(100.0 * signed_off / required, 1) if required else None,
        }

    departments = {d: counts(*cell) for d, cell in totals.items()}
    overall = counts(sum(c[0] for c in totals.values()), sum(c[1] for c in totals.values()))
    return overall, departments


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    full = f"{first or ''} {last or ''}".strip()
    return full or username or ""


def day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` (local time): rows created before it existed on that day."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def path(name: str, project_pk: int, **kwargs) -> str:
    return reverse(name, kwargs={"project": project_pk, **kwargs})


# --- Sections -------------------------------------------------------------------------------------


def build(project, as_of: datetime.date | None = None) -> dict:
    """Everything the committee sees about `project` on `as_of` (default today), as plain data."""
    as_of = as_of or timezone.localdate()
    baselines = latest_baselines(project, as_of)
    releases, releases_total = release_section(project, as_of, baselines)
    return {
        "as_of": iso(as_of),
        "releases": releases,
        "releases_total": releases_total,
        "milestones": milestone_section(project, as_of, baselines),
        "risks": risk_section(project, as_of),
        "issues": issue_section(project, as_of),
        "decisions": decision_section(project, as_of),
        "change_requests": change_section(project, as_of),
        **waiting_totals(project, as_of),
        "budget": budget_section(project, as_of),
        "communications": communication_section(project, as_of),
        "training": training_section(project, as_of),
        "adoption": adoption_section(project, as_of),
        "evaluation": evaluation_section(project),
        "testing": None,  # the testing area (UAT, defects, migration) is not built yet
    }


# --- Releases and phases --------------------------------------------------------------------------


def latest_baselines(project, as_of: datetime.date) -> dict:
    """release pk -> pk of its latest baseline taken by the end of `as_of` (one query)."""
    from roadmap.models import Baseline

    latest: dict = {}
    for pk, release in (
        Baseline.objects.filter(project=project, created__lt=day_end(as_of))
        .order_by("created", "pk").values_list("pk", "release_id")
    ):
        latest[release] = pk  # later rows overwrite: the newest wins
    return latest


def not_done_on(as_of: datetime.date) -> Q:
    """Tasks not finished by the end of `as_of`."""
    return ~Q(status__in=TASK_FINISHED) | Q(actual_finish__gt=as_of)


def release_section(project, as_of: datetime.date, baselines: dict) -> tuple[list, int]:
    """Releases not closed (the first MAX_RELEASES by start), each with its phases, RAG, % and finish.

    RAG as the roadmap computes it (roadmap.services.computed_rag): the worst finish slip against the
    release's latest baseline (working days) and the number of overdue tasks, unless overridden.
    """
    from roadmap.models import BaselineItem, Phase, Release, Task

    open_releases = Release.objects.filter(project=project).exclude(status=ReleaseStatus.CLOSED)
    rows = list(
        open_releases.order_by("start_date", "number")
        .values("pk", "number", "name", "status", "rag_override", "start_date")[:MAX_RELEASES]
    )
    total = open_releases.count()
    ids = [r["pk"] for r in rows]
    phases = list(
        Phase.objects.filter(release_id__in=ids).order_by("release_id", "order", "pk")
        .values("pk", "release_id", "name", "rag_override", "gate__status")
    )
    # Per (release, phase): task count, overdue on as_of, % complete sums, latest planned finish.
    stats = {
        (row["release_id"], row["phase_id"]): row
        for row in Task.objects.filter(release_id__in=ids).values("release_id", "phase_id").order_by()
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(planned_finish__lt=as_of) & not_done_on(as_of)),
            weighted=Sum(F("percent_complete") * F("duration")),
            weight=Sum("duration"),
            plain=Sum("percent_complete"),
            finish=Max("planned_finish"),
        )
    }
    # Only the tasks finishing later than their baseline come back (the slip is worked out per row).
    worst: dict = defaultdict(int)  # (release, phase) -> worst slip
    worst_release: dict = defaultdict(int)  # release -> worst slip of all its tasks
    wanted = [baselines[pk] for pk in ids if pk in baselines]
    for release, phase, base, planned in (
        BaselineItem.objects.filter(baseline_id__in=wanted, task__planned_finish__gt=F("finish"))
        .values_list("task__release_id", "task__phase_id", "finish", "task__planned_finish")
    ) if wanted else ():
        days = slip_days(planned, base) or 0
        worst[release, phase] = max(worst[release, phase], days)
        worst_release[release] = max(worst_release[release], days)

    phases_of = defaultdict(list)
    for p in phases:
        phases_of[p["release_id"]].append(p)
    rag_labels = dict(Rag.choices)
    status_labels = dict(ReleaseStatus.choices)
    gate_labels = dict(GateStatus.choices)
    result = []
    for r in rows:
        release_stats = [s for key, s in stats.items() if key[0] == r["pk"]]
        overdue = sum(s["overdue"] for s in release_stats)
        computed = rag(worst_release.get(r["pk"], 0), overdue)
        shown = shown_rag(r["rag_override"], computed)
        phase_rows = []
        for p in phases_of[r["pk"]]:
            s = stats.get((r["pk"], p["pk"]))
            p_computed = rag(worst.get((r["pk"], p["pk"]), 0), s["overdue"] if s else 0)
            p_shown = shown_rag(p["rag_override"], p_computed)
            phase_rows.append({
                "name": p["name"],
                "rag": p_shown,
                "rag_label": str(rag_labels[p_shown]),
                "overridden": bool(p["rag_override"]),
                "percent": percent_complete(s["weighted"], s["weight"], s["plain"], s["n"]) if s else None,
                "finish": iso(s["finish"]) if s else None,
                "overdue": s["overdue"] if s else 0,
                "gate": p["gate__status"],
                "gate_label": str(gate_labels[p["gate__status"]]) if p["gate__status"] else None,
            })
        finishes = [s["finish"] for s in release_stats if s["finish"]]
        result.append({
            "ref": f"REL-{r['number']:03d}",
            "name": r["name"],
            "status": r["status"],
            "status_label": str(status_labels.get(r["status"], r["status"])),
            "rag": shown,
            "rag_label": str(rag_labels[shown]),
            "overridden": bool(r["rag_override"]),
            "computed_rag": computed,
            "overdue": overdue,
            "max_slip": worst_release.get(r["pk"], 0),
            "percent": percent_complete(
                sum(s["weighted"] or 0 for s in release_stats), sum(s["weight"] or 0 for s in release_stats),
                sum(s["plain"] or 0 for s in release_stats), sum(s["n"] for s in release_stats),
            ),
            "finish": iso(max(finishes)) if finishes else None,
            "url": path("roadmap:plan", project.pk, pk=r["pk"]),
            "phases": phase_rows,
        })
    return result, total


# --- Milestones -----------------------------------------------------------------------------------


def milestone_section(project, as_of: datetime.date, baselines: dict) -> dict:
    """Milestones due in the next MILESTONE_DAYS, slipped (later than the baseline, or past their
    planned finish and not finished), and finished in the last RECENT_DAYS; each list limited."""
    from roadmap.models import BaselineItem, Task

    if baselines:
        base = Subquery(
            BaselineItem.objects.filter(task=OuterRef("pk"), baseline_id__in=list(baselines.values()))
            .values("finish")[:1]
        )
    else:
        base = Value(None, output_field=Task._meta.get_field("planned_finish"))
    milestones = (
        Task.objects.filter(project=project, kind=ItemKind.MILESTONE)
        .annotate(baseline_finish=base)
    )
    open_then = milestones.filter(not_done_on(as_of))
    until = as_of + datetime.timedelta(days=MILESTONE_DAYS)
    due = open_then.filter(planned_finish__gte=as_of, planned_finish__lte=until)
    slipped = open_then.filter(Q(planned_finish__lt=as_of) | Q(planned_finish__gt=F("baseline_finish")))
    done = milestones.filter(
        status__in=TASK_FINISHED, actual_finish__lte=as_of,
        actual_finish__gt=as_of - datetime.timedelta(days=RECENT_DAYS),
    )
    fields = ("pk", "number", "name", "release__name", "planned_finish", "baseline_finish", "status", "actual_finish")
    status_labels = dict(TaskStatus.choices)

    def rows(queryset, order, limit=MAX_MILESTONES):
        found = []
        for m in queryset.order_by(*order).values(*fields)[:limit]:
            finished = m["status"] in TASK_FINISHED and m["actual_finish"] and m["actual_finish"] <= as_of
            status = m["status"] if finished or m["status"] not in TASK_FINISHED else TaskStatus.IN_PROGRESS
            overdue = (as_of - m["planned_finish"]).days if not finished and m["planned_finish"] < as_of else 0
            found.append({
                "ref": f"{Task.REF_PREFIX}-{m['number']:03d}",
                "name": m["name"],
                "release": m["release__name"],
                "planned": iso(m["planned_finish"]),
                "baseline": iso(m["baseline_finish"]),
                "slip_days": slip_days(m["planned_finish"], m["baseline_finish"]),
                "overdue_days": overdue,
                "actual": iso(m["actual_finish"]) if finished else None,
                "status": status,
                "status_label": str(status_labels[status]),
                "url": path("roadmap:tasks-detail", project.pk, pk=m["pk"]),
            })
        return found

    return {
        "due": rows(due, ("planned_finish", "number")),
        "due_count": due.count(),
        "slipped": rows(slipped, ("planned_finish", "number")),
        "slipped_count": slipped.count(),
        "done_recently": rows(done, ("-actual_finish", "number"), RECENT_ROWS),
        "days": MILESTONE_DAYS,
        "url": path("roadmap:tasks-list", project.pk) + "?view=milestones",
    }


# --- Risks ----------------------------------------------------------------------------------------


def risk_section(project, as_of: datetime.date) -> dict:
    """Open risks: the heat map (counts per impact and probability), the top five by score, totals."""
    from projectcrm.governance import scoring
    from projectcrm.governance.choices import RISK_DONE
    from projectcrm.governance.models import Risk

    risks = Risk.objects.filter(project=project, created__lt=day_end(as_of)).exclude(status__in=RISK_DONE)
    cells = list(risks.values_list("probability", "impact").order_by().annotate(n=Count("pk")))
    top = []
    for r in risks.order_by("-score", "number").values(
        "pk", "number", "title", "score", "probability", "impact", "status",
        "owner__first_name", "owner__last_name", "owner__username",
    )[:TOP_RISKS]:
        top.append({
            "ref": f"{Risk.REF_PREFIX}-{r['number']:03d}",
            "title": r["title"],
            "score": r["score"],
            "probability": r["probability"],
            "impact": r["impact"],
            "rating": str(scoring.rating(r["score"])),
            "colour": scoring.rating_colour(r["score"]),
            "owner": person_name(r["owner__first_name"], r["owner__last_name"], r["owner__username"]),
            "url": path("governance:risks-detail", project.pk, pk=r["pk"]),
        })
    return {
        "top": top,
        "heat": heat_matrix(cells),
        "open": sum(n for _p, _i, n in cells),
        "high": sum(n for p, i, n in cells if scoring.risk_score(p, i) >= scoring.HIGH),
        "high_threshold": scoring.HIGH,
        "url": path("governance:risks-list", project.pk) + "?view=open",
        "high_url": path("governance:risks-list", project.pk) + "?view=high",
    }


# --- Issues ---------------------------------------------------------------------------------------


def escalation_on(rules, as_of: datetime.date, open_then: Q):
    """The escalation target of each issue open on `as_of` by the project's rules ('' if none)."""
    from projectcrm.governance import escalation

    ordered = sorted(rules, key=lambda r: -escalation.TARGET_RANK[r.escalate_to])
    whens = [
        When(
            Q(priority__in=escalation.priorities_at_or_above(rule.priority),
              due_date__lte=as_of - datetime.timedelta(days=max(1, rule.overdue_days))) & open_then,
            then=Value(rule.escalate_to),
        )
        for rule in ordered
    ]
    if not whens:
        return Value("", output_field=CharField())
    return Case(*whens, default=Value(""), output_field=CharField())


def issue_section(project, as_of: datetime.date) -> dict:
    """Issues open on `as_of`: counts by priority (open, overdue, escalated), the overdue and the
    escalated ones (limited lists, the longest overdue first)."""
    from projectcrm.governance.choices import ISSUE_DONE, PRIORITY_RANK, EscalateTo, Priority
    from projectcrm.governance.models import EscalationRule, Issue

    rules = list(EscalationRule.objects.filter(project=project, active=True))
    open_then = Q(raised_on__lte=as_of) & (~Q(status__in=ISSUE_DONE) | Q(resolved_on__gt=as_of))
    issues = Issue.objects.filter(project=project).filter(open_then).annotate(
        escalation=escalation_on(rules, as_of, open_then)
    )
    counts = {
        row["priority"]: row
        for row in issues.values("priority").order_by().annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=as_of)),
            escalated=Count("pk", filter=~Q(escalation="")),
        )
    }
    priority_labels = dict(Priority.choices)
    target_labels = dict(EscalateTo.choices)
    by_priority = [
        {
            "priority": value, "label": str(priority_labels[value]),
            "open": counts.get(value, {}).get("open", 0), "overdue": counts.get(value, {}).get("overdue", 0),
            "escalated": counts.get(value, {}).get("escalated", 0),
        }
        for value in sorted(PRIORITY_RANK, key=lambda v: -PRIORITY_RANK[v])
    ]

    def rows(queryset):
        found = []
        if not queryset.query.order_by:
            queryset = queryset.order_by("due_date", "number")
        for i in queryset.values(
            "pk", "number", "title", "priority", "status", "due_date", "escalation",
            "owner__first_name", "owner__last_name", "owner__username",
        )[:MAX_ITEMS]:
            found.append({
                "ref": f"{Issue.REF_PREFIX}-{i['number']:03d}",
                "title": i["title"],
                "priority": i["priority"],
                "priority_label": str(priority_labels.get(i["priority"], i["priority"])),
                "owner": person_name(i["owner__first_name"], i["owner__last_name"], i["owner__username"]),
                "due": iso(i["due_date"]),
                "overdue_days": (as_of - i["due_date"]).days if i["due_date"] and i["due_date"] < as_of else 0,
                "escalated_to": i["escalation"] or None,
                "escalated_to_label": str(target_labels[i["escalation"]]) if i["escalation"] else None,
                "url": path("governance:issues-detail", project.pk, pk=i["pk"]),
            })
        return found

    listing = path("governance:issues-list", project.pk)
    return {
        "open": sum(p["open"] for p in by_priority),
        "overdue_count": sum(p["overdue"] for p in by_priority),
        "escalated_count": sum(p["escalated"] for p in by_priority),
        "critical": counts.get(Priority.CRITICAL, {}).get("open", 0),
        "by_priority": by_priority,
        "overdue": rows(issues.filter(due_date__lt=as_of)),
        "escalated": rows(issues.exclude(escalation="")),
        # The open critical and high issues, whether or not they are late: what the committee follows.
        "top": rows(issues.filter(priority__in=[Priority.CRITICAL, Priority.HIGH]).order_by(
            Case(When(priority=Priority.CRITICAL, then=0), default=1), "raised_on", "number")),
        "url": listing + "?view=open",
        "overdue_url": listing + "?view=overdue",
        "escalated_url": listing + "?view=escalated",
    }


# --- Decisions and change requests waiting for the committee --------------------------------------


def decisions_waiting(project, as_of: datetime.date):
    """Decisions proposed on `as_of`: created by then, still proposed or decided only later."""
    from projectcrm.governance.choices import DecisionStatus
    from projectcrm.governance.models import Decision

    return Decision.objects.filter(project=project, created__lt=day_end(as_of)).filter(
        Q(status=DecisionStatus.PROPOSED) | Q(decided_on__gt=as_of)
    )


def changes_waiting(project, as_of: datetime.date):
    """Change requests waiting for the committee on `as_of`: submitted or assessed then."""
    from roadmap.models import ChangeRequest

    waiting = [ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED]
    return ChangeRequest.objects.filter(project=project, created__lt=day_end(as_of)).filter(
        Q(status__in=waiting) | Q(decided_on__gt=as_of)
    )


def decision_section(project, as_of: datetime.date) -> list:
    from projectcrm.governance.models import Decision

    return [
        {
            "ref": f"{Decision.REF_PREFIX}-{d['number']:03d}",
            "title": d["title"],
            "created": iso(timezone.localtime(d["created"]).date()),
            "url": path("governance:decisions-detail", project.pk, pk=d["pk"]),
        }
        for d in decisions_waiting(project, as_of).order_by("number").values("pk", "number", "title", "created")[:MAX_ITEMS]
    ]


def change_section(project, as_of: datetime.date) -> list:
    from roadmap.models import ChangeRequest

    labels = dict(ChangeStatus.choices)
    result = []
    for c in changes_waiting(project, as_of).order_by("number").values(
        "pk", "number", "title", "status", "impact_days", "impact_cost", "release__name", "decided_on",
    )[:MAX_ITEMS]:
        status = c["status"] if c["status"] in (ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED) or not (
            c["decided_on"] and c["decided_on"] > as_of
        ) else ChangeStatus.ASSESSED
        result.append({
            "ref": f"{ChangeRequest.REF_PREFIX}-{c['number']:03d}",
            "title": c["title"],
            "status": status,
            "status_label": str(labels[status]),
            "release": c["release__name"],
            "impact_days": c["impact_days"],
            "impact_cost": number(c["impact_cost"]),
            "url": path("roadmap:changes-detail", project.pk, pk=c["pk"]),
        })
    return result


def waiting_totals(project, as_of: datetime.date) -> dict:
    """How many decisions and change requests wait (the lists above are limited), with their lists' links."""
    from projectcrm.governance.choices import DecisionStatus

    return {
        "decisions_total": decisions_waiting(project, as_of).count(),
        "decisions_url": path("governance:decisions-list", project.pk) + f"?status={DecisionStatus.PROPOSED}",
        "change_requests_total": changes_waiting(project, as_of).count(),
        "change_requests_url": path("roadmap:changes-list", project.pk),
    }


# --- Budget ---------------------------------------------------------------------------------------


def budget_section(project, as_of: datetime.date) -> dict:
    """Planned, actual and committed spend per category (lines dated by `as_of`), and the totals."""
    from projectcrm.governance.choices import BudgetCategory
    from projectcrm.governance.models import BudgetLine

    sums = {
        row["category"]: row
        for row in BudgetLine.objects.filter(project=project, as_of__lte=as_of).values("category").order_by()
        .annotate(planned=Sum("planned"), actual=Sum("actual"), committed=Sum("committed"))
    }
    rows = [
        {
            "category": str(label),
            "key": value,
            "planned": number(sums[value]["planned"]) or 0.0,
            "actual": number(sums[value]["actual"]) or 0.0,
            "committed": number(sums[value]["committed"]) or 0.0,
        }
        for value, label in BudgetCategory.choices
        if value in sums
    ]
    planned = sum(r["planned"] for r in rows)
    actual = sum(r["actual"] for r in rows)
    committed = sum(r["committed"] for r in rows)
    return {
        "has_data": bool(rows),
        "rows": rows,
        "planned": planned,
        "actual": actual,
        "committed": committed,
        "remaining": planned - actual - committed,
        "spent_percent": round(100.0 * actual / planned, 1) if planned else None,
        "url": path("governance:budget-list", project.pk),
        "add_url": path("governance:budget-create", project.pk),
    }


# --- Communications -------------------------------------------------------------------------------


def communication_section(project, as_of: datetime.date) -> list:
    """Communications of the plan due in the COMMUNICATION_DAYS after `as_of` (inclusive), soonest first.

    Only rows whose next due date can fall in the window are read: those first due in it and not
    sent yet, and periodic ones sent recently enough (within one period of `as_of`).
    """
    from projectcrm.governance import schedule as comms
    from projectcrm.governance.choices import DeliveryMethod, Frequency
    from projectcrm.governance.models import CommunicationItem, CommunicationLog

    until = as_of + datetime.timedelta(days=COMMUNICATION_DAYS)
    # A periodic communication sent by `as_of` is next due within one period of its last sending:
    # only those sent that recently can be due in the window (the others are overdue).
    recent = Q()
    for frequency, days in LONGEST_PERIOD_DAYS.items():
        recent |= Q(item__frequency=frequency, sent_on__gte=as_of - datetime.timedelta(days=days))
    sent_recently = CommunicationLog.objects.filter(project=project, sent_on__lte=as_of).filter(recent).values("item_id")
    latest = Subquery(
        CommunicationLog.objects.filter(item=OuterRef("pk"), sent_on__lte=as_of)
        .order_by("-sent_on").values("sent_on")[:1]
    )
    candidates = (
        CommunicationItem.objects.filter(project=project, active=True, start_date__lte=until)
        .exclude(frequency=Frequency.AS_NEEDED)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .filter(Q(start_date__gte=as_of) | Q(pk__in=sent_recently))  # first due in the window, or sent lately
        .annotate(last_sent=latest)
        .values_list(
            "pk", "deliverable", "frequency", "start_date", "end_date", "delivery_method", "last_sent",
            "owner__first_name", "owner__last_name", "owner__username",
        )
    )
    due = []
    for pk, deliverable, frequency, start, end, method, last_sent, first, last, username in candidates:
        when = comms.next_due(frequency, start, last_sent, end)
        if when is not None and as_of <= when <= until:
            due.append((when, deliverable.casefold(), pk, deliverable, frequency, method, first, last, username))
    due.sort()
    frequencies = dict(Frequency.choices)
    methods = dict(DeliveryMethod.choices)
    return [
        {
            "deliverable": deliverable,
            "next_due": iso(when),
            "owner": person_name(first, last, username),
            "frequency_label": str(frequencies.get(frequency, frequency)),
            "method_label": str(methods.get(method, method)),
            "url": path("governance:communications-detail", project.pk, pk=pk),
        }
        for when, _key, pk, deliverable, frequency, method, first, last, username in due[:MAX_ITEMS]
    ]


# --- Training, adoption, evaluation ---------------------------------------------------------------


def training_section(project, as_of: datetime.date) -> dict | None:
    """Training readiness (required courses signed off, %), overall and per department; None when
    nothing is required yet. Today's figures are the readiness page's summary (kept per process
    until the training data changes, so computed once for the page, the gates and this); for
    another day the sign-offs valid on `as_of` and given by then are counted (a few queries)."""
    from training import readiness_views

    if as_of == timezone.localdate():
        result = readiness_views.readiness_summary(project, as_of).result
        overall = {
            "required": result.overall.required, "signed_off": result.overall.signed_off,
            "percent": None if result.overall.percent is None else round(result.overall.percent, 1),
        }
        departments = {
            name: {
                "required": c.required, "signed_off": c.signed_off,
                "percent": None if c.percent is None else round(c.percent, 1),
            }
            for name, c in result.by_department.items()
        }
    else:
        inputs = readiness_views.readiness_inputs(project, as_of, progress=False)
        signed = {key for key, day in inputs.signed.items() if day is None or day <= as_of}
        overall, departments = readiness_by_department(inputs.people, inputs.requirements, signed)
    if not overall["required"]:
        return None
    return {
        **overall,
        "departments": [
            {"department": str(name) if name is not None else "", **counts}
            for name, counts in sorted(departments.items(), key=lambda kv: (kv[0] is None, str(kv[0]).casefold()))
            if counts["required"]
        ],
        "url": path("training:readiness", project.pk),
    }


def adoption_section(project, as_of: datetime.date) -> dict | None:
    """The adoption rate (active / licensed users) of the last complete week; None without usage data."""
    from training.usage import adoption_summary

    data = adoption_summary(project, as_of)
    if not data.get("has_data"):
        return None
    return {
        "week": iso(data["week"]),
        "rate": number(data["rate"]),
        "target": number(data["target"]),
        "rule": number(data["rule"]),
        "meets_rule": data["meets_rule"],
        "active": data["active"],
        "licensed": data["licensed"],
        "change": number(data["change"]),
        "never_logged_in": data["never_logged_in"],
        "url": path("training:adoption", project.pk),
    }


def evaluation_section(project) -> list:
    """Each evaluation's name, status and stage, and the candidate selected (once decided)."""
    from evaluation.choices import EvaluationStatus, Stage
    from evaluation.models import Evaluation

    statuses = dict(EvaluationStatus.choices)
    stages = dict(Stage.choices)
    return [
        {
            "ref": f"{Evaluation.REF_PREFIX}-{e['number']:03d}",
            "name": e["name"],
            "status": e["status"],
            "status_label": str(statuses.get(e["status"], e["status"])),
            "stage_label": str(stages.get(e["stage"], e["stage"])),
            "selected": e["selected__name"],
            "decided_on": iso(e["decided_on"]),
            "decision_due": iso(e["decision_date"]),
            "url": path("evaluation:evaluations-detail", project.pk, pk=e["pk"]),
        }
        for e in Evaluation.objects.filter(project=project).order_by("number").values(
            "pk", "number", "name", "status", "stage", "selected__name", "decided_on", "decision_date",
        )[:MAX_ITEMS]
    ]


def rag_counts(releases: list) -> dict:
    """How many releases and phases show each RAG status."""
    counts = {"releases": {c: 0 for c in RAG_ORDER}, "phases": {c: 0 for c in RAG_ORDER}}
    for r in releases:
        counts["releases"][r["rag"]] += 1
        for p in r["phases"]:
            counts["phases"][p["rag"]] += 1
    return counts
