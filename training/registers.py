"""The training registers, declared on the core register mechanism.

Enrolments, attendance and sign-offs change through the session and sign-off pages (services.py
checks who may sign off); usage rows come in through the usage import, not as a register.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projectcrm.core.registers import Register

from .models import (
    AdoptionBaseline,
    AdoptionTarget,
    Champion,
    ChampionQuestion,
    Course,
    CurriculumItem,
    Department,
    Enrolment,
    JobRole,
    LicenceCount,
    PulseResponse,
    PulseSurvey,
    SessionFeedback,
    SignOff,
    Trainee,
    TrainingSession,
)


class DepartmentRegister(Register):
    model = Department
    area = "training"
    slug = "departments"
    list_columns = ["name", "head", "go_live"]
    search_fields = ["name", "head", "notes"]
    form_fields = ["name", "head", "go_live", "notes"]
    ordering = ["name"]


class JobRoleRegister(Register):
    model = JobRole
    area = "training"
    slug = "job-roles"
    list_columns = ["name", "description"]
    search_fields = ["name", "description"]
    form_fields = ["name", "description"]
    ordering = ["name"]
    list_actions = [("job-role-library", _("Add standard roles"), "change")]


class CourseRegister(Register):
    model = Course
    area = "training"
    slug = "courses"
    list_columns = ["ref", "title", "delivery", "duration_hours", "pass_mark", "content_version"]
    filter_fields = ["delivery"]
    search_fields = ["title", "objectives", "modules", "materials"]
    form_fields = [
        "title", "objectives", "modules", "duration_hours", "delivery", "prerequisites", "materials", "pass_mark",
        "practical_task", "related_processes", "valid_months",
    ]
    ordering = ["number"]
    detail_extra_template = "training/_signoff_course_versions.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .session_views import course_detail_context

        return course_detail_context(obj, access)


class CurriculumRegister(Register):
    model = CurriculumItem
    area = "training"
    slug = "curricula"
    list_columns = ["job_role", "course", "required"]
    filter_fields = ["job_role", "course", "required"]
    search_fields = ["job_role__name", "course__title"]
    form_fields = ["job_role", "course", "required"]
    ordering = ["job_role__name", "course__number"]


def active_trainees(queryset, project):
    return queryset.filter(active=True)


class TraineeRegister(Register):
    model = Trainee
    area = "training"
    slug = "trainees"
    list_columns = ["name", "department", "job_role", "manager", "employee_id", "crm_username", "licensed", "active"]
    filter_fields = ["department", "job_role", "licensed", "active"]
    search_fields = ["name", "employee_id", "email", "crm_username"]
    form_fields = ["name", "employee_id", "email", "department", "job_role", "manager", "crm_username", "licensed", "active", "user"]
    ordering = ["name"]
    quick_filters = {"active": (pgettext_lazy("people", "Active"), active_trainees)}


class SessionRegister(Register):
    model = TrainingSession
    area = "training"
    slug = "sessions"
    list_columns = ["ref", "course", "starts", "trainer", "location", "capacity", "status"]
    filter_fields = ["course", "trainer", "status"]
    search_fields = ["course__title", "location", "notes"]
    form_fields = ["course", "starts", "ends", "trainer", "delivered_by", "location", "link", "capacity", "status", "notes"]
    ordering = ["starts"]

    detail_extra_template = "training/session_detail_extra.html"

    @classmethod
    def initial(cls, access):
        return {"trainer": access.user.pk}

    @classmethod
    def detail_context(cls, obj, access):
        from .session_views import session_detail_context

        return session_detail_context(obj, access)


class EnrolmentRegister(Register):
    model = Enrolment
    area = "training"
    slug = "enrolments"
    list_columns = ["trainee", "session", "status", "attended", "score"]
    filter_fields = ["session", "status", "attended"]
    search_fields = ["trainee__name", "session__course__title"]
    # People join and leave sessions on the roster (capacity and waiting list kept there); the
    # register shows enrolments and lets a trainer correct attendance and scores.
    form_fields = ["attended", "score"]
    ordering = ["session__starts", "trainee__name"]
    importable = False
    creatable = False


class SignOffRegister(Register):
    model = SignOff
    area = "training"
    slug = "sign-offs"
    list_columns = ["trainee", "course", "course_version", "signed_by", "signed_on", "score", "acknowledged_on"]
    filter_fields = ["course", "signed_by"]
    search_fields = ["trainee__name", "course__title", "note"]
    # Sign-offs are given on the session page (services.sign_off checks who signs); the register
    # shows them, their history and exports, and lets a trainer correct the note.
    form_fields = ["note"]
    ordering = ["-signed_on"]
    importable = False
    creatable = False
    detail_extra_template = "training/_signoff_detail.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .session_views import sign_off_detail_context

        return sign_off_detail_context(obj, access)


class ChampionRegister(Register):
    model = Champion
    area = "training"
    slug = "champions"
    list_columns = ["trainee", "since", "recognition"]
    search_fields = ["trainee__name", "recognition"]
    form_fields = ["trainee", "since", "recognition"]
    ordering = ["trainee__department__name", "trainee__name"]


class ChampionQuestionRegister(Register):
    model = ChampionQuestion
    area = "training"
    slug = "champion-questions"
    list_columns = ["champion", "asked_on", "asked_by", "question"]
    filter_fields = ["champion"]
    search_fields = ["question", "answer", "asked_by"]
    form_fields = ["champion", "asked_on", "asked_by", "question", "answer"]
    ordering = ["-asked_on"]


class FeedbackRegister(Register):
    model = SessionFeedback
    area = "training"
    slug = "feedback"
    list_columns = ["session", "trainee", "rating", "comments"]
    filter_fields = ["session", "rating"]
    search_fields = ["comments"]
    form_fields = ["session", "trainee", "rating", "comments"]
    ordering = ["-created"]


class PulseSurveyRegister(Register):
    model = PulseSurvey
    area = "training"
    slug = "pulse-surveys"
    list_columns = ["title", "question", "sent_on"]
    search_fields = ["title", "question"]
    form_fields = ["title", "question", "sent_on"]
    ordering = ["-sent_on"]


class PulseResponseRegister(Register):
    model = PulseResponse
    area = "training"
    slug = "pulse-responses"
    list_columns = ["survey", "department", "rating", "comment"]
    filter_fields = ["survey", "department", "rating"]
    search_fields = ["comment"]
    form_fields = ["survey", "department", "rating", "comment"]
    ordering = ["survey", "department"]


class LicenceRegister(Register):
    model = LicenceCount
    area = "training"
    slug = "licences"
    list_columns = ["department", "start", "count"]
    filter_fields = ["department"]
    form_fields = ["department", "start", "count"]
    ordering = ["department__name", "start"]


class TargetRegister(Register):
    model = AdoptionTarget
    area = "training"
    slug = "adoption-targets"
    list_columns = ["department", "date", "rate"]
    filter_fields = ["department"]
    form_fields = ["department", "date", "rate"]
    ordering = ["department__name", "date"]


class BaselineRegister(Register):
    model = AdoptionBaseline
    area = "training"
    slug = "baselines"
    list_columns = ["metric", "value", "unit", "captured_on", "after_value"]
    search_fields = ["metric", "note"]
    form_fields = ["metric", "value", "unit", "captured_on", "after_value", "note"]
    ordering = ["metric"]


REGISTERS = [
    DepartmentRegister,
    JobRoleRegister,
    CourseRegister,
    CurriculumRegister,
    TraineeRegister,
    SessionRegister,
    EnrolmentRegister,
    SignOffRegister,
    ChampionRegister,
    ChampionQuestionRegister,
    FeedbackRegister,
    PulseSurveyRegister,
    PulseResponseRegister,
    LicenceRegister,
    TargetRegister,
    BaselineRegister,
]
