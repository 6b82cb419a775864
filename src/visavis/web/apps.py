from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "visavis.web"
    label = "web"
