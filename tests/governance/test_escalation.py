"""Issue escalation (governance/escalation.py): the Python rule and the list's SQL annotation must
give the same answer, checked on hand-worked cases."""

import datetime
import itertools
import random

import pytest
from django.utils import timezone

from projectcrm.governance import escalation
from projectcrm.governance.choices import EscalateTo, IssueStatus, Priority
from projectcrm.governance.models import EscalationRule, Issue
from projectcrm.governance.registers import IssueRegister

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 16)

# (title, priority, status, days overdue or None for no due date, expected target)
CASES = [
    ("critical one day late", Priority.CRITICAL, IssueStatus.OPEN, 1, EscalateTo.SPONSOR),
    ("critical due today", Priority.CRITICAL, IssueStatus.OPEN, 0, ""),
    ("critical not yet due", Priority.CRITICAL, IssueStatus.OPEN, -3, ""),
    ("critical long late", Priority.CRITICAL, IssueStatus.IN_PROGRESS, 30, EscalateTo.SPONSOR),
    ("critical resolved", Priority.CRITICAL, IssueStatus.RESOLVED, 30, ""),
    ("critical closed", Priority.CRITICAL, IssueStatus.CLOSED, 30, ""),
    ("critical no due date", Priority.CRITICAL, IssueStatus.OPEN, None, ""),
    ("critical on hold", Priority.CRITICAL, IssueStatus.ON_HOLD, 2, EscalateTo.SPONSOR),
    ("high two days late", Priority.HIGH, IssueStatus.OPEN, 2, ""),
    ("high three days late", Priority.HIGH, IssueStatus.OPEN, 3, EscalateTo.STEERING),
    ("high a month late", Priority.HIGH, IssueStatus.OPEN, 30, EscalateTo.STEERING),  # PM rule matches too
    ("medium 13 days late", Priority.MEDIUM, IssueStatus.OPEN, 13, ""),
    ("medium 14 days late", Priority.MEDIUM, IssueStatus.OPEN, 14, EscalateTo.PROJECT_MANAGER),
    ("medium 100 days late", Priority.MEDIUM, IssueStatus.OPEN, 100, EscalateTo.PROJECT_MANAGER),
    ("low a year late", Priority.LOW, IssueStatus.OPEN, 365, ""),
]


def make_issues(project, today):
    issues = {}
    for title, priority, status, late, _expected in CASES:
        issues[title] = Issue.objects.create(
            project=project,
            title=title,
            priority=priority,
            status=status,
            raised_on=today - datetime.timedelta(days=400),
            due_date=None if late is None else today - datetime.timedelta(days=late),
            resolution="done" if status in (IssueStatus.RESOLVED, IssueStatus.CLOSED) else "",
        )
    return issues


def rules_of(project):
    return list(EscalationRule.objects.filter(project=project, active=True))


def test_the_default_rules(project):
    rules = {(r.priority, r.overdue_days, r.escalate_to) for r in rules_of(project)}
    assert rules == {
        (Priority.CRITICAL, 1, EscalateTo.SPONSOR),
        (Priority.HIGH, 3, EscalateTo.STEERING),
        (Priority.MEDIUM, 14, EscalateTo.PROJECT_MANAGER),
    }


@pytest.mark.parametrize(("title", "priority", "status", "late", "expected"), CASES, ids=[c[0] for c in CASES])
def test_escalation_for_hand_worked_cases(project, title, priority, status, late, expected):
    due = None if late is None else TODAY - datetime.timedelta(days=late)
    assert escalation.escalation_for(priority, status, due, TODAY, rules_of(project)) == expected


def test_the_annotation_agrees_on_a_fixed_day(project):
    issues = make_issues(project, TODAY)
    annotated = dict(
        Issue.objects.filter(project=project)
        .annotate(target=escalation.escalation_annotation(rules_of(project), TODAY))
        .values_list("title", "target")
    )
    assert annotated == {title: expected for title, *_rest, expected in CASES}
    assert len(issues) == len(CASES)


