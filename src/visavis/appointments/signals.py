"""Signals other apps listen to, so that appointments need not import them."""

from django.dispatch import Signal

# Sent inside the transaction that revoked an appointment's guest link or cancelled it,
# with ``appointment_id``: guests who have not been let in yet must not be any more
# (visavis.rooms.receivers closes their room connections).
guest_entry_closed = Signal()
