"""Gap analysis pages: compare an as-is map with a to-be map, record the differences as gaps, and
turn a gap into a roadmap deliverable and a use case in one action.

    gap-analysis/              gap-analysis    view    figures before/after, differences, recorded gaps
    gap-analysis/record/       gap-record      change  POST: the ticked differences become Gap rows
    gaps/<pk>/deliver/         gap-deliver     change  create a deliverable and/or a use case from a gap

The comparison itself is design/gaps.py (plain data, tested by hand-worked maps); these views load
the maps with mapdata.load, resolve step keys to rows and save through the models, in one
transaction, so every new row has its history. Also the extras of the gap and process detail
pages (`gap_detail_context`, `process_detail_context`). Every view starts from
`project_access(..., "design", ...)`: 404 outside the project, 403 for a role the policy refuses.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access
from projectcrm.core.services import save_versioned
from roadmap.choices import ItemKind
from roadmap.models import Phase, Release, Task

from . import gaps
from . import mapdata as md
from .choices import GapKind, MapKind, MoSCoW, Resolution
from .models import Gap, ProcessMap, Step, UseCase
from .pages import AREA
from .pages import page as _page
from .pages import to_int as _int

# ---------------------------------------------------------------------------------------------
# Choosing the two maps
# ---------------------------------------------------------------------------------------------


def default_pair(maps: list[ProcessMap], process_pk: int | None) -> tuple[ProcessMap | None, ProcessMap | None]:
    """A process's newest to-be map and the as-is map it was copied from (else its newest as-is map)."""
    own = [m for m in maps if m.process_id == process_pk]
    to_be = max((m for m in own if m.kind == MapKind.TO_BE), key=lambda m: m.number, default=None)
    as_is = None
    if to_be is not None and to_be.based_on_id:
        as_is = next((m for m in own if m.pk == to_be.based_on_id and m.kind == MapKind.AS_IS), None)
    if as_is is None:
        as_is = max((m for m in own if m.kind == MapKind.AS_IS), key=lambda m: m.number, default=None)
    return as_is, to_be


def chosen_pair(maps: list[ProcessMap], params) -> tuple[ProcessMap | None, ProcessMap | None, list[str]]:
    """The maps named by ?as_is=&to_be= (or defaulted from ?process=), and what was wrong with the choice."""
    by_pk = {m.pk: m for m in maps}
    errors = []
    if "as_is" not in params and "to_be" not in params:
        return (*default_pair(maps, _int(params.get("process"))), errors)
    chosen = []
    for name, label in (("as_is", _("as-is map")), ("to_be", _("to-be map"))):
        found = by_pk.get(_int(params.get(name)))
        if found is None:
            errors.append(_("Choose the %(what)s: there is no such map in this project.") % {"what": label})
        chosen.append(found)
    return chosen[0], chosen[1], errors


def analysis_url(project_pk, as_is, to_be) -> str:
    base = reverse("design:gap-analysis", kwargs={"project": project_pk})
    return f"{base}?{urlencode({'as_is': as_is.pk, 'to_be': to_be.pk})}"


# ---------------------------------------------------------------------------------------------
# The analysis page
# ---------------------------------------------------------------------------------------------


def step_ids(*maps) -> dict[tuple[int, str], int]:
    """(map pk, step key) → step pk for the given maps, in one query."""
    return {(map_id, key): pk for map_id, key, pk in Step.objects.filter(map__in=maps).values_list("map_id", "key", "pk")}


KIND_COLOURS = {GapKind.REMOVED: "red", GapKind.ADDED: "green", GapKind.CHANGED: "amber", GapKind.AUTOMATED: "teal"}


def gap_key(kind, as_is_step_id, to_be_step_id) -> tuple:
    return (kind, as_is_step_id, to_be_step_id)


def pair_of_maps(as_is, to_be) -> Q:
    """Gaps recorded for this comparison: for this pair of maps, or typed in without maps but on
    steps of these maps (a to-be variant's gaps do not count for another variant of the same as-is)."""
    on_steps = Q(as_is_step__map=as_is) | Q(to_be_step__map=to_be)
    return Q(as_is_map=as_is, to_be_map=to_be) | (Q(as_is_map__isnull=True, to_be_map__isnull=True) & on_steps)


