"""Signals other apps listen to, so that accounts need not import them."""

from django.dispatch import Signal

# Sent after every login (browser) session of an account was ended ("log out
# everywhere"), with ``user_id`` (visavis.rooms.receivers closes its room and watch
# connections).
logged_out_everywhere = Signal()
