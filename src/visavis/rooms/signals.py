"""Signals the rooms send, so that they need not import who listens."""

from django.dispatch import Signal

# Sent inside the transaction in which a host admitted the first guest of a call, with
# ``appointment_id`` (visavis.ops.receivers counts it for /metrics).
call_started = Signal()
