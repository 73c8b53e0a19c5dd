"""The evaluation registers, declared on the core register mechanism.

Scores, consensus scores, rounds and pairwise judgements are not registers: they change only
through the scoring pages and services.py, which keep scores blind while a round is open.
"""

from django.utils.translation import gettext_lazy as _

from projectcrm.core.registers import Register

from .choices import COMPETING
from .models import (
    Assignment,
    Candidate,
    Category,
    CostItem,
    Criterion,
    Evaluation,
    ReferenceCheck,
    TeamMember,
)


class EvaluationRegister(Register):
    model = Evaluation
    area = "evaluation"
    slug = "evaluations"
    list_columns = ["ref", "name", "subject", "lead", "stage", "status", "decision_date", "selected"]
    filter_fields = ["subject", "status", "stage", "lead"]
    search_fields = ["name", "description", "decision_rationale"]
    # The decision (selected, rationale, date) is recorded by the lead on the results page.
    form_fields = [
        "name", "subject", "description", "lead", "status", "stage", "long_list_date", "rfi_date", "short_list_date",
        "demos_date", "references_date", "decision_date", "weighting", "consensus_method", "disagreement_range",
        "close_call_margin", "cost_mode", "cost_weight", "horizon_years", "discount_rate", "users",
        "monte_carlo_spread",
    ]
    ordering = ["number"]
    detail_extra_template = "evaluation/_evaluation_hub.html"

    @classmethod
    def initial(cls, access):
        return {"lead": access.user.pk}

    @classmethod
    def detail_context(cls, obj, access):
        from .views import hub_context

        return hub_context(obj, access)


def competing(queryset, project):
    return queryset.filter(status__in=COMPETING)


class EvaluationChildRegister(Register):
    area = "evaluation"

    @classmethod
    def queryset(cls, project):
        return super().queryset(project).select_related("evaluation")


class CandidateRegister(EvaluationChildRegister):
    model = Candidate
    slug = "candidates"
    list_columns = ["name", "evaluation", "status", "licence_model", "contact_name", "readmitted"]
    filter_fields = ["evaluation", "status", "licence_model"]
    search_fields = ["name", "contact_name", "notes"]
    form_fields = [
        "evaluation", "name", "status", "contact_name", "contact_email", "contact_phone", "website", "notes",
        "documents", "licence_model", "price_per_user_year", "perpetual_fee", "maintenance_percent",
    ]
    ordering = ["evaluation", "name"]
    quick_filters = {"competing": (_("Competing"), competing)}
    detail_extra_template = "evaluation/_candidate_links.html"

    @classmethod
    def detail_context(cls, obj, access):
        return {
            "references": obj.references.all(),
            "costs": obj.costs.all(),
        }


class CategoryRegister(EvaluationChildRegister):
    model = Category
    slug = "categories"
    list_columns = ["name", "evaluation", "parent", "weight", "order"]
    filter_fields = ["evaluation", "parent"]
    search_fields = ["name", "description"]
    form_fields = ["evaluation", "parent", "name", "description", "weight", "order"]
    ordering = ["evaluation", "order", "name"]


class CriterionRegister(EvaluationChildRegister):
    model = Criterion
    slug = "criteria"
    list_columns = ["name", "evaluation", "category", "kind", "weight", "knockout", "scale_min", "scale_max"]
    filter_fields = ["evaluation", "category", "kind", "knockout"]
    search_fields = ["name", "description", "script", "anchors"]
    form_fields = [
        "evaluation", "category", "name", "kind", "description", "script", "knockout", "weight", "scale_min",
        "scale_max", "anchors", "order",
    ]
    ordering = ["evaluation", "category", "order", "name"]


class TeamRegister(EvaluationChildRegister):
    model = TeamMember
    slug = "team"
    list_columns = ["user", "evaluation", "note"]
    filter_fields = ["evaluation", "user"]
    search_fields = ["note", "user__username", "user__first_name", "user__last_name"]
    form_fields = ["evaluation", "user", "note"]
    ordering = ["evaluation", "user__username"]


class AssignmentRegister(EvaluationChildRegister):
    model = Assignment
    slug = "assignments"
    list_columns = ["member", "evaluation", "category", "criterion"]
    filter_fields = ["evaluation", "member"]
    search_fields = ["category__name", "criterion__name"]
    form_fields = ["evaluation", "member", "category", "criterion"]
    ordering = ["evaluation", "member"]


class CostRegister(EvaluationChildRegister):
    model = CostItem
    slug = "costs"
    list_columns = ["candidate", "evaluation", "category", "year", "every_year", "amount", "note"]
    filter_fields = ["evaluation", "candidate", "category"]
    search_fields = ["note", "candidate__name"]
    form_fields = ["evaluation", "candidate", "category", "year", "every_year", "amount", "note"]
    ordering = ["evaluation", "candidate", "year", "category"]


class ReferenceRegister(EvaluationChildRegister):
    model = ReferenceCheck
    slug = "references"
    list_columns = ["candidate", "company", "contact_name", "checked_on", "rating", "checked_by"]
    filter_fields = ["evaluation", "candidate", "rating"]
    search_fields = ["company", "contact_name", "questions", "answers"]
    form_fields = [
        "evaluation", "candidate", "contact_name", "company", "contact_role", "checked_on", "checked_by",
        "questions", "answers", "rating",
    ]
    ordering = ["evaluation", "candidate", "-checked_on"]

    @classmethod
    def initial(cls, access):
        return {"checked_by": access.user.pk}


REGISTERS = [
    EvaluationRegister,
    CandidateRegister,
    CategoryRegister,
    CriterionRegister,
    TeamRegister,
    AssignmentRegister,
    CostRegister,
    ReferenceRegister,
]
