"""The roadmap registers, declared on the core register mechanism."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projectcrm.core.registers import Register

from .choices import TASK_FINISHED, ChangeStatus, GateStatus
from .models import Baseline, ChangeRequest, Dependency, Gate, GateCriterion, Phase, Release, Task


class ReleaseRegister(Register):
    model = Release
    area = "roadmap"
    slug = "releases"
    list_columns = ["ref", "name", "kind", "status", "start_date", "rag_override"]
    filter_fields = ["kind", "status"]
    search_fields = ["name", "scope", "business_goals"]
    form_fields = ["name", "kind", "scope", "business_goals", "start_date", "status", "rag_override", "rag_reason"]
    ordering = ["start_date", "number"]
    list_actions = [
        ("release-from-template", _("Add release from template"), "change"),
        ("release-import-mspdi", _("Import from MS Project"), "change"),
    ]
    detail_extra_template = "roadmap/_release_links.html"


class PhaseRegister(Register):
    model = Phase
    area = "roadmap"
    slug = "phases"
    list_columns = ["name", "release", "order", "rag_override"]
    filter_fields = ["release"]
    search_fields = ["name", "description"]
    form_fields = ["release", "name", "description", "order", "rag_override", "rag_reason"]
    ordering = ["release", "order"]


def open_tasks(queryset, project):
    return queryset.exclude(status__in=TASK_FINISHED)


def overdue_tasks(queryset, project):
    return open_tasks(queryset, project).filter(planned_finish__lt=timezone.localdate())


def milestones(queryset, project):
    return queryset.filter(kind="milestone")


class TaskRegister(Register):
    model = Task
    area = "roadmap"
    slug = "tasks"
    list_columns = ["ref", "name", "kind", "release", "phase", "owner", "planned_start", "planned_finish", "percent_complete", "status"]
    filter_fields = ["release", "phase", "kind", "status", "owner"]
    search_fields = ["name", "description"]
    form_fields = [
        "release", "phase", "name", "description", "kind", "owner", "owner_stakeholder", "planned_start", "start_no_earlier_than",
        "duration", "effort_hours", "percent_complete", "actual_start", "actual_finish", "status", "evidence", "order",
    ]
    ordering = ["planned_start", "order", "number"]
    quick_filters = {
        "open": (_("Open"), open_tasks),
        "overdue": (_("Overdue"), overdue_tasks),
        "milestones": (_("Milestones"), milestones),
    }
    detail_extra_template = "roadmap/_task_links.html"

    @classmethod
    def overdue(cls, queryset, today):
        return overdue_tasks(queryset, None)

    @classmethod
    def after_save(cls, task, changed: list, user) -> str:
        """A typed start date holds (it becomes "start no earlier than"); tasks after it follow."""
        from django.utils.translation import ngettext

        from .services import move_task, reschedule

        if "planned_start" in changed and task.predecessor_links.exists():
            _task, moved = move_task(task, task.planned_start, task.version)
        elif {"duration", "planned_start", "kind", "start_no_earlier_than"} & set(changed):
            moved = reschedule(task.release, user)
        else:
            return ""
        if not moved:
            return ""
        return ngettext("%(n)d task after it moved.", "%(n)d tasks after it moved.", moved) % {"n": moved}

    @classmethod
    def detail_context(cls, obj, access):
        return {
            "predecessors": obj.predecessor_links.select_related("predecessor"),
            "successors": obj.successor_links.select_related("successor"),
        }


class DependencyRegister(Register):
    model = Dependency
    area = "roadmap"
    slug = "dependencies"
    list_columns = ["predecessor", "successor", "lag"]
    search_fields = ["predecessor__name", "successor__name"]
    form_fields = ["predecessor", "successor", "lag"]
    ordering = ["predecessor__number"]

    # Same release and no loop: Dependency.clean() (pages, imports, API). A file's rows are also
    # checked together, since two rows can close a loop that neither closes alone.

    @classmethod
    def validate_batch(cls, rows) -> dict:
        """{row number: message} for rows of one import that together would form a loop."""
        from . import schedule

        new = {}
        for number, obj in rows:
            new[number] = obj
        changed = {obj.pk for obj in new.values() if obj.pk}
        release_ids = {obj.successor.release_id for obj in new.values()}
        links = [
            schedule.Link(d.predecessor_id, d.successor_id, d.lag)
            for d in Dependency.objects.filter(successor__release_id__in=release_ids).exclude(pk__in=changed)
        ]
        links += [schedule.Link(obj.predecessor_id, obj.successor_id, obj.lag) for obj in new.values()]
        keys = {k for link in links for k in (link.predecessor, link.successor)}
        cycle = schedule.find_cycle(keys, links)
        if not cycle:
            return {}
        pairs = set(zip(cycle, cycle[1:], strict=False))
        message = _("These rows together make tasks wait for each other in a loop.")
        return {n: str(message) for n, obj in new.items() if (obj.predecessor_id, obj.successor_id) in pairs}


class BaselineRegister(Register):
    model = Baseline
    area = "roadmap"
    slug = "baselines"
    list_columns = ["name", "release", "taken_by", "created"]
    filter_fields = ["release"]
    search_fields = ["name", "note"]
    form_fields = ["release", "name", "note"]
    ordering = ["-created"]
    detail_extra_template = "roadmap/_baseline_compare.html"

    # A baseline is a snapshot taken in the app (its items are the dates at that moment), so it is
    # not created from a file; the model freezes the dates whichever page or API saves it.
    importable = False

    @classmethod
    def form_class(cls):
        base = super().form_class()

        class BaselineForm(base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                if self.instance.pk is not None:
                    self.fields["release"].disabled = True  # the items are that release's dates

        return BaselineForm

    @classmethod
    def detail_context(cls, obj, access):
        from .services import compare_with_baseline

        return {"comparison": compare_with_baseline(obj)}


def open_gates(queryset, project):
    return queryset.filter(status=GateStatus.OPEN)


class GateRegister(Register):
    model = Gate
    area = "roadmap"
    slug = "gates"
    list_columns = ["name", "phase", "rule", "status", "decided_on"]
    filter_fields = ["status"]
    search_fields = ["name"]
    form_fields = ["phase", "name", "rule"]
    ordering = ["phase__release", "phase__order"]
    quick_filters = {"open": (_("Open"), open_gates)}
    detail_extra_template = "roadmap/_gate_review.html"

    @classmethod
    def detail_context(cls, obj, access):
        from .choices import Vote
        from .gates import gate_review

        return {"review": gate_review(obj), "vote_choices": Vote.choices}


class CriterionRegister(Register):
    model = GateCriterion
    area = "roadmap"
    slug = "criteria"
    list_columns = ["text", "gate", "kind", "threshold", "met", "order"]
    filter_fields = ["gate", "kind", "met"]
    search_fields = ["text", "note"]
    form_fields = ["gate", "text", "kind", "threshold", "met", "note", "order"]
    ordering = ["gate", "order"]


def waiting_changes(queryset, project):
    return queryset.filter(status__in=[ChangeStatus.SUBMITTED, ChangeStatus.ASSESSED])


class ChangeRequestRegister(Register):
    model = ChangeRequest
    area = "roadmap"
    slug = "changes"
    list_columns = ["ref", "title", "release", "priority", "impact_days", "impact_cost", "status", "requested_by"]
    filter_fields = ["status", "priority", "release"]
    search_fields = ["title", "description", "reason", "impact_scope", "impact_risk"]
    # Status, decision date and note move only through the workflow actions (roadmap/services.py).
    form_fields = [
        "title", "description", "reason", "requested_by", "release", "impact_scope", "impact_days", "impact_cost",
        "impact_risk", "affected_task", "priority",
    ]
    ordering = ["-number"]
    quick_filters = {"waiting": (_("Waiting for a decision"), waiting_changes)}
    detail_extra_template = "roadmap/_change_actions.html"

    @classmethod
    def initial(cls, access):
        return {"requested_by": access.user.pk}


REGISTERS = [
    ReleaseRegister,
    PhaseRegister,
    TaskRegister,
    DependencyRegister,
    BaselineRegister,
    GateRegister,
    CriterionRegister,
    ChangeRequestRegister,
]
