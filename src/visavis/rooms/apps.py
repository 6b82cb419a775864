from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "visavis.rooms"
    label = "rooms"

    def ready(self) -> None:
        from visavis.rooms import receivers  # noqa: F401  (connects the signal receivers)
