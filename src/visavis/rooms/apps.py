from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "visavis.rooms"
    label = "rooms"
