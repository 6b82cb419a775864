from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from visavis.appointments import services
from visavis.appointments.models import CLIENT_LANGUAGES, Frequency
from visavis.appointments.services import (
    MAX_DURATION,
    MAX_EXTERNAL_URL,
    MAX_OCCURRENCES,
    MAX_TITLE,
    MIN_DURATION,
    MIN_OCCURRENCES,
)

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _pin_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=6,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
                "autocomplete": "off",
                "maxlength": "6",
                "class": "pin-input",
            }
        ),
        **kwargs,
    )


class _AppointmentFields(forms.Form):
    title = forms.CharField(
        label=_("Title or pseudonym"),
        max_length=MAX_TITLE,
        help_text=_("Shown only to you. Use a pseudonym rather than the client's full name."),
    )
    start = forms.DateTimeField(
        label=_("Start"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=MIN_DURATION, max_value=MAX_DURATION, initial=50
    )
    language = forms.ChoiceField(
        label=_("Language for the client"),
        choices=CLIENT_LANGUAGES,
        help_text=_("The client's pages and the invitation texts use this language."),
    )
    external_url = forms.CharField(
        label=_("External video link (optional)"),
        required=False,
        max_length=MAX_EXTERNAL_URL,
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
        help_text=_(
            "Only if you hold this session with another service (Zoom, Teams, Skype, "
            "GoToMeeting …) instead of the built-in room. Must start with https://."
        ),
    )

    group = forms.BooleanField(label=_("Group session"), required=False)

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["group"].help_text = _(
            "For up to %(count)d people, you included, through the media server. "
            "Individual sessions stay peer to peer (up to %(individual)d people)."
        ) % {
            "count": settings.VISAVIS["MAX_GROUP_SIZE"],
            "individual": settings.VISAVIS["MAX_PARTICIPANTS"],
        }

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start")
        # A new or moved start must not lie in the past; an unchanged one may (editing
        # the title of an appointment that is over).
        if start is not None and self.owner is not None and "start" in self.changed_data:
            try:
                services.check_start_not_past(start, owner=self.owner)
            except services.AppointmentError as exc:
                self.add_error("start", str(exc))
        return cleaned

    def clean_external_url(self):
        try:
            return services.clean_external_url(self.cleaned_data.get("external_url"))
        except services.AppointmentError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_pin(self):
        pin = self.cleaned_data.get("pin") or ""
        if not pin:
            return ""
        try:
            return services.clean_pin(pin)
        except services.AppointmentError as exc:
            raise forms.ValidationError(str(exc)) from None


class AppointmentForm(_AppointmentFields):
    """A new appointment, or a new series of them."""

    pin = _pin_field(
        label=_("PIN (optional, 6 digits)"),
        help_text=_(
            "The client must enter it before knocking. Send it separately from the link."
        ),
    )
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        required=False,
        choices=[("", _("Does not repeat")), *Frequency.choices],
    )
    occurrences = forms.IntegerField(
        label=_("Number of appointments"),
        required=False,
        min_value=MIN_OCCURRENCES,
        max_value=MAX_OCCURRENCES,
    )
    repeat_until = forms.DateField(
        label=_("or until (last date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    field_order = [
        "title", "start", "duration_minutes", "language", "group", "pin", "repeat",
        "occurrences", "repeat_until", "external_url",
    ]

    def clean(self):
        cleaned = super().clean()
        repeat = cleaned.get("repeat")
        occurrences = cleaned.get("occurrences")
        until = cleaned.get("repeat_until")
        if repeat:
            if occurrences is None and until is None:
                self.add_error(
                    "occurrences", _("Give a number of appointments or a last date.")
                )
            elif occurrences is not None and until is not None:
                self.add_error(
                    "repeat_until", _("Give either a number of appointments or a last date.")
                )
        return cleaned


APPLY_TO_CHOICES = [
    ("this", _("Only this appointment")),
    ("series", _("All appointments of this series that have not taken place yet")),
]


class AppointmentEditForm(_AppointmentFields):
    """Changes to an appointment; ``apply_to`` appears for appointments of a series."""

    pin = _pin_field(
        label=_("New PIN (optional, 6 digits)"),
        help_text=_("Leave empty to keep the current PIN."),
    )
    remove_pin = forms.BooleanField(label=_("Remove the PIN"), required=False)
    apply_to = forms.ChoiceField(
        label=_("Apply the changes to"),
        choices=APPLY_TO_CHOICES,
        initial="this",
        widget=forms.RadioSelect,
    )

    field_order = [
        "title", "start", "duration_minutes", "language", "group", "pin", "remove_pin",
        "external_url", "apply_to",
    ]

    def __init__(self, *args, in_series: bool = False, has_pin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["apply_to"]
        if not has_pin:
            del self.fields["remove_pin"]
            self.fields["pin"].label = _("PIN (optional, 6 digits)")
            self.fields["pin"].help_text = _(
                "The client must enter it before knocking. Send it separately from the link."
            )


class ApplyToForm(forms.Form):
    apply_to = forms.ChoiceField(choices=APPLY_TO_CHOICES, required=False)


class InvitationEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Client's e-mail address"),
        help_text=_("Used only to send this message; visavis does not store it."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=_("Your time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (name, name) for name in sorted(services.time_zone_names())
        ]


class FeedOptionsForm(forms.Form):
    hide_titles = forms.BooleanField(
        label=_("Hide titles in the feed (show only \"Appointment\")"), required=False
    )


class GuestPinForm(forms.Form):
    pin = forms.CharField(
        label=_("PIN"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "maxlength": "6",
                "class": "pin-input",
                "autofocus": True,
            }
        ),
    )
