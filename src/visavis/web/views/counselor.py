"""The counselor's pages: dashboard, appointments, invitations, calendar settings and the
host's side of the room. Each view parses, checks permission, calls one service and renders."""

from __future__ import annotations

import itertools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from visavis.appointments import calendar, invitations, links
from visavis.appointments import services as appointments
from visavis.entry import door
from visavis.entry.door import Entry
from visavis.rooms import topology
from visavis.rooms.routing import WATCH_PATH
from visavis.web.forms import (
    ApplyToForm,
    AppointmentEditForm,
    AppointmentForm,
    FeedOptionsForm,
    InvitationEmailForm,
    TimeZoneForm,
)
from visavis.web.views.shared import ics_response, room_config

# The session remembers a PIN the counselor just set until its invitation page shows it
# once; after that only its hash exists.
_NEW_PIN = "visavis_new_pin"


def _owned(request, appointment_id):
    try:
        return appointments.get_for_owner(owner=request.user, appointment_id=appointment_id)
    except appointments.AppointmentNotFound:
        raise Http404 from None


def _by_day(items) -> list[dict]:
    return [
        {"day": day, "appointments": list(group)}
        for day, group in itertools.groupby(items, key=lambda a: timezone.localtime(a.start).date())
    ]


@login_required
def dashboard(request):
    query = request.GET.get("q", "").strip()[:200]
    today = timezone.localdate()
    now = timezone.now()
    found = list(appointments.search(owner=request.user, query=query))
    # Past: an earlier day, or over today, once the client's link no longer works (so
    # no "Enter room" for a session that has ended).
    over = {a.pk for a in found if door.window(a, now=now) == Entry.ENDED}
    todays = [a for a in found if timezone.localtime(a.start).date() == today and a.pk not in over]
    upcoming = [a for a in found if timezone.localtime(a.start).date() > today and a.pk not in over]
    past = [a for a in found if timezone.localtime(a.start).date() < today or a.pk in over]
    past.reverse()
    form = AppointmentForm(initial={"language": _client_language_default(request)})
    return render(
        request,
        "web/dashboard.html",
        {
            "query": query,
            "today": todays,
            "upcoming": _by_day(upcoming),
            "past": _by_day(past),
            "past_count": len(past),
            "total": len(found),
            "form": form,
            "time_zone": timezone.get_current_timezone_name(),
            "retention_days": settings.VISAVIS["RETENTION_DAYS"],
        },
    )


def _client_language_default(request) -> str:
    code = (getattr(request, "LANGUAGE_CODE", "") or "en").split("-")[0]
    return code if code in appointments.LANGUAGE_CODES else "en"


def _remember_new_pin(request, pin: str, appointment_ids) -> None:
    request.session[_NEW_PIN] = {"pin": pin, "ids": [str(i) for i in appointment_ids]}


def _take_new_pin(request, appointment) -> str | None:
    stored = request.session.get(_NEW_PIN)
    if not isinstance(stored, dict) or str(appointment.pk) not in stored.get("ids", []):
        return None
    del request.session[_NEW_PIN]
    return stored.get("pin")


@login_required
def create_appointment(request):
    form = AppointmentForm(
        request.POST or None,
        initial={"language": _client_language_default(request)},
        owner=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "owner": request.user,
            "title": data["title"],
            "start": data["start"],
            "duration_minutes": data["duration_minutes"],
            "language": data["language"],
            "pin": data["pin"] or None,
            "external_url": data["external_url"],
            "group": data["group"],
        }
        try:
            if data["repeat"]:
                series = appointments.create_series(
                    **common,
                    frequency=data["repeat"],
                    count=data["occurrences"],
                    until=data["repeat_until"],
                )
                created = list(appointments.series_members(series))
            else:
                created = [appointments.create_appointment(**common)]
        except appointments.AppointmentError as exc:
            form.add_error(None, str(exc))
        else:
            if data["pin"]:
                _remember_new_pin(request, data["pin"], [a.pk for a in created])
            if len(created) > 1:
                messages.success(
                    request,
                    _("The series of %(count)d appointments was created.")
                    % {"count": len(created)},
                )
            else:
                messages.success(request, _("The appointment was created."))
            return redirect("appointment-detail", created[0].pk)
    return render(request, "web/appointment_form.html", {"form": form})


