from django import forms

from .models import CommunicationLog


class CommunicationLogForm(forms.ModelForm):
    class Meta:
        model = CommunicationLog
        fields = ["sent_on", "summary", "feedback_received"]
        widgets = {
            "sent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "feedback_received": forms.Textarea(attrs={"rows": 2}),
        }
