"""Testing area: test plans, reusable test cases, test cycles with their executions, defects and
UAT sign-offs.

A test case has a home plan but is reusable: a cycle picks the cases it runs (from any plan).
Evidence (screenshots) is uploaded to an execution (`ExecutionEvidence`, served only to members who
may view testing) or linked (`Execution.evidence_url`).

Data migration: source systems, the objects to migrate (order, dependencies, thresholds) with their
field mappings, numbered mock runs with per-object counts, reconciliations of a run's source and
target extracts (testing/reconcile.py, run as a background task), and the cutover runbook with the
timings each rehearsal measured.
"""

import decimal
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projectcrm.core.models import Numbered, ProjectScoped
from projectcrm.governance.choices import Priority

from . import steps as step_text
from .choices import (
    DEFECT_DONE,
    CutoverStage,
    CycleStatus,
    DataQuality,
    DefectStatus,
    PlanStatus,
    PlanType,
    ReconciliationStatus,
    Result,
    RunStatus,
    Severity,
    SignOffStatus,
)

USER = settings.AUTH_USER_MODEL


def dates_in_order(prefix):
    return models.CheckConstraint(
        condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=F("start")),
        name=f"{prefix}_end_after_start",
        violation_error_message=_("The end date cannot be before the start date."),
    )


