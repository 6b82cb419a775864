"""Signals other apps listen to, so that accounts need not import them."""

from django.dispatch import Signal

# Sent after every session of an account was ended ("log out everywhere"), with
# ``user_id`` (visavis.rooms.receivers closes its room and watch connections).
sessions_ended = Signal()
