"""The client's link: room, PIN, time window, cancelled, revoked, external video, language."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import formats, timezone
from icalendar import Calendar

from visavis.appointments import services
from visavis.entry import door

pytestmark = pytest.mark.django_db


def make(counselor, minutes_from_now=0, **changes):
    start = (timezone.now() + timedelta(minutes=minutes_from_now)).replace(microsecond=0)
    values = {"title": "Secret title", "start": start, "duration_minutes": 50}
    return services.create_appointment(owner=counselor, **{**values, **changes})


def url(appointment) -> str:
    return f"/r/{appointment.room_token}"


def text(response) -> str:
    return response.content.decode()


def confirm_notice(guest, appointment, query: str = "") -> None:
    """The privacy notice step in front of the room (tests/consent tests it)."""
    response = guest.post(url(appointment) + query, {"step": "consent", "read_notice": "on"})
    assert response.status_code == 302


def test_open_link_shows_the_room_in_the_appointments_language(counselor, guest):
    appointment = make(counselor, language="de")
    confirm_notice(guest, appointment)
    response = guest.get(url(appointment), headers={"accept-language": "en"})
    assert response.status_code == 200
    body = text(response)
    assert 'lang="de"' in body and 'id="knock-form"' in body
    assert "Willkommen" in body
    assert response["Content-Language"] == "de"
    assert "/jsi18n/de/" in body
    assert "Secret title" not in body  # the title is the counselor's note only
    # The client can pick the other language.
    english = guest.get(url(appointment) + "?lang=en")
    assert 'lang="en"' in text(english) and "/jsi18n/en/" in text(english)
    assert f'href="/r/{appointment.room_token}?lang=de"' in text(english)


def test_the_room_page_names_the_calls_media_topology(counselor, guest):
    appointment = make(counselor)
    confirm_notice(guest, appointment)
    body = text(guest.get(url(appointment)))
    pattern = r'<script id="room-config" type="application/json">(.*?)</script>'
    config = json.loads(re.search(pattern, body)[1])
    assert config["room"] == appointment.room_token
    assert config["topology"] == "mesh"  # js/topology.js: every call is peer to peer so far


def test_javascript_catalog_per_language(guest):
    german = guest.get("/jsi18n/de/", headers={"accept-language": "en"})
    assert german.status_code == 200 and "Stummschalten" in text(german)
    assert "Stummschalten" not in text(guest.get("/jsi18n/en/"))
    assert guest.get("/jsi18n/fr/").status_code == 404


def test_javascript_catalog_is_sent_compressed(guest):
    import gzip

    response = guest.get("/jsi18n/de/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert "Stummschalten" in gzip.decompress(response.content).decode()


def test_before_the_window_the_page_says_when_the_room_opens(counselor, guest):
    appointment = make(counselor, minutes_from_now=60 * 24)
    response = guest.get(url(appointment))
    assert response.status_code == 200
    body = text(response)
    assert "not open yet" in body and 'id="knock-form"' not in body
    opens = timezone.localtime(appointment.room_opens_at)
    # As the template renders it ("6 p.m." on the hour, "6:30 p.m." otherwise).
    assert formats.time_format(opens, "TIME_FORMAT") in body
    # The page reloads itself by script (js/notice.js) when the room opens, at the latest.
    assert 'data-reload-in="3600"' in body and "visavis/js/notice.js" in body
    assert f"/r/{appointment.room_token}/calendar.ics" in body


def test_the_room_opens_when_the_clock_reaches_the_window(counselor, guest):
    appointment = make(counselor, minutes_from_now=60)
    assert "not open yet" in text(guest.get(url(appointment)))
    with time_machine.travel(appointment.start - timedelta(minutes=15), tick=False):
        confirm_notice(guest, appointment)
        assert 'id="knock-form"' in text(guest.get(url(appointment)))
    with time_machine.travel(appointment.end + timedelta(minutes=61), tick=False):
        ended = guest.get(url(appointment))
    assert ended.status_code == 410 and "has ended" in text(ended)


def test_german_not_open_yet(counselor, guest):
    appointment = make(counselor, minutes_from_now=600, language="de")
    body = text(guest.get(url(appointment)))
    assert "Der Raum ist noch nicht geöffnet" in body


def test_cancelled_appointment_says_so_in_the_clients_language(counselor, guest):
    appointment = make(counselor, language="de")
    services.cancel_appointment(owner=counselor, appointment_id=appointment.pk)
    response = guest.get(url(appointment))
    assert response.status_code == 410
    assert "Dieser Termin wurde abgesagt" in text(response)


def test_revoked_link_is_no_longer_valid_and_does_not_leak_the_new_one(counselor, guest):
    appointment = make(counselor)
    old = appointment.room_token
    services.revoke_link(owner=counselor, appointment_id=appointment.pk)
    appointment.refresh_from_db()
    response = guest.get(f"/r/{old}")
    assert response.status_code == 410
    assert "no longer valid" in text(response)
    assert appointment.room_token not in text(response)
    assert guest.get(url(appointment)).status_code == 200


def test_unknown_link_is_404(guest, db):
    assert guest.get("/r/not-a-room").status_code == 404
    assert guest.get("/r/" + "x" * 80).status_code == 404


# --- PIN -------------------------------------------------------------------------------------


def test_pin_form_then_wrong_then_right_pin(counselor, guest):
    appointment = make(counselor, pin="482915")
    first = guest.get(url(appointment))
    assert first.status_code == 200
    assert 'id="knock-form"' not in text(first) and 'name="pin"' in text(first)

    wrong = guest.post(url(appointment), {"pin": "111111"})
    assert wrong.status_code == 403 and "not correct" in text(wrong)
    assert 'id="knock-form"' not in text(wrong)

    malformed = guest.post(url(appointment), {"pin": "12ab"})
    assert malformed.status_code == 400 and "6 digits" in text(malformed)

    guest.session["before"] = "pin"  # a session that existed before the PIN
    guest.session.save()
    old_session = guest.cookies["sessionid"].value
    right = guest.post(url(appointment), {"pin": "482915"})
    assert right.status_code == 302 and right["Location"] == url(appointment)
    assert guest.cookies["sessionid"].value != old_session  # a new session key
    confirm_notice(guest, appointment)
    room = guest.get(url(appointment))
    assert 'id="knock-form"' in text(room)


def test_another_browser_still_needs_the_pin(counselor, guest, client):
    appointment = make(counselor, pin="482915")
    guest.post(url(appointment), {"pin": "482915"})
    confirm_notice(guest, appointment)
    assert 'id="knock-form"' in text(guest.get(url(appointment)))
    client.post(url(appointment), {"step": "consent", "read_notice": "on"})
    assert 'id="knock-form"' not in text(client.get(url(appointment)))


def test_too_many_wrong_pins_says_when_to_try_again(counselor, guest):
    appointment = make(counselor, pin="482915", language="de")
    for _ in range(4):
        assert guest.post(url(appointment), {"pin": "000000"}).status_code == 403
    blocked = guest.post(url(appointment), {"pin": "000000"})
    assert blocked.status_code == 429
    until = door.pin_blocked_until(appointment)
    expected = timezone.localtime(until).strftime("%H:%M")
    assert f"bitte versuchen Sie es um {expected} Uhr erneut" in text(blocked)
    # Even the right PIN is refused now, and the form is disabled.
    again = guest.post(url(appointment), {"pin": "482915"})
    assert again.status_code == 429 and 'id="knock-form"' not in text(again)
    assert "disabled" in text(guest.get(url(appointment)))
    with time_machine.travel(until + timedelta(seconds=1), tick=False):
        assert guest.post(url(appointment), {"pin": "482915"}).status_code == 302


def test_the_block_is_for_everyone_and_in_english_too(counselor, guest, client):
    appointment = make(counselor, pin="482915")
    for _ in range(5):
        guest.post(url(appointment), {"pin": "000000"})
    other = client.post(url(appointment), {"pin": "482915"})
    assert other.status_code == 429
    assert "Too many wrong attempts" in text(other) and "try again at" in text(other)


def test_post_without_pin_just_returns_to_the_page(counselor, guest):
    appointment = make(counselor)
    response = guest.post(url(appointment), {"pin": "123456"})
    assert response.status_code == 302


# --- external video --------------------------------------------------------------------------


def test_external_video_shows_the_appointment_and_a_button(counselor, guest):
    appointment = make(counselor, external_url="https://zoom.example/j/123")
    response = guest.get(url(appointment))
    body = text(response)
    assert response.status_code == 200
    assert 'href="https://zoom.example/j/123"' in body
    assert 'rel="noopener noreferrer"' in body
    assert "zoom.example" in body and "external video service" in body
    assert 'id="knock-form"' not in body
    # Nothing on the page loads from the other service: it is only a link.
    assert not re.search(r'(src|action)="https://zoom', body)


def test_external_link_only_after_the_pin(counselor, guest):
    appointment = make(counselor, external_url="https://zoom.example/j/123", pin="482915")
    assert "zoom.example/j/123" not in text(guest.get(url(appointment)))
    guest.post(url(appointment), {"pin": "482915"})
    assert "zoom.example/j/123" in text(guest.get(url(appointment)))


def test_external_notice_in_german(counselor, guest):
    appointment = make(counselor, external_url="https://teams.example/m", language="de")
    assert "externen Videodienst" in text(guest.get(url(appointment)))


# --- calendar file from the link ----------------------------------------------------------------


def test_guest_calendar_file_has_the_link_but_no_pin_or_title(counselor, guest):
    appointment = make(counselor, pin="482915", language="de")
    response = guest.get(f"/r/{appointment.room_token}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    assert str(event["summary"]) == "Videotermin"
    assert appointment.room_token in str(event["url"])
    assert "482915" not in response.content.decode()
    assert "Secret title" not in response.content.decode()
    assert event.decoded("dtstart") == appointment.start
    services.cancel_appointment(owner=counselor, appointment_id=appointment.pk)
    assert guest.get(f"/r/{appointment.room_token}/calendar.ics").status_code == 404
