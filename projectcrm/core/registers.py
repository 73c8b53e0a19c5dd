"""The register mechanism: a model declared once gets list, detail, edit, history, import,
export and API.

Declare a register in an app's `registers.py`:

    class IssueRegister(Register):
        model = Issue
        area = "governance"                 # the policy area (core/policy.py)
        slug = "issues"                      # URL segment
        list_columns = ["ref", "title", "priority", "status", "owner", "due_date"]
        filter_fields = ["status", "priority", "owner"]
        search_fields = ["title", "description"]
        form_fields = ["title", "description", "priority", "status", "owner", "due_date"]

and list it in the app's REGISTERS; `projectcrm/urls.py` mounts each app's list. See
docs/adding-a-register.md for the checklist.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import ProjectScoped

User = get_user_model()


class Column:
    """One list column: a model field or a model attribute/property."""

    def __init__(self, model, name: str, annotated: dict | None = None):
        self.name = name
        self.choices = None
        try:
            self.field = model._meta.get_field(name)
        except FieldDoesNotExist:
            self.field = None
        attr = getattr(model, name, None)
        if annotated and name in annotated:
            label, self.choices = annotated[name]
            self.label = str(label)
        elif self.field is not None:
            self.label = str(self.field.verbose_name)
        else:
            fget = getattr(attr, "fget", attr)
            self.label = str(getattr(fget, "short_description", name.replace("_", " ")))
        self.label = self.label[:1].upper() + self.label[1:]
        self.sortable = (self.field is not None and self.field.concrete) or name == "ref" or bool(annotated and name in annotated)
        self.sort_key = "number" if name == "ref" else name
        self.is_choice = bool(self.field is not None and self.field.choices) or self.choices is not None
        self.is_annotation = bool(annotated and name in annotated)
        self.is_relation = bool(self.field is not None and self.field.is_relation)
        # Short values that read badly when wrapped: references, dates, numbers.
        self.nowrap = (
            name == "ref"
            or (self.is_relation and self.field.related_model is User)
            or (isinstance(self.field, (models.DateField, models.IntegerField, models.DecimalField)) and not self.field.choices)
        )


def to_text(obj, name: str, for_export: bool = False):
    """A field or attribute as text for a page or an export cell."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.choices:
        value = getattr(obj, name)
        if value in (None, ""):
            return ""
        return str(getattr(obj, f"get_{name}_display")())
    if field is not None and field.many_to_many:
        if obj.pk is None:
            return ""
        return ", ".join(str(related) for related in getattr(obj, name).all())
    value = getattr(obj, name, None)
    if callable(value):
        value = value()
    if value is None:
        return ""
    if isinstance(value, User):
        return value.username if for_export else (value.get_full_name() or value.username)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if for_export and isinstance(value, (int, float, Decimal)):
        return value
    return str(value)


