"""Pages. Each view parses, checks permission, calls one service and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from visavis.appointments import services as appointments
from visavis.rooms.routing import WS_PATH
from visavis.rooms.services import max_participants
from visavis.web.forms import AppointmentForm


def guest_url(request, appointment) -> str:
    return request.build_absolute_uri(reverse("guest-room", args=[appointment.room_token]))


def _room_config(appointment) -> dict:
    return {
        "room": appointment.room_token,
        "ws": WS_PATH,
        "maxParticipants": max_participants(),
    }


@login_required
def dashboard(request):
    rows = [
        {"appointment": a, "guest_url": guest_url(request, a)}
        for a in appointments.appointments_for(request.user)
    ]
    return render(request, "web/dashboard.html", {"rows": rows, "form": AppointmentForm()})


@login_required
def create_appointment(request):
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appointments.create_appointment(owner=request.user, **form.cleaned_data)
        except appointments.AppointmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The appointment was created."))
            return redirect("dashboard")
    return render(request, "web/appointment_form.html", {"form": form})


@login_required
@require_POST
def cancel(request, appointment_id):
    try:
        appointments.cancel_appointment(owner=request.user, appointment_id=appointment_id)
    except appointments.AppointmentNotFound:
        raise Http404 from None
    messages.success(request, _("The appointment was cancelled. Its link no longer works."))
    return redirect("dashboard")


@login_required
def host_room(request, appointment_id):
    try:
        appointment = appointments.get_for_owner(owner=request.user, appointment_id=appointment_id)
    except appointments.AppointmentNotFound:
        raise Http404 from None
    if appointment.is_cancelled:
        raise Http404
    return render(
        request,
        "web/host_room.html",
        {
            "appointment": appointment,
            "guest_url": guest_url(request, appointment),
            "room_config": _room_config(appointment),
        },
    )


def guest_room(request, token):
    appointment = appointments.find_by_room_token(token)
    if appointment is None:
        raise Http404
    return render(request, "web/guest_room.html", {"room_config": _room_config(appointment)})


def not_found(request, exception=None):
    return render(request, "web/not_found.html", status=404)
