"""A login between its two steps, kept in the session, never as a logged-in user.

After the password, the session holds only the pending user's id (and what comes next:
the code, or setting up a second factor when the operator requires one). Django's
``login()`` runs only once the second step passed, so a session is either anonymous or
fully logged in, and everything that asks "who is this?" (pages, the room WebSocket)
needs no notion of a half-finished login.
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model, login

SESSION_KEY = "_visavis_pending_login"
CODE = "code"  # the user has a second factor: ask for a code
SETUP = "setup"  # the operator requires one and the user has none: set it up first
# Time for finding the phone; for installing an app and scanning, more.
MAX_AGE_SECONDS = {CODE: 10 * 60, SETUP: 30 * 60}


def begin(request, user, *, step: str, next_url: str) -> None:
    """Remember that ``user`` passed the password and must now do ``step``."""
    request.session.cycle_key()  # a new session id for the new state (no fixation)
    request.session[SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "step": step,
        "next": next_url,
        "since": int(time.time()),
    }


def _data(request) -> dict | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    max_age = MAX_AGE_SECONDS.get(data.get("step"), 0)
    if int(time.time()) - int(data.get("since", 0)) > max_age:
        clear(request)
        return None
    return data


def user(request, *, step: str):
    """The pending user if this session is at ``step`` (and not too old), else None."""
    data = _data(request)
    if data is None or data.get("step") != step:
        return None
    return (
        get_user_model()._default_manager.filter(pk=data.get("user"), is_active=True).first()
    )


def next_url(request) -> str:
    data = _data(request) or {}
    return str(data.get("next") or "")


def clear(request) -> None:
    request.session.pop(SESSION_KEY, None)


def complete(request, user) -> str:
    """The second step passed: log the user in for real. Returns where to go next."""
    data = _data(request) or {}
    destination = str(data.get("next") or "")
    clear(request)
    login(request, user, backend=data.get("backend"))
    return destination
