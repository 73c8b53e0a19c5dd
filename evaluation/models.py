"""Evaluations of CRM software, implementation partners and other suppliers.

An evaluation has candidates, a criteria tree (categories and criteria with local weights in
percent), a team of evaluators with optional assignments, scoring rounds, and per candidate the
cost lines of its total cost of ownership and its reference checks. Scores given in a round are
blind while the round is open (see services.py); the consensus score of each candidate on each
criterion is recorded after the round closes and is what the results are computed from.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projectcrm.core.models import Numbered, ProjectScoped

from .choices import (
    CandidateStatus,
    ConsensusMethod,
    CostCategory,
    CostMode,
    CriterionKind,
    EvaluationStatus,
    LicenceModel,
    Rating,
    RoundStatus,
    Stage,
    Subject,
    Weighting,
)

USER = settings.AUTH_USER_MODEL
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Evaluation(Numbered, ProjectScoped):
    REF_PREFIX = "EVA"

    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("what is selected"), max_length=20, choices=Subject, default=Subject.SOFTWARE)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        USER, verbose_name=_("evaluation lead"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=EvaluationStatus, default=EvaluationStatus.SETUP)
    stage = models.CharField(_("current stage"), max_length=20, choices=Stage, default=Stage.LONG_LIST)
    long_list_date = models.DateField(_("long list due"), null=True, blank=True)
    rfi_date = models.DateField(_("RFI answers due"), null=True, blank=True)
    short_list_date = models.DateField(_("short list due"), null=True, blank=True)
    demos_date = models.DateField(_("scripted demos"), null=True, blank=True)
    references_date = models.DateField(_("reference checks done"), null=True, blank=True)
    decision_date = models.DateField(_("decision due"), null=True, blank=True)
    weighting = models.CharField(_("weights"), max_length=10, choices=Weighting, default=Weighting.DIRECT)
    consensus_method = models.CharField(
        _("consensus proposal"), max_length=10, choices=ConsensusMethod, default=ConsensusMethod.MEAN
    )
    disagreement_range = models.DecimalField(
        _("disagreement at a range of"), max_digits=5, decimal_places=2, default=Decimal(2),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Criteria whose scores differ by at least this many points are flagged for discussion."),
    )
    close_call_margin = models.DecimalField(
        _("close call margin (points)"), max_digits=5, decimal_places=2, default=Decimal(3),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("A close-call warning shows when the top two totals are this close (out of 100)."),
    )
    cost_mode = models.CharField(_("cost in the results"), max_length=10, choices=CostMode, default=CostMode.BESIDE)
    cost_weight = models.DecimalField(
        _("cost weight (%)"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT,
        help_text=_("Share of the total given to cost when cost is a weighted criterion; the criteria share the rest."),
    )
    horizon_years = models.PositiveSmallIntegerField(
        _("cost horizon (years)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    discount_rate = models.DecimalField(
        _("discount rate (%)"), max_digits=5, decimal_places=2, default=Decimal(8), validators=PERCENT
    )
    users = models.PositiveIntegerField(_("number of users"), default=0, help_text=_("Licensed users, for licence costs and cost per user."))
    monte_carlo_spread = models.DecimalField(
        _("weight variation for Monte Carlo (±%)"), max_digits=5, decimal_places=2, default=Decimal(20), validators=PERCENT
    )
    selected = models.ForeignKey(
        "Candidate", verbose_name=_("selected candidate"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_rationale = models.TextField(_("decision rationale"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_mode=CostMode.BESIDE) | Q(cost_weight__lt=100),
                name="evaluation_cost_weight_below_100",
                violation_error_message=_("Cost cannot take all of the weight: keep it below 100%."),
            )
        ]

    def __str__(self):
        return f"{self.ref} {self.name}"

    def get_absolute_url(self):
        return reverse("evaluation:evaluations-detail", kwargs={"project": self.project_id, "pk": self.pk})

    def clean(self):
        if self.selected_id and self.selected.evaluation_id != self.pk:
            raise ValidationError({"selected": _("The selected candidate must be a candidate of this evaluation.")})

    def is_lead(self, user) -> bool:
        return user is not None and self.lead_id is not None and self.lead_id == user.pk


class EvaluationChild(ProjectScoped):
    """A row that belongs to one evaluation (same project)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="+", verbose_name=_("evaluation"))

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.evaluation_id and not self.project_id:
            self.project_id = self.evaluation.project_id
        super().save(*args, **kwargs)

    def same_evaluation(self, field: str, message):
        """ValidationError on `field` when the row it points at belongs to another evaluation."""
        other = getattr(self, field, None)
        if other is not None and self.evaluation_id and other.evaluation_id != self.evaluation_id:
            raise ValidationError({field: message})


