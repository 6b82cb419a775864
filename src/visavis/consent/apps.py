from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "visavis.consent"
    label = "consent"
