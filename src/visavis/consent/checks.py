"""``visavis check --deploy``: the privacy notice names who is responsible."""

from django.core import checks

from visavis.consent import services


@checks.register("visavis", deploy=True)
def privacy_operator_details(app_configs=None, **kwargs):
    warning = services.operator_warning()
    if warning is None:
        return []
    return [
        checks.Warning(
            warning,
            hint="Set them in visavis.toml or the environment; see docs/config.md.",
            id="visavis.W001",
        )
    ]
