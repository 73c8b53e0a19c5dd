"""Governance registers: stakeholders, communication plan, issues, risks, decisions, actions,
steering meetings, KPIs and their values, organisational readiness surveys."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projectcrm.core.models import Numbered, ProjectScoped

from . import schedule, scoring
from .choices import (
    ACTION_DONE,
    DIMENSION_FAMILY,
    ISSUE_DONE,
    ActionStatus,
    Agreement,
    BudgetCategory,
    DecisionStatus,
    DeliveryMethod,
    EscalateTo,
    Frequency,
    IssueStatus,
    KpiDirection,
    KpiFrequency,
    KpiSource,
    Level,
    MeetingKind,
    MeetingStatus,
    Priority,
    Raci,
    ReadinessDimension,
    RiskCategory,
    RiskStatus,
    SurveyStatus,
    ValueOrigin,
)

USER = settings.AUTH_USER_MODEL


def short(text):
    """Give a property a column label."""

    def wrap(fn):
        fn.short_description = text
        return fn

    return wrap


class Stakeholder(ProjectScoped):
    name = models.CharField(_("name"), max_length=120)
    department = models.CharField(_("department"), max_length=120, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    project_role = models.CharField(_("role in the project"), max_length=200, blank=True)
    influence = models.PositiveSmallIntegerField(_("influence"), choices=Level, default=Level.MEDIUM)
    interest = models.PositiveSmallIntegerField(_("interest"), choices=Level, default=Level.MEDIUM)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    user = models.ForeignKey(
        USER, verbose_name=_("user account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    @short(_("Engagement"))
    def quadrant(self):
        return scoring.ENGAGEMENT_LABELS[scoring.engagement(self.influence, self.interest)]


class Workstream(ProjectScoped):
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(USER, verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("workstream")
        verbose_name_plural = _("workstreams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                name="workstream_unique_name",
                violation_error_message=_("A workstream with this name already exists in the project."),
            )
        ]

    def __str__(self):
        return self.name


class RaciAssignment(ProjectScoped):
    """One cell of the RACI matrix: a stakeholder's part in a workstream."""

    workstream = models.ForeignKey(Workstream, verbose_name=_("workstream"), on_delete=models.CASCADE, related_name="raci")
    stakeholder = models.ForeignKey(
        Stakeholder, verbose_name=_("stakeholder"), on_delete=models.CASCADE, related_name="raci"
    )
    role = models.CharField(_("RACI"), max_length=1, choices=Raci)

    class Meta:
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["workstream", "stakeholder"],
                name="raci_one_per_cell",
                violation_error_message=_("This stakeholder already has a RACI role in this workstream."),
            )
        ]

    def __str__(self):
        return f"{self.workstream} / {self.stakeholder}: {self.role}"


