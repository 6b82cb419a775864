"""The counselor's pages: dashboard, create (one or a series), edit, cancel, invitation,
link replacement, PIN, e-mail, calendar files and the private feed, time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from visavis.appointments import services
from visavis.appointments.models import Appointment

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def text(response) -> str:
    return response.content.decode()


def make(counselor, start=None, **changes):
    start = start or (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    values = {"title": "Session K.", "start": start, "duration_minutes": 50}
    return services.create_appointment(owner=counselor, **{**values, **changes})


FORM = {
    "title": "Intake R.",
    "start": "2030-05-17T14:30",
    "duration_minutes": "50",
    "language": "en",
}


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_groups_today_upcoming_and_past(browser, counselor):
    now = timezone.localtime()
    make(counselor, title="Today one", start=now.replace(second=0, microsecond=0))
    make(counselor, title="Tomorrow one", start=now + timedelta(days=1))
    make(counselor, title="Last week", start=now - timedelta(days=7))
    body = text(browser.get("/"))
    today, rest = body.split('id="upcoming-heading"', 1)
    upcoming, past = rest.split('class="past"', 1)
    assert "Today one" in today and "Tomorrow one" in upcoming and "Last week" in past
    assert "Enter room" in today
    assert "Enter room" not in past


def test_dashboard_lists_a_session_that_is_over_under_past(browser, counselor):
    """Over three hours ago (today, or yesterday just after midnight): its link no longer
    works, so it is not under Today and offers no "Enter room"."""
    make(counselor, title="Earlier one", start=timezone.localtime() - timedelta(hours=3))
    body = text(browser.get("/"))
    today, rest = body.split('id="upcoming-heading"', 1)
    upcoming, past = rest.split('class="past"', 1)
    assert "Earlier one" not in today and "Earlier one" not in upcoming
    assert "Earlier one" in past
    assert "Enter room" not in past
    assert "No appointments today." in today


def test_the_page_of_a_session_that_is_over_offers_no_room_and_no_cancel(browser, counselor):
    over = make(counselor, title="Earlier one", start=timezone.localtime() - timedelta(hours=3))
    body = text(browser.get(f"/appointments/{over.pk}"))
    assert "link has expired: the appointment is over." in body
    assert "Enter room" not in body and 'id="cancel-appointment"' not in body
    assert "Edit" in body  # the title can still be changed
    coming = make(counselor, title="Later one")
    body = text(browser.get(f"/appointments/{coming.pk}"))
    assert "Enter room" in body and 'id="cancel-appointment"' in body


def test_a_start_in_the_past_is_refused_with_a_clear_error(browser, counselor):
    an_hour_ago = timezone.localtime() - timedelta(hours=1)
    response = browser.post(
        "/appointments/new", {**FORM, "start": an_hour_ago.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 200
    page = text(response)
    assert "This start time has already passed. Please choose a time in the future." in page
    assert not Appointment.objects.exists()
    # A few minutes late is fine: the form may have been open a while.
    just_now = timezone.localtime() - timedelta(minutes=2)
    response = browser.post(
        "/appointments/new", {**FORM, "start": just_now.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    assert Appointment.objects.count() == 1


def test_moving_an_appointment_into_the_past_is_refused(browser, counselor):
    appointment = make(counselor)
    yesterday = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = browser.post(
        f"/appointments/{appointment.pk}/edit",
        {"title": "Session K.", "start": yesterday, "duration_minutes": "50",
         "language": "en", "external_url": ""},
    )
    assert "This start time has already passed" in text(response)
    moved = Appointment.objects.get(pk=appointment.pk)
    assert moved.start == appointment.start


def test_an_appointment_that_is_over_can_still_be_renamed(browser, counselor):
    appointment = make(counselor, start=timezone.now() - timedelta(days=1))
    start = timezone.localtime(appointment.start).strftime("%Y-%m-%dT%H:%M")
    response = browser.post(
        f"/appointments/{appointment.pk}/edit",
        {"title": "Renamed", "start": start, "duration_minutes": "50",
         "language": "en", "external_url": ""},
    )
    assert response.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).title == "Renamed"


def test_dashboard_search_by_title(browser, counselor):
    make(counselor, title="Family Meier")
    make(counselor, title="Intake R.")
    body = text(browser.get("/?q=meier"))
    assert "Family Meier" in body and "Intake R." not in body
    assert "1 appointment with" in body


def test_dashboard_shows_only_my_appointments(browser, other_counselor):
    make(other_counselor, title="Not yours")
    assert "Not yours" not in text(browser.get("/"))


def test_dashboard_needs_login(client, db):
    assert client.get("/").status_code == 302


# --- creating -------------------------------------------------------------------------------


def test_create_with_pin_shows_the_pin_text_exactly_once(browser, counselor):
    response = browser.post("/appointments/new", {**FORM, "pin": "482915"})
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appointments/{appointment.pk}"
    assert appointment.has_pin and "482915" not in appointment.pin_hash

    detail = text(browser.get(response["Location"]))
    link = f"http://testserver/r/{appointment.room_token}"
    link_text = detail.split('id="invite-link-text"', 1)[1].split("</textarea>", 1)[0]
    pin_text = detail.split('id="invite-pin-text"', 1)[1].split("</textarea>", 1)[0]
    assert link in link_text and "482915" not in link_text
    assert "PIN in a separate message" in link_text
    assert "482915" in pin_text and link not in pin_text
    assert "link to the session in a separate message" in pin_text
    assert "Friday, May 17, 2030" in link_text and "2:30 PM" in link_text
    # Both have mailto: buttons with the text.
    mailtos = [unquote(m.split('"', 1)[0]) for m in detail.split('href="mailto:')[1:]]
    assert any(link in m and "482915" not in m for m in mailtos)
    assert any("482915" in m and link not in m for m in mailtos)

    again = text(browser.get(response["Location"]))
    assert "482915" not in again and 'id="invite-pin-text"' not in again
    assert "cannot show it again" in again


def test_create_series_from_the_form(browser, counselor):
    response = browser.post(
        "/appointments/new", {**FORM, "repeat": "biweekly", "occurrences": "3"}
    )
    assert response.status_code == 302
    starts = [timezone.localtime(a.start, BERLIN) for a in Appointment.objects.order_by("start")]
    assert [s.date().isoformat() for s in starts] == ["2030-05-17", "2030-05-31", "2030-06-14"]
    detail = text(browser.get(response["Location"]))
    assert "Series: 1 of 3" in detail
    series_text = detail.split('id="invite-series-text"', 1)[1].split("</textarea>", 1)[0]
    for appointment in Appointment.objects.all():
        assert appointment.room_token in series_text


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"repeat": "weekly"}, "number of appointments or a last date"),
        ({"repeat": "weekly", "occurrences": "2", "repeat_until": "2030-06-30"}, "either"),
        ({"repeat": "weekly", "occurrences": "60"}, "less than or equal to 52"),
        ({"pin": "12345"}, "6 digits"),
        ({"external_url": "http://zoom.example/j/1"}, "https://"),
        ({"language": "fr"}, "Select a valid choice"),
        ({"title": ""}, "required"),
    ],
)
def test_create_form_errors(browser, changes, error):
    response = browser.post("/appointments/new", {**FORM, **changes})
    assert response.status_code == 200
    assert error in text(response)
    assert not Appointment.objects.exists()


def test_new_appointment_form_defaults_to_the_counselors_language(browser):
    body = text(browser.get("/", headers={"accept-language": "de"}))
    assert '<option value="de" selected>' in body


# --- editing, cancelling, link, PIN ---------------------------------------------------------------


def test_edit_one_appointment(browser, counselor):
    appointment = make(counselor, pin="482915")
    page = browser.get(f"/appointments/{appointment.pk}/edit")
    assert page.status_code == 200 and 'name="apply_to"' not in text(page)
    response = browser.post(
        f"/appointments/{appointment.pk}/edit",
        {"title": "Renamed", "start": "2030-06-01T09:00", "duration_minutes": "45",
         "language": "de", "external_url": "", "pin": "", "remove_pin": "on"},
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.title == "Renamed" and appointment.duration_minutes == 45
    assert appointment.start == datetime(2030, 6, 1, 9, 0, tzinfo=BERLIN)
    assert appointment.language == "de" and not appointment.has_pin


def test_edit_the_whole_series_and_set_a_new_pin(browser, counselor):
    series = services.create_series(
        owner=counselor, title="Weekly", start=timezone.now() + timedelta(days=1),
        duration_minutes=50, frequency="weekly", count=3,
    )
    first, *others = services.series_members(series)
    form = text(browser.get(f"/appointments/{first.pk}/edit"))
    assert 'name="apply_to"' in form
    start = timezone.localtime(first.start).strftime("%Y-%m-%dT%H:%M")
    browser.post(
        f"/appointments/{first.pk}/edit",
        {"title": "Group", "start": start, "duration_minutes": "50", "language": "en",
         "external_url": "", "pin": "246810", "apply_to": "series"},
    )
    assert {a.title for a in Appointment.objects.all()} == {"Group"}
    assert all(a.has_pin for a in Appointment.objects.all())
    # The PIN text shows on the next invitation page of any of them, once.
    assert "246810" in text(browser.get(f"/appointments/{others[1].pk}"))


def test_cancel_asks_first_and_says_what_the_client_sees(browser, counselor):
    appointment = make(counselor)
    detail = text(browser.get(f"/appointments/{appointment.pk}"))
    # The button on the appointment page leads to a question, not to the act.
    assert f'href="/appointments/{appointment.pk}/cancel"' in detail
    question = browser.get(f"/appointments/{appointment.pk}/cancel")
    assert question.status_code == 200
    page = text(question)
    assert "Cancel this appointment?" in page
    assert "their link will only say that the appointment was cancelled" in page
    assert "This cannot be undone." in page
    assert "Yes, cancel the appointment" in page and "No, keep the appointment" in page
    appointment.refresh_from_db()
    assert not appointment.is_cancelled
    # A POST without the confirmation (an old form, a double click) only asks again.
    again = browser.post(f"/appointments/{appointment.pk}/cancel")
    assert "Cancel this appointment?" in text(again)
    appointment.refresh_from_db()
    assert not appointment.is_cancelled


def test_cancel_from_the_detail_page(browser, counselor):
    appointment = make(counselor)
    response = browser.post(f"/appointments/{appointment.pk}/cancel", {"confirm": "yes"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.is_cancelled
    assert "Cancelled" in text(browser.get("/"))
    assert browser.get(f"/appointments/{appointment.pk}/edit").status_code == 302


def test_cancel_the_rest_of_a_series(browser, counselor):
    series = services.create_series(
        owner=counselor, title="Weekly", start=timezone.now() + timedelta(days=1),
        duration_minutes=50, frequency="weekly", count=3,
    )
    second = services.series_members(series)[1]
    question = text(browser.get(f"/appointments/{second.pk}/cancel"))
    assert 'name="apply_to" value="series"' in question
    browser.post(f"/appointments/{second.pk}/cancel", {"apply_to": "series", "confirm": "yes"})
    assert Appointment.objects.filter(cancelled_at__isnull=False).count() == 3


def test_replace_the_link_asks_first(browser, counselor, guest):
    appointment = make(counselor)
    old = appointment.room_token
    detail = text(browser.get(f"/appointments/{appointment.pk}"))
    assert f'href="/appointments/{appointment.pk}/revoke"' in detail
    page = text(browser.get(f"/appointments/{appointment.pk}/revoke"))
    assert "Replace the client's link?" in page
    assert "the link you sent will only say that it is no longer valid" in page
    assert "Yes, replace the link" in page and "No, keep the link" in page
    browser.post(f"/appointments/{appointment.pk}/revoke")  # not confirmed: asks again
    appointment.refresh_from_db()
    assert appointment.room_token == old
    assert guest.get(f"/r/{old}").status_code == 200


def test_replace_the_link(browser, counselor, guest):
    appointment = make(counselor)
    old = appointment.room_token
    response = browser.post(f"/appointments/{appointment.pk}/revoke", {"confirm": "yes"})
    appointment.refresh_from_db()
    assert appointment.room_token != old
    assert appointment.room_token in text(browser.get(response["Location"]))
    assert guest.get(f"/r/{old}").status_code == 410


def test_set_a_random_pin(browser, counselor):
    appointment = make(counselor)
    browser.post(f"/appointments/{appointment.pk}/pin")
    appointment.refresh_from_db()
    assert appointment.has_pin
    detail = text(browser.get(f"/appointments/{appointment.pk}"))
    pin_text = detail.split('id="invite-pin-text"', 1)[1].split("</textarea>", 1)[0]
    pins = [word for word in pin_text.split() if word.isdigit() and len(word) == 6]
    assert len(pins) == 1
    from django.contrib.auth.hashers import check_password

    assert check_password(pins[0], appointment.pin_hash)


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", ""), ("get", "/edit"), ("post", "/cancel"), ("post", "/revoke"),
        ("get", "/cancel"), ("get", "/revoke"),
        ("post", "/pin"), ("post", "/send"), ("get", "/invitation.ics"), ("get", "/room"),
    ],
)
def test_another_counselors_appointment_is_404(browser, other_counselor, method, path):
    theirs = make(other_counselor)
    response = getattr(browser, method)(f"/appointments/{theirs.pk}{path}", **(
        {"data": {"confirm": "yes"}} if method == "post" else {}
    ))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_cancelled and not theirs.has_pin


def test_external_appointment_has_no_built_in_room(browser, counselor):
    appointment = make(counselor, external_url="https://zoom.example/j/1")
    assert browser.get(f"/appointments/{appointment.pk}/room").status_code == 302
    assert 'href="https://zoom.example/j/1"' in text(browser.get("/"))


# --- invitations in German, e-mail ---------------------------------------------------------------


def test_german_invitation_texts(browser, counselor):
    browser.post("/appointments/new", {**FORM, "language": "de", "pin": "482915"})
    appointment = Appointment.objects.get()
    detail = text(browser.get(f"/appointments/{appointment.pk}"))
    link_text = detail.split('id="invite-link-text"', 1)[1].split("</textarea>", 1)[0]
    pin_text = detail.split('id="invite-pin-text"', 1)[1].split("</textarea>", 1)[0]
    assert "Freitag, 17. Mai 2030 um 14:30 Uhr" in link_text
    assert "Sie" in link_text and "separaten Nachricht" in link_text
    assert "482915" in pin_text and "separaten Nachricht" in pin_text


def test_no_email_form_without_smtp(browser, counselor):
    appointment = make(counselor)
    assert 'name="email"' not in text(browser.get(f"/appointments/{appointment.pk}"))
    browser.post(f"/appointments/{appointment.pk}/send", {"email": "client@example.org"})
    assert mail.outbox == []


def test_email_sends_the_link_but_never_the_pin(browser, counselor, mail_enabled):
    browser.post("/appointments/new", {**FORM, "pin": "482915"})
    appointment = Appointment.objects.get()
    assert 'name="email"' in text(browser.get(f"/appointments/{appointment.pk}"))
    response = browser.post(f"/appointments/{appointment.pk}/send", {"email": "client@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["client@example.org"]
    assert appointment.room_token in message.body
    assert "482915" not in message.body and "482915" not in message.subject
    assert "PIN in a separate message" in message.body
    [attachment] = message.attachments
    content = attachment.content
    content = content.decode() if isinstance(content, bytes) else content
    assert attachment.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content and "482915" not in content


def test_email_with_a_bad_address(browser, counselor, mail_enabled):
    appointment = make(counselor)
    browser.post(f"/appointments/{appointment.pk}/send", {"email": "not an address"})
    assert mail.outbox == []


# --- calendar files, feed, time zone -------------------------------------------------------------


def test_client_calendar_file_for_the_counselor(browser, counselor):
    appointment = make(counselor, language="de")
    response = browser.get(f"/appointments/{appointment.pk}/invitation.ics")
    assert response["Content-Disposition"].startswith("attachment")
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    assert event.decoded("dtstart") == appointment.start
    assert event.decoded("dtend") == appointment.end
    assert appointment.room_token in str(event["description"])


def test_private_feed_with_and_without_titles(browser, counselor, client):
    appointment = make(counselor, title="Family Meier")
    cancelled = make(counselor, title="Cancelled one")
    services.cancel_appointment(owner=counselor, appointment_id=cancelled.pk)
    browser.post("/calendar/settings", {"action": "feed-on"})
    page = text(browser.get("/calendar/settings"))
    token = services.calendar_settings(counselor).feed_token
    feed_url = f"http://testserver/calendar/{token}.ics"
    assert feed_url in page

    response = client.get(f"/calendar/{token}.ics")  # no login: the token is the key
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert str(events[f"{appointment.pk}@visavis"]["summary"]) == "Family Meier"
    assert str(events[f"{cancelled.pk}@visavis"]["status"]) == "CANCELLED"
    assert appointment.room_token not in response.content.decode()  # never a guest link
    assert str(events[f"{appointment.pk}@visavis"]["url"]).endswith(
        f"/appointments/{appointment.pk}/room"
    )

    browser.post("/calendar/settings", {"action": "feed-options", "hide_titles": "on"})
    hidden = client.get(f"/calendar/{token}.ics").content.decode()
    assert "Family Meier" not in hidden and "SUMMARY:Appointment" in hidden

    browser.post("/calendar/settings", {"action": "feed-on"})
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    new_token = services.calendar_settings(counselor).feed_token
    assert client.get(f"/calendar/{new_token}.ics").status_code == 200
    browser.post("/calendar/settings", {"action": "feed-off"})
    assert client.get(f"/calendar/{new_token}.ics").status_code == 404


def test_time_zone_setting_changes_how_times_are_shown_and_read(browser, counselor):
    response = browser.post(
        "/calendar/settings", {"action": "time-zone", "time_zone": "America/New_York"}
    )
    assert response.status_code == 302
    assert "Times in America/New_York" in text(browser.get("/"))
    browser.post("/appointments/new", FORM)
    appointment = Appointment.objects.get()
    assert appointment.start == datetime(2030, 5, 17, 14, 30, tzinfo=ZoneInfo("America/New_York"))
    assert browser.post(
        "/calendar/settings", {"action": "time-zone", "time_zone": "Nowhere/Land"}
    ).status_code == 200
    assert browser.post("/calendar/settings", {"action": "bogus"}).status_code == 400


def test_editing_the_title_does_not_move_a_start_with_seconds(browser, counselor):
    start = (timezone.now() + timedelta(days=1)).replace(second=42, microsecond=0)
    appointment = make(counselor, start=start)
    form_start = timezone.localtime(start).strftime("%Y-%m-%dT%H:%M")
    browser.post(
        f"/appointments/{appointment.pk}/edit",
        {"title": "Renamed", "start": form_start, "duration_minutes": "50", "language": "en",
         "external_url": ""},
    )
    appointment.refresh_from_db()
    assert appointment.title == "Renamed" and appointment.start == start
