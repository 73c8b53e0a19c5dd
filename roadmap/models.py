"""The roadmap: releases run through phases of tasks, deliverables and milestones; dependencies,
baselines, phase gates with evidence and votes, and change requests."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projectcrm.core.models import Numbered, ProjectScoped
from projectcrm.governance.choices import Priority

from .choices import (
    TASK_FINISHED,
    ChangeStatus,
    CriterionKind,
    GateRule,
    GateStatus,
    ItemKind,
    Rag,
    ReleaseKind,
    ReleaseStatus,
    TaskStatus,
    Vote,
)

USER = settings.AUTH_USER_MODEL


class Release(Numbered, ProjectScoped):
    """A slice of the CRM vision: a pilot first, then waves by department or capability."""

    REF_PREFIX = "REL"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ReleaseKind, default=ReleaseKind.WAVE)
    scope = models.TextField(_("scope"), blank=True)
    business_goals = models.TextField(_("business goals"), blank=True)
    start_date = models.DateField(_("start date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=20, choices=ReleaseStatus, default=ReleaseStatus.PLANNED)
    methodology = models.CharField(_("methodology"), max_length=50, blank=True, editable=False)
    rag_override = models.CharField(_("RAG override"), max_length=10, choices=Rag, blank=True)
    rag_reason = models.TextField(_("reason for the RAG override"), blank=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["start_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="release_unique_number"),
            models.CheckConstraint(
                condition=Q(rag_override="") | ~Q(rag_reason=""),
                name="release_rag_override_needs_reason",
                violation_error_message=_("Give the reason when you override the computed RAG status."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"


class Phase(ProjectScoped):
    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    rag_override = models.CharField(_("RAG override"), max_length=10, choices=Rag, blank=True)
    rag_reason = models.TextField(_("reason for the RAG override"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["release", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rag_override="") | ~Q(rag_reason=""),
                name="phase_rag_override_needs_reason",
                violation_error_message=_("Give the reason when you override the computed RAG status."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.pk and self.release_id:
            before = Phase.objects.filter(pk=self.pk).values_list("release_id", flat=True).first()
            if before is not None and before != self.release_id and self.tasks.exists():
                raise ValidationError(
                    {"release": _("A phase with tasks stays in its release; create a phase in the other release instead.")}
                )


class Task(Numbered, ProjectScoped):
    """A deliverable, task or milestone of a phase."""

    REF_PREFIX = "T"

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind, default=ItemKind.TASK)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner_stakeholder = models.ForeignKey(
        "governance.Stakeholder", verbose_name=_("owner (stakeholder)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    planned_start = models.DateField(_("planned start"))
    # Set when someone moves the task by hand: scheduling from the links never starts it earlier.
    start_no_earlier_than = models.DateField(_("start no earlier than"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("duration (working days)"), default=1)
    planned_finish = models.DateField(_("planned finish"), editable=False)
    effort_hours = models.DecimalField(_("effort (hours)"), max_digits=8, decimal_places=1, null=True, blank=True)
    # xgettext:no-python-format
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), default=0)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus, default=TaskStatus.NOT_STARTED)
    evidence = models.URLField(_("evidence link"), blank=True, max_length=500)
    order = models.PositiveIntegerField(_("order"), default=0)
    template_key = models.CharField(max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks and deliverables")
        ordering = ["planned_start", "order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="task_unique_number"),
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100),
                name="task_percent_at_most_100",
                violation_error_message=_("Percent complete is between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(actual_finish__isnull=True) | Q(actual_start__isnull=True) | Q(actual_finish__gte=F("actual_start")),
                name="task_actual_finish_after_start",
                violation_error_message=_("The actual finish cannot be before the actual start."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == ItemKind.MILESTONE and self.duration:
            raise ValidationError({"duration": _("A milestone takes no time: set its duration to 0.")})
        if self.kind != ItemKind.MILESTONE and not self.duration:
            raise ValidationError({"duration": _("Only milestones have a duration of 0.")})
        if self.phase_id and self.release_id and self.phase.release_id != self.release_id:
            raise ValidationError({"phase": _("This phase belongs to another release.")})
        if self.pk and self.release_id:
            before = Task.objects.filter(pk=self.pk).values_list("release_id", flat=True).first()
            if before is not None and before != self.release_id and (
                self.predecessor_links.exists() or self.successor_links.exists()
            ):
                raise ValidationError(
                    {"release": _("Remove this task's dependencies before moving it to another release.")}
                )

    def compute(self):
        from . import schedule

        # Dates are working days; the finish is inclusive (a 5-day task from Monday ends Friday).
        start = schedule.roll_forward(self.planned_start)
        self.planned_start = start
        self.planned_finish = start if self.duration == 0 else schedule.add_workdays(start, self.duration - 1)
        if self.status in TASK_FINISHED:
            self.percent_complete = 100
            self.actual_finish = self.actual_finish or timezone.localdate()

    @property
    def is_overdue(self) -> bool:
        return self.status not in TASK_FINISHED and self.planned_finish < timezone.localdate()


class Dependency(ProjectScoped):
    """Finish-to-start link: the successor starts after the predecessor finishes, plus a lag."""

    predecessor = models.ForeignKey(Task, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="predecessor_links")
    lag = models.IntegerField(_("lag (working days)"), default=0, help_text=_("Negative for a lead (overlap)."))

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="dependency_once",
                violation_error_message=_("These two tasks are already linked."),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")),
                name="dependency_not_to_itself",
                violation_error_message=_("A task cannot depend on itself."),
            ),
        ]

    def __str__(self):
        return f"{self.predecessor.ref} → {self.successor.ref}"

    def clean(self):
        """The rules hold for pages, imports and the API alike: same release, no loop."""
        from django.core.exceptions import ValidationError

        if not (self.predecessor_id and self.successor_id):
            return
        if self.predecessor.release_id != self.successor.release_id:
            raise ValidationError(_("Both tasks must belong to the same release."))
        from .services import would_form_loop

        loop = would_form_loop(self.predecessor, self.successor, exclude=self.pk)
        if loop:
            raise ValidationError(loop)


class Baseline(ProjectScoped):
    """A frozen copy of a release's dates, to compare the current plan against."""

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    taken_by = models.ForeignKey(USER, verbose_name=_("taken by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["-created"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """A new baseline freezes its release's current dates, whichever page or API saves it.

        A restored one (from "Deleted rows") gets its own dates back from history instead.
        """
        from django.db import transaction

        creating = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating and not getattr(self, "restoring", False) and not self.items.exists():
                from .services import freeze_dates

                freeze_dates(self)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.pk:
            before = Baseline.objects.filter(pk=self.pk).values_list("release_id", flat=True).first()
            if before is not None and before != self.release_id:
                raise ValidationError({"release": _("A baseline keeps the release it was taken of.")})

    def after_restore(self):
        """Bring back the dates the baseline held when it was deleted."""
        import datetime

        from simple_history.utils import bulk_create_with_history

        last = self.history.filter(history_type="-").order_by("-history_date").first()
        if last is None:
            return
        # The items deleted with the baseline's latest deletion (they go in the same moment).
        window = last.history_date - datetime.timedelta(minutes=1)
        deleted = BaselineItem.history.filter(baseline_id=self.pk, history_type="-", history_date__gte=window)
        live_tasks = set(Task.objects.filter(pk__in=[r.task_id for r in deleted]).values_list("pk", flat=True))
        bulk_create_with_history(
            [
                BaselineItem(
                    baseline=self, task_id=row.task_id if row.task_id in live_tasks else None,
                    number=row.number, name=row.name, kind=row.kind, start=row.start, finish=row.finish,
                )
                for row in deleted
            ],
            BaselineItem,
        )


class BaselineItem(models.Model):
    """A task's dates in a baseline. Written once with the baseline, never edited."""

    history = HistoricalRecords()  # so a deleted baseline can be restored with its dates

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="items")
    task = models.ForeignKey(Task, null=True, on_delete=models.SET_NULL, related_name="+")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ItemKind)
    start = models.DateField()
    finish = models.DateField()

    class Meta:
        ordering = ["start", "number"]

    def __str__(self):
        return f"{self.name} {self.start:%Y-%m-%d}–{self.finish:%Y-%m-%d}"


