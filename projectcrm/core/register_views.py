"""The generic register views. Each register gets them through `register_urls()`.

Every view resolves the project through `access.project_access` (404 for non-members, 403 when
the role's policy forbids the action) before it touches a row.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import imports, services, tabular
from .access import project_access
from .choices import COLOURS, ImportStatus
from .models import ImportJob
from .registers import Column, limit_choices, to_text
from .tasks import apply_import, validate_import


class RegisterMixin(LoginRequiredMixin):
    register = None
    action = "view"  # or "change"

    def locked(self, instance):
        """A redirect to the row with the register's reason when the row may not change, else None."""
        reason = self.register.locked_reason(instance) if instance is not None else None
        if reason:
            messages.error(self.request, reason)
            return redirect(self.url("detail", pk=instance.pk))
        return None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = project_access(request.user, kwargs["project"], self.register.area, self.action)
        self.project = self.access.project
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return get_object_or_404(self.register.queryset(self.project), pk=self.kwargs["pk"])

    def url(self, view, **kwargs):
        return reverse(self.register.url_name(view), kwargs={"project": self.project.pk, **kwargs})

    def base_context(self):
        register = self.register
        return {
            "project": self.project,
            "access": self.access,
            "register": register,
            "area": register.area,
            "can_change": self.access.can(register.area, "change"),
            "title": register.verbose_name_plural(),
            "list_url": self.url("list"),
        }


FILTER_CHOICES_MAX = 200