class Candidate(EvaluationChild):
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=CandidateStatus, default=CandidateStatus.LONG_LIST)
    contact_name = models.CharField(_("contact"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    documents = models.TextField(
        _("documents"), blank=True, help_text=_("Links to the proposal, RFI answers, price list…, one per line.")
    )
    licence_model = models.CharField(_("licence model"), max_length=20, choices=LicenceModel, default=LicenceModel.NONE)
    price_per_user_year = models.DecimalField(
        _("price per user per year"), max_digits=12, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    perpetual_fee = models.DecimalField(
        _("perpetual licence fee"), max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )
    maintenance_percent = models.DecimalField(
        _("maintenance (percent of the fee per year)"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    readmitted = models.BooleanField(_("re-admitted after a knock-out"), default=False, editable=False)
    readmission_reason = models.TextField(_("re-admission justification"), blank=True, editable=False)
    readmitted_by = models.ForeignKey(
        USER, verbose_name=_("re-admitted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["evaluation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "name"], name="candidate_unique_name",
                violation_error_message=_("This evaluation already has a candidate of this name."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:candidates-detail", kwargs={"project": self.project_id, "pk": self.pk})

    def document_links(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]


class Category(EvaluationChild):
    parent = models.ForeignKey(
        "self", verbose_name=_("inside category"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=6, decimal_places=2, default=Decimal(0), validators=PERCENT)
    order = models.PositiveIntegerField(_("order"), default=0)
    catalogue_key = models.CharField(max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("criteria category")
        verbose_name_plural = _("criteria categories")
        ordering = ["evaluation", "order", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        self.same_evaluation("parent", _("The parent category must belong to the same evaluation."))
        seen = {self.pk}
        parent = self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"parent": _("A category cannot sit inside itself.")})
            seen.add(parent.pk)
            parent = parent.parent


class Criterion(EvaluationChild):
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind, default=CriterionKind.CRITERION)
    description = models.TextField(_("description"), blank=True)
    script = models.TextField(
        _("demo script"), blank=True, help_text=_("For a scripted demo: the scenario the candidate must show, step by step.")
    )
    knockout = models.BooleanField(
        _("knock-out"), default=False, help_text=_("A must-have scored pass/fail: failing it excludes the candidate.")
    )
    weight = models.DecimalField(
        _("weight (%)"), max_digits=6, decimal_places=2, default=Decimal(0), validators=PERCENT,
        help_text=_("Share of its category; ignored for knock-out criteria."),
    )
    scale_min = models.SmallIntegerField(_("scale from"), default=0)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)
    anchors = models.TextField(
        _("scale levels"), blank=True,
        help_text=_("What each level means, one line per level from the lowest (for a knock-out: what passing means)."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    catalogue_key = models.CharField(max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["evaluation", "order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")),
                name="criterion_scale_ends_above_start",
                violation_error_message=_("The scale must end above where it starts."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluation:criteria-detail", kwargs={"project": self.project_id, "pk": self.pk})

    def clean(self):
        self.same_evaluation("category", _("The category must belong to the same evaluation."))

    def levels(self) -> list[tuple[int, str]]:
        """(level, meaning) from the bottom of the scale up; meaning '' where none is written."""
        lines = [line.strip() for line in self.anchors.splitlines()]
        return [(value, lines[i] if i < len(lines) else "") for i, value in enumerate(range(self.scale_min, self.scale_max + 1))]


class TeamMember(EvaluationChild):
    """An evaluator of the evaluation; with no assignments they score every criterion."""

    user = models.ForeignKey(USER, verbose_name=_("evaluator"), on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("evaluation team")
        ordering = ["evaluation", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "user"], name="team_member_once",
                violation_error_message=_("This person is already on the evaluation team."),
            )
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    def clean(self):
        from projectcrm.core.models import Membership

        if self.user_id and self.evaluation_id:
            member = Membership.objects.filter(project_id=self.evaluation.project_id, user_id=self.user_id).first()
            if member is None:
                raise ValidationError({"user": _("Only members of the project can evaluate.")})
            from projectcrm.core import policy

            if not policy.allows(member.role, "evaluation", "change"):
                raise ValidationError({"user": _("This member's role cannot score: make them an evaluator first.")})


class Assignment(EvaluationChild):
    """Which criteria a team member scores: a whole category (with its subcategories) or one criterion."""

    member = models.ForeignKey(TeamMember, verbose_name=_("team member"), on_delete=models.CASCADE, related_name="assignments")
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["evaluation", "member"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(category__isnull=True) & Q(criterion__isnull=False))
                | (Q(category__isnull=False) & Q(criterion__isnull=True)),
                name="assignment_category_or_criterion",
                violation_error_message=_("Assign either a category or a criterion, not both."),
            )
        ]

    def __str__(self):
        return f"{self.member}: {self.category or self.criterion}"

    def clean(self):
        self.same_evaluation("member", _("The team member must belong to the same evaluation."))
        self.same_evaluation("category", _("The category must belong to the same evaluation."))
        self.same_evaluation("criterion", _("The criterion must belong to the same evaluation."))


class Round(EvaluationChild):
    """A scoring round: blind while open; its scores are shown, and consensus taken, once closed."""

    number = models.PositiveSmallIntegerField(_("round"), default=1)
    name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus, default=RoundStatus.OPEN)
    opened_by = models.ForeignKey(USER, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("opened"), null=True)
    closed_by = models.ForeignKey(USER, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("scoring round")
        verbose_name_plural = _("scoring rounds")
        ordering = ["evaluation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"], condition=Q(status=RoundStatus.OPEN), name="round_one_open_per_evaluation",
                violation_error_message=_("This evaluation already has an open round."),
            ),
            models.UniqueConstraint(fields=["evaluation", "number"], name="round_unique_number"),
        ]

    def __str__(self):
        label = _("Round %(n)d") % {"n": self.number}
        return f"{label}: {self.name}" if self.name else str(label)

    def get_absolute_url(self):
        return reverse("evaluation:round", kwargs={"project": self.project_id, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class Score(EvaluationChild):
    """One evaluator's score of one candidate on one criterion in one round (blind while the round is open)."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(USER, verbose_name=_("evaluator"), on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    evidence = models.URLField(_("evidence link"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "evaluator", "candidate", "criterion"], name="score_once_per_evaluator",
            )
        ]
        indexes = [models.Index(fields=["round", "criterion", "candidate"])]

    def __str__(self):
        return f"{self.candidate} / {self.criterion}: {self.shown}"

    @property
    def shown(self) -> str:
        if self.passed is not None:
            return str(_("Pass") if self.passed else _("Fail"))
        return "" if self.value is None else f"{self.value.normalize():f}"


class Consensus(EvaluationChild):
    """The agreed score of a candidate on a criterion, recorded after a round closed, with a rationale."""

    candidate = models.ForeignKey(Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, verbose_name=_("round"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    value = models.DecimalField(_("consensus score"), max_digits=6, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    proposal = models.DecimalField(_("proposal"), max_digits=8, decimal_places=4, null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("consensus score")
        verbose_name_plural = _("consensus scores")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "criterion"], name="consensus_once_per_item"),
        ]

    def __str__(self):
        return f"{self.candidate} / {self.criterion}"


class Judgement(EvaluationChild):
    """One evaluator's pairwise comparison of two items of one level (AHP, Saaty's 1-9 scale).

    Items are keyed "g<category id>" or "c<criterion id>"; the level is "" for the top level or
    "g<category id>". `value` v means item a is v times as important as item b.
    """

    evaluator = models.ForeignKey(USER, verbose_name=_("evaluator"), on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("level"), max_length=20, blank=True)
    item_a = models.CharField(max_length=20)
    item_b = models.CharField(max_length=20)
    value = models.FloatField(_("judgement"))

    class Meta:
        verbose_name = _("pairwise judgement")
        verbose_name_plural = _("pairwise judgements")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "evaluator", "level", "item_a", "item_b"], name="judgement_once_per_pair"
            )
        ]

    def __str__(self):
        return f"{self.item_a} : {self.item_b} = {self.value:g}"


class CostItem(EvaluationChild):
    """A cost of a candidate in one year of the horizon (or every year from it)."""

    candidate = models.ForeignKey(Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="costs")
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory, default=CostCategory.IMPLEMENTATION)
    year = models.PositiveSmallIntegerField(
        _("year"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)], help_text=_("1 is the first year.")
    )
    every_year = models.BooleanField(_("every year from then on"), default=False)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["evaluation", "candidate", "year", "category"]

    def __str__(self):
        return f"{self.candidate} · {self.get_category_display()} · {self.year}"

    def clean(self):
        self.same_evaluation("candidate", _("The candidate must belong to the same evaluation."))
        if self.evaluation_id and self.year and self.year > self.evaluation.horizon_years:
            raise ValidationError(
                {"year": _("Year %(year)d is after the evaluation's horizon of %(horizon)d years.")
                 % {"year": self.year, "horizon": self.evaluation.horizon_years}}
            )


class ReferenceCheck(EvaluationChild):
    candidate = models.ForeignKey(Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="references")
    contact_name = models.CharField(_("spoke with"), max_length=120)
    company = models.CharField(_("company"), max_length=200)
    contact_role = models.CharField(_("their role"), max_length=120, blank=True)
    checked_on = models.DateField(_("date"), null=True, blank=True)
    checked_by = models.ForeignKey(USER, verbose_name=_("checked by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    questions = models.TextField(_("questions asked"), blank=True)
    answers = models.TextField(_("answers"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating, null=True, blank=True)

    class Meta:
        verbose_name = _("reference check")
        verbose_name_plural = _("reference checks")
        ordering = ["evaluation", "candidate", "-checked_on"]

    def __str__(self):
        return f"{self.candidate} · {self.company}"

    def clean(self):
        self.same_evaluation("candidate", _("The candidate must belong to the same evaluation."))
