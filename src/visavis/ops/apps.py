from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "visavis.ops"
    label = "ops"