def test_the_register_queryset_agrees_with_escalation_for(project, pm_client):
    today = timezone.localdate()
    make_issues(project, today)
    rules = rules_of(project)
    rows = list(IssueRegister.queryset(project))
    assert len(rows) == len(CASES)
    expected = {title: target for title, *_rest, target in CASES}
    for issue in rows:
        python = escalation.escalation_for(issue.priority, issue.status, issue.due_date, today, rules)
        assert issue.escalation == python == expected[issue.title], issue.title
    # The quick view on the page shows exactly the escalated ones.
    response = pm_client.get(f"/p/{project.pk}/governance/issues/", {"view": "escalated"})
    shown = {row["obj"].title for row in response.context["rows"]}
    assert shown == {title for title, target in expected.items() if target}


def test_an_inactive_rule_does_not_escalate(project):
    EscalationRule.objects.filter(project=project, escalate_to=EscalateTo.SPONSOR).update(active=False)
    rules = rules_of(project)
    one_day = TODAY - datetime.timedelta(days=1)
    five_days = TODAY - datetime.timedelta(days=5)
    # Without the sponsor rule a critical issue falls to the high-priority rule (3 days, steering).
    assert escalation.escalation_for(Priority.CRITICAL, IssueStatus.OPEN, one_day, TODAY, rules) == ""
    assert escalation.escalation_for(Priority.CRITICAL, IssueStatus.OPEN, five_days, TODAY, rules) == EscalateTo.STEERING
    Issue.objects.create(project=project, title="c", priority=Priority.CRITICAL, due_date=five_days, raised_on=five_days)
    annotated = Issue.objects.annotate(t=escalation.escalation_annotation(rules, TODAY)).get().t
    assert annotated == EscalateTo.STEERING


def test_no_rules_no_escalation(project):
    Issue.objects.create(project=project, title="x", priority=Priority.CRITICAL, due_date=TODAY - datetime.timedelta(days=9))
    assert Issue.objects.annotate(t=escalation.escalation_annotation([], TODAY)).get().t == ""
    assert escalation.escalation_for(Priority.CRITICAL, IssueStatus.OPEN, TODAY - datetime.timedelta(days=9), TODAY, []) == ""


def test_python_and_sql_agree_on_many_rule_sets(project):
    """Random rule sets (including 0-day rules) over every priority, status and lateness."""
    lateness = [None, -1, 0, 1, 2, 3, 6, 7, 8, 30]
    combos = list(itertools.product(Priority.values, IssueStatus.values, lateness))
    for n, (priority, status, late) in enumerate(combos):
        Issue.objects.create(
            project=project, title=str(n), priority=priority, status=status, raised_on=TODAY - datetime.timedelta(days=60),
            due_date=None if late is None else TODAY - datetime.timedelta(days=late),
            resolution="r",
        )
    issues = list(Issue.objects.filter(project=project))
    chooser = random.Random(2025)
    for _round in range(25):
        rules = [
            EscalationRule(
                project=project,
                priority=chooser.choice(Priority.values),
                overdue_days=chooser.choice([0, 1, 3, 7]),
                escalate_to=chooser.choice(EscalateTo.values),
            )
            for _ in range(chooser.randint(1, 4))
        ]
        sql = dict(
            Issue.objects.filter(project=project)
            .annotate(t=escalation.escalation_annotation(rules, TODAY))
            .values_list("pk", "t")
        )
        for issue in issues:
            python = escalation.escalation_for(issue.priority, issue.status, issue.due_date, TODAY, rules)
            assert sql[issue.pk] == python, (rules, issue.priority, issue.status, issue.due_date)


def test_escalation_rules_are_a_register(pm_client, project):
    response = pm_client.get(f"/p/{project.pk}/governance/escalation-rules/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3
