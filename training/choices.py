from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom")
    ONLINE = "online", _("Online")
    ON_THE_JOB = "on_the_job", _("On the job")
    TRAIN_THE_TRAINER = "train_the_trainer", _("Train the trainer")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Rating(models.IntegerChoices):
    POOR = 1, _("1 – Poor")
    FAIR = 2, _("2 – Fair")
    GOOD = 3, _("3 – Good")
    VERY_GOOD = 4, _("4 – Very good")
    EXCELLENT = 5, _("5 – Excellent")


# The record types of the usage data exported from the CRM, in the order of the import columns.
RECORD_TYPES = ("accounts", "contacts", "opportunities", "activities", "cases")
