"""Issue escalation: which open issues the project's rules send up, and to whom."""

import datetime

from django.db.models import Case, CharField, Q, Value, When

from .choices import ISSUE_DONE, PRIORITY_RANK, EscalateTo

# A rule sending to the sponsor outranks one sending to the committee, which outranks the PM.
TARGET_RANK = {EscalateTo.SPONSOR: 3, EscalateTo.STEERING: 2, EscalateTo.PROJECT_MANAGER: 1}


def priorities_at_or_above(priority: str) -> list[str]:
    rank = PRIORITY_RANK[priority]
    return [p for p, r in PRIORITY_RANK.items() if r >= rank]


def rule_condition(rule, today: datetime.date) -> Q:
    """Open, at or above the rule's priority, and overdue by at least max(1, N) days."""
    cutoff = today - datetime.timedelta(days=max(1, rule.overdue_days))
    return Q(priority__in=priorities_at_or_above(rule.priority), due_date__lte=cutoff) & ~Q(status__in=ISSUE_DONE)


def escalation_annotation(rules, today: datetime.date):
    """A CASE expression giving each issue the highest escalation target its rules reach, or ''."""
    ordered = sorted(rules, key=lambda r: -TARGET_RANK[r.escalate_to])
    whens = [When(rule_condition(rule, today), then=Value(rule.escalate_to)) for rule in ordered]
    if not whens:
        return Value("", output_field=CharField())
    return Case(*whens, default=Value(""), output_field=CharField())


def escalation_for(priority: str, status: str, due_date, today: datetime.date, rules) -> str:
    """The same decision for one issue in Python (used by tests and e-mails): target or ''."""
    if status in ISSUE_DONE or due_date is None or due_date >= today:
        return ""
    overdue = (today - due_date).days
    best = ""
    for rule in rules:
        if PRIORITY_RANK[priority] >= PRIORITY_RANK[rule.priority] and overdue >= rule.overdue_days:
            if not best or TARGET_RANK[rule.escalate_to] > TARGET_RANK[best]:
                best = rule.escalate_to
    return best
