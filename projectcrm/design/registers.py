"""The design registers, declared on the core register mechanism.

Maps are drawn in the editor (editor_views) or imported from BPMN (bpmn_views); their lanes, steps
and flows are registers too, kept off the menu, so every step has a page, a history and can be
restored, but they are made only in the editor. A use case's status moves by the actions on its
page (usecase_views): only its business owner signs it off, and a signed-off use case must be
reopened before it is changed.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projectcrm.core.registers import Register, WithoutManyToMany

from .choices import UseCaseStatus
from .models import BusinessRule, Flow, Gap, Lane, Process, ProcessMap, Step, UseCase


class ProcessRegister(Register):
    model = Process
    area = "design"
    slug = "processes"
    list_columns = ["ref", "name", "business_area", "owner"]
    filter_fields = ["owner"]
    search_fields = ["name", "business_area", "description"]
    form_fields = ["name", "business_area", "description", "owner"]
    ordering = ["number"]
    detail_extra_template = "design/_process_detail.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .gap_views import process_detail_context

        return process_detail_context(obj, access)


class MapRegister(Register):
    model = ProcessMap
    area = "design"
    slug = "maps"
    list_columns = ["ref", "name", "process", "kind", "status", "based_on"]
    filter_fields = ["process", "kind", "status"]
    search_fields = ["name", "description"]
    form_fields = ["process", "name", "kind", "status", "description", "based_on"]
    ordering = ["process__number", "kind", "number"]
    detail_extra_template = "design/_map_detail.html"
    list_actions = [
        ("bpmn-import", gettext_lazy("Import BPMN"), "change"),
        ("gap-analysis", gettext_lazy("Gap analysis"), "view"),
    ]

    @classmethod
    def detail_context(cls, obj, access):
        from .editor_views import map_detail_context

        return map_detail_context(obj, access)


class LaneRegister(Register):
    model = Lane
    area = "design"
    slug = "lanes"
    list_columns = ["name", "map", "position", "stakeholder"]
    filter_fields = ["map"]
    search_fields = ["name"]
    form_fields = ["name", "stakeholder"]
    ordering = ["map", "position"]
    importable = False
    creatable = False


class StepRegister(Register):
    model = Step
    area = "design"
    slug = "steps"
    list_columns = ["ref", "name", "map", "lane", "kind", "performer", "system", "duration_minutes", "automated"]
    filter_fields = ["map", "kind", "automated"]
    search_fields = ["name", "description", "performer", "system"]
    form_fields = ["name", "kind", "description", "performer", "system", "duration_minutes", "volume", "automated"]
    ordering = ["map", "x", "number"]
    importable = False
    creatable = False


class FlowRegister(Register):
    model = Flow
    area = "design"
    slug = "flows"
    list_columns = ["map", "source", "target", "condition"]
    filter_fields = ["map"]
    search_fields = ["condition"]
    form_fields = ["condition"]
    ordering = ["map", "id"]
    importable = False
    creatable = False


class GapRegister(WithoutManyToMany, Register):
    model = Gap
    area = "design"
    slug = "gaps"
    list_columns = ["ref", "title", "kind", "resolution", "effort_days", "priority", "owner", "decision"]
    filter_fields = ["kind", "resolution", "priority", "decision", "owner", "to_be_map"]
    search_fields = ["title", "description", "decision_notes"]
    form_fields = [
        "title", "description", "kind", "as_is_map", "to_be_map", "as_is_step", "to_be_step", "resolution",
        "effort_days", "priority", "owner", "decision", "decision_notes", "deliverables",
    ]
    ordering = ["number"]
    detail_extra_template = "design/_gap_detail.html"
    list_actions = [("gap-analysis", gettext_lazy("Gap analysis"), "view")]

    @classmethod
    def detail_context(cls, obj, access):
        from .gap_views import gap_detail_context

        return gap_detail_context(obj, access)


class RuleRegister(Register):
    model = BusinessRule
    area = "design"
    slug = "rules"
    list_columns = ["ref", "name", "rule_type", "trigger", "owner", "source_step", "status"]
    filter_fields = ["rule_type", "status", "owner"]
    search_fields = ["name", "trigger", "condition", "action", "notes"]
    form_fields = ["name", "rule_type", "trigger", "condition", "action", "owner", "source_step", "status", "notes"]
    ordering = ["number"]


class UseCaseRegister(WithoutManyToMany, Register):
    model = UseCase
    area = "design"
    slug = "use-cases"
    list_columns = ["ref", "title", "actor", "priority", "status", "business_owner", "signed_off_at"]
    filter_fields = ["priority", "status", "business_owner"]
    search_fields = ["title", "actor", "goal", "main_flow"]
    form_fields = [
        "title", "actor", "goal", "preconditions", "trigger", "main_flow", "alternate_flows", "exception_flows",
        "postconditions", "priority", "business_rules", "steps", "gaps", "business_owner",
    ]
    ordering = ["number"]
    detail_extra_template = "design/_usecase_detail.html"
    list_actions = [
        ("spec", gettext_lazy("Functional specification"), "view"),
        ("traceability", gettext_lazy("Traceability"), "view"),
    ]

    @classmethod
    def detail_context(cls, obj, access):
        from .usecase_views import usecase_detail_context

        return usecase_detail_context(obj, access)

    @classmethod
    def locked_reason(cls, obj):
        if obj.status == UseCaseStatus.APPROVED:
            return _("This use case is signed off by its business owner: reopen it before changing it.")
        return None


REGISTERS = [
    ProcessRegister, MapRegister, GapRegister, RuleRegister, UseCaseRegister, LaneRegister, StepRegister, FlowRegister,
]