class Gate(ProjectScoped):
    """The gate closing a phase: exit criteria, the committee's votes, and the pass rule."""

    phase = models.OneToOneField(Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="gate")
    name = models.CharField(_("name"), max_length=200)
    rule = models.CharField(_("pass rule"), max_length=30, choices=GateRule, default=GateRule.SPONSOR_AND_MAJORITY)
    status = models.CharField(_("status"), max_length=20, choices=GateStatus, default=GateStatus.OPEN, editable=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("gate")
        verbose_name_plural = _("phase gates")
        ordering = ["phase__release", "phase__order"]

    def __str__(self):
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.pk and self.status != GateStatus.OPEN:
            before = Gate.objects.filter(pk=self.pk).values_list("rule", "phase_id").first()
            if before and before != (self.rule, self.phase_id):
                raise ValidationError(_("A decided gate keeps its rule and phase; reopen it first."))


class GateCriterion(ProjectScoped):
    gate = models.ForeignKey(Gate, verbose_name=_("gate"), on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(_("criterion"), max_length=300)
    kind = models.CharField(_("kind"), max_length=40, choices=CriterionKind, default=CriterionKind.MANUAL)
    threshold = models.DecimalField(_("threshold (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    met = models.BooleanField(_("met (manual check)"), default=False)
    note = models.TextField(_("evidence note"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("exit criterion")
        verbose_name_plural = _("exit criteria")
        ordering = ["gate", "order", "pk"]

    def __str__(self):
        return self.text

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.gate_id and self.gate.status != GateStatus.OPEN:
            raise ValidationError(_("The gate is decided: its criteria are part of the record. Reopen it first."))


class GateVote(ProjectScoped):
    gate = models.ForeignKey(Gate, verbose_name=_("gate"), on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(USER, verbose_name=_("committee member"), on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=20, choices=Vote)
    comment = models.TextField(_("comment"), blank=True)
    conditions = models.TextField(
        _("conditions"), blank=True, help_text=_("One condition per line; each becomes an action item.")
    )

    class Meta:
        verbose_name = _("gate vote")
        verbose_name_plural = _("gate votes")
        constraints = [
            models.UniqueConstraint(
                fields=["gate", "voter"],
                name="gate_one_vote_each",
                violation_error_message=_("You have already voted on this gate; change your vote instead."),
            )
        ]

    def __str__(self):
        return f"{self.gate}: {self.voter} {self.get_decision_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.decision == Vote.GO_CONDITIONS and not self.conditions.strip():
            raise ValidationError({"conditions": _("Name the conditions of a go with conditions.")})


class ChangeRequest(Numbered, ProjectScoped):
    REF_PREFIX = "CR"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(USER, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    release = models.ForeignKey(Release, verbose_name=_("release"), null=True, blank=True, on_delete=models.SET_NULL, related_name="changes")
    impact_scope = models.TextField(_("impact on scope"), blank=True)
    impact_days = models.IntegerField(_("schedule impact (working days)"), default=0)
    impact_cost = models.DecimalField(_("cost impact"), max_digits=12, decimal_places=2, default=0)
    impact_risk = models.TextField(_("risk impact"), blank=True)
    affected_task = models.ForeignKey(
        Task, verbose_name=_("affected deliverable"), null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    priority = models.CharField(_("priority"), max_length=20, choices=Priority, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=ChangeStatus, default=ChangeStatus.SUBMITTED)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="change_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    FROZEN_WHEN_DECIDED = ("impact_scope", "impact_days", "impact_cost", "impact_risk", "affected_task_id", "release_id")

    def clean(self):
        """A decided change keeps what the committee decided on."""
        from django.core.exceptions import ValidationError

        if self.pk and self.status in (ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.IMPLEMENTED):
            before = ChangeRequest.objects.filter(pk=self.pk).values(*self.FROZEN_WHEN_DECIDED).first()
            if before and any(before[f] != getattr(self, f) for f in self.FROZEN_WHEN_DECIDED):
                raise ValidationError(
                    _("The committee decided on this change as it was: submit a new change request for a different impact.")
                )


class PlanTemplate(models.Model):
    """A plan saved from a project as a template for others (same format as the data files)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    data = models.JSONField(_("plan"))
    created_by = models.ForeignKey(USER, verbose_name=_("saved by"), null=True, on_delete=models.SET_NULL, related_name="+")
    source_project = models.CharField(_("saved from"), max_length=200, blank=True)
    # Who may use it: the members of the project it was saved from (plans name internal work).
    project = models.ForeignKey(
        "core.Project", verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")
        ordering = ["name"]

    def __str__(self):
        return self.name
