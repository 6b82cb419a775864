from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "visavis.appointments"
    label = "appointments"
