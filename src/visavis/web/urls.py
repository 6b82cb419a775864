from django.urls import path

from visavis.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("appointments/new", views.create_appointment, name="appointment-create"),
    path("appointments/<uuid:appointment_id>/room", views.host_room, name="host-room"),
    path("appointments/<uuid:appointment_id>/cancel", views.cancel, name="appointment-cancel"),
    path("r/<str:token>", views.guest_room, name="guest-room"),
]