class Register:
    model: type[models.Model] = None
    area: str = ""
    slug: str = ""
    list_columns: list[str] = []
    filter_fields: list[str] = []
    search_fields: list[str] = []
    form_fields: list[str] = []
    ordering: list[str] = ["-id"]
    paginate_by = 50
    # Named quick views: {"escalated": (label, callable(queryset, project) -> queryset)}
    quick_filters: dict = {}
    # Extra links on the list page: [(url name in the area namespace, label, action)]
    list_actions: list[tuple] = []
    # A template included under the detail fields (related rows, charts).
    detail_extra_template: str | None = None
    # A template included above the list table (charts, summaries).
    list_extra_template: str | None = None
    # False for registers whose rows must be made in the app (no import pages).
    importable = True
    # False for registers whose rows are made only by an action elsewhere (no "Add" page, no API POST).
    creatable = True
    # Columns computed by queryset() annotations: {name: (label, TextChoices or None)}
    annotated_columns: dict = {}

    @classmethod
    def locked_reason(cls, obj) -> str | None:
        """Why this row can be neither edited nor deleted (shown to the user), or None when it can."""
        return None

    # --- Names -----------------------------------------------------------------------------
    @classmethod
    def verbose_name(cls) -> str:
        return str(cls.model._meta.verbose_name)

    @classmethod
    def verbose_name_plural(cls) -> str:
        name = str(cls.model._meta.verbose_name_plural)
        return name[:1].upper() + name[1:]

    @classmethod
    def key(cls) -> str:
        return f"{cls.area}:{cls.slug}"

    @classmethod
    def url_name(cls, view: str) -> str:
        return f"{cls.area}:{cls.slug}-{view}"

    # --- Queries ---------------------------------------------------------------------------
    @classmethod
    def columns(cls) -> list[Column]:
        return [Column(cls.model, name, cls.annotated_columns) for name in cls.list_columns]

    @classmethod
    def related_fields(cls) -> list[str]:
        names = set(cls.list_columns) | set(cls.form_fields)
        return [
            f.name
            for f in cls.model._meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.name in names
        ]

    @classmethod
    def queryset(cls, project):
        queryset = cls.model._default_manager.for_project(project)
        related = cls.related_fields()
        # select_related() without names would follow every foreign key (and is deprecated).
        return queryset.select_related(*related) if related else queryset

    @classmethod
    def search(cls, queryset, text: str):
        text = text.strip()
        if not text or not cls.search_fields:
            return queryset
        condition = Q()
        for word in text.split():
            word_q = Q()
            for name in cls.search_fields:
                word_q |= Q(**{f"{name}__icontains": word})
            condition &= word_q
        return queryset.filter(condition)

    @classmethod
    def overdue(cls, queryset, today: datetime.date):
        """Rows that are overdue (shown on the project home), or None if the idea does not apply."""
        return None

    # --- Forms -----------------------------------------------------------------------------
    @classmethod
    def form_class(cls):
        register = cls
        field_widgets = {}
        for name in cls.form_fields:
            field = cls.model._meta.get_field(name)
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                field_widgets[name] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            elif isinstance(field, models.TextField):
                field_widgets[name] = forms.Textarea(attrs={"rows": 3})

        class RegisterForm(forms.ModelForm):
            version = forms.IntegerField(widget=forms.HiddenInput, required=False)

            class Meta:
                model = register.model
                fields = register.form_fields
                widgets = field_widgets

            def __init__(self, *args, project=None, **kwargs):
                super().__init__(*args, **kwargs)
                self.project = project
                if project is not None:
                    self.instance.project = project
                    limit_choices(self, project)
                if self.instance.pk:
                    self.fields["version"].initial = self.instance.version

        return RegisterForm

    # --- Import / export -------------------------------------------------------------------
    @classmethod
    def io_fields(cls) -> list[str]:
        return list(cls.form_fields)

    @classmethod
    def export_headers(cls) -> list[str]:
        # ID and Version let a re-import update rows, refusing rows changed since the export.
        headers = ["ID", _("Version")]
        if hasattr(cls.model, "ref"):
            headers.append(_("Reference"))
        for name in cls.io_fields():
            label = str(cls.model._meta.get_field(name).verbose_name)
            headers.append(label[:1].upper() + label[1:])
        return headers

    @classmethod
    def export_row(cls, obj) -> list:
        row = [obj.pk, obj.version]
        if hasattr(cls.model, "ref"):
            row.append(obj.ref)
        for name in cls.io_fields():
            row.append(to_text(obj, name, for_export=True))
        return row

    @classmethod
    def header_map(cls) -> dict[str, str]:
        """Accepted column headings (field names and labels in every language) -> field name."""
        mapping = {"id": "id"}
        for name in cls.io_fields():
            field = cls.model._meta.get_field(name)
            mapping[name.casefold()] = name
            for code in ("en", "zh-hans", "zh-hant"):
                with translation.override(code):
                    mapping[str(field.verbose_name).strip().casefold()] = name
        for code in ("en", "zh-hans", "zh-hant"):
            with translation.override(code):
                mapping[_("Reference").casefold()] = "__ref__"
                mapping[_("Version").casefold()] = "__version__"
        return mapping


class WithoutManyToMany:
    """Imports cannot set many-to-many fields (rows are bulk-created): they are picked on the edit page."""

    @classmethod
    def io_fields(cls):
        return [name for name in cls.form_fields if not cls.model._meta.get_field(name).many_to_many]


