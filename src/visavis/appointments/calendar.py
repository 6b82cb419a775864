"""iCalendar files: one per appointment for the client, and the counselor's private feed.

The client's file names the session generically ("Video session") and carries the
guest link, never the PIN. The counselor's feed carries the counselor's own room link
(which needs their login) and never a guest link, so a calendar provider that syncs
the feed learns no key to a room; titles can be left out too.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from visavis.appointments.models import Appointment

PRODID = "-//visavis//visavis appointments//EN"


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _event(appointment: Appointment, *, summary: str, description: str, url: str) -> Event:
    event = Event()
    event.add("uid", f"{appointment.pk}@visavis")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    event.add("sequence", appointment.sequence)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if appointment.is_cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def client_ics(appointment: Appointment, *, guest_url: str) -> bytes:
    """The appointment as the client's calendar should show it, in the client's language."""
    with translation.override(appointment.language):
        calendar = _calendar()
        summary = _("Group video session") if appointment.group else _("Video session")
        description = _("Open this link shortly before the start: %(link)s") % {
            "link": guest_url
        }
        if appointment.has_pin:
            description += "\n" + _("You will receive the PIN in a separate message.")
        event = _event(appointment, summary=summary, description=description, url=guest_url)
        event.add("location", guest_url)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -timedelta(minutes=10))
        event.add_component(alarm)
        calendar.add_component(event)
        return calendar.to_ical()


def feed_ics(appointments, *, hide_titles: bool, host_url) -> bytes:
    """The counselor's feed: every kept appointment, cancelled ones marked as such.

    ``host_url`` maps an appointment to the absolute URL of the counselor's side of
    its room.
    """
    calendar = _calendar(name="visavis")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for appointment in appointments:
        summary = _("Appointment") if hide_titles else appointment.title
        url = host_url(appointment)
        description = url
        if appointment.group:
            summary = _("%(title)s (group session)") % {"title": summary}
            description = _("Group session") + "\n" + url
        calendar.add_component(
            _event(appointment, summary=summary, description=description, url=url)
        )
    return calendar.to_ical()
