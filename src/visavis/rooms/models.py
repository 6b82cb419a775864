"""Room state that must outlive a single process: who is connected, waiting, admitted, host."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from visavis.rooms.events import Role, State


def new_participant_id() -> str:
    return secrets.token_hex(8)


class Participant(models.Model):
    """One WebSocket connection's place in a room. Rows end in state ``left`` or ``denied``."""

    id = models.CharField(primary_key=True, max_length=32, default=new_participant_id)
    appointment = models.ForeignKey(
        "appointments.Appointment", on_delete=models.CASCADE, related_name="participants"
    )
    role = models.CharField(max_length=8, choices=[(r.value, r.value) for r in Role])
    state = models.CharField(max_length=10, choices=[(s.value, s.value) for s in State])
    name = models.CharField(max_length=60, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The channel layer address of the connection, to reach exactly this participant.
    channel_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    knocked_at = models.DateTimeField(null=True, blank=True)
    # Resuming after a dropped connection: a hash of the secret token the client holds,
    # when the connection dropped (None while connected), and the last sign of life.
    resume_hash = models.CharField(max_length=64, db_index=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["appointment", "state"])]

    def __str__(self) -> str:
        return f"{self.role} {self.id} ({self.state})"


class RoomState(models.Model):
    """What the host set for the room of one appointment (lock, note) and when its call
    started or the session was ended. Created on first use; deleted with the appointment."""

    appointment = models.OneToOneField(
        "appointments.Appointment", primary_key=True, on_delete=models.CASCADE,
        related_name="room_state",
    )
    locked = models.BooleanField(default=False)
    # The host's note to waiting guests; cleared when the call starts or the session ends.
    note = models.CharField(max_length=200, blank=True)
    # When the first guest was admitted (the host's session timer counts from here).
    call_started_at = models.DateTimeField(null=True, blank=True)
    # Set by "end for everyone": knocks are refused until the host enters the room again.
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"room of {self.appointment_id}"
