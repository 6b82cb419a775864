"""How an appointment's call carries its media, how many people it holds, and whether this
server can hold it at all.

An individual appointment is a full mesh of peer connections (``"mesh"``, js/mesh.js)
of up to ``max_participants`` people. A group appointment (``Appointment.group``) is
meant to go through a media server (Janus) that forwards frames the browsers have
already encrypted, for up to ``max_group_size`` people; both counts include the host.
The topology is fixed per appointment and never switched in a call: a group
appointment never falls back to the mesh.

Whether the group path is available is decided here, in :func:`group_availability`,
and nowhere else: the room pages ask it before they start a call, the room services
before they let anyone into a group room. The media-server work plugs in there (and
names its topology in :func:`topology`).
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MESH = "mesh"


class Availability(NamedTuple):
    """Whether a call can take place; if not, ``reason`` says why, in words for the
    counselor and the client (translated when shown)."""

    available: bool
    reason: str | Promise = ""


AVAILABLE = Availability(True)


def group_availability() -> Availability:
    """Whether group sessions can take place on this server: not until visavis has a
    media server to send them through. The one place that decides it."""
    return Availability(False, _("no media server configured"))


def availability(appointment) -> Availability:
    """Whether ``appointment``'s call can take place on this server now."""
    return group_availability() if appointment.group else AVAILABLE


def topology(appointment) -> str:
    """The media topology the room pages start the call with (js/topology.js). Only
    individual appointments have one so far; ask :func:`availability` first."""
    if appointment.group:
        raise ValueError("group sessions have no media topology yet")
    return MESH


def capacity(*, group: bool) -> int:
    """The most people in a call, the host included: ``max_group_size`` for a group
    appointment, ``max_participants`` for an individual one."""
    key = "MAX_GROUP_SIZE" if group else "MAX_PARTICIPANTS"
    return settings.VISAVIS[key]
