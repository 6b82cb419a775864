from django import forms
from django.utils.translation import gettext_lazy as _

from visavis.appointments.services import MAX_DURATION, MAX_TITLE, MIN_DURATION


class AppointmentForm(forms.Form):
    title = forms.CharField(
        label=_("Title or pseudonym"),
        max_length=MAX_TITLE,
        help_text=_("Shown only to you. Use a pseudonym rather than the client's full name."),
    )
    start = forms.DateTimeField(
        label=_("Start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=MIN_DURATION, max_value=MAX_DURATION, initial=50
    )
