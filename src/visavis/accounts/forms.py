"""Forms of the login and the account page. Django's own forms do the password work."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from visavis.accounts.models import DISPLAY_NAME_MAX

MAX_CODE = 40  # a recovery code is 8 characters; room for spaces and dashes


class LoginForm(AuthenticationForm):
    """Username and password. The same error for a wrong password and an unknown name."""


def _code_field(label, *, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_CODE,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "maxlength": str(MAX_CODE),
                "class": "code-input",
            }
        ),
    )


class CodeForm(forms.Form):
    """The second login step: a code from the app, or a recovery code."""

    code = _code_field(
        _("Code"),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


class ConfirmDeviceForm(forms.Form):
    """Setting up: the first code from the app proves the scan worked."""

    code = _code_field(_("Code from the app"), help_text=_("6 digits, as the app shows them now."))


class CurrentCodeForm(forms.Form):
    """Changing the second factor needs a current code (or a recovery code)."""

    code = _code_field(
        _("Current code"),
        help_text=_("From your authenticator app, or one of your recovery codes."),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Only for resetting a forgotten password. Leave empty for none."),
    )


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name for clients"),
        required=False,
        max_length=DISPLAY_NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_(
            "Clients see it on your picture, in the chat and next to the safety code, for "
            "example “Dr. Jane Doe” or your first name. Leave it empty for a neutral "
            "“Counselor”. Your login name is never shown to clients."
        ),
    )