@login_required
def appointment_detail(request, appointment_id):
    appointment = _owned(request, appointment_id)
    link = links.guest_url(request, appointment)
    pin = _take_new_pin(request, appointment)
    context = {
        "appointment": appointment,
        "guest_url": link,
        "link_invitation": invitations.link_invitation(appointment, guest_url=link),
        "pin_invitation": invitations.pin_invitation(appointment, pin=pin) if pin else None,
        "email_enabled": invitations.email_enabled(),
        "email_form": InvitationEmailForm(),
        "window": door.window(appointment),
        "availability": topology.availability(appointment),
        "opens_minutes": settings.VISAVIS["ROOM_OPENS_MINUTES_BEFORE"],
        "closes_minutes": settings.VISAVIS["ROOM_CLOSES_MINUTES_AFTER"],
        "time_zone": timezone.get_current_timezone_name(),
    }
    if appointment.series_id:
        members = list(appointments.series_members(appointment.series))
        now = timezone.now()
        upcoming = [a for a in members if not a.is_cancelled and a.end > now]
        context["series_members"] = members
        context["series_position"] = members.index(appointment) + 1
        if len(upcoming) > 1:
            context["series_invitation"] = invitations.series_invitation(
                upcoming, guest_urls={a.pk: links.guest_url(request, a) for a in upcoming}
            )
    return render(request, "web/appointment_detail.html", context)


@login_required
def edit_appointment(request, appointment_id):
    appointment = _owned(request, appointment_id)
    if appointment.is_cancelled:
        messages.error(request, _("A cancelled appointment cannot be changed."))
        return redirect("appointment-detail", appointment.pk)
    initial = {
        "title": appointment.title,
        "start": timezone.localtime(appointment.start).replace(second=0, microsecond=0),
        "duration_minutes": appointment.duration_minutes,
        "language": appointment.language,
        "external_url": appointment.external_url,
        "group": appointment.group,
        "apply_to": "this",
    }
    form = AppointmentEditForm(
        request.POST or None,
        initial=initial,
        in_series=appointment.series_id is not None,
        has_pin=appointment.has_pin,
        owner=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            field: data[field]
            for field in ("title", "duration_minutes", "language", "external_url", "group")
            if field in form.changed_data
        }
        # Compared by value, at the minute the form shows: a start with seconds (from the
        # API) must not count as moved when only the title changes.
        if data["start"] != initial["start"]:
            changes["start"] = data["start"]
        if data.get("pin"):
            changes["pin"] = data["pin"]
        elif data.get("remove_pin"):
            changes["pin"] = None
        apply_to = data.get("apply_to") or "this"
        try:
            updated = appointments.update_appointment(
                owner=request.user, appointment_id=appointment.pk, apply_to=apply_to, **changes
            )
        except appointments.AppointmentError as exc:
            form.add_error(None, str(exc))
        else:
            if data.get("pin"):
                ids = [appointment.pk]
                if apply_to == "series" and appointment.series_id:
                    ids = [a.pk for a in appointments.series_members(appointment.series)]
                _remember_new_pin(request, data["pin"], ids)
            messages.success(request, _("The changes were saved."))
            return redirect("appointment-detail", updated.pk)
    return render(request, "web/appointment_edit.html", {"form": form, "appointment": appointment})


# Cancelling and replacing the link change what the client's link does, and cannot be
# undone: each asks first. GET shows what will happen to the client; only a POST with
# confirm=yes acts (a POST without it shows the question again).
_CONFIRMED = "yes"


def _confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == _CONFIRMED


@login_required
def cancel(request, appointment_id):
    appointment = _owned(request, appointment_id)
    form = ApplyToForm(request.POST or None)
    apply_to = (form.cleaned_data["apply_to"] if form.is_valid() else "") or "this"
    if appointment.is_cancelled:
        messages.info(request, _("This appointment is already cancelled."))
        return redirect("appointment-detail", appointment.pk)
    if not _confirmed(request):
        return render(
            request,
            "web/appointment_confirm.html",
            {"appointment": appointment, "action": "cancel", "apply_to": apply_to},
        )
    try:
        appointments.cancel_appointment(
            owner=request.user, appointment_id=appointment.pk, apply_to=apply_to
        )
    except appointments.AppointmentNotFound:
        raise Http404 from None
    if apply_to == "series":
        messages.success(request, _("The upcoming appointments of the series were cancelled."))
    else:
        messages.success(
            request, _("The appointment was cancelled. Its link now says so to the client.")
        )
    return redirect("dashboard")


@login_required
def revoke_link(request, appointment_id):
    appointment = _owned(request, appointment_id)
    if appointment.is_cancelled:
        messages.error(request, _("A cancelled appointment cannot be changed."))
        return redirect("appointment-detail", appointment.pk)
    if not _confirmed(request):
        return render(
            request,
            "web/appointment_confirm.html",
            {"appointment": appointment, "action": "revoke"},
        )
    try:
        appointment = appointments.revoke_link(owner=request.user, appointment_id=appointment.pk)
    except appointments.AppointmentNotFound:
        raise Http404 from None
    messages.success(
        request,
        _("The old link no longer works. Send the client the new link below."),
    )
    return redirect("appointment-detail", appointment.pk)


