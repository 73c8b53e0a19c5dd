"""Training and adoption: who must learn what, sessions, sign-off, champions, feedback, and the
use of the CRM after go-live.

Trainees are people in departments (they need no login). A job role carries the required
courses (the curriculum). A sign-off is given by a trainer (a project member who may change the
training area, never the trainee) for one version of a course; a material change of the course
(a new version marked material) or the course's validity period makes older sign-offs lapse.
Usage rows are imported from the CRM, one per person and day; they are plain data (no history).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projectcrm.core.models import Numbered, Project, ProjectScoped

from .choices import Delivery, EnrolmentStatus, Rating, SessionStatus

USER = settings.AUTH_USER_MODEL
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def same_project(obj, field: str, message):
    other = getattr(obj, field, None)
    if other is not None and obj.project_id and other.project_id != obj.project_id:
        raise ValidationError({field: message})


class Department(ProjectScoped):
    name = models.CharField(_("name"), max_length=120)
    head = models.CharField(_("head of department"), max_length=120, blank=True)
    go_live = models.DateField(
        _("go-live"), null=True, blank=True, help_text=_("Leave empty to use the project's target go-live.")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="department_unique_name",
                violation_error_message=_("This project already has a department of this name."),
            )
        ]

    def __str__(self):
        return self.name


class JobRole(ProjectScoped):
    """A role of the people being trained (salesperson, service agent, CRM administrator...)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    catalogue_key = models.CharField(max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("job role")
        verbose_name_plural = _("job roles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="jobrole_unique_name",
                violation_error_message=_("This project already has a job role of this name."),
            )
        ]

    def __str__(self):
        return self.name


class Course(Numbered, ProjectScoped):
    REF_PREFIX = "CRS"

    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"), blank=True)
    modules = models.TextField(_("modules"), blank=True, help_text=_("One module per line."))
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=5, decimal_places=1, default=Decimal(2), validators=[MinValueValidator(Decimal(0))]
    )
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery, default=Delivery.CLASSROOM)
    prerequisites = models.TextField(_("prerequisites"), blank=True)
    materials = models.TextField(_("materials"), blank=True, help_text=_("Links to slides, guides and exercises, one per line."))
    pass_mark = models.DecimalField(
        _("pass mark (%)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=PERCENT,
        help_text=_("Leave empty when the course has no assessment."),
    )
    practical_task = models.CharField(
        _("practical task"), max_length=300, blank=True, help_text=_("A task the trainee must do before sign-off, if any.")
    )
    related_processes = models.TextField(_("use cases and to-be processes"), blank=True)
    content_version = models.PositiveIntegerField(_("course version"), default=1, editable=False)
    material_versions = models.JSONField(default=list, editable=False)  # versions that invalidated sign-offs
    valid_months = models.PositiveSmallIntegerField(
        _("sign-off valid for (months)"), null=True, blank=True, help_text=_("Leave empty when a sign-off does not expire.")
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["number"]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def get_absolute_url(self):
        return reverse("training:courses-detail", kwargs={"project": self.project_id, "pk": self.pk})


class CurriculumItem(ProjectScoped):
    """A course a job role must (or may) take."""

    job_role = models.ForeignKey(JobRole, verbose_name=_("job role"), on_delete=models.CASCADE, related_name="curriculum")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="curriculum")
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("curriculum entry")
        verbose_name_plural = _("curriculum entries")
        ordering = ["job_role", "course__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["job_role", "course"], name="curriculum_once",
                violation_error_message=_("This course is already in this role's curriculum."),
            )
        ]

    def __str__(self):
        return f"{self.job_role} · {self.course}"

    def clean(self):
        same_project(self, "job_role", _("The job role must belong to this project."))
        same_project(self, "course", _("The course must belong to this project."))