def difference_rows(comparison, as_is, to_be, project) -> list[dict]:
    """Each difference with its steps' ids and the gap already recorded for it (kind and steps alike)."""
    ids = step_ids(as_is, to_be)
    existing = {
        gap_key(g.kind, g.as_is_step_id, g.to_be_step_id): g
        for g in Gap.objects.filter(project=project).filter(pair_of_maps(as_is, to_be))
    }
    rows = []
    for diff in comparison.differences:
        as_is_id = ids.get((as_is.pk, diff.as_is_key)) if diff.as_is_key else None
        to_be_id = ids.get((to_be.pk, diff.to_be_key)) if diff.to_be_key else None
        rows.append({"diff": diff, "as_is_step": as_is_id, "to_be_step": to_be_id, "colour": KIND_COLOURS.get(diff.kind),
                     "gap": existing.get(gap_key(diff.kind, as_is_id, to_be_id))})
    return rows


def effort_totals(recorded: list[Gap]) -> list[dict]:
    labels = dict(Resolution.choices)
    return [
        {"resolution": value, "label": labels.get(value, _("Not resolved yet")), "effort": effort, "count": count}
        for value, effort, count in gaps.effort_by_resolution((g.resolution, g.effort_days) for g in recorded)
    ]


def diagrams(*datas: md.MapData) -> list[str] | None:
    """The small diagrams of the maps, when design/diagram.py provides `render_svg`."""
    try:
        from .diagram import render_svg
    except ImportError:
        return None
    return [mark_safe(render_svg(data)) for data in datas]  # noqa: S308 - SVG built and escaped by diagram.py


@login_required
def gap_analysis(request, project):
    """Figures before and after, the differences and the gaps recorded for a pair of maps."""
    access = project_access(request.user, project, AREA, "view")
    project = access.project
    maps = list(ProcessMap.objects.filter(project=project).select_related("process").order_by("process__number", "kind", "number"))
    as_is, to_be, errors = chosen_pair(maps, request.GET)
    context = {"maps": maps, "as_is": as_is, "to_be": to_be, "errors": errors, "kinds": MapKind}
    if as_is is not None and to_be is not None:
        before, after = md.load(as_is), md.load(to_be)
        comparison = gaps.compare(before, after)
        recorded = list(
            Gap.objects.filter(project=project, as_is_map=as_is, to_be_map=to_be)
            .select_related("owner", "as_is_step", "to_be_step").order_by("number")
        )
        rows = difference_rows(comparison, as_is, to_be, project)
        context.update(
            comparison=comparison, rows=rows, recorded=recorded, totals=effort_totals(recorded),
            total_effort=sum((g.effort_days or 0) for g in recorded), diagrams=diagrams(before, after),
            unrecorded=sum(1 for r in rows if r["gap"] is None),
            counts=[{"kind": kind, "label": GapKind(kind).label, "count": comparison.count(kind), "colour": colour}
                    for kind, colour in KIND_COLOURS.items()],
        )
    return _page(request, "design/gap_analysis.html", access, _("Gap analysis"), **context)


# ---------------------------------------------------------------------------------------------
# Recording differences as gaps
# ---------------------------------------------------------------------------------------------


def record_gaps(project, as_is: ProcessMap, to_be: ProcessMap, tokens: set[str]) -> list[Gap]:
    """Gap rows for the ticked differences not yet recorded, all in one transaction."""
    with transaction.atomic():
        # Two people recording the same pair at once are served one after the other.
        list(ProcessMap.objects.select_for_update().filter(pk__in=[as_is.pk, to_be.pk]))
        comparison = gaps.compare(md.load(as_is), md.load(to_be))
        created = []
        for row in difference_rows(comparison, as_is, to_be, project):
            diff = row["diff"]
            if diff.token not in tokens or row["gap"] is not None:
                continue
            gap = Gap(
                project=project, title=diff.title(), kind=diff.kind, description=diff.description(),
                as_is_map=as_is, to_be_map=to_be, as_is_step_id=row["as_is_step"], to_be_step_id=row["to_be_step"],
            )
            created.append(save_versioned(gap, None))
    return created