@login_required
@require_POST
def new_pin(request, appointment_id):
    appointment = _owned(request, appointment_id)
    form = ApplyToForm(request.POST)
    apply_to = (form.cleaned_data["apply_to"] if form.is_valid() else "") or "this"
    try:
        pin = appointments.set_new_random_pin(
            owner=request.user, appointment_id=appointment.pk, apply_to=apply_to
        )
    except appointments.AppointmentError as exc:
        messages.error(request, str(exc))
        return redirect("appointment-detail", appointment.pk)
    ids = [appointment.pk]
    if apply_to == "series" and appointment.series_id:
        ids = [a.pk for a in appointments.series_members(appointment.series)]
    _remember_new_pin(request, pin, ids)
    messages.success(request, _("A new PIN was set. Send it to the client separately."))
    return redirect("appointment-detail", appointment.pk)


@login_required
@require_POST
def send_invitation(request, appointment_id):
    appointment = _owned(request, appointment_id)
    form = InvitationEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter a valid e-mail address."))
        return redirect("appointment-detail", appointment.pk)
    link = links.guest_url(request, appointment)
    try:
        invitations.send_link_invitation(
            appointment=appointment,
            to=form.cleaned_data["email"],
            guest_url=link,
            ics=calendar.client_ics(appointment, guest_url=link),
        )
    except appointments.AppointmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The invitation with the link was sent. Send the PIN over another channel."),
        )
    return redirect("appointment-detail", appointment.pk)


@login_required
@require_GET
def appointment_ics(request, appointment_id):
    """The client's calendar file, for the counselor to attach to an invitation."""
    appointment = _owned(request, appointment_id)
    content = calendar.client_ics(appointment, guest_url=links.guest_url(request, appointment))
    return ics_response(content, "invitation.ics")


@login_required
def calendar_settings(request):
    found = appointments.calendar_settings(request.user)
    zone_form = TimeZoneForm(initial={"time_zone": timezone.get_current_timezone_name()})
    feed_form = FeedOptionsForm(initial={"hide_titles": found.feed_hide_titles})
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "time-zone":
            zone_form = TimeZoneForm(request.POST)
            if zone_form.is_valid():
                appointments.set_time_zone(
                    user=request.user, name=zone_form.cleaned_data["time_zone"]
                )
                messages.success(request, _("Your time zone was saved."))
                return redirect("calendar-settings")
        elif action == "feed-on":
            appointments.enable_feed(user=request.user)
            messages.success(request, _("Your calendar feed has a new private address."))
            return redirect("calendar-settings")
        elif action == "feed-off":
            appointments.disable_feed(user=request.user)
            messages.success(request, _("The calendar feed is off; its address no longer works."))
            return redirect("calendar-settings")
        elif action == "feed-options":
            feed_form = FeedOptionsForm(request.POST)
            if feed_form.is_valid():
                appointments.set_feed_hide_titles(
                    user=request.user, hide=feed_form.cleaned_data["hide_titles"]
                )
                messages.success(request, _("The feed options were saved."))
                return redirect("calendar-settings")
        else:
            return HttpResponse(status=400)
    feed_url = links.feed_url(request, found.feed_token) if found.feed_token else ""
    return render(
        request,
        "web/calendar_settings.html",
        {
            "zone_form": zone_form,
            "feed_form": feed_form,
            "feed_url": feed_url,
            "settings_row": found,
        },
    )


@require_GET
def calendar_feed(request, token):
    found = appointments.feed_owner(token)
    if found is None:
        raise Http404
    content = calendar.feed_ics(
        appointments.appointments_for(found.user),
        hide_titles=found.feed_hide_titles,
        host_url=lambda a: links.host_url(request, a),
    )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def host_room(request, appointment_id):
    appointment = _owned(request, appointment_id)
    if appointment.is_cancelled:
        raise Http404
    if appointment.is_external:
        return redirect("appointment-detail", appointment.pk)
    usable = topology.availability(appointment)
    if not usable.available:
        # A group session: no call in another topology, but an honest page.
        return render(
            request,
            "web/room_unavailable.html",
            {
                "appointment": appointment,
                "reason": usable.reason,
                "host": True,
                "individual_size": topology.capacity(group=False),
            },
        )
    return render(
        request,
        "web/host_room.html",
        {
            "appointment": appointment,
            "guest_url": links.guest_url(request, appointment),
            "room_config": room_config(appointment),
            # The host's own page data (js/host.js): which room this is, for the banner
            # about the counselor's other rooms, and the session timer's reminder.
            "host_config": {
                "appointment": str(appointment.pk),
                "watch": WATCH_PATH,
                "warnMinutes": settings.VISAVIS["SESSION_END_WARNING_MINUTES"],
            },
        },
    )