def build_filterset(register, project):
    if not register.filter_fields:
        return None

    class Meta:
        model = register.model
        fields = register.filter_fields

    filterset_class = type("RegisterFilterSet", (django_filters.FilterSet,), {"Meta": Meta})

    class ScopedFilterSet(filterset_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            limit_choices(self.form, project)
            # A drop-down of thousands of rows is useless and slow to draw: such a filter stays
            # usable through the URL (links from the related row's page) but leaves the bar.
            for field in self.form.fields.values():
                queryset = getattr(field, "queryset", None)
                if queryset is not None and queryset[:FILTER_CHOICES_MAX + 1].count() > FILTER_CHOICES_MAX:
                    field.widget = forms.HiddenInput()

    return ScopedFilterSet


def filtered_queryset(register, project, params):
    """The list's rows for the request's filters, quick view, search and sort."""
    queryset = register.queryset(project)
    filterset_class = build_filterset(register, project)
    filterset = None
    if filterset_class:
        filterset = filterset_class(params, queryset=queryset)
        queryset = filterset.qs
    quick = params.get("view", "")
    if quick in register.quick_filters:
        queryset = register.quick_filters[quick][1](queryset, project)
    queryset = register.search(queryset, params.get("q", ""))
    sort = params.get("sort", "")
    sortable = {c.name: c.sort_key for c in register.columns() if c.sortable}
    key = sort.lstrip("-")
    if key in sortable:
        direction = "-" if sort.startswith("-") else ""
        queryset = queryset.order_by(f"{direction}{sortable[key]}", "pk")
    else:
        queryset = queryset.order_by(*register.ordering, "pk")
    return queryset, filterset, quick, sort


def render_cell(obj, column) -> dict:
    """A value as shown in a list cell or detail field: text, and a badge colour where it has one."""
    value = getattr(obj, column.name, None)
    if column.choices is not None:
        text = column.choices(value).label if value else ""
    else:
        text = to_text(obj, column.name)
    if column.is_choice:
        colour = COLOURS.get(value, "grey")
    else:
        colour = getattr(obj, f"{column.name}_colour", None)
    return {"text": text, "colour": colour, "column": column}


class ListView(RegisterMixin, TemplateView):
    template_name = "register/list.html"

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "register-table":
            return ["register/_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        register = self.register
        queryset, filterset, quick, sort = filtered_queryset(register, self.project, self.request.GET)
        paginator = Paginator(queryset, register.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        columns = register.columns()
        rows = [{"obj": obj, "cells": [render_cell(obj, c) for c in columns]} for obj in page.object_list]
        params = self.request.GET.copy()
        params.pop("page", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        context = self.base_context()
        context.update(
            columns=columns,
            rows=rows,
            page=page,
            filterset=filterset,
            quick=quick,
            sort=sort,
            query=self.request.GET.get("q", ""),
            querystring=params.urlencode(),
            sort_querystring=sort_params.urlencode(),
            extra_actions=[
                (reverse(f"{register.area}:{name}", kwargs={"project": self.project.pk}), label)
                for name, label, action in register.list_actions
                if self.access.can(register.area, action)
            ],
            extra_template=register.list_extra_template,
            today=timezone.localdate(),
        )
        if hasattr(register, "list_context"):
            context.update(register.list_context(self.project, queryset, self.access))
        return context


class DetailView(RegisterMixin, TemplateView):
    template_name = "register/detail.html"

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        register = self.register
        io_fields = register.io_fields()
        # Computed columns of the list (reference, score, age, escalation...) come first.
        columns = [c for c in register.columns() if c.name not in io_fields]
        columns += [Column(register.model, name) for name in io_fields]
        fields = []
        for column in columns:
            cell = render_cell(obj, column)
            long = column.field is not None and column.field.get_internal_type() == "TextField"
            fields.append({"label": column.label, "long": long, **cell})
        context = self.base_context()
        context.update(obj=obj, fields=fields, extra_template=register.detail_extra_template, tab="detail")
        if hasattr(register, "detail_context"):
            context.update(register.detail_context(obj, self.access))
        return context


class FormView(RegisterMixin, TemplateView):
    action = "change"
    template_name = "register/form.html"

    def get_form(self, instance=None, data=None):
        form_class = self.register.form_class()
        initial = None
        if instance is None:
            initial = self.register.initial(self.access) if hasattr(self.register, "initial") else {}
            # Links such as "Add task" on a release's plan pass field values in the query string.
            initial.update({k: v for k, v in self.request.GET.items() if k in self.register.form_fields})
        return form_class(data=data, instance=instance, project=self.project, initial=initial)

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else None

    def render_form(self, form, conflict=None):
        context = self.base_context()
        instance = form.instance if form.instance.pk else None
        context.update(form=form, obj=instance, conflict=conflict, tab="edit")
        return self.render_to_response(context)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.locked(instance) or self.render_form(self.get_form(instance))

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        refused = self.locked(instance)
        if refused:
            return refused
        form = self.get_form(instance, request.POST)
        if not form.is_valid():
            return self.render_form(form)
        obj = form.save(commit=False)
        obj.project = self.project
        try:
            services.save_versioned(obj, form.cleaned_data.get("version"))
        except services.EditConflict as conflict:
            # Show the form again with the current version so the user can re-apply their edit.
            fresh = self.get_form(conflict.current, None)
            fresh.data = request.POST.copy()
            fresh.data["version"] = conflict.current.version
            fresh.is_bound = True
            return self.render_form(fresh, conflict=conflict)
        form.save_m2m()
        if hasattr(self.register, "after_save"):
            # Knock-on effects of the edit (e.g. tasks after a longer task move), one history row each.
            note = self.register.after_save(obj, form.changed_data, request.user)
            if note:
                messages.info(request, note)
        messages.success(request, _("%(what)s saved.") % {"what": str(obj)})
        return redirect(self.url("detail", pk=obj.pk))


class DeleteView(RegisterMixin, TemplateView):
    action = "change"
    template_name = "register/confirm_delete.html"

    def get_context_data(self, **kwargs):
        context = self.base_context()
        obj = self.get_object()
        context.update(obj=obj, tab="delete", effects=services.deletion_effects(obj))
        return context

    def get(self, request, *args, **kwargs):
        return self.locked(self.get_object()) or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        refused = self.locked(obj)
        if refused:
            return refused
        label = str(obj)
        services.delete_row(obj)
        messages.success(
            request, _("%(what)s deleted. It can be restored from “Deleted rows”.") % {"what": label}
        )
        return redirect(self.url("list"))


class HistoryView(RegisterMixin, TemplateView):
    template_name = "register/history.html"

    def get_context_data(self, **kwargs):
        register = self.register
        pk = self.kwargs["pk"]
        records = list(
            register.model.history.filter(id=pk, project_id=self.project.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        if not records:
            raise Http404
        entries = []
        previous = None
        names = {}
        for record in records:
            entries.append(
                {
                    "record": record,
                    "changes": services.historical_diff(previous, record, register.model, names),
                }
            )
            previous = record
        entries.reverse()
        context = self.base_context()
        live = register.model._default_manager.filter(pk=pk, project=self.project).first()
        # A deleted row: its last state, rebuilt from history (its pk is the row's, not the history id).
        context.update(obj=live or records[-1].instance, entries=entries, deleted=live is None, tab="history")
        return context


class DeletedView(RegisterMixin, TemplateView):
    template_name = "register/deleted.html"

    def get_context_data(self, **kwargs):
        context = self.base_context()
        rows = services.deleted_rows(self.register.model, self.project).select_related("history_user")
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        context.update(page=page, tab="deleted")
        return context


class RestoreView(RegisterMixin, View):
    action = "change"

    def post(self, request, *args, **kwargs):
        record = get_object_or_404(
            self.register.model.history.all(),
            history_id=kwargs["history_id"],
            project_id=self.project.pk,
            history_type="-",
        )
        try:
            obj = services.restore_with_dependants(record)
        except services.RestoreBlocked as blocked:
            messages.error(request, str(blocked))
            return redirect(self.url("deleted"))
        messages.success(request, _("%(what)s restored.") % {"what": str(obj)})
        return redirect(self.url("detail", pk=obj.pk))


class ExportView(RegisterMixin, View):
    def get(self, request, *args, **kwargs):
        register = self.register
        fmt = kwargs["fmt"]
        queryset, *_rest = filtered_queryset(register, self.project, request.GET)
        headers = register.export_headers()
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if request.GET.get("template"):
            # Headings only: a blank file to fill in and import.
            rows, filename = iter(()), f"{register.slug}-template.{fmt}"
        else:
            rows = (register.export_row(obj) for obj in queryset.iterator(chunk_size=1000))
            filename = f"{register.slug}-{stamp}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(tabular.write_csv(headers, rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                tabular.write_xlsx(register.verbose_name_plural(), headers, rows),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class ImportView(RegisterMixin, TemplateView):
    action = "change"
    template_name = "register/import.html"

    def get_context_data(self, **kwargs):
        context = self.base_context()
        context.update(
            encodings=tabular.ENCODINGS,
            headers=self.register.export_headers(),
            max_mb=tabular.settings.IMPORT_MAX_BYTES / 1048576,
            recent=ImportJob.objects.filter(project=self.project, register=self.register.key()).defer("content")[:5],
            tab="import",
            error=kwargs.get("error"),
        )
        return context

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        encoding = request.POST.get("encoding", "")
        if encoding not in tabular.ENCODINGS:
            encoding = ""
        if upload is None:
            return self.render_to_response(self.get_context_data(error=_("Choose a CSV or XLSX file to import.")))
        if upload.size > tabular.settings.IMPORT_MAX_BYTES:
            return self.render_to_response(
                self.get_context_data(
                    error=_("%(file)s is %(size).1f MB; the limit is %(cap).1f MB.")
                    % {
                        "file": upload.name,
                        "size": upload.size / 1048576,
                        "cap": tabular.settings.IMPORT_MAX_BYTES / 1048576,
                    }
                )
            )
        job = ImportJob.objects.create(
            project=self.project,
            register=self.register.key(),
            user=request.user,
            filename=upload.name[:255],
            content=upload.read(),
            encoding=encoding,
            language=get_language() or "en",
        )
        validate_import.enqueue(job.pk)
        return redirect(self.url("import-job", job=job.pk))


class ImportJobView(RegisterMixin, TemplateView):
    template_name = "register/import_job.html"

    def get_job(self):
        return get_object_or_404(
            ImportJob.objects.defer("content"), pk=self.kwargs["job"], project=self.project, register=self.register.key()
        )

    def get_template_names(self):
        if self.request.htmx:
            return ["register/_import_status.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = self.base_context()
        job = self.get_job()
        context.update(job=job, tab="import", statuses=ImportStatus)
        return context


class ImportApplyView(ImportJobView):
    action = "change"

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        if job.user_id != request.user.pk:
            messages.error(request, _("Only the person who uploaded the file can confirm its import."))
        elif imports.claim_for_import(job, request.user):
            apply_import.enqueue(job.pk)
        else:  # invalid, already importing or imported (a second click)
            messages.error(request, _("This file is not ready to import."))
        return redirect(self.url("import-job", job=job.pk))


def register_urls(registers) -> list:
    """URL patterns of a list of registers (mounted under p/<project>/<area>/)."""
    patterns = []
    views = [
        ("", ListView, "list"),
        ("new/", FormView, "create"),
        ("<int:pk>/", DetailView, "detail"),
        ("<int:pk>/edit/", FormView, "edit"),
        ("<int:pk>/delete/", DeleteView, "delete"),
        ("<int:pk>/history/", HistoryView, "history"),
        ("deleted/", DeletedView, "deleted"),
        ("deleted/<int:history_id>/restore/", RestoreView, "restore"),
        ("import/", ImportView, "import"),
        ("import/<int:job>/", ImportJobView, "import-job"),
        ("import/<int:job>/apply/", ImportApplyView, "import-apply"),
    ]
    for register in registers:
        for route, view, name in views:
            if name.startswith("import") and not register.importable:
                continue
            if name == "create" and not register.creatable:
                continue
            patterns.append(path(f"{register.slug}/{route}", view.as_view(register=register), name=f"{register.slug}-{name}"))
        patterns.append(
            re_path(
                rf"^{register.slug}/export\.(?P<fmt>csv|xlsx)$",
                ExportView.as_view(register=register),
                name=f"{register.slug}-export",
            )
        )
    return patterns