@login_required
@require_POST
def gap_record(request, project):
    """Record the ticked differences of a pair of maps as gaps (ones already recorded are skipped)."""
    access = project_access(request.user, project, AREA, "change")
    project = access.project
    maps = list(ProcessMap.objects.filter(project=project, pk__in=[_int(request.POST.get("as_is")) or 0,
                                                                    _int(request.POST.get("to_be")) or 0]))
    # A post always names both maps (the page's form carries them); a default pair is not guessed.
    as_is, to_be, errors = chosen_pair(maps, {"as_is": request.POST.get("as_is"), "to_be": request.POST.get("to_be")})
    if errors:
        for error in errors:
            messages.error(request, error)
        return redirect("design:gap-analysis", project=project.pk)
    tokens = set(request.POST.getlist("diff"))
    created = record_gaps(project, as_is, to_be, tokens) if tokens else []
    if created:
        messages.success(request, ngettext(
            "%(n)d gap recorded: %(refs)s.", "%(n)d gaps recorded: %(refs)s.", len(created),
        ) % {"n": len(created), "refs": ", ".join(g.ref for g in created)})
    else:
        messages.info(request, _("No gap recorded: tick the differences to record (ones already recorded are skipped)."))
    return redirect(analysis_url(project.pk, as_is, to_be))


# ---------------------------------------------------------------------------------------------
# A gap becomes a deliverable and a use case
# ---------------------------------------------------------------------------------------------

PRIORITY_TO_MOSCOW = {"critical": MoSCoW.MUST, "high": MoSCoW.MUST, "medium": MoSCoW.SHOULD, "low": MoSCoW.COULD}
# Model fields whose validation errors belong to a field of the form.
TASK_FIELDS = {"release": "release", "phase": "phase", "name": "deliverable_name", "planned_start": "planned_start",
               "duration": "duration", "owner": "owner"}
USE_CASE_FIELDS = {"title": "use_case_title", "actor": "actor", "priority": "priority", "business_owner": "business_owner"}


DELIVERABLE_FIELDS = ["make_deliverable", "release", "phase", "deliverable_name", "planned_start", "duration", "owner"]
USE_CASE_FORM_FIELDS = ["make_use_case", "use_case_title", "actor", "priority", "business_owner"]


