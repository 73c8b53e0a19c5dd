"""Testing area: test plans, reusable test cases, test cycles with their executions, defects and
UAT sign-offs.

A test case has a home plan but is reusable: a cycle picks the cases it runs (from any plan).
Evidence (screenshots) is recorded as links (`Execution.evidence_url`) to where the files are kept;
file uploads are not handled here.
"""

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
    CycleStatus,
    DefectStatus,
    PlanStatus,
    PlanType,
    Result,
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
        _("evidence"), max_length=500, blank=True, help_text=_("Link to the screenshots or files (uploads are not kept here)."),
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
