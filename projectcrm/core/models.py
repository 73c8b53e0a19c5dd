"""Projects, memberships, the project-scoped base model and import jobs."""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import ImportStatus, ProjectStatus, Role


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        """Projects the user is a member of; everything else must answer 404."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Project(models.Model):
    """One CRM rollout."""

    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200)
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executive sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sponsored_projects",
    )
    objectives = models.TextField(_("objectives"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_go_live = models.DateField(_("target go-live"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus, default=ProjectStatus.PLANNING)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_go_live__isnull=True)
                | Q(start_date__isnull=True)
                | Q(target_go_live__gte=models.F("start_date")),
                name="project_go_live_after_start",
                violation_error_message=_("The target go-live cannot be before the start date."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("project-home", args=[self.pk])


def new_feed_key() -> str:
    return secrets.token_urlsafe(18)


class Membership(models.Model):
    """A user's one role in one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role)
    # Secret part of the member's calendar-feed addresses; a new key revokes the old addresses.
    feed_key = models.CharField(max_length=32, default=new_feed_key, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["project", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                name="membership_one_role_per_project",
                violation_error_message=_("This user is already a member of the project."),
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class ProjectScopedQuerySet(models.QuerySet):
    def for_project(self, project):
        return self.filter(project=project)


class ProjectScoped(models.Model):
    """Base of everything a project stores: project, timestamps, optimistic-lock version, history.

    `version` goes up by one on every save through `core.services.save_versioned`; an edit form
    carries the version it was opened at, and a save against a newer version is refused.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(inherit=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.compute()
        super().save(*args, **kwargs)

    def compute(self):
        """Derive stored values from entered ones; runs before every save, bulk imports too."""


class Numbered(models.Model):
    """A per-project running number shown as a reference such as ISS-007."""

    REF_PREFIX = ""
    number = models.PositiveIntegerField(_("number"), editable=False, default=0)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # The number is taken and the row written in one transaction, with the project row locked,
        # so two people adding at the same moment cannot get the same reference.
        with transaction.atomic():
            if not self.number:
                self.number = next_numbers(type(self), self.project_id, 1)[0]
            super().save(*args, **kwargs)

    @property
    def ref(self) -> str:
        return f"{self.REF_PREFIX}-{self.number:03d}"

    ref.fget.short_description = _("Reference")


def next_numbers(model, project_id: int, count: int) -> list[int]:
    """The next `count` free reference numbers of a project's register (call inside a transaction).

    Numbers of deleted rows are never given out again (the maximum includes history), so a
    reference always means one row and a deleted row can be restored under its own number.
    """
    Project.objects.select_for_update().filter(pk=project_id).first()
    live = model._default_manager.filter(project_id=project_id).aggregate(m=Max("number"))["m"] or 0
    past = model.history.filter(project_id=project_id).aggregate(m=Max("number"))["m"] or 0
    start = max(live, past)
    return list(range(start + 1, start + count + 1))


class ImportJob(models.Model):
    """An uploaded register file, validated and then applied by background tasks."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="import_jobs")
    register = models.CharField(max_length=100)  # "<area>:<slug>"
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    encoding = models.CharField(max_length=20, blank=True)  # chosen by the user, or "" for auto
    detected_encoding = models.CharField(max_length=20, blank=True)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(max_length=20, choices=ImportStatus, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    file_error = models.TextField(blank=True)
    row_errors = models.JSONField(default=list)  # [{"row": 3, "field": "Due date", "message": "..."}]
    preview = models.JSONField(default=list)  # first rows as displayed, for the preview table
    headers = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in {ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING}
