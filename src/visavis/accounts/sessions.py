"""Ending every session of a counselor ("log out everywhere").

Sessions are stored in the database (Django's default session engine, which visavis
keeps with or without Redis). Each one names its user only inside its encoded data, so
this decodes the live ones. That is a scan of all live sessions, but it is rare and
small: sessions exist only for logged-in counselors and guests who passed a PIN, and
expired ones are not looked at.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from visavis.accounts.signals import logged_out_everywhere


def end_all(user) -> int:
    """Delete every session of ``user`` (this browser's too) and close the account's open
    room and watch connections in every process; return how many sessions."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    ended = 0
    wanted = str(user.pk)
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(store().decode(session.session_data).get(SESSION_KEY)) == wanted:
            ended += model.objects.filter(pk=session.pk).delete()[0]
    # A room or watch connection opened with one of those sessions would otherwise go on.
    logged_out_everywhere.send(sender=end_all, user_id=user.pk)
    return ended
