"""The testing registers, declared on the core register mechanism.

Cycles pick their cases and testers on the cycle's edit page (imports cannot set many-to-many
fields). A defect's status follows the workflow on the defect's page (services.change_defect_status),
so the register form does not offer it; escalation to the issue log is a button there too. UAT
sign-offs are made only on the cycle's page (services.sign_off_uat refuses while exit criteria fail)
and never change afterwards.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from projectcrm.core.registers import Register, WithoutManyToMany

from .models import (
    CutoverStep,
    Defect,
    Execution,
    FieldMapping,
    MigrationObject,
    MockRun,
    RehearsalTiming,
    RunObject,
    SourceSystem,
    TestCase,
    TestCycle,
    TestPlan,
    UatSignOff,
)


def ignoring(mapping: dict, labels) -> dict:
    """Accept read-only export columns (given as callables returning a label) on re-import: ignored."""
    for code in ("en", "zh-hans", "zh-hant"):
        with translation.override(code):
            for label in labels:
                mapping[str(label()).strip().casefold()] = "__ref__"
    return mapping


class PlanRegister(Register):
    model = TestPlan
    area = "testing"
    slug = "plans"
    list_columns = ["ref", "name", "plan_type", "status", "owner", "start", "end"]
    filter_fields = ["plan_type", "status", "owner"]
    search_fields = ["name", "scope", "approach"]
    form_fields = [
        "name", "plan_type", "status", "scope", "approach", "environments", "entry_criteria", "exit_criteria",
        "start", "end", "owner", "responsible",
    ]
    ordering = ["number"]


class CaseRegister(Register):
    model = TestCase
    area = "testing"
    slug = "cases"
    list_columns = ["ref", "title", "plan", "priority", "tags", "use_cases"]
    filter_fields = ["plan", "priority"]
    search_fields = ["title", "steps", "tags", "use_cases", "business_rules"]
    form_fields = ["title", "plan", "preconditions", "steps", "test_data", "priority", "tags", "use_cases", "business_rules"]
    ordering = ["number"]
    detail_extra_template = "testing/_case_detail.html"


class CycleRegister(WithoutManyToMany, Register):
    model = TestCycle
    area = "testing"
    slug = "cycles"
    list_columns = ["ref", "name", "plan", "business_area", "build", "environment", "start", "end", "status"]
    filter_fields = ["plan", "status"]
    search_fields = ["name", "business_area", "build", "environment"]
    form_fields = [
        "plan", "name", "business_area", "build", "environment", "start", "end", "status", "cases", "testers",
        "min_pass_rate", "max_open_critical", "max_open_major", "all_cases_executed",
    ]
    ordering = ["-number"]
    detail_extra_template = "testing/_cycle_detail.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .views import cycle_detail_context

        return cycle_detail_context(obj, access)

    # Cases and testers are picked on the cycle's edit page; exports list them for reading.
    @classmethod
    def export_headers(cls):
        extra = [str(cls.model._meta.get_field(name).verbose_name) for name in ("cases", "testers")]
        return super().export_headers() + [label[:1].upper() + label[1:] for label in extra]

    @classmethod
    def export_row(cls, obj):
        cases = ", ".join(case.ref for case in obj.cases.all())
        testers = ", ".join(user.username for user in obj.testers.all())
        return super().export_row(obj) + [cases, testers]

    @classmethod
    def header_map(cls):
        fields = [cls.model._meta.get_field(name) for name in ("cases", "testers")]
        return ignoring(super().header_map(), [lambda f=f: f.verbose_name for f in fields])


class ExecutionRegister(Register):
    model = Execution
    area = "testing"
    slug = "executions"
    list_columns = ["ref", "cycle", "case", "tester", "result", "executed_at", "build"]
    filter_fields = ["cycle", "case", "tester", "result"]
    search_fields = ["case__title", "actual_result", "step_results"]
    form_fields = [
        "cycle", "case", "tester", "result", "step_results", "actual_result", "executed_at", "build", "environment",
        "evidence_url",
    ]
    ordering = ["-number"]
    detail_extra_template = "testing/_execution_detail.html"

    @classmethod
    def initial(cls, access):
        return {"tester": access.user.pk}

    @classmethod
    def detail_context(cls, obj, access):
        from .views import execution_detail_context

        return execution_detail_context(obj, access)


class DefectRegister(Register):
    model = Defect
    area = "testing"
    slug = "defects"
    list_columns = ["ref", "title", "severity", "priority", "status", "assignee", "cycle", "issue"]
    filter_fields = ["severity", "priority", "status", "assignee", "cycle"]
    search_fields = ["title", "description", "use_cases"]
    form_fields = ["title", "description", "severity", "priority", "assignee", "cycle", "case", "execution", "step_number", "use_cases"]
    ordering = ["-number"]
    detail_extra_template = "testing/_defect_detail.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .views import defect_detail_context

        return defect_detail_context(obj, access)

    # The status travels in exports for reading; an import never moves a defect through its workflow.
    @classmethod
    def export_headers(cls):
        return super().export_headers() + [_("Status"), _("Escalated to issue")]

    @classmethod
    def export_row(cls, obj):
        return super().export_row(obj) + [obj.get_status_display(), obj.issue.ref if obj.issue_id else ""]

    @classmethod
    def header_map(cls):
        return ignoring(super().header_map(), [lambda: _("Status"), lambda: _("Escalated to issue")])


class UatSignOffRegister(Register):
    model = UatSignOff
    area = "testing"
    slug = "uat-sign-offs"
    list_columns = ["cycle", "business_area", "business_owner", "status", "signed_at", "conditions"]
    filter_fields = ["cycle", "status", "business_owner"]
    search_fields = ["business_area", "conditions"]
    form_fields = ["cycle", "business_area", "business_owner", "status", "conditions", "signed_at"]
    ordering = ["-signed_at"]
    importable = False
    creatable = False

    @classmethod
    def locked_reason(cls, obj):
        return _("A UAT sign-off is a record of the business owner's decision: it cannot be changed or deleted.")


class SourceSystemRegister(Register):
    model = SourceSystem
    area = "testing"
    slug = "source-systems"
    list_columns = ["ref", "name", "owner", "data_format", "record_count", "duplicate_rate", "missing_fields_rate", "outdated_rate", "quality"]
    filter_fields = ["quality", "owner"]
    search_fields = ["name", "objects_held", "assessment", "business_owner"]
    form_fields = [
        "name", "owner", "business_owner", "objects_held", "record_count", "data_format", "duplicate_rate",
        "missing_fields_rate", "outdated_rate", "quality", "assessment", "retire_after_go_live",
    ]
    ordering = ["number"]


class MigrationObjectRegister(WithoutManyToMany, Register):
    model = MigrationObject
    area = "testing"
    slug = "migration-objects"
    list_columns = ["sequence", "ref", "name", "source_system", "source_object", "target_object", "owner", "expected_records",
                    "max_rejected_rate", "min_reconciled_rate"]
    filter_fields = ["source_system", "owner"]
    search_fields = ["name", "source_object", "target_object", "notes"]
    form_fields = [
        "name", "source_system", "source_object", "target_object", "sequence", "depends_on", "owner", "expected_records",
        "max_rejected_rate", "min_reconciled_rate", "notes",
    ]
    ordering = ["sequence", "number"]


class FieldMappingRegister(Register):
    model = FieldMapping
    area = "testing"
    slug = "field-mappings"
    list_columns = ["migration_object", "source_field", "target_field", "transformation", "cleansing_rule", "lookup_table",
                    "default_value", "required", "owner"]
    filter_fields = ["migration_object", "required", "owner"]
    search_fields = ["source_field", "target_field", "transformation", "cleansing_rule", "lookup_table"]
    form_fields = [
        "migration_object", "source_field", "target_field", "transformation", "cleansing_rule", "lookup_table",
        "default_value", "required", "owner",
    ]
    ordering = ["migration_object__sequence", "migration_object__number", "target_field"]


class MockRunRegister(Register):
    model = MockRun
    area = "testing"
    slug = "mock-runs"
    list_columns = ["ref", "name", "run_date", "environment", "status", "duration_minutes", "is_rehearsal"]
    filter_fields = ["status", "is_rehearsal"]
    search_fields = ["name", "environment", "notes"]
    form_fields = ["name", "run_date", "environment", "status", "duration_minutes", "is_rehearsal", "notes"]
    ordering = ["-number"]
    detail_extra_template = "testing/_mock_run_detail.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .migration_views import mock_run_detail_context

        return mock_run_detail_context(obj, access)


class RunObjectRegister(WithoutManyToMany, Register):
    model = RunObject
    area = "testing"
    slug = "run-objects"
    list_columns = ["run", "migration_object", "extracted", "transformed", "loaded", "rejected", "reconciled_rate", "load_minutes"]
    filter_fields = ["run", "migration_object"]
    search_fields = ["errors", "notes"]
    form_fields = [
        "run", "migration_object", "extracted", "transformed", "loaded", "rejected", "errors", "reconciled_rate",
        "load_minutes", "defects", "notes",
    ]
    ordering = ["-run__number", "migration_object__sequence"]


class CutoverStepRegister(WithoutManyToMany, Register):
    model = CutoverStep
    area = "testing"
    slug = "cutover-steps"
    list_columns = ["sequence", "ref", "name", "stage", "owner", "planned_minutes", "migration_object"]
    filter_fields = ["stage", "owner"]
    search_fields = ["name", "instructions", "rollback"]
    form_fields = [
        "name", "stage", "sequence", "owner", "planned_minutes", "depends_on", "migration_object", "instructions", "rollback",
    ]
    ordering = ["sequence", "number"]


class RehearsalTimingRegister(Register):
    model = RehearsalTiming
    area = "testing"
    slug = "rehearsal-timings"
    list_columns = ["run", "step", "actual_minutes", "notes"]
    filter_fields = ["run", "step"]
    search_fields = ["notes", "step__name"]
    form_fields = ["run", "step", "actual_minutes", "notes"]
    ordering = ["-run__number", "step__sequence"]


REGISTERS = [
    PlanRegister, CaseRegister, CycleRegister, ExecutionRegister, DefectRegister, UatSignOffRegister,
    SourceSystemRegister, MigrationObjectRegister, FieldMappingRegister, MockRunRegister, RunObjectRegister,
    CutoverStepRegister, RehearsalTimingRegister,
]
