from django import forms


class ConsentForm(forms.Form):
    """The client's tick. ``step`` tells this form's post apart from a PIN form posted to
    the same address once more (a double click), which must not show an error here."""

    step = forms.CharField(widget=forms.HiddenInput, initial="consent")
    read_notice = forms.BooleanField(required=True)

    @classmethod
    def is_ours(cls, data) -> bool:
        return data.get("step") == "consent"
