from django.urls import path

from visavis.web import exit, views
from visavis.web.help import help_page

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("appointments/new", views.create_appointment, name="appointment-create"),
    path("appointments/<uuid:appointment_id>", views.appointment_detail, name="appointment-detail"),
    path(
        "appointments/<uuid:appointment_id>/edit", views.edit_appointment, name="appointment-edit"
    ),
    path("appointments/<uuid:appointment_id>/room", views.host_room, name="host-room"),
    path("appointments/<uuid:appointment_id>/cancel", views.cancel, name="appointment-cancel"),
    path(
        "appointments/<uuid:appointment_id>/revoke", views.revoke_link, name="appointment-revoke"
    ),
    path("appointments/<uuid:appointment_id>/pin", views.new_pin, name="appointment-new-pin"),
    path(
        "appointments/<uuid:appointment_id>/send", views.send_invitation, name="appointment-send"
    ),
    path(
        "appointments/<uuid:appointment_id>/invitation.ics",
        views.appointment_ics,
        name="appointment-ics",
    ),
    path("calendar/settings", views.calendar_settings, name="calendar-settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("help", help_page, name="help"),
    path("r/<str:token>", views.guest_room, name="guest-room"),
    path("r/<str:token>/calendar.ics", views.guest_ics, name="guest-ics"),
    path("jsi18n/<str:lang>/", views.javascript_catalog, name="javascript-catalog-lang"),
    path("exit", exit.quick_exit, name="quick-exit"),
    path("start", exit.neutral_page, name="neutral-page"),
]