class DeliverForm(forms.Form):
    make_deliverable = forms.BooleanField(label=gettext_lazy("Create a roadmap deliverable"), required=False)
    release = forms.ModelChoiceField(label=gettext_lazy("Release"), queryset=Release.objects.none(), required=False)
    phase = forms.ModelChoiceField(label=gettext_lazy("Phase"), queryset=Phase.objects.none(), required=False,
                                   empty_label=gettext_lazy("— none —"))
    deliverable_name = forms.CharField(label=gettext_lazy("Deliverable name"), max_length=200, required=False)
    planned_start = forms.DateField(label=gettext_lazy("Planned start"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    duration = forms.IntegerField(label=gettext_lazy("Duration (working days)"), min_value=1, max_value=2000,
                                  required=False)
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=get_user_model().objects.none(), required=False,
                                   empty_label=gettext_lazy("— none —"))
    make_use_case = forms.BooleanField(label=gettext_lazy("Create a use case"), required=False)
    use_case_title = forms.CharField(label=gettext_lazy("Use case title"), max_length=200, required=False)
    actor = forms.CharField(label=gettext_lazy("Actor"), max_length=120, required=False)
    priority = forms.ChoiceField(label=gettext_lazy("Priority (MoSCoW)"), choices=MoSCoW.choices, initial=MoSCoW.SHOULD)
    business_owner = forms.ModelChoiceField(label=gettext_lazy("Business owner"), queryset=get_user_model().objects.none(),
                                            required=False, empty_label=gettext_lazy("— none —"))

    def __init__(self, project, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = get_user_model().objects.filter(memberships__project=project).order_by("username")
        self.fields["release"].queryset = Release.objects.filter(project=project).order_by("start_date", "number")
        self.fields["phase"].queryset = Phase.objects.filter(project=project).select_related("release")
        self.fields["phase"].label_from_instance = lambda phase: f"{phase.release.ref} · {phase.name}"
        self.fields["owner"].queryset = members
        self.fields["business_owner"].queryset = members
        for name in ("owner", "business_owner"):
            self.fields[name].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        self.has_releases = self.fields["release"].queryset.exists()

    def deliverable_fields(self):
        return [self[name] for name in DELIVERABLE_FIELDS]

    def use_case_fields(self):
        return [self[name] for name in USE_CASE_FORM_FIELDS]

    def clean(self):
        data = super().clean()
        if not data.get("make_deliverable") and not data.get("make_use_case"):
            raise ValidationError(_("Tick what to create: a roadmap deliverable, a use case or both."))
        if data.get("make_deliverable"):
            self.check_deliverable(data)
        if data.get("make_use_case"):
            for name, message in (("use_case_title", _("Give the use case a title.")),
                                  ("actor", _("Name the actor of the use case."))):
                if not (data.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, message)
        return data

    def check_deliverable(self, data):
        if not self.has_releases:
            self.add_error("release", _("The project has no release yet: add one in the release register first."))
        elif not data.get("release") and "release" not in self.errors:
            self.add_error("release", _("Choose the release the deliverable belongs to."))
        phase, release = data.get("phase"), data.get("release")
        if phase and release and phase.release_id != release.pk:
            self.add_error("phase", _("This phase belongs to another release."))
        required = (("deliverable_name", _("Give the deliverable a name.")),
                    ("planned_start", _("Give the planned start.")),
                    ("duration", _("Give the duration in working days (at least 1).")))
        for name, message in required:
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)


def deliver_initial(gap: Gap, releases: list[Release]) -> dict:
    to_be_step = gap.to_be_step
    actor = ""
    if to_be_step is not None:
        actor = to_be_step.performer or to_be_step.lane.name
    process_owner = gap.to_be_map.process.owner_id if gap.to_be_map_id else None
    return {
        "make_deliverable": bool(releases), "make_use_case": True,
        "release": releases[0].pk if len(releases) == 1 else None,
        "deliverable_name": gap.title, "planned_start": timezone.localdate(),
        "duration": max(1, math.ceil(gap.effort_days)) if gap.effort_days else 1,
        "owner": gap.owner_id, "use_case_title": gap.title, "actor": actor,
        "priority": PRIORITY_TO_MOSCOW.get(gap.priority, MoSCoW.SHOULD), "business_owner": process_owner,
    }


def create_deliverable(gap: Gap, data: dict) -> Task:
    task = Task(
        project=gap.project, release=data["release"], phase=data.get("phase"), name=data["deliverable_name"].strip(),
        kind=ItemKind.DELIVERABLE, owner=data.get("owner"), planned_start=data["planned_start"],
        duration=data["duration"], description=_("From gap %(ref)s.") % {"ref": gap.ref} + "\n\n" + gap.description,
    )
    task.compute()
    validate(task, TASK_FIELDS)
    save_versioned(task, None)
    gap.deliverables.add(task)
    return task


def create_use_case(gap: Gap, data: dict) -> UseCase:
    use_case = UseCase(
        project=gap.project, title=data["use_case_title"].strip(), actor=data["actor"].strip(),
        priority=data["priority"], business_owner=data.get("business_owner"),
        goal=gap.description,
    )
    validate(use_case, USE_CASE_FIELDS)
    save_versioned(use_case, None)
    use_case.gaps.add(gap)
    if gap.to_be_step_id:
        use_case.steps.add(gap.to_be_step_id)
    return use_case


def deliver(gap: Gap, data: dict) -> list:
    """The deliverable and/or use case the form asks for, both or neither (one transaction)."""
    with transaction.atomic():
        # The gap stays locked until both are made: a form sent twice (a double click, a reload)
        # finds the first one's rows and is refused instead of making them again.
        Gap.objects.select_for_update().filter(pk=gap.pk).first()
        refuse_repeats(gap, data)
        created = []
        if data.get("make_deliverable"):
            created.append(create_deliverable(gap, data))
        if data.get("make_use_case"):
            created.append(create_use_case(gap, data))
    return created


def refuse_repeats(gap: Gap, data: dict) -> None:
    """A deliverable or use case of the same name already made from this gap is not made again."""
    errors = {}
    if data.get("make_deliverable"):
        same = gap.deliverables.filter(name=data["deliverable_name"].strip()).first()
        if same is not None:
            errors["deliverable_name"] = _("%(gap)s already has the deliverable %(ref)s of this name.") % {
                "gap": gap.ref, "ref": same.ref}
    if data.get("make_use_case"):
        same = gap.use_cases.filter(title=data["use_case_title"].strip()).first()
        if same is not None:
            errors["use_case_title"] = _("%(gap)s already has the use case %(ref)s of this title.") % {
                "gap": gap.ref, "ref": same.ref}
    if errors:
        raise ValidationError(errors)


def validate(obj, fields: dict) -> None:
    """The model's own checks (Task.clean and constraints), with errors named by the form's fields."""
    try:
        obj.full_clean(exclude=["number"])
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        named = {}
        for name, problems in error.message_dict.items():
            target = fields.get(name, NON_FIELD_ERRORS)
            label = "" if name in fields or name == NON_FIELD_ERRORS else f"{obj._meta.get_field(name).verbose_name}: "
            named.setdefault(target, []).extend(f"{label}{problem}" for problem in problems)
        raise ValidationError(named) from error


def add_errors(form: DeliverForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.message_dict.items():
        for problem in problems:
            form.add_error(None if name == NON_FIELD_ERRORS else name, problem)


@login_required
def gap_deliver(request, project, pk):
    """Create, in one action, a roadmap deliverable and/or a use case from a gap, keeping the links."""
    access = project_access(request.user, project, AREA, "change")
    project = access.project
    gap = get_object_or_404(
        Gap.objects.select_related("to_be_step__lane", "to_be_map__process", "as_is_step", "owner"), project=project, pk=pk,
    )
    releases = list(Release.objects.filter(project=project).order_by("start_date", "number"))
    if request.method == "POST":
        form = DeliverForm(project, request.POST)
        if form.is_valid():
            try:
                created = deliver(gap, form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Created from %(gap)s: %(refs)s.") % {
                    "gap": gap.ref, "refs": ", ".join(str(obj) for obj in created)})
                return redirect("design:gaps-detail", project=project.pk, pk=gap.pk)
    else:
        form = DeliverForm(project, initial=deliver_initial(gap, releases))
    return _page(request, "design/gap_deliver.html", access, _("Deliverable and use case from %(gap)s") % {"gap": gap.ref},
                 gap=gap, form=form, releases=releases)


# ---------------------------------------------------------------------------------------------
# Extras of the gap and process detail pages
# ---------------------------------------------------------------------------------------------


def gap_detail_context(obj, access) -> dict:
    """The gap's steps (with their maps), the deliverables and use cases made from it."""
    steps = {s.pk: s for s in Step.objects.filter(pk__in=[obj.as_is_step_id or 0, obj.to_be_step_id or 0])
             .select_related("map", "lane")}
    return {
        "gap_as_is_step": steps.get(obj.as_is_step_id),
        "gap_to_be_step": steps.get(obj.to_be_step_id),
        "gap_deliverables": list(obj.deliverables.select_related("release").order_by("number")),
        "gap_use_cases": list(obj.use_cases.order_by("number")),
        "gap_can_deliver": access.can(AREA, "change"),
    }


def process_detail_context(obj, access) -> dict:
    """A process's maps with their step counts and the gaps between them, in a fixed number of queries."""
    maps = list(obj.maps.annotate(step_count=Count("steps")).order_by("kind", "number"))
    map_ids = [m.pk for m in maps]
    process_gaps = list(
        Gap.objects.filter(project=obj.project_id).filter(Q(as_is_map__in=map_ids) | Q(to_be_map__in=map_ids))
        .select_related("owner").order_by("number")
    ) if map_ids else []
    return {"process_maps": maps, "process_gaps": process_gaps, "process_context": True}


urlpatterns = [
    path("gap-analysis/", gap_analysis, name="gap-analysis"),
    path("gap-analysis/record/", gap_record, name="gap-record"),
    path("gaps/<int:pk>/deliver/", gap_deliver, name="gap-deliver"),
]