class CommunicationItem(ProjectScoped):
    """A row of the project communication plan."""

    deliverable = models.CharField(_("deliverable"), max_length=200)
    information_need = models.TextField(_("information need"), blank=True)
    description = models.TextField(_("description"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    delivery_method = models.CharField(
        _("delivery method"), max_length=20, choices=DeliveryMethod, default=DeliveryMethod.EMAIL
    )
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency, default=Frequency.WEEKLY)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    feedback = models.CharField(_("feedback route"), max_length=200, blank=True)
    audience = models.CharField(
        _("audience"), max_length=500, help_text=_("Stakeholders or groups, separated by semicolons.")
    )
    start_date = models.DateField(_("first due"), default=timezone.localdate)
    end_date = models.DateField(_("last due"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communication plan")
        ordering = ["deliverable"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="communication_end_after_start",
                violation_error_message=_("The last due date cannot be before the first."),
            )
        ]

    def __str__(self):
        return self.deliverable

    @property
    @short(_("Last sent"))
    def last_sent_on(self):
        """Date of the latest log entry (annotated as `last_sent` by the register's list query)."""
        if hasattr(self, "last_sent"):
            return self.last_sent
        return self.log.aggregate(m=models.Max("sent_on"))["m"]

    @property
    @short(_("Next due"))
    def next_due(self):
        if not self.active:
            return None
        return schedule.next_due(self.frequency, self.start_date, self.last_sent_on, self.end_date)

    @property
    @short(_("Overdue"))
    def is_overdue(self):
        due = self.next_due
        return bool(due and due < timezone.localdate())


class CommunicationLog(ProjectScoped):
    """One communication actually sent."""

    item = models.ForeignKey(CommunicationItem, verbose_name=_("communication"), on_delete=models.CASCADE, related_name="log")
    sent_on = models.DateField(_("sent on"), default=timezone.localdate)
    sent_by = models.ForeignKey(USER, verbose_name=_("sent by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(_("summary"), blank=True)
    feedback_received = models.TextField(_("feedback received"), blank=True)

    class Meta:
        verbose_name = _("communication sent")
        verbose_name_plural = _("communications sent")
        ordering = ["-sent_on", "-id"]

    def __str__(self):
        # No lookup of the item: lists and history show many entries, and the item may be deleted.
        summary = self.summary.splitlines()[0][:60] if self.summary else ""
        return f"{self.sent_on:%Y-%m-%d} · {summary}" if summary else f"{self.sent_on:%Y-%m-%d}"


class EscalationRule(ProjectScoped):
    """Issues of at least this priority, overdue by at least this many days, escalate."""

    priority = models.CharField(_("priority at or above"), max_length=20, choices=Priority, default=Priority.HIGH)
    overdue_days = models.PositiveIntegerField(_("overdue by (days)"), default=3)
    escalate_to = models.CharField(_("escalate to"), max_length=20, choices=EscalateTo, default=EscalateTo.STEERING)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["overdue_days"]

    def __str__(self):
        return f"{self.get_priority_display()} +{self.overdue_days}d → {self.get_escalate_to_display()}"


class Issue(Numbered, ProjectScoped):
    REF_PREFIX = "ISS"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    raised_by = models.ForeignKey(USER, verbose_name=_("raised by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.CharField(_("priority"), max_length=20, choices=Priority, default=Priority.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=IssueStatus, default=IssueStatus.OPEN)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issue log")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="issue_unique_number"),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("raised_on")),
                name="issue_resolved_after_raised",
                violation_error_message=_("An issue cannot be resolved before it was raised."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.status in ISSUE_DONE and not self.resolution.strip():
            raise ValidationError({"resolution": _("Describe the resolution before resolving or closing the issue.")})

    def compute(self):
        if self.status in ISSUE_DONE and self.resolved_on is None:
            self.resolved_on = timezone.localdate()
        if self.status not in ISSUE_DONE:
            self.resolved_on = None

    @property
    def is_open(self):
        return self.status not in ISSUE_DONE

    @property
    @short(_("Age (days)"))
    def age(self):
        end = self.resolved_on if not self.is_open and self.resolved_on else timezone.localdate()
        return (end - self.raised_on).days

    @property
    @short(_("Overdue (days)"))
    def overdue_days(self):
        if not self.is_open or self.due_date is None:
            return None
        days = (timezone.localdate() - self.due_date).days
        return days if days > 0 else None


class Risk(Numbered, ProjectScoped):
    REF_PREFIX = "RSK"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory, default=RiskCategory.PROJECT)
    probability = models.PositiveSmallIntegerField(_("probability"), choices=Level, default=Level.MEDIUM)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level, default=Level.MEDIUM)
    score = models.PositiveSmallIntegerField(_("score"), default=9, editable=False)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mitigation = models.TextField(_("mitigation"), blank=True)
    contingency = models.TextField(_("contingency"), blank=True)
    trigger = models.TextField(_("trigger"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RiskStatus, default=RiskStatus.IDENTIFIED)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    library_key = models.CharField(_("library entry"), max_length=50, blank=True, editable=False)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risk register")
        ordering = ["-score", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="risk_unique_number"),
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5, impact__gte=1, impact__lte=5),
                name="risk_levels_1_to_5",
                violation_error_message=_("Probability and impact are rated from 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def compute(self):
        self.score = scoring.risk_score(self.probability, self.impact)

    @property
    @short(_("Rating"))
    def rating(self):
        return scoring.rating(self.score)

    @property
    def rating_colour(self):
        return scoring.rating_colour(self.score)


class Decision(Numbered, ProjectScoped):
    REF_PREFIX = "DEC"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DecisionStatus, default=DecisionStatus.PROPOSED)
    source_meeting = models.CharField(_("source meeting"), max_length=200, blank=True)
    meeting = models.ForeignKey(
        "Meeting", verbose_name=_("meeting"), null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="decision_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.status == DecisionStatus.APPROVED and not self.decided_on:
            raise ValidationError({"decided_on": _("An approved decision needs the date it was taken.")})


class ActionItem(Numbered, ProjectScoped):
    REF_PREFIX = "ACT"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus, default=ActionStatus.OPEN)
    source_meeting = models.CharField(_("source meeting"), max_length=200, blank=True)
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    meeting = models.ForeignKey(
        "Meeting", verbose_name=_("meeting"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="action_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    @property
    @short(_("Overdue (days)"))
    def overdue_days(self):
        if self.status in ACTION_DONE or self.due_date is None:
            return None
        days = (timezone.localdate() - self.due_date).days
        return days if days > 0 else None


# --- Steering committee ---------------------------------------------------------------------------


class Meeting(Numbered, ProjectScoped):
    """A steering committee (or other project) meeting: agenda, attendees, minutes, and what it decided:
    decisions and action items point at it; gate reviews and change requests it took are listed."""

    REF_PREFIX = "MTG"

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind, default=MeetingKind.STEERING)
    starts = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=90)
    location = models.CharField(_("location or link"), max_length=300, blank=True)
    chair = models.ForeignKey(USER, verbose_name=_("chair"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=MeetingStatus, default=MeetingStatus.PLANNED)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("One agenda item per line."))
    attendees = models.ManyToManyField(Stakeholder, verbose_name=_("attendees"), blank=True, related_name="meetings")
    guests = models.TextField(_("other attendees"), blank=True, help_text=_("People who are not stakeholders, one per line."))
    apologies = models.TextField(_("apologies"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    gates = models.ManyToManyField(
        "roadmap.Gate", verbose_name=_("gate reviews taken"), blank=True, related_name="meetings"
    )
    change_requests = models.ManyToManyField(
        "roadmap.ChangeRequest", verbose_name=_("change requests decided"), blank=True, related_name="meetings"
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts", "-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="meeting_unique_number")]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.status == MeetingStatus.HELD and self.starts and self.starts > timezone.now():
            raise ValidationError({"status": _("A meeting in the future cannot have been held yet.")})

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class Kpi(Numbered, ProjectScoped):
    """A key performance indicator the committee follows: who owns it, how it is measured, where it
    starts (the baseline, before go-live) and where it should be by when (the target)."""

    REF_PREFIX = "KPI"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    objective = models.CharField(_("business objective"), max_length=300, blank=True)
    owner = models.CharField(_("owner (department or group)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("For example %, days, errors per month."))
    direction = models.CharField(_("direction"), max_length=10, choices=KpiDirection, default=KpiDirection.HIGHER)
    source = models.CharField(_("source"), max_length=30, choices=KpiSource, default=KpiSource.ENTERED)
    formula = models.TextField(_("formula or source"), blank=True)
    frequency = models.CharField(_("frequency"), max_length=20, choices=KpiFrequency, default=KpiFrequency.MONTHLY)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    tolerance = models.DecimalField(
        # xgettext:no-python-format
        _("amber tolerance (% of target)"), max_digits=5, decimal_places=1, default=10,
        help_text=_("Within this distance of the target the status is amber rather than red."),
    )
    on_scorecard = models.BooleanField(_("on the scorecard"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="kpi_unique_number"),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0),
                name="kpi_tolerance_not_negative",
                violation_error_message=_("The tolerance cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    @property
    def computed(self) -> bool:
        return self.source != KpiSource.ENTERED


class KpiValue(ProjectScoped):
    """One actual value of a KPI on a day."""

    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    origin = models.CharField(_("origin"), max_length=20, choices=ValueOrigin, default=ValueOrigin.ENTERED)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        ordering = ["kpi", "-measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "measured_on"], name="kpi_value_once_per_day",
                violation_error_message=_("This KPI already has a value on that day; edit it instead."),
            )
        ]

    def __str__(self):
        return f"{self.kpi.ref if self.kpi_id else ''} {self.measured_on}: {self.value}"


class ReadinessQuestion(ProjectScoped):
    """A statement of the organisational readiness questionnaire, answered from 1 (strongly disagree)
    to 5 (strongly agree). Library statements carry all three languages; a project's own may too."""

    dimension = models.CharField(_("dimension"), max_length=30, choices=ReadinessDimension)
    text = models.TextField(_("statement (English)"))
    text_zh_hans = models.TextField(_("statement (Simplified Chinese)"), blank=True)
    text_zh_hant = models.TextField(_("statement (Traditional Chinese)"), blank=True)
    library_key = models.CharField(_("library entry"), max_length=60, blank=True, editable=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("asked"), default=True)

    class Meta:
        verbose_name = _("readiness question")
        verbose_name_plural = _("readiness questions")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text_in()

    @property
    def family(self):
        return DIMENSION_FAMILY[self.dimension]

    def text_in(self, language: str | None = None) -> str:
        """The statement in `language` (default: the active one), falling back to English."""
        from django.utils.translation import get_language

        language = (language or get_language() or "en").lower()
        if language.startswith("zh-hans") or language in ("zh-cn", "zh-sg"):
            return self.text_zh_hans or self.text
        if language.startswith("zh-hant") or language in ("zh-tw", "zh-hk", "zh-mo"):
            return self.text_zh_hant or self.text
        return self.text


class ReadinessSurvey(Numbered, ProjectScoped):
    """One round of the readiness questionnaire; rounds are compared over time."""

    REF_PREFIX = "RDY"

    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=SurveyStatus, default=SurveyStatus.DRAFT)
    opens_on = models.DateField(_("opens on"), default=timezone.localdate)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("readiness survey")
        verbose_name_plural = _("readiness surveys")
        ordering = ["-opens_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="readiness_survey_unique_number"),
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")),
                name="readiness_survey_closes_after_opening",
                violation_error_message=_("A survey cannot close before it opens."),
            ),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}"


class ReadinessResponse(ProjectScoped):
    """One person's answers to a survey (one response per person and survey)."""

    survey = models.ForeignKey(ReadinessSurvey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(USER, verbose_name=_("respondent"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    respondent_name = models.CharField(_("respondent name"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("readiness response")
        verbose_name_plural = _("readiness responses")
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"], name="readiness_one_response_each",
                violation_error_message=_("This person has already answered the survey; edit the answers instead."),
            )
        ]

    def __str__(self):
        who = self.respondent_name or (self.respondent.get_username() if self.respondent_id else "")
        return f"{self.survey.ref if self.survey_id else ''} {who}"


class ReadinessAnswer(ProjectScoped):
    response = models.ForeignKey(ReadinessResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ReadinessQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(_("answer"), choices=Agreement, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("readiness answer")
        verbose_name_plural = _("readiness answers")
        ordering = ["response", "question__order", "question"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="readiness_one_answer_per_question"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="readiness_answer_1_to_5",
                violation_error_message=_("Answers run from 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.score}"


class BudgetLine(ProjectScoped):
    """Planned and actual spend of one budget category (and optional period), for the dashboard."""

    category = models.CharField(_("category"), max_length=20, choices=BudgetCategory, default=BudgetCategory.OTHER)
    description = models.CharField(_("description"), max_length=200, blank=True)
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2, default=0)
    actual = models.DecimalField(_("actual to date"), max_digits=14, decimal_places=2, default=0)
    committed = models.DecimalField(_("committed, not yet spent"), max_digits=14, decimal_places=2, default=0)
    as_of = models.DateField(_("as of"), default=timezone.localdate)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget")
        ordering = ["category", "description"]

    def __str__(self):
        return f"{self.get_category_display()} {self.description}".strip()
