"""Appointment services: the only place that creates, reads for an owner, or cancels appointments.

Views and the API call these; they raise :class:`AppointmentError` subclasses
that the callers turn into a form error, a 4xx answer or a 404.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from visavis.appointments.models import Appointment

MIN_DURATION = 5
MAX_DURATION = 600
MAX_TITLE = 200


class AppointmentError(Exception):
    """The request cannot be carried out; ``str(exc)`` is safe to show to the counselor."""


class AppointmentNotFound(AppointmentError):
    """No such appointment for this counselor (also when it belongs to someone else)."""


def create_appointment(*, owner, title: str, start: datetime, duration_minutes: int) -> Appointment:
    title = title.strip()
    if not title:
        raise AppointmentError(_("The title must not be empty."))
    if len(title) > MAX_TITLE:
        raise AppointmentError(
            _("The title must be at most %(max)d characters.") % {"max": MAX_TITLE}
        )
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise AppointmentError(
            _("The duration must be between %(min)d and %(max)d minutes.")
            % {"min": MIN_DURATION, "max": MAX_DURATION}
        )
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    return Appointment.objects.create(
        owner=owner, title=title, start=start, duration_minutes=duration_minutes
    )


def appointments_for(owner):
    return Appointment.objects.filter(owner=owner).order_by("start")


def get_for_owner(*, owner, appointment_id) -> Appointment:
    try:
        return Appointment.objects.get(pk=appointment_id, owner=owner)
    except (Appointment.DoesNotExist, ValidationError, ValueError, TypeError):
        raise AppointmentNotFound(_("No such appointment.")) from None


def cancel_appointment(*, owner, appointment_id) -> Appointment:
    appointment = get_for_owner(owner=owner, appointment_id=appointment_id)
    if appointment.cancelled_at is None:
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["cancelled_at"])
    return appointment


def find_by_room_token(token: str) -> Appointment | None:
    """The appointment a guest link points to, or None. Cancelled ones are not returned."""
    if not token or len(token) > 64:
        return None
    return Appointment.objects.filter(room_token=token, cancelled_at__isnull=True).first()