def limit_choices(form, project):
    """Offer only this project's rows and members in a form's choice fields."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        model = queryset.model
        if issubclass(model, ProjectScoped):
            field.queryset = queryset.filter(project=project)
        elif model is User:
            field.queryset = (
                User.objects.filter(memberships__project=project).order_by("username").distinct()
            )
            field.label_from_instance = lambda u: u.get_full_name() or u.username


class RowConverter:
    """Turns one imported row of text into form data for a register's form."""

    TRUE = {"1", "true", "yes", "y", "是", "對", "对", "x", "✓"}
    FALSE = {"0", "false", "no", "n", "否", "", "-"}

    def __init__(self, register, project):
        self.register = register
        self.model = register.model
        self.project = project
        self.choice_maps: dict[str, dict[str, str]] = {}
        self.fk_maps: dict[str, dict[str, int]] = {}
        self.ambiguous: dict[str, set[str]] = {}
        for name in register.io_fields():
            field = self.model._meta.get_field(name)
            if field.choices:
                mapping = {}
                for value, label in field.flatchoices:
                    mapping[str(value).casefold()] = value
                    for code in ("en", "zh-hans", "zh-hant"):
                        with translation.override(code):
                            mapping[str(label).casefold()] = value
                self.choice_maps[name] = mapping
            elif field.many_to_one:
                related = field.related_model
                mapping: dict[str, int] = {}
                ambiguous: set[str] = set()

                def add(key, pk, mapping=mapping, ambiguous=ambiguous):
                    key = key.casefold()
                    if key in mapping and mapping[key] != pk:
                        ambiguous.add(key)
                    mapping[key] = pk

                if related is User:
                    members = list(User.objects.filter(memberships__project=project).distinct())
                    for user in members:
                        if user.get_full_name():
                            add(user.get_full_name(), user.pk)
                    for user in members:  # user names are unique: they always identify
                        mapping[user.username.casefold()] = user.pk
                        ambiguous.discard(user.username.casefold())
                else:
                    rows = list(related._default_manager.filter(project=project))
                    for obj in rows:
                        add(str(obj), obj.pk)
                    for obj in rows:
                        if hasattr(obj, "ref"):
                            mapping[obj.ref.casefold()] = obj.pk
                            ambiguous.discard(obj.ref.casefold())
                self.ambiguous[name] = ambiguous
                self.fk_maps[name] = mapping

    def convert(self, name: str, raw) -> tuple[object, str | None]:
        """Form value for a cell, or an error message."""
        field = self.model._meta.get_field(name)
        if isinstance(raw, datetime.datetime):
            raw = raw.date() if isinstance(field, models.DateField) and not isinstance(
                field, models.DateTimeField
            ) else raw
        if isinstance(raw, datetime.date):
            return raw.isoformat(), None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = "" if raw is None else str(raw).strip()
        if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
            text = text[1:]  # undo our own export's neutralisation
        if name in self.choice_maps:
            if text == "":
                return "", None
            value = self.choice_maps[name].get(text.casefold())
            if value is None:
                allowed = ", ".join(str(label) for _v, label in field.flatchoices)
                return None, _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
            return value, None
        if name in self.fk_maps:
            if text == "":
                return "", None
            if text.casefold() in self.ambiguous.get(name, ()):
                return None, _("“%(value)s” matches several %(what)s; use the reference or user name.") % {
                    "value": text,
                    "what": field.related_model._meta.verbose_name_plural,
                }
            pk = self.fk_maps[name].get(text.casefold())
            if pk is None:
                return None, _("“%(value)s” is not a known %(what)s in this project.") % {
                    "value": text,
                    "what": field.related_model._meta.verbose_name,
                }
            return pk, None
        if isinstance(field, models.BooleanField):
            lowered = text.casefold()
            if lowered in self.TRUE:
                return "on", None
            if lowered in self.FALSE:
                return "", None
            return None, _("“%(value)s” is not yes or no.") % {"value": text}
        if isinstance(field, models.DecimalField) and text:
            try:
                Decimal(text.replace(",", ""))
            except InvalidOperation:
                return None, _("“%(value)s” is not a number.") % {"value": text}
        return text, None
