from django.apps import AppConfig


class SetupCheckConfig(AppConfig):
    name = "visavis.setupcheck"
    label = "setupcheck"
