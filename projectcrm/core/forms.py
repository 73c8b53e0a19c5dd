from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import Membership, Project

User = get_user_model()


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Project
        fields = ["name", "company", "sponsor", "objectives", "start_date", "target_go_live", "status"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "target_go_live": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "objectives": forms.Textarea(attrs={"rows": 4}),
        }

    # Only when creating: the project's first release, planned from a methodology template.
    methodology = forms.ChoiceField(
        label=_("Start from methodology"), required=False,
        help_text=_(
            "Phases, tasks, milestones, links and gates of the first release come from the template, dated from the "
            "project's start date (today when it is empty)."
        ),
    )
    first_release = forms.CharField(label=_("Name of the first release"), max_length=200, required=False, initial=_("Pilot"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["sponsor"].queryset = User.objects.filter(memberships__project=self.instance).distinct()
            self.fields["sponsor"].label_from_instance = lambda u: u.get_full_name() or u.username
            self.fields["version"].initial = self.instance.version
            self.fields.pop("methodology")
            self.fields.pop("first_release")
        else:
            self.fields.pop("sponsor")
            from roadmap import methodology

            self.fields["methodology"].choices = [("", _("None: start empty"))] + methodology.template_choices(user)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("methodology") and not (cleaned.get("first_release") or "").strip():
            self.add_error("first_release", _("Name the first release."))
        return cleaned

    def methodology_data(self) -> dict | None:
        """The chosen template's data, or None when the project starts empty."""
        from roadmap import methodology

        key = self.cleaned_data.get("methodology")
        return methodology.load(key, self.user) if key else None


class AddMemberForm(forms.Form):
    username = forms.CharField(label=_("User name or e-mail"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=value).first() or User.objects.filter(email__iexact=value).first()
        if user is None or not user.is_active:
            # The same answer for unknown and inactive accounts: the form must not reveal who has one.
            raise forms.ValidationError(
                _("No active account “%(name)s” can be added. Check the spelling or ask an administrator.") % {"name": value}
            )
        if Membership.objects.filter(project=self.project, user=user).exists():
            raise forms.ValidationError(_("%(name)s is already a member of this project.") % {"name": value})
        self.user = user
        return value


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ActivityFilterForm(forms.Form):
    since = forms.DateField(label=_("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    register = forms.ChoiceField(label=_("Register"), required=False)
    user = forms.ModelChoiceField(label=_("Changed by"), required=False, queryset=User.objects.none())

    def __init__(self, *args, project=None, access=None, **kwargs):
        from .registry import all_registers

        super().__init__(*args, **kwargs)
        self.fields["register"].choices = [("", _("All registers"))] + [
            (r.key(), r.verbose_name_plural()) for r in all_registers() if access.can(r.area, "view")
        ]
        self.fields["user"].queryset = User.objects.filter(memberships__project=project).order_by("username")
