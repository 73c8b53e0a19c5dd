"""Roadmap forms beyond one row's edit form: MS Project XML upload and the plan's move control."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import interchange, methodology, mspdi
from .choices import ReleaseKind, Vote


class MspdiImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Microsoft Project XML file"),
        help_text=gettext_lazy("Saved from MS Project or ProjectLibre with File › Save As › XML (.xml)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Release name"), max_length=200, required=False,
        help_text=gettext_lazy("Leave empty to use the plan's title in the file."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ReleaseKind.choices, initial=ReleaseKind.WAVE)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > mspdi.MAX_BYTES:
            raise forms.ValidationError(
                _("“%(file)s” is %(size)s MB; Microsoft Project XML files are accepted up to %(limit)s MB.")
                % {"file": upload.name, "size": f"{upload.size / 1048576:.1f}", "limit": f"{mspdi.MAX_BYTES / 1048576:g}"}
            )
        data = upload.read()
        try:
            self.plan = mspdi.import_xml(data)
            self.kinds = interchange.read_kinds(data)
        except mspdi.MspdiError as error:
            raise forms.ValidationError(_("“%(file)s”: %(problem)s") % {"file": upload.name, "problem": error})
        return upload

    def save(self, project):
        """The new release and the import's warnings (see interchange.import_plan)."""
        name = self.cleaned_data["name"].strip() or self.plan.name.strip() or self.cleaned_data["file"].name
        return interchange.import_plan(project, self.plan, self.kinds, name, self.cleaned_data["kind"])


# --- Moving a task ------------------------------------------------------------------------------


class MoveTaskForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("New start"), widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(label=gettext_lazy("Template"))
    name = forms.CharField(label=gettext_lazy("Release name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ReleaseKind.choices, initial=ReleaseKind.PILOT)
    start = forms.DateField(label=gettext_lazy("Start date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["template"].choices = methodology.template_choices(user)
        self.fields["start"].initial = timezone.localdate()

    def template_data(self) -> dict:
        return methodology.load(self.cleaned_data["template"], self.user)


class VoteForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), choices=Vote.choices)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    conditions = forms.CharField(
        label=gettext_lazy("Conditions (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