class Trainee(ProjectScoped):
    name = models.CharField(_("name"), max_length=120)
    employee_id = models.CharField(_("employee ID"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="trainees")
    job_role = models.ForeignKey(JobRole, verbose_name=_("job role"), on_delete=models.PROTECT, related_name="trainees")
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    crm_username = models.CharField(
        _("CRM user name"), max_length=150, blank=True, help_text=_("How the CRM's usage export names this person.")
    )
    licensed = models.BooleanField(_("has a CRM licence"), default=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Leavers stay on record but need no training."))
    user = models.ForeignKey(
        USER, verbose_name=_("user account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "employee_id"], condition=~Q(employee_id=""), name="trainee_unique_employee_id",
                violation_error_message=_("Another trainee already has this employee ID."),
            ),
        ]
        indexes = [models.Index(fields=["project", "crm_username"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("training:trainees-detail", kwargs={"project": self.project_id, "pk": self.pk})

    def clean(self):
        same_project(self, "department", _("The department must belong to this project."))
        same_project(self, "job_role", _("The job role must belong to this project."))
        same_project(self, "manager", _("The manager must be a trainee of this project."))
        if self.manager_id and self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A person cannot be their own manager.")})

    @property
    def usage_key(self) -> str:
        return (self.crm_username or self.email or self.employee_id).strip().lower()


class TrainingSession(Numbered, ProjectScoped):
    REF_PREFIX = "SES"

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    trainer = models.ForeignKey(
        USER, verbose_name=_("trainer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The project member who signs off the attendees."),
    )
    delivered_by = models.ForeignKey(
        Trainee, verbose_name=_("delivered by (trained colleague)"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="sessions_delivered",
        help_text=_("Train the trainer: a colleague signed off on a train-the-trainer course runs the session."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=12, validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus, default=SessionStatus.PLANNED)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            )
        ]

    def __str__(self):
        return f"{self.ref} {self.course.title} {self.starts:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("training:sessions-detail", kwargs={"project": self.project_id, "pk": self.pk})

    def clean(self):
        same_project(self, "course", _("The course must belong to this project."))
        same_project(self, "delivered_by", _("The colleague must be a trainee of this project."))


class Enrolment(ProjectScoped):
    session = models.ForeignKey(TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="enrolments")
    trainee = models.ForeignKey(Trainee, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus, default=EnrolmentStatus.ENROLLED)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    score = models.DecimalField(_("assessment score (%)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=PERCENT)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "created"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "trainee"], name="enrolment_once",
                violation_error_message=_("This person is already enrolled in this session."),
            )
        ]

    def __str__(self):
        return f"{self.trainee} · {self.session}"

    def clean(self):
        same_project(self, "session", _("The session must belong to this project."))
        same_project(self, "trainee", _("The trainee must belong to this project."))


class SignOff(ProjectScoped):
    """A trainer's sign-off of a trainee's competence in one version of a course."""

    trainee = models.ForeignKey(Trainee, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="sign_offs")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sign_offs")
    course_version = models.PositiveIntegerField(_("course version"))
    signed_by = models.ForeignKey(USER, verbose_name=_("signed off by"), on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(_("signed off on"), default=datetime.date.today)
    score = models.DecimalField(_("assessment score (%)"), max_digits=5, decimal_places=1, null=True, blank=True, validators=PERCENT)
    practical_done = models.BooleanField(_("practical task done"), default=False)
    acknowledged_on = models.DateTimeField(_("acknowledged by the trainee"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["-signed_on", "trainee__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "course", "course_version"], name="signoff_once_per_version",
                violation_error_message=_("This person is already signed off on this version of the course."),
            )
        ]

    def __str__(self):
        return f"{self.trainee} · {self.course} v{self.course_version}"


class Champion(ProjectScoped):
    """A super user who helps colleagues in their department."""

    trainee = models.OneToOneField(Trainee, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="champion")
    since = models.DateField(_("champion since"), default=datetime.date.today)
    recognition = models.TextField(
        _("recognition"), blank=True, help_text=_("What they did well, for the public recognition list.")
    )

    class Meta:
        verbose_name = _("champion")
        verbose_name_plural = _("champions")
        ordering = ["trainee__department__name", "trainee__name"]

    def __str__(self):
        return str(self.trainee)

    def clean(self):
        same_project(self, "trainee", _("The trainee must belong to this project."))


class ChampionQuestion(ProjectScoped):
    champion = models.ForeignKey(Champion, verbose_name=_("champion"), on_delete=models.CASCADE, related_name="questions")
    asked_on = models.DateField(_("asked on"), default=datetime.date.today)
    asked_by = models.CharField(_("asked by"), max_length=120, blank=True)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("champion question")
        verbose_name_plural = _("champion questions")
        ordering = ["-asked_on"]

    def __str__(self):
        return self.question[:60]


class SessionFeedback(ProjectScoped):
    session = models.ForeignKey(TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="feedback")
    trainee = models.ForeignKey(Trainee, verbose_name=_("trainee"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating)
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        verbose_name = _("session evaluation")
        verbose_name_plural = _("session evaluations")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.session} · {self.rating}"


class PulseSurvey(ProjectScoped):
    """A short post-go-live survey: one question, answered per department."""

    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(_("question"), max_length=300)
    sent_on = models.DateField(_("sent on"), default=datetime.date.today)

    class Meta:
        verbose_name = _("pulse survey")
        verbose_name_plural = _("pulse surveys")
        ordering = ["-sent_on"]

    def __str__(self):
        return self.title


class PulseResponse(ProjectScoped):
    survey = models.ForeignKey(PulseSurvey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("pulse response")
        verbose_name_plural = _("pulse responses")
        ordering = ["survey", "department"]

    def __str__(self):
        return f"{self.survey} · {self.department}"


class LicenceCount(ProjectScoped):
    """CRM licences of a department from a date on (until the department's next count)."""

    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="licences")
    start = models.DateField(_("valid from"))
    count = models.PositiveIntegerField(_("licences"))

    class Meta:
        verbose_name = _("licence count")
        verbose_name_plural = _("licence counts")
        ordering = ["department", "start"]
        constraints = [
            models.UniqueConstraint(fields=["department", "start"], name="licence_count_once_per_date",
                                    violation_error_message=_("This department already has a licence count from this date."))
        ]

    def __str__(self):
        return f"{self.department} · {self.start}: {self.count}"


class AdoptionTarget(ProjectScoped):
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE, related_name="targets",
        help_text=_("Leave empty for the whole project."),
    )
    date = models.DateField(_("target date"))
    rate = models.DecimalField(_("active users (%)"), max_digits=5, decimal_places=1, default=Decimal(80), validators=PERCENT)

    class Meta:
        verbose_name = _("adoption target")
        verbose_name_plural = _("adoption targets")
        ordering = ["department", "date"]

    def __str__(self):
        return f"{self.department or _('Whole project')} · {self.date}: {self.rate}%"


class AdoptionBaseline(ProjectScoped):
    """A figure captured before go-live, shown beside the same figure after it."""

    metric = models.CharField(_("measure"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    captured_on = models.DateField(_("captured on"))
    after_value = models.DecimalField(_("value after go-live"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("baseline figure")
        verbose_name_plural = _("baseline figures")
        ordering = ["metric"]

    def __str__(self):
        return self.metric


class UsageRecord(models.Model):
    """One person's use of the CRM on one day, as exported by the CRM (no history: plain data).

    A million rows load in one import, so the table carries only the indexes its queries use: the
    unique (project, person, day) and (project, week); the batch link is not a database constraint.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.CharField(max_length=150)  # the CRM user name, lower case (Trainee.usage_key)
    day = models.DateField()
    week = models.DateField()  # the Monday of the day's week, for weekly sums
    logins = models.PositiveIntegerField(default=0)
    accounts_created = models.PositiveIntegerField(default=0)
    contacts_created = models.PositiveIntegerField(default=0)
    opportunities_created = models.PositiveIntegerField(default=0)
    activities_created = models.PositiveIntegerField(default=0)
    cases_created = models.PositiveIntegerField(default=0)
    accounts_updated = models.PositiveIntegerField(default=0)
    contacts_updated = models.PositiveIntegerField(default=0)
    opportunities_updated = models.PositiveIntegerField(default=0)
    activities_updated = models.PositiveIntegerField(default=0)
    cases_updated = models.PositiveIntegerField(default=0)
    completeness = models.FloatField(null=True, blank=True)  # 0..1
    batch = models.ForeignKey(
        "UsageImport", null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "person", "day"], name="usage_once_per_person_day")]
        indexes = [models.Index(fields=["project", "week"])]

    def __str__(self):
        return f"{self.person} {self.day}"


class UsageWeek(models.Model):
    """Per person and week, the sums of the project's usage rows (kept by `training.usage.refresh_weeks`).

    The adoption figures read these (5,000 people x 29 weeks: 145,000 rows) instead of aggregating
    a million daily rows on the first request after an import; every writer of usage rows (the
    import, the demo, the benchmark's generator) refreshes the weeks it touched in the same
    transaction.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.CharField(max_length=150)
    week = models.DateField()
    logins = models.BigIntegerField(default=0)
    records = models.BigIntegerField(default=0)  # every record created and updated that week
    completeness_sum = models.FloatField(null=True)
    completeness_days = models.PositiveIntegerField(default=0)  # days with a completeness figure
    days = models.PositiveIntegerField(default=0)  # days with a usage row

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "week", "person"], name="usage_week_once")]
        # Every column the adoption page reads: it scans the index alone, in order (SQLite: about
        # 0.1 s less than visiting 145,000 table rows).
        indexes = [models.Index(
            fields=["project", "week", "person", "logins", "records", "completeness_sum", "completeness_days"],
            name="usage_week_read",
        )]

    def __str__(self):
        return f"{self.person} {self.week}"


class UsageImport(models.Model):
    """An uploaded usage export, read by a background task; rows of the same person and day replace older ones."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(max_length=20, default="queued")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.filename
