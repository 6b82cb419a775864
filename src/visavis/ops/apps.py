from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "visavis.ops"
    label = "ops"

    def ready(self) -> None:
        from visavis.ops import (
            checks,  # noqa: F401  (registers the system checks)
            receivers,  # noqa: F401  (connects the signal receivers)
        )
