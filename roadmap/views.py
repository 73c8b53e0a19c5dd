"""Roadmap pages beyond the generic registers: plan, Gantt, templates, baselines, gates, changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projectcrm.core.access import project_access
from projectcrm.core.services import EditConflict

from . import charts, gates, methodology, mspdi, schedule, services
from .choices import Rag, TaskStatus
from .forms import MoveTaskForm, MspdiImportForm, TemplateChoiceForm, VoteForm
from .interchange import export_release
from .models import ChangeRequest, Dependency, Gate, GateCriterion, PlanTemplate, Release, Task

# An import names at most this many of its changes as messages, then counts the rest.
MAX_IMPORT_WARNINGS = 25


@login_required
def release_from_template(request, project):
    access = project_access(request.user, project, "roadmap", "change")
    form = TemplateChoiceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            release = methodology.instantiate(
                access.project, form.template_data(), form.cleaned_data["name"], form.cleaned_data["start"],
                kind=form.cleaned_data["kind"],
            )
        except methodology.TemplateProblem as problem:
            form.add_error("template", str(problem))
        else:
            messages.success(request, _("%(release)s created from the template.") % {"release": release})
            return redirect("roadmap:plan", project=access.project.pk, pk=release.pk)
    return render(
        request, "roadmap/from_template.html",
        {"project": access.project, "access": access, "area": "roadmap", "form": form, "title": _("Add release from template")},
    )


def conflict_text(conflict: EditConflict) -> str:
    """The standard message when someone else saved the same row a moment earlier."""
    text = _("Not saved: someone else changed this record while you were editing it.")
    if conflict.by:
        text += " " + _("Last change by %(who)s.") % {"who": conflict.by}
    return text


def release_for(request, project, pk, action="view"):
    access = project_access(request.user, project, "roadmap", action)
    return access, get_object_or_404(Release, pk=pk, project=access.project)


def plan_context(access, release) -> dict:
    tasks, links, result = services.plan_of(release)
    status = services.release_status(release, tasks=tasks)
    slots = result.items
    phases = []
    for row in status["phases"]:
        items = sorted(row["tasks"], key=lambda t: (t.planned_start, t.order, t.number))
        phases.append({**row, "items": [{"task": t, "slot": slots[t.pk]} for t in items]})
    loose = [{"task": t, "slot": slots[t.pk]} for t in tasks if t.phase_id is None]
    return {
        "project": access.project, "access": access, "area": "roadmap", "release": release, "status": status,
        "phases": phases, "loose": loose, "finish": result.finish, "critical": result.critical_path,
        "can_change": access.can("roadmap", "change"), "title": str(release), "rag_labels": dict(Rag.choices),
    }


@login_required
def plan(request, project, pk):
    access, release = release_for(request, project, pk)
    return render(request, "roadmap/plan.html", plan_context(access, release))


@login_required
@require_POST
def task_move(request, project, pk):
    """Move a task to another start date and its successors after it (from a plan row).

    With htmx the refreshed plan body is the answer; without JavaScript, a redirect to the plan."""
    access = project_access(request.user, project, "roadmap", "change")
    task = get_object_or_404(Task.objects.select_related("release"), pk=pk, project=access.project)
    form = MoveTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("%(task)s was not moved: choose a date.") % {"task": task.ref})
    else:
        wanted = form.cleaned_data["start"]
        try:
            moved_task, moved = services.move_task(task, wanted, form.cleaned_data["version"])
        except EditConflict as conflict:
            messages.error(request, conflict_text(conflict) + " " + _("The plan below shows the current dates."))
        except schedule.CycleError:
            messages.error(request, _("%(task)s was not moved: the release's links form a loop.") % {"task": task.ref})
        else:
            start = moved_task.planned_start
            if start != schedule.roll_forward(wanted):
                messages.warning(
                    request,
                    _("%(task)s cannot start before %(date)s: it waits for other tasks.") % {"task": task.ref, "date": start},
                )
            messages.success(
                request,
                ngettext(
                    "%(task)s now starts on %(date)s; %(n)d task after it moved.",
                    "%(task)s now starts on %(date)s; %(n)d tasks after it moved.",
                    moved,
                ) % {"task": task.ref, "date": start, "n": moved},
            )
    if request.htmx:
        return render(request, "roadmap/_plan_body.html", plan_context(access, task.release))
    return redirect("roadmap:plan", project=access.project.pk, pk=task.release_id)


@login_required
def release_export_mspdi(request, project, pk):
    """The release as a Microsoft Project XML file (MS Project 2010 and later, ProjectLibre)."""
    access, release = release_for(request, project, pk)
    response = HttpResponse(export_release(release), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{release.ref}.xml"'
    return response


@login_required
def release_import_mspdi(request, project):
    """A new release from a Microsoft Project or ProjectLibre XML file: phases, tasks, links."""
    access = project_access(request.user, project, "roadmap", "change")
    form = MspdiImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            release, warnings = form.save(access.project)
        except mspdi.MspdiError as problem:
            form.add_error("file", _("“%(file)s”: %(problem)s") % {"file": form.cleaned_data["file"].name, "problem": problem})
        else:
            messages.success(
                request,
                _("%(release)s created from “%(file)s”: %(phases)d phases, %(tasks)d tasks, %(links)d links.") % {
                    "release": release, "file": form.cleaned_data["file"].name, "phases": release.phases.count(),
                    "tasks": release.tasks.count(), "links": Dependency.objects.filter(successor__release=release).count(),
                },
            )
            for warning in warnings[:MAX_IMPORT_WARNINGS]:
                messages.warning(request, warning)
            if len(warnings) > MAX_IMPORT_WARNINGS:
                messages.warning(
                    request, _("… and %(n)d more changes of the same kinds.") % {"n": len(warnings) - MAX_IMPORT_WARNINGS}
                )
            return redirect("roadmap:plan", project=access.project.pk, pk=release.pk)
    return render(
        request, "roadmap/import_mspdi.html",
        {
            "project": access.project, "access": access, "area": "roadmap", "form": form,
            "title": _("Import from MS Project / ProjectLibre"), "max_mb": f"{mspdi.MAX_BYTES / 1048576:g}",
        },
    )


@login_required
@require_POST
def reschedule(request, project, pk):
    access, release = release_for(request, project, pk, "change")
    try:
        moved = services.reschedule(release, request.user)
    except EditConflict as conflict:
        messages.error(request, conflict_text(conflict))
    else:
        messages.success(request, _("%(n)d tasks moved to their earliest dates.") % {"n": moved})
    return redirect("roadmap:plan", project=access.project.pk, pk=release.pk)


@login_required
@require_POST
def take_baseline(request, project, pk):
    access, release = release_for(request, project, pk, "change")
    name = request.POST.get("name", "").strip() or _("Baseline of %(date)s") % {"date": timezone.localdate()}
    baseline = services.take_baseline(release, name[:200], request.user)
    messages.success(request, _("Baseline “%(name)s” saved.") % {"name": baseline.name})
    return redirect("roadmap:baselines-detail", project=access.project.pk, pk=baseline.pk)


@login_required
@require_POST
def save_as_template(request, project, pk):
    access, release = release_for(request, project, pk, "change")
    name = request.POST.get("name", "").strip()
    if not name:
        messages.error(request, _("Name the template."))
    elif PlanTemplate.objects.filter(name=name).exists():
        messages.error(request, _("A template named “%(name)s” already exists.") % {"name": name})
    else:
        PlanTemplate.objects.create(
            name=name[:200], data=methodology.plan_as_template(release, name), created_by=request.user,
            source_project=access.project.name, project=access.project,
        )
        messages.success(request, _("The plan is saved as the template “%(name)s”.") % {"name": name})
    return redirect("roadmap:plan", project=access.project.pk, pk=release.pk)


# Fonts that hold the reader's script first (installed on Debian, Windows, macOS), so Chinese labels
# get their regional glyph forms on screen and in a downloaded SVG.
CHART_FONTS = {
    "zh-hans": "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif",
    "zh-hant": "Noto Sans CJK TC, Source Han Sans TC, Microsoft JhengHei, PingFang TC, sans-serif",
}
# Date ticks without English month names, from days to years as the reader zooms.
CHINESE_DATE_TICKS = [
    {"dtickrange": [None, 28 * 24 * 3600 * 1000], "value": "%-m月%-d日"},
    {"dtickrange": ["M1", "M12"], "value": "%Y年%-m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
]


def localise_chart(figure, language: str | None):
    """Fonts and date ticks of a plotly figure for a Chinese reader; English stays as built."""
    language = (language or "").lower()
    if not language.startswith("zh"):
        return
    key = "zh-hant" if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "zh-hans"
    figure.update_layout(font={"family": CHART_FONTS[key]}, hoverlabel={"font": {"family": CHART_FONTS[key]}})
    figure.update_xaxes(tickformatstops=CHINESE_DATE_TICKS)


@login_required
def gantt(request, project, pk=None):
    """The Gantt chart of one release, or of the whole project when no release is given."""
    access = project_access(request.user, project, "roadmap", "view")
    releases = Release.objects.filter(project=access.project)
    if pk is not None:
        releases = releases.filter(pk=get_object_or_404(releases, pk=pk).pk)
    owner = request.GET.get("owner", "")
    status = request.GET.get("status", "")
    phase = request.GET.get("phase", "")
    data = charts.gantt_data(list(releases), owner=owner, status=status, phase=phase)
    figure = charts.gantt_figure(data, today=timezone.localdate())
    localise_chart(figure, get_language())
    return render(
        request, "roadmap/gantt.html",
        {
            "project": access.project, "access": access, "area": "roadmap", "release": releases.first() if pk else None,
            "chart_html": charts.figure_html(figure), "uses_plotly": True, "data": data,
            "owners": data.owners, "owner": owner, "status": status, "title": _("Gantt"),
            "phases": data.phases, "phase": phase,
            "statuses": TaskStatus.choices, "filename": f"gantt-{releases.first().ref}" if pk else "gantt",
        },
    )


@login_required
def milestones_ics(request, project, pk):
    from projectcrm.governance import ics

    access, release = release_for(request, project, pk)
    events = [
        ics.Event(uid=f"milestone-{t.pk}@projectcrm", date=t.planned_finish, summary=f"{t.ref} {t.name}", description=t.description)
        for t in release.tasks.filter(kind="milestone")
    ]
    response = HttpResponse(ics.calendar(f"{release.name} – {_('milestones')}", events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="milestones-{release.number}.ics"'
    return response


# --- Gates -------------------------------------------------------------------------------------


def gate_for(request, project, pk, action="view"):
    access = project_access(request.user, project, "roadmap", action)
    return access, get_object_or_404(Gate.objects.select_related("phase", "project"), pk=pk, project=access.project)


@login_required
@require_POST
def gate_vote(request, project, pk):
    # Steering members vote although their roadmap right is "view": voting is their role's job.
    access, gate = gate_for(request, project, pk, "view")
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            gates.cast_vote(gate, request.user, **form.cleaned_data)
            messages.success(request, _("Your vote is recorded."))
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
    else:
        messages.error(request, _("Choose a decision."))
    return redirect("roadmap:gates-detail", project=access.project.pk, pk=gate.pk)


@login_required
@require_POST
def gate_decide(request, project, pk):
    access, gate = gate_for(request, project, pk, "change")
    try:
        outcome = gates.decide(gate)
    except EditConflict as conflict:
        messages.error(request, conflict_text(conflict))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Gate decided: %(outcome)s.") % {"outcome": gate.__class__(status=outcome).get_status_display()})
    return redirect("roadmap:gates-detail", project=access.project.pk, pk=gate.pk)


@login_required
@require_POST
def gate_reopen(request, project, pk):
    access, gate = gate_for(request, project, pk, "change")
    try:
        gates.reopen(gate)
    except EditConflict as conflict:
        messages.error(request, conflict_text(conflict))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The gate is open again for a new review."))
    return redirect("roadmap:gates-detail", project=access.project.pk, pk=gate.pk)


@login_required
@require_POST
def criterion_check(request, project, pk):
    """Mark a manual criterion met or not, with its evidence note."""
    access = project_access(request.user, project, "roadmap", "change")
    item = get_object_or_404(GateCriterion.objects.select_related("gate"), pk=pk, project=access.project)
    gate = item.gate
    if gate.status != "open":
        messages.error(request, _("This gate is already decided."))
        return redirect("roadmap:gates-detail", project=access.project.pk, pk=gate.pk)
    item.met = request.POST.get("met") == "1"
    item.note = request.POST.get("note", item.note)
    from projectcrm.core.services import save_versioned

    save_versioned(item, item.version)
    return redirect("roadmap:gates-detail", project=access.project.pk, pk=gate.pk)


# --- Change requests ---------------------------------------------------------------------------


@login_required
@require_POST
def change_action(request, project, pk, action):
    access = project_access(request.user, project, "roadmap", "view")
    change = get_object_or_404(ChangeRequest, pk=pk, project=access.project)
    note = request.POST.get("note", "")
    try:
        if action == "assess":
            access.require("roadmap", "change")
            services.assess_change(change, note)
        elif action in ("approve", "reject"):
            services.decide_change(change, access.role, action == "approve", note)
        elif action == "implement":
            access.require("roadmap", "change")
            baseline = services.implement_change(change, request.POST.get("apply") == "1", request.user)
            if baseline:
                messages.info(request, _("New baseline “%(name)s” saved.") % {"name": baseline.name})
        else:
            raise ValueError(_("Unknown action."))
    except PermissionDenied:
        raise
    except EditConflict as conflict:
        messages.error(request, conflict_text(conflict))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(what)s is now %(status)s.") % {"what": change.ref, "status": change.get_status_display()})
    return redirect("roadmap:changes-detail", project=access.project.pk, pk=change.pk)

