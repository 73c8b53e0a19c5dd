"""Design area: business processes with their as-is and to-be maps (lanes, steps, flows), the gaps
between them, the business rules the CRM must enforce and the use cases that realise them.

A map is edited step by step in the browser (design/editor_views.py) or moved in and out as BPMN
2.0 XML (design/bpmn.py). Every row keeps its history; a step's `key` is its BPMN id, unique in its
map and kept when a map is copied, so an as-is step and its to-be successor can be matched.
Test cases name the use cases they prove by reference ("UC-003"); design/traceability.py resolves
those references to the use cases here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projectcrm.core.models import Numbered, ProjectScoped
from projectcrm.governance.choices import Priority

from .choices import (
    GapDecision,
    GapKind,
    MapKind,
    MapStatus,
    MoSCoW,
    Resolution,
    RuleStatus,
    RuleType,
    StepKind,
    UseCaseStatus,
)

USER = settings.AUTH_USER_MODEL

# Diagram geometry (pixels) shared by the SVG drawing, the editor and BPMN diagram interchange.
LANE_HEADER = 40        # width of a lane's name band on the left
DEFAULT_LANE_HEIGHT = 160
MIN_LANE_HEIGHT = 80
STEP_SIZES = {          # width, height
    StepKind.START: (36, 36), StepKind.END: (36, 36), StepKind.EVENT: (36, 36),
    StepKind.DECISION: (50, 50), StepKind.PARALLEL: (50, 50),
    StepKind.TASK: (120, 64), StepKind.SYSTEM: (120, 64), StepKind.HANDOFF: (120, 64),
}


class Process(Numbered, ProjectScoped):
    """A business process, e.g. lead capture and assignment, with its as-is and to-be maps."""

    REF_PREFIX = "PRC"

    name = models.CharField(_("name"), max_length=200)
    business_area = models.CharField(_("business area"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("process owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("business process")
        verbose_name_plural = _("business processes")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="process_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.name}"


class ProcessMap(Numbered, ProjectScoped):
    """One drawing of a process: how work is done today (as-is) or how it should be done (to-be)."""

    REF_PREFIX = "MAP"

    process = models.ForeignKey(Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="maps")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=MapKind, default=MapKind.AS_IS)
    status = models.CharField(_("status"), max_length=10, choices=MapStatus, default=MapStatus.DRAFT)
    description = models.TextField(_("description"), blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The map this one was copied from (a to-be map usually starts as a copy of the as-is)."),
    )

    class Meta:
        verbose_name = _("process map")
        verbose_name_plural = _("process maps")
        ordering = ["process__number", "kind", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="processmap_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def get_absolute_url(self):
        return reverse("design:maps-detail", kwargs={"project": self.project_id, "pk": self.pk})


class Lane(ProjectScoped):
    """A swimlane: a role or department, optionally one of the project's stakeholders."""

    map = models.ForeignKey(ProcessMap, verbose_name=_("process map"), on_delete=models.CASCADE, related_name="lanes")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    height = models.PositiveIntegerField(_("height"), default=DEFAULT_LANE_HEIGHT)
    key = models.CharField(_("BPMN id"), max_length=100)
    stakeholder = models.ForeignKey(
        "governance.Stakeholder", verbose_name=_("stakeholder"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("swimlane")
        verbose_name_plural = _("swimlanes")
        ordering = ["map", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["map", "key"], name="lane_unique_key")]

    def __str__(self):
        return self.name


class Step(Numbered, ProjectScoped):
    """A step of a map: an event, a task, a system action, a manual hand-off or a gateway."""

    REF_PREFIX = "STP"

    map = models.ForeignKey(ProcessMap, verbose_name=_("process map"), on_delete=models.CASCADE, related_name="steps")
    lane = models.ForeignKey(Lane, verbose_name=_("swimlane"), on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(_("BPMN id"), max_length=100)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind, default=StepKind.TASK)
    description = models.TextField(_("description"), blank=True)
    performer = models.CharField(_("performer"), max_length=120, blank=True)
    system = models.CharField(_("system used"), max_length=120, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    volume = models.PositiveIntegerField(_("volume per month"), null=True, blank=True)
    pain_points = models.JSONField(_("pain points"), default=list, blank=True)
    automated = models.BooleanField(_("automated in the to-be design"), default=False)
    # Centre of the shape: x from the end of the lane header, y from the top of its lane.
    x = models.IntegerField(_("x"), default=100)
    y = models.IntegerField(_("y"), default=DEFAULT_LANE_HEIGHT // 2)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["map", "x", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="step_unique_number"),
            models.UniqueConstraint(fields=["map", "key"], name="step_unique_key"),
        ]

    def __str__(self):
        return f"{self.ref} {self.name or self.get_kind_display()}"

    def clean(self):
        from .choices import PainPoint

        unknown = [p for p in self.pain_points or [] if p not in PainPoint.values]
        if unknown:
            raise ValidationError({"pain_points": _("Unknown pain point: %(value)s") % {"value": ", ".join(map(str, unknown))}})
        if self.lane_id and self.map_id and self.lane.map_id != self.map_id:
            raise ValidationError({"lane": _("The swimlane belongs to another map.")})

    def get_absolute_url(self):
        return reverse("design:map-editor", kwargs={"project": self.project_id, "pk": self.map_id}) + f"?step={self.pk}"


class Flow(ProjectScoped):
    """A sequence flow between two steps of one map, with the condition under which it is taken."""

    map = models.ForeignKey(ProcessMap, verbose_name=_("process map"), on_delete=models.CASCADE, related_name="flows")
    key = models.CharField(_("BPMN id"), max_length=100)
    source = models.ForeignKey(Step, verbose_name=_("from"), on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Step, verbose_name=_("to"), on_delete=models.CASCADE, related_name="incoming")
    condition = models.CharField(_("condition"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        ordering = ["map", "id"]
        constraints = [
            models.UniqueConstraint(fields=["map", "key"], name="flow_unique_key"),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="flow_not_to_itself",
                violation_error_message=_("A flow cannot lead from a step to itself."),
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.target}"


class Gap(Numbered, ProjectScoped):
    """A difference between how work is done and how it should be done, and what closes it."""

    REF_PREFIX = "GAP"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=GapKind, default=GapKind.OTHER)
    as_is_map = models.ForeignKey(ProcessMap, verbose_name=_("as-is map"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_be_map = models.ForeignKey(ProcessMap, verbose_name=_("to-be map"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    as_is_step = models.ForeignKey(Step, verbose_name=_("as-is step"), null=True, blank=True, on_delete=models.SET_NULL, related_name="gaps_as_is")
    to_be_step = models.ForeignKey(Step, verbose_name=_("to-be step"), null=True, blank=True, on_delete=models.SET_NULL, related_name="gaps_to_be")
    resolution = models.CharField(_("resolution type"), max_length=20, choices=Resolution, blank=True)
    effort_days = models.DecimalField(_("effort (person-days)"), max_digits=7, decimal_places=1, null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority, default=Priority.MEDIUM)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=GapDecision, default=GapDecision.OPEN)
    decision_notes = models.TextField(_("decision notes"), blank=True)
    deliverables = models.ManyToManyField(
        "roadmap.Task", verbose_name=_("roadmap deliverables"), blank=True, related_name="design_gaps",
    )

    class Meta:
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="gap_unique_number"),
            models.CheckConstraint(
                condition=Q(effort_days__isnull=True) | Q(effort_days__gte=0), name="gap_effort_not_negative",
                violation_error_message=_("The effort cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def clean(self):
        errors = {}
        for step_field, map_field in (("as_is_step", "as_is_map"), ("to_be_step", "to_be_map")):
            step_id, map_id = getattr(self, f"{step_field}_id"), getattr(self, f"{map_field}_id")
            if step_id and map_id and getattr(self, step_field).map_id != map_id:
                errors[step_field] = _("This step is not on the map chosen beside it.")
        if errors:
            raise ValidationError(errors)


class BusinessRule(Numbered, ProjectScoped):
    """A rule the CRM must enforce: assignment, escalation, alert, validation or calculation."""

    REF_PREFIX = "BR"

    name = models.CharField(_("name"), max_length=200)
    rule_type = models.CharField(_("type"), max_length=20, choices=RuleType, default=RuleType.VALIDATION)
    trigger = models.CharField(_("trigger"), max_length=300, blank=True)
    condition = models.TextField(_("condition"), blank=True)
    action = models.TextField(_("action"), blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_step = models.ForeignKey(
        Step, verbose_name=_("source process step"), null=True, blank=True, on_delete=models.SET_NULL, related_name="rules",
    )
    status = models.CharField(_("status"), max_length=12, choices=RuleStatus, default=RuleStatus.PROPOSED)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("business rule")
        verbose_name_plural = _("business rules")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="businessrule_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.name}"


class UseCase(Numbered, ProjectScoped):
    """What an actor does with the CRM to reach a goal, signed off by the business owner."""

    REF_PREFIX = "UC"

    title = models.CharField(_("title"), max_length=200)
    actor = models.CharField(_("actor"), max_length=120)
    goal = models.TextField(_("goal"), blank=True)
    preconditions = models.TextField(_("preconditions"), blank=True)
    trigger = models.CharField(_("trigger"), max_length=300, blank=True)
    main_flow = models.TextField(_("main flow"), blank=True, help_text=_("One step per line; they are numbered."))
    alternate_flows = models.TextField(_("alternate flows"), blank=True)
    exception_flows = models.TextField(_("exception flows"), blank=True)
    postconditions = models.TextField(_("postconditions"), blank=True)
    priority = models.CharField(_("priority (MoSCoW)"), max_length=10, choices=MoSCoW, default=MoSCoW.SHOULD)
    business_rules = models.ManyToManyField(BusinessRule, verbose_name=_("business rules used"), blank=True, related_name="use_cases")
    steps = models.ManyToManyField(Step, verbose_name=_("to-be steps"), blank=True, related_name="use_cases")
    gaps = models.ManyToManyField(Gap, verbose_name=_("gaps"), blank=True, related_name="use_cases")
    status = models.CharField(_("status"), max_length=10, choices=UseCaseStatus, default=UseCaseStatus.DRAFT)
    business_owner = models.ForeignKey(
        USER, verbose_name=_("business owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    signed_off_by = models.ForeignKey(
        USER, verbose_name=_("signed off by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("use case")
        verbose_name_plural = _("use cases")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="usecase_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def main_flow_steps(self) -> list[str]:
        return [line.strip() for line in self.main_flow.splitlines() if line.strip()]