class TestPlan(Numbered, ProjectScoped):
    __test__ = False  # not a pytest test class
    REF_PREFIX = "TP"

    name = models.CharField(_("name"), max_length=200)
    plan_type = models.CharField(_("type"), max_length=20, choices=PlanType, default=PlanType.FUNCTIONAL)
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus, default=PlanStatus.DRAFT)
    scope = models.TextField(_("scope"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    environments = models.TextField(_("environments"), blank=True)
    entry_criteria = models.TextField(_("entry criteria"), blank=True)
    exit_criteria = models.TextField(
        _("exit criteria"), blank=True,
        help_text=_("In words; each cycle holds the measured thresholds (pass rate, open defects)."),
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    responsible = models.TextField(_("responsible people"), blank=True)

    class Meta:
        verbose_name = _("test plan")
        verbose_name_plural = _("test plans")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="testplan_unique_number"),
            dates_in_order("testplan"),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def get_absolute_url(self):
        return reverse("testing:plans-detail", kwargs={"project": self.project_id, "pk": self.pk})


class TestCase(Numbered, ProjectScoped):
    __test__ = False
    REF_PREFIX = "TC"

    title = models.CharField(_("title"), max_length=200)
    plan = models.ForeignKey(
        TestPlan, verbose_name=_("home plan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    preconditions = models.TextField(_("preconditions"), blank=True)
    steps = models.TextField(
        _("steps"), help_text=_("One step per line: action | expected result.")
    )
    test_data = models.TextField(_("test data"), blank=True)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority, default=Priority.MEDIUM)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Separated by commas."))
    use_cases = models.CharField(_("use cases"), max_length=300, blank=True)
    business_rules = models.CharField(_("business rules"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="testcase_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def clean(self):
        if not step_text.parse_steps(self.steps):
            raise ValidationError({"steps": _("Write at least one step (action | expected result).")})

    def compute(self):
        self.tags = ", ".join(tag.strip() for tag in self.tags.split(",") if tag.strip())

    def get_absolute_url(self):
        return reverse("testing:cases-detail", kwargs={"project": self.project_id, "pk": self.pk})

    @property
    def step_list(self):
        return step_text.parse_steps(self.steps)

    @property
    def tag_list(self):
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class TestCycle(Numbered, ProjectScoped):
    __test__ = False
    REF_PREFIX = "CYC"

    plan = models.ForeignKey(TestPlan, verbose_name=_("test plan"), on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(_("name"), max_length=200)
    business_area = models.CharField(_("business area"), max_length=120, blank=True)
    build = models.CharField(_("build"), max_length=120, blank=True)
    environment = models.CharField(_("environment"), max_length=120, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CycleStatus, default=CycleStatus.PLANNED)
    cases = models.ManyToManyField(TestCase, verbose_name=_("test cases"), blank=True, related_name="cycles")
    testers = models.ManyToManyField(USER, verbose_name=_("testers"), blank=True, related_name="+")
    # Exit criteria, measured (testing/exit_criteria.py).
    min_pass_rate = models.PositiveSmallIntegerField(
        _("minimum pass rate (%)"), default=95,
        help_text=_("Passed (with or without remarks) as a share of the executed cases."),
    )
    max_open_critical = models.PositiveSmallIntegerField(_("most open severity-1 defects"), default=0)
    max_open_major = models.PositiveSmallIntegerField(_("most open severity-2 defects"), default=0)
    all_cases_executed = models.BooleanField(_("every case must be executed"), default=True)

    class Meta:
        verbose_name = _("test cycle")
        verbose_name_plural = _("test cycles")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="testcycle_unique_number"),
            dates_in_order("testcycle"),
            models.CheckConstraint(
                condition=Q(min_pass_rate__lte=100),
                name="testcycle_pass_rate_percent",
                violation_error_message=_("The minimum pass rate is a percentage: at most 100."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def get_absolute_url(self):
        return reverse("testing:cycles-detail", kwargs={"project": self.project_id, "pk": self.pk})


class Execution(Numbered, ProjectScoped):
    REF_PREFIX = "EX"

    cycle = models.ForeignKey(TestCycle, verbose_name=_("test cycle"), on_delete=models.CASCADE, related_name="executions")
    case = models.ForeignKey(TestCase, verbose_name=_("test case"), on_delete=models.CASCADE, related_name="executions")
    tester = models.ForeignKey(USER, verbose_name=_("tester"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.CharField(_("result"), max_length=20, choices=Result, default=Result.NOT_RUN)
    step_results = models.TextField(
        _("step results"), blank=True,
        help_text=_("One line per step: step number | result | actual result."),
    )
    actual_result = models.TextField(_("actual result"), blank=True)
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    build = models.CharField(_("build"), max_length=120, blank=True)
    environment = models.CharField(_("environment"), max_length=120, blank=True)
    evidence_url = models.URLField(
        _("evidence"), max_length=500, blank=True, help_text=_("A link to evidence kept elsewhere; files are uploaded on the execution's page."),
    )

    class Meta:
        verbose_name = _("test execution")
        verbose_name_plural = _("test executions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="execution_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.case.title if self.case_id else ''}".strip()

    def clean(self):
        errors = {}
        _results, problems = step_text.parse_step_results(self.step_results)
        if problems:
            errors["step_results"] = problems
        if self.cycle_id and self.case_id and self.cycle.pk and self.cycle.cases.exists() and not self.cycle.cases.filter(
            pk=self.case_id
        ).exists():
            errors["case"] = _("This case is not one of the cycle's cases: add it to the cycle first.")
        if errors:
            raise ValidationError(errors)

    def compute(self):
        if self.result != Result.NOT_RUN and self.executed_at is None:
            self.executed_at = timezone.now()
        if self.cycle_id:
            self.build = self.build or self.cycle.build
            self.environment = self.environment or self.cycle.environment

    def get_absolute_url(self):
        return reverse("testing:executions-detail", kwargs={"project": self.project_id, "pk": self.pk})


class Defect(Numbered, ProjectScoped):
    REF_PREFIX = "DEF"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity, default=Severity.MINOR)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=DefectStatus, default=DefectStatus.NEW)
    assignee = models.ForeignKey(USER, verbose_name=_("assignee"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_by = models.ForeignKey(USER, verbose_name=_("raised by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cycle = models.ForeignKey(TestCycle, verbose_name=_("test cycle"), null=True, blank=True, on_delete=models.SET_NULL, related_name="defects")
    case = models.ForeignKey(TestCase, verbose_name=_("test case"), null=True, blank=True, on_delete=models.SET_NULL, related_name="defects")
    execution = models.ForeignKey(
        Execution, verbose_name=_("execution"), null=True, blank=True, on_delete=models.SET_NULL, related_name="defects"
    )
    step_number = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    use_cases = models.CharField(_("use cases"), max_length=300, blank=True)
    issue = models.ForeignKey(
        "governance.Issue", verbose_name=_("escalated to issue"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("defect")
        verbose_name_plural = _("defects")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="defect_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def get_absolute_url(self):
        return reverse("testing:defects-detail", kwargs={"project": self.project_id, "pk": self.pk})

    @property
    def is_open(self):
        return self.status not in DEFECT_DONE


class UatSignOff(ProjectScoped):
    """The business owner's UAT sign-off of a cycle for one business area (made by services.sign_off_uat)."""

    cycle = models.ForeignKey(TestCycle, verbose_name=_("test cycle"), on_delete=models.CASCADE, related_name="sign_offs")
    business_area = models.CharField(_("business area"), max_length=120)
    business_owner = models.ForeignKey(USER, verbose_name=_("business owner"), null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("decision"), max_length=20, choices=SignOffStatus, default=SignOffStatus.SIGNED)
    conditions = models.TextField(_("conditions"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    criteria = models.JSONField(_("exit criteria at sign-off"), default=list, blank=True)

    class Meta:
        verbose_name = _("UAT sign-off")
        verbose_name_plural = _("UAT sign-offs")
        ordering = ["-signed_at"]

    def __str__(self):
        return f"{self.cycle.ref} {self.business_area}: {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("testing:uat-sign-offs-detail", kwargs={"project": self.project_id, "pk": self.pk})


def evidence_path(instance, filename):
    return f"testing/{instance.project_id}/evidence/{uuid.uuid4().hex}/{filename}"


def extract_path(instance, filename):
    return f"testing/{instance.project_id}/extracts/{uuid.uuid4().hex}/{filename}"


class ExecutionEvidence(ProjectScoped):
    """A file (screenshot, log, exported page) attached to an execution; served only through the app."""

    execution = models.ForeignKey(Execution, verbose_name=_("execution"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    step_number = models.PositiveSmallIntegerField(_("step"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(USER, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["created"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.execution.get_absolute_url() + "#evidence"


# --- Data migration --------------------------------------------------------------------------


def percent_checks(prefix, *names):
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0, f"{name}__lte": 100}),
            name=f"{prefix}_{name}_percent",
            violation_error_message=_("A rate is a percentage between 0 and 100."),
        )
        for name in names
    ]


class SourceSystem(Numbered, ProjectScoped):
    """A system (or spreadsheet collection) data comes from, with its data-quality assessment."""

    REF_PREFIX = "SRC"

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    business_owner = models.CharField(_("business owner"), max_length=200, blank=True)
    objects_held = models.TextField(_("objects held"), blank=True, help_text=_("For example: customers, contacts, orders."))
    record_count = models.PositiveBigIntegerField(_("record count"), null=True, blank=True)
    data_format = models.CharField(_("format"), max_length=120, blank=True, help_text=_("For example: XLSX files, SQL Server 2012, CSV export."))
    duplicate_rate = models.DecimalField(_("duplicates (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    missing_fields_rate = models.DecimalField(_("missing key fields (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    outdated_rate = models.DecimalField(_("outdated records (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    quality = models.CharField(_("data quality"), max_length=20, choices=DataQuality, default=DataQuality.UNKNOWN)
    assessment = models.TextField(_("assessment notes"), blank=True)
    retire_after_go_live = models.BooleanField(_("retired after go-live"), default=True)

    class Meta:
        verbose_name = _("source system")
        verbose_name_plural = _("source systems")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="sourcesystem_unique_number"),
            *percent_checks("sourcesystem", "duplicate_rate", "missing_fields_rate", "outdated_rate"),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def get_absolute_url(self):
        return reverse("testing:source-systems-detail", kwargs={"project": self.project_id, "pk": self.pk})


class MigrationObject(Numbered, ProjectScoped):
    """One kind of record to migrate (accounts, contacts, price lists...), in the migration order."""

    REF_PREFIX = "OBJ"

    name = models.CharField(_("name"), max_length=200)
    source_system = models.ForeignKey(
        SourceSystem, verbose_name=_("source system"), null=True, blank=True, on_delete=models.SET_NULL, related_name="migration_objects"
    )
    source_object = models.CharField(_("source object"), max_length=200, blank=True, help_text=_("Table, sheet or file in the source."))
    target_object = models.CharField(_("target object"), max_length=200, help_text=_("The CRM entity it becomes."))
    sequence = models.PositiveSmallIntegerField(_("migration order"), default=10)
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("loaded after"), symmetrical=False, blank=True, related_name="needed_by"
    )
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expected_records = models.PositiveBigIntegerField(_("expected records"), null=True, blank=True)
    max_rejected_rate = models.DecimalField(
        _("most rejected (%)"), max_digits=5, decimal_places=2, default=decimal.Decimal("0.50"),
        help_text=_("A run passes for this object when at most this share of the extracted records is rejected."),
    )
    min_reconciled_rate = models.DecimalField(
        _("least reconciled (%)"), max_digits=5, decimal_places=2, default=decimal.Decimal("100.00"),
        help_text=_("Share of the source records found equal in the target by the run's reconciliation."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("migration object")
        verbose_name_plural = _("migration objects")
        ordering = ["sequence", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="migrationobject_unique_number"),
            *percent_checks("migrationobject", "max_rejected_rate", "min_reconciled_rate"),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def get_absolute_url(self):
        return reverse("testing:migration-objects-detail", kwargs={"project": self.project_id, "pk": self.pk})


class FieldMapping(ProjectScoped):
    """Source field -> target field of a migration object, with its transformation and cleansing."""

    migration_object = models.ForeignKey(
        MigrationObject, verbose_name=_("migration object"), on_delete=models.CASCADE, related_name="field_mappings"
    )
    source_field = models.CharField(_("source field"), max_length=200, blank=True, help_text=_("Empty when the target gets a default value."))
    target_field = models.CharField(_("target field"), max_length=200)
    transformation = models.TextField(_("transformation"), blank=True)
    cleansing_rule = models.TextField(_("cleansing rule"), blank=True)
    lookup_table = models.CharField(_("lookup table"), max_length=200, blank=True)
    default_value = models.CharField(_("default value"), max_length=200, blank=True)
    required = models.BooleanField(_("required in the target"), default=False)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("field mapping")
        verbose_name_plural = _("field mappings")
        ordering = ["migration_object__sequence", "migration_object__number", "target_field"]

    def __str__(self):
        return f"{self.source_field or '—'} → {self.target_field}"

    def clean(self):
        if not self.source_field and not self.default_value:
            raise ValidationError({"default_value": _("Give the source field or a default value for the target field.")})

    def get_absolute_url(self):
        return reverse("testing:field-mappings-detail", kwargs={"project": self.project_id, "pk": self.pk})


class MockRun(Numbered, ProjectScoped):
    """A numbered trial migration (or the cutover's dress rehearsal) into a test environment."""

    REF_PREFIX = "RUN"

    name = models.CharField(_("name"), max_length=200, blank=True)
    run_date = models.DateField(_("date"))
    environment = models.CharField(_("environment"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RunStatus, default=RunStatus.PLANNED)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    is_rehearsal = models.BooleanField(
        _("cutover rehearsal"), default=False, help_text=_("The run rehearsed the cutover runbook; record each step's timing."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("mock migration run")
        verbose_name_plural = _("mock migration runs")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="mockrun_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.name}".strip()

    def get_absolute_url(self):
        return reverse("testing:mock-runs-detail", kwargs={"project": self.project_id, "pk": self.pk})


class RunObject(ProjectScoped):
    """The counts of one object in one mock run."""

    run = models.ForeignKey(MockRun, verbose_name=_("mock run"), on_delete=models.CASCADE, related_name="object_results")
    migration_object = models.ForeignKey(
        MigrationObject, verbose_name=_("migration object"), on_delete=models.CASCADE, related_name="run_results"
    )
    extracted = models.PositiveBigIntegerField(_("extracted"), default=0)
    transformed = models.PositiveBigIntegerField(_("transformed"), default=0)
    loaded = models.PositiveBigIntegerField(_("loaded"), default=0)
    rejected = models.PositiveBigIntegerField(_("rejected"), default=0)
    errors = models.TextField(
        _("errors by category"), blank=True, help_text=_("One line per category: category: count (for example: missing mandatory field: 12)."),
    )
    reconciled_rate = models.DecimalField(
        _("reconciled (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        help_text=_("Filled in by the run's reconciliation of this object; enter it when reconciled elsewhere."),
    )
    load_minutes = models.PositiveIntegerField(_("load time (minutes)"), null=True, blank=True)
    defects = models.ManyToManyField(Defect, verbose_name=_("defects raised"), blank=True, related_name="run_objects")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("mock run object")
        verbose_name_plural = _("mock run objects")
        ordering = ["run__number", "migration_object__sequence", "migration_object__number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "migration_object"], name="runobject_unique_object"),
            *percent_checks("runobject", "reconciled_rate"),
        ]

    def __str__(self):
        return f"{self.run.ref} {self.migration_object.name}"

    def clean(self):
        errors = {}
        if self.transformed > self.extracted:
            errors["transformed"] = _("More records transformed than extracted.")
        if self.loaded + self.rejected > self.extracted:
            errors["rejected"] = _("Loaded and rejected records together exceed the extracted ones.")
        from .migration_counts import parse_errors

        _categories, problems = parse_errors(self.errors)
        if problems:
            errors["errors"] = problems
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("testing:run-objects-detail", kwargs={"project": self.project_id, "pk": self.pk})

    @property
    def rejected_rate(self) -> float | None:
        """Rejected records as a percentage of the extracted ones."""
        return 100 * self.rejected / self.extracted if self.extracted else None


class Reconciliation(ProjectScoped):
    """A comparison of a run's source and target extracts (testing/reconcile.py), run in the background."""

    run = models.ForeignKey(MockRun, verbose_name=_("mock run"), on_delete=models.CASCADE, related_name="reconciliations")
    migration_object = models.ForeignKey(
        MigrationObject, verbose_name=_("migration object"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reconciliations"
    )
    source_file = models.FileField(_("source extract"), upload_to=extract_path, max_length=300)
    target_file = models.FileField(_("target extract"), upload_to=extract_path, max_length=300)
    source_name = models.CharField(_("source file"), max_length=200)
    target_name = models.CharField(_("target file"), max_length=200)
    keys = models.CharField(_("key columns"), max_length=300, help_text=_("Source column names, separated by commas."))
    mapping = models.TextField(
        _("column mapping"), blank=True, help_text=_("One line per column named differently: source column = target column."),
    )
    transforms = models.CharField(_("transformations"), max_length=100, blank=True, default="number,date")
    tolerance = models.DecimalField(_("numeric tolerance"), max_digits=12, decimal_places=6, default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    day_first = models.BooleanField(_("dates are day first"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=ReconciliationStatus, default=ReconciliationStatus.DRAFT)
    progress = models.FloatField(_("progress"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(USER, verbose_name=_("requested by"), null=True, on_delete=models.SET_NULL, related_name="+")
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.run.ref} {self.source_name} ↔ {self.target_name}"

    def get_absolute_url(self):
        return reverse("testing:reconciliation", kwargs={"project": self.project_id, "pk": self.pk})

    @property
    def is_running(self):
        return self.status in (ReconciliationStatus.QUEUED, ReconciliationStatus.RUNNING)

    @property
    def reconciled_rate(self) -> float | None:
        """Source rows found in the target with every compared column equal, as a percentage."""
        if not self.result or not self.result.get("source_rows"):
            return None
        return 100 * self.result.get("matched_equal", 0) / self.result["source_rows"]


class CutoverStep(Numbered, ProjectScoped):
    """A step of the cutover runbook: who does what, how long it should take, after which steps."""

    REF_PREFIX = "CUT"

    name = models.CharField(_("step"), max_length=200)
    stage = models.CharField(_("stage"), max_length=20, choices=CutoverStage, default=CutoverStage.MIGRATION)
    sequence = models.PositiveSmallIntegerField(_("order"), default=10)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    planned_minutes = models.PositiveIntegerField(_("planned duration (minutes)"))
    depends_on = models.ManyToManyField("self", verbose_name=_("after"), symmetrical=False, blank=True, related_name="followed_by")
    migration_object = models.ForeignKey(
        MigrationObject, verbose_name=_("loads object"), null=True, blank=True, on_delete=models.SET_NULL, related_name="cutover_steps"
    )
    instructions = models.TextField(_("instructions"), blank=True)
    rollback = models.TextField(_("rollback"), blank=True)

    class Meta:
        verbose_name = _("cutover step")
        verbose_name_plural = _("cutover steps")
        ordering = ["sequence", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="cutoverstep_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def get_absolute_url(self):
        return reverse("testing:cutover-steps-detail", kwargs={"project": self.project_id, "pk": self.pk})


class RehearsalTiming(ProjectScoped):
    """How long a cutover step took in a rehearsal (a mock run)."""

    run = models.ForeignKey(MockRun, verbose_name=_("mock run"), on_delete=models.CASCADE, related_name="timings")
    step = models.ForeignKey(CutoverStep, verbose_name=_("cutover step"), on_delete=models.CASCADE, related_name="timings")
    actual_minutes = models.PositiveIntegerField(_("actual duration (minutes)"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rehearsal timing")
        verbose_name_plural = _("rehearsal timings")
        ordering = ["run__number", "step__sequence", "step__number"]
        constraints = [models.UniqueConstraint(fields=["run", "step"], name="rehearsaltiming_unique_step")]

    def __str__(self):
        return f"{self.run.ref} {self.step.name}: {self.actual_minutes}"

    def get_absolute_url(self):
        return reverse("testing:rehearsal-timings-detail", kwargs={"project": self.project_id, "pk": self.pk})
