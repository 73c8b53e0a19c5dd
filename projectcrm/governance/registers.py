"""The governance registers, declared on the core register mechanism."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from projectcrm.core.registers import Register

from . import escalation, scoring
from .choices import ACTION_DONE, ISSUE_DONE, RISK_DONE, EscalateTo
from .models import (
    ActionItem,
    BudgetLine,
    CommunicationItem,
    CommunicationLog,
    Decision,
    EscalationRule,
    Issue,
    Kpi,
    KpiValue,
    Meeting,
    ReadinessQuestion,
    ReadinessSurvey,
    Risk,
    Stakeholder,
    Workstream,
)


class StakeholderRegister(Register):
    model = Stakeholder
    area = "governance"
    slug = "stakeholders"
    list_columns = ["name", "department", "title", "project_role", "influence", "interest", "quadrant"]
    filter_fields = ["department", "influence", "interest"]
    search_fields = ["name", "department", "title", "project_role", "notes", "email"]
    form_fields = ["name", "department", "title", "project_role", "influence", "interest", "email", "phone", "user", "notes"]
    ordering = ["name"]
    list_actions = [("raci", _("RACI matrix"), "view")]
    list_extra_template = "governance/_power_interest.html"
    detail_extra_template = "governance/_stakeholder_raci.html"

    @classmethod
    def list_context(cls, project, queryset, access):
        from . import charts

        labels = {**scoring.ENGAGEMENT_LABELS, "influence": _("Influence"), "interest": _("Interest")}
        rows = list(queryset.values_list("name", "influence", "interest")[:300])
        if not rows:
            return {}
        fig = charts.power_interest_figure(rows, {k: str(v) for k, v in labels.items()})
        return {"chart_html": charts.figure_html(fig), "uses_plotly": True}

    @classmethod
    def detail_context(cls, obj, access):
        return {"raci": obj.raci.select_related("workstream").order_by("workstream__name")}


class WorkstreamRegister(Register):
    model = Workstream
    area = "governance"
    slug = "workstreams"
    list_columns = ["name", "lead", "description"]
    search_fields = ["name", "description"]
    form_fields = ["name", "description", "lead"]
    ordering = ["name"]
    list_actions = [("raci", _("RACI matrix"), "view")]


class CommunicationRegister(Register):
    model = CommunicationItem
    area = "governance"
    slug = "communications"
    list_columns = ["deliverable", "delivery_method", "frequency", "owner", "audience", "last_sent", "next_due"]
    filter_fields = ["delivery_method", "frequency", "owner", "active"]
    search_fields = ["deliverable", "information_need", "description", "purpose", "audience", "feedback"]
    form_fields = [
        "deliverable",
        "information_need",
        "description",
        "purpose",
        "delivery_method",
        "frequency",
        "owner",
        "feedback",
        "audience",
        "start_date",
        "end_date",
        "active",
    ]
    ordering = ["deliverable"]
    annotated_columns = {"last_sent": (_("Last sent"), None)}
    list_actions = [("communications-calendar", _("Calendar feed (.ics)"), "view")]
    detail_extra_template = "governance/_communication_log.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .forms import CommunicationLogForm

        return {
            "log": obj.log.select_related("sent_by")[:50],
            "log_form": CommunicationLogForm(initial={"sent_on": timezone.localdate()}),
        }

    @classmethod
    def queryset(cls, project):
        # A correlated subquery (not a join and GROUP BY): evaluated for the shown page only.
        latest = CommunicationLog.objects.filter(item=OuterRef("pk")).order_by("-sent_on").values("sent_on")[:1]
        return super().queryset(project).annotate(last_sent=Subquery(latest))

    @classmethod
    def overdue(cls, queryset, today):
        # Next-due dates depend on frequency arithmetic; the plan is short, so compute in Python.
        return [item for item in queryset.filter(active=True) if item.next_due and item.next_due < today]


class CommunicationLogRegister(Register):
    model = CommunicationLog
    area = "governance"
    slug = "communications-sent"
    list_columns = ["sent_on", "item", "sent_by", "summary"]
    filter_fields = ["item", "sent_by"]
    search_fields = ["summary", "feedback_received", "item__deliverable"]
    form_fields = ["item", "sent_on", "sent_by", "summary", "feedback_received"]
    ordering = ["-sent_on"]


class EscalationRuleRegister(Register):
    model = EscalationRule
    area = "governance"
    slug = "escalation-rules"
    list_columns = ["priority", "overdue_days", "escalate_to", "active"]
    form_fields = ["priority", "overdue_days", "escalate_to", "active"]
    ordering = ["overdue_days"]


def escalated(queryset, project):
    return queryset.exclude(escalation="")


def open_issues(queryset, project):
    return queryset.exclude(status__in=ISSUE_DONE)


def overdue_issues(queryset, project, today=None):
    return open_issues(queryset, project).filter(due_date__lt=today or timezone.localdate())


class IssueRegister(Register):
    model = Issue
    area = "governance"
    slug = "issues"
    list_columns = ["ref", "title", "priority", "status", "owner", "due_date", "age", "overdue_days", "escalation"]
    filter_fields = ["status", "priority", "owner", "raised_by"]
    search_fields = ["title", "description", "resolution"]
    form_fields = [
        "title",
        "description",
        "raised_by",
        "raised_on",
        "owner",
        "priority",
        "status",
        "due_date",
        "resolution",
        "resolved_on",
    ]
    ordering = ["-number"]
    annotated_columns = {"escalation": (_("Escalated to"), EscalateTo)}
    quick_filters = {
        "open": (_("Open"), open_issues),
        "overdue": (_("Overdue"), overdue_issues),
        "escalated": (_("Escalated"), escalated),
    }
    list_actions = [("escalation-rules-list", _("Escalation rules"), "view")]

    @classmethod
    def queryset(cls, project):
        rules = list(EscalationRule.objects.filter(project=project, active=True))
        return (
            super()
            .queryset(project)
            .annotate(escalation=escalation.escalation_annotation(rules, timezone.localdate()))
        )

    @classmethod
    def initial(cls, access):
        return {"raised_by": access.user.pk, "raised_on": timezone.localdate()}

    @classmethod
    def overdue(cls, queryset, today):
        return overdue_issues(queryset, None, today)


def open_risks(queryset, project):
    return queryset.exclude(status__in=RISK_DONE)


def high_risks(queryset, project):
    return open_risks(queryset, project).filter(score__gte=scoring.HIGH)


def review_due(queryset, project):
    return open_risks(queryset, project).filter(review_date__lte=timezone.localdate())


class RiskRegister(Register):
    model = Risk
    area = "governance"
    slug = "risks"
    list_columns = ["ref", "title", "category", "probability", "impact", "score", "rating", "owner", "status", "review_date"]
    filter_fields = ["status", "category", "owner", "probability", "impact"]
    search_fields = ["title", "description", "mitigation", "contingency", "trigger"]
    form_fields = [
        "title",
        "description",
        "category",
        "probability",
        "impact",
        "owner",
        "mitigation",
        "contingency",
        "trigger",
        "status",
        "review_date",
    ]
    ordering = ["-score", "number"]
    quick_filters = {
        "open": (_("Open"), open_risks),
        "high": (format_lazy(_("High (score {score}+)"), score=scoring.HIGH), high_risks),
        "review": (_("Review due"), review_due),
    }
    list_actions = [("risk-library", _("Add from library"), "change")]
    list_extra_template = "governance/_risk_heatmap.html"

    @classmethod
    def list_context(cls, project, queryset, access):
        from . import charts

        pairs = list(open_risks(queryset, project).values_list("probability", "impact"))
        if not pairs:
            return {}
        matrix = charts.heat_matrix(pairs)
        grid = [
            {
                "impact": impact,
                "cells": [
                    {"probability": p, "count": matrix[impact - 1][p - 1], "colour": charts.heat_colour(p, impact)}
                    for p in range(1, 6)
                ],
            }
            for impact in range(5, 0, -1)
        ]
        thresholds = {"high": scoring.HIGH, "medium": scoring.MEDIUM, "medium_top": scoring.HIGH - 1}
        return {"heat_grid": grid, "heat_columns": range(1, 6), "heat_thresholds": thresholds}

    @classmethod
    def overdue(cls, queryset, today):
        return open_risks(queryset, None).filter(review_date__lt=today)


class DecisionRegister(Register):
    model = Decision
    area = "governance"
    slug = "decisions"
    list_columns = ["ref", "title", "status", "decided_by", "decided_on", "meeting"]
    filter_fields = ["status", "meeting"]
    search_fields = ["title", "description", "rationale", "impact", "decided_by", "source_meeting"]
    form_fields = ["title", "description", "rationale", "impact", "decided_by", "decided_on", "status", "meeting", "source_meeting"]
    ordering = ["-number"]
    detail_extra_template = "governance/_decision_actions.html"

    @classmethod
    def detail_context(cls, obj, access):
        return {"actions": obj.actions.select_related("owner")}


def open_actions(queryset, project):
    return queryset.exclude(status__in=ACTION_DONE)


class ActionItemRegister(Register):
    model = ActionItem
    area = "governance"
    slug = "actions"
    list_columns = ["ref", "title", "owner", "due_date", "status", "overdue_days", "meeting", "decision"]
    filter_fields = ["status", "owner", "decision", "meeting"]
    search_fields = ["title", "description", "source_meeting"]
    form_fields = ["title", "description", "owner", "due_date", "status", "meeting", "source_meeting", "decision"]
    ordering = ["due_date", "number"]
    quick_filters = {"open": (_("Open"), open_actions)}

    @classmethod
    def overdue(cls, queryset, today):
        return open_actions(queryset, None).filter(due_date__lt=today)


# --- Steering committee: meetings, KPIs, readiness surveys, budget --------------------------------


class MeetingRegister(Register):
    model = Meeting
    area = "governance"
    slug = "meetings"
    list_columns = ["ref", "title", "kind", "starts", "status", "chair", "location"]
    filter_fields = ["kind", "status", "chair"]
    search_fields = ["title", "agenda", "minutes", "guests", "location"]
    form_fields = [
        "title", "kind", "starts", "duration_minutes", "location", "chair", "status", "agenda", "attendees", "guests",
        "apologies", "minutes", "gates", "change_requests",
    ]
    ordering = ["-starts", "-number"]
    detail_extra_template = "governance/_meeting_detail.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .meeting_views import detail_context

        return detail_context(cls, obj, access)

    # Imports cannot set many-to-many fields (rows are bulk-created): attendees, gates and change
    # requests are set on the meeting's edit page. Exports still list them, for reading; an import
    # ignores those columns as it ignores the reference.
    @classmethod
    def io_fields(cls):
        return [name for name in cls.form_fields if not cls.model._meta.get_field(name).many_to_many]

    @classmethod
    def m2m_fields(cls):
        return [name for name in cls.form_fields if cls.model._meta.get_field(name).many_to_many]

    @classmethod
    def export_headers(cls):
        labels = [str(cls.model._meta.get_field(name).verbose_name) for name in cls.m2m_fields()]
        return super().export_headers() + [label[:1].upper() + label[1:] for label in labels]

    @classmethod
    def export_row(cls, obj):
        from projectcrm.core.registers import to_text

        return super().export_row(obj) + [to_text(obj, name, for_export=True) for name in cls.m2m_fields()]

    @classmethod
    def header_map(cls):
        from django.utils import translation

        mapping = super().header_map()
        for name in cls.m2m_fields():
            mapping[name.casefold()] = "__ref__"
            for code in ("en", "zh-hans", "zh-hant"):
                with translation.override(code):
                    mapping[str(cls.model._meta.get_field(name).verbose_name).strip().casefold()] = "__ref__"
        return mapping


class KpiRegister(Register):
    model = Kpi
    area = "governance"
    slug = "kpis"
    list_columns = ["ref", "name", "owner", "unit", "direction", "source", "baseline", "target", "target_date", "on_scorecard"]
    filter_fields = ["source", "frequency", "direction", "on_scorecard"]
    search_fields = ["name", "description", "objective", "owner", "formula"]
    form_fields = [
        "name", "description", "objective", "owner", "unit", "direction", "source", "formula", "frequency",
        "baseline", "baseline_date", "target", "target_date", "tolerance", "on_scorecard", "order",
    ]
    ordering = ["order", "number"]
    list_actions = [("kpi-scorecard", _("Scorecard"), "view"), ("kpi-history-xlsx", _("KPI history (XLSX)"), "view")]
    detail_extra_template = "governance/_kpi_detail.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .kpi_views import kpi_detail_context

        return kpi_detail_context(obj, access)


class KpiValueRegister(Register):
    model = KpiValue
    area = "governance"
    slug = "kpi-values"
    list_columns = ["kpi", "measured_on", "value", "origin", "note"]
    filter_fields = ["kpi", "origin"]
    search_fields = ["note", "kpi__name"]
    form_fields = ["kpi", "measured_on", "value", "note"]
    ordering = ["kpi", "-measured_on"]
    list_actions = [("kpi-scorecard", _("Scorecard"), "view"), ("kpi-history-xlsx", _("KPI history (XLSX)"), "view")]


class ReadinessQuestionRegister(Register):
    model = ReadinessQuestion
    area = "governance"
    slug = "readiness-questions"
    list_columns = ["dimension", "text", "active", "order"]
    filter_fields = ["dimension", "active"]
    search_fields = ["text", "text_zh_hans", "text_zh_hant"]
    form_fields = ["dimension", "text", "text_zh_hans", "text_zh_hant", "order", "active"]
    ordering = ["order", "pk"]
    list_actions = [("readiness-overview", _("Readiness over time"), "view")]
    # The "Add the standard questions" button posts to readiness-library (a link cannot POST).
    list_extra_template = "governance/_readiness_questions_extra.html"


class ReadinessSurveyRegister(Register):
    model = ReadinessSurvey
    area = "governance"
    slug = "readiness-surveys"
    list_columns = ["ref", "title", "status", "opens_on", "closes_on"]
    filter_fields = ["status"]
    search_fields = ["title", "note"]
    form_fields = ["title", "status", "opens_on", "closes_on", "note"]
    ordering = ["-opens_on", "-number"]
    importable = False
    list_actions = [("readiness-overview", _("Readiness over time"), "view")]
    detail_extra_template = "governance/_readiness_survey_links.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .choices import SurveyStatus

        return {
            "response_count": obj.responses.count(),
            "my_response": obj.responses.filter(respondent=access.user).first(),
            "survey_open": obj.status == SurveyStatus.OPEN,
        }


class BudgetRegister(Register):
    model = BudgetLine
    area = "governance"
    slug = "budget"
    list_columns = ["category", "description", "planned", "actual", "committed", "as_of"]
    filter_fields = ["category"]
    search_fields = ["description"]
    form_fields = ["category", "description", "planned", "actual", "committed", "as_of"]
    ordering = ["category", "description"]


REGISTERS = [
    StakeholderRegister,
    WorkstreamRegister,
    CommunicationRegister,
    CommunicationLogRegister,
    IssueRegister,
    EscalationRuleRegister,
    RiskRegister,
    DecisionRegister,
    ActionItemRegister,
    MeetingRegister,
    KpiRegister,
    KpiValueRegister,
    ReadinessQuestionRegister,
    ReadinessSurveyRegister,
    BudgetRegister,
]
