from django.urls import path

from visavis.web import exit
from visavis.web.help import help_page
from visavis.web.views import client, counselor, shared

urlpatterns = [
    path("", counselor.dashboard, name="dashboard"),
    path("appointments/new", counselor.create_appointment, name="appointment-create"),
    path(
        "appointments/<uuid:appointment_id>",
        counselor.appointment_detail,
        name="appointment-detail",
    ),
    path(
        "appointments/<uuid:appointment_id>/edit",
        counselor.edit_appointment,
        name="appointment-edit",
    ),
    path("appointments/<uuid:appointment_id>/room", counselor.host_room, name="host-room"),
    path("appointments/<uuid:appointment_id>/cancel", counselor.cancel, name="appointment-cancel"),
    path(
        "appointments/<uuid:appointment_id>/revoke",
        counselor.revoke_link,
        name="appointment-revoke",
    ),
    path("appointments/<uuid:appointment_id>/pin", counselor.new_pin, name="appointment-new-pin"),
    path(
        "appointments/<uuid:appointment_id>/send",
        counselor.send_invitation,
        name="appointment-send",
    ),
    path(
        "appointments/<uuid:appointment_id>/invitation.ics",
        counselor.appointment_ics,
        name="appointment-ics",
    ),
    path("calendar/settings", counselor.calendar_settings, name="calendar-settings"),
    path("calendar/<str:token>.ics", counselor.calendar_feed, name="calendar-feed"),
    path("help", help_page, name="help"),
    path("r/<str:token>", client.guest_room, name="guest-room"),
    path("r/<str:token>/calendar.ics", client.guest_ics, name="guest-ics"),
    path("jsi18n/<str:lang>/", shared.javascript_catalog, name="javascript-catalog-lang"),
    path("exit", exit.quick_exit, name="quick-exit"),
    path("start", exit.neutral_page, name="neutral-page"),
]
