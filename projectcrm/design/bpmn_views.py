"""BPMN 2.0 download and upload of process maps (the conversion itself is design/bpmn.py).

    maps/<pk>/bpmn/     map-bpmn      view     the map as MAP-001.bpmn
    import-bpmn/        bpmn-import   change   upload a .bpmn file as a new map of a process, or
                                               (?map=<pk>) as the new content of an existing map

A new map and its content are saved in one transaction: a file that fails (BpmnError, or a map
mapdata.validate refuses) leaves nothing behind. Replacing goes through mapdata.save_content, which
matches rows by BPMN id, so unchanged steps keep their history. Every view starts from
`project_access(..., "design", ...)`: 404 outside the project, 403 for a role the policy refuses.
"""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projectcrm.core.access import project_access
from projectcrm.governance.models import Stakeholder

from . import bpmn
from . import mapdata as md
from .choices import MapKind
from .models import Process, ProcessMap
from .pages import AREA
from .pages import page as _page


@login_required
def map_bpmn(request, project, pk):
    """The map as a BPMN 2.0 file named after its reference (MAP-001.bpmn)."""
    access = project_access(request.user, project, AREA, "view")
    process_map = get_object_or_404(ProcessMap, project=access.project, pk=pk)
    content = bpmn.export_bpmn(process_map.name, md.load(process_map))
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{process_map.ref}.bpmn"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("BPMN file"), allow_empty_file=True,
        error_messages={"required": gettext_lazy("Choose a BPMN file.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml,application/xml,text/xml"}),
    )
    process = forms.ModelChoiceField(label=gettext_lazy("Business process"), queryset=Process.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Kind of map"), choices=MapKind.choices, initial=MapKind.AS_IS)
    name = forms.CharField(
        label=gettext_lazy("Name of the map"), max_length=200, required=False,
        help_text=gettext_lazy("Leave empty to use the pool or process name in the file, else the file name."),
    )

    def __init__(self, project, replacing: ProcessMap | None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if replacing is not None:  # the map keeps its process, kind and name
            for name in ("process", "kind", "name"):
                del self.fields[name]
        else:
            self.fields["process"].queryset = Process.objects.filter(project=project).order_by("number")


def _replacing(request, project) -> ProcessMap | None:
    """The map named by ?map= (or a posted "map" field), or None for a new map; 404 if not ours."""
    value = request.POST.get("map") or request.GET.get("map")
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404(_("No such process map."))
    return get_object_or_404(ProcessMap, project=project, pk=int(value))


def read_upload(upload) -> bpmn.Imported:
    """Read at most one byte over the limit, so a huge upload is refused without loading it."""
    upload.seek(0)
    return bpmn.read_bpmn(upload.read(bpmn.max_bytes() + 1), upload.name)


def known_stakeholders(data: md.MapData, project) -> md.MapData:
    """Stakeholder ids from a file (another project's export) that are not this project's are dropped."""
    ids = {lane.stakeholder_id for lane in data.lanes if lane.stakeholder_id is not None}
    known = set(Stakeholder.objects.filter(project=project, pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for lane in data.lanes:
        if lane.stakeholder_id not in known:
            lane.stakeholder_id = None
    return data


def default_name(form_name: str, imported: bpmn.Imported, filename: str) -> str:
    return (form_name.strip() or imported.name or PurePath(filename).stem or _("Imported map"))[:200]


@login_required
def bpmn_import(request, project):
    """Upload a BPMN file as a new map of a process, or as the new content of an existing map."""
    access = project_access(request.user, project, AREA, "change")
    project = access.project
    replacing = _replacing(request, project)
    posted = request.method == "POST"
    initial = {}
    if replacing is None and str(request.GET.get("process", "")).isdigit():
        initial["process"] = int(request.GET["process"])
    form = ImportForm(project, replacing, request.POST if posted else None, request.FILES if posted else None,
                      initial=initial)
    errors = []
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imported = read_upload(upload)
            data = known_stakeholders(imported.data, project)
            with transaction.atomic():
                process_map = replacing or ProcessMap.objects.create(
                    project=project, process=form.cleaned_data["process"], kind=form.cleaned_data["kind"],
                    name=default_name(form.cleaned_data["name"], imported, upload.name),
                )
                md.save_content(process_map, data, user=request.user)
        except bpmn.BpmnError as exc:
            errors = [str(exc)]
        except md.InvalidMap as exc:
            errors = [_("“%(file)s” cannot be saved as a map:") % {"file": upload.name}, *exc.errors]
        else:
            for note in imported.notes:
                messages.warning(request, note)
            messages.success(request, _("%(map)s now holds %(steps)d steps in %(lanes)d swimlanes from “%(file)s”.") % {
                "map": process_map, "steps": len(data.steps), "lanes": len(data.lanes), "file": upload.name,
            })
            return redirect("design:maps-detail", project=project.pk, pk=process_map.pk)
    title = _("Replace %(map)s from BPMN") % {"map": replacing.ref} if replacing else _("Import a BPMN file")
    return _page(request, "design/bpmn_import.html", access, title, form=form, errors=errors, replacing=replacing,
                 max_mb=bpmn.max_bytes() / 1048576)


urlpatterns = [
    path("maps/<int:pk>/bpmn/", map_bpmn, name="map-bpmn"),
    path("import-bpmn/", bpmn_import, name="bpmn-import"),
]
