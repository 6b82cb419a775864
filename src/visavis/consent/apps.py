from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "visavis.consent"
    label = "consent"

    def ready(self) -> None:
        from visavis.consent import checks  # noqa: F401 (registers the system check)
