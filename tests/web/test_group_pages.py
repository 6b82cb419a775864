"""Group appointments on the pages (issue 18): the checkbox on the forms, the badge on the
dashboard and the appointment page, and the room pages of host and client, which say that
group sessions are not available on this server yet instead of starting a call."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.web.test_guest import confirm_notice
from visavis.appointments import services
from visavis.appointments.models import Appointment
from visavis.rooms import topology

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Group T.", "start": "2030-05-17T14:30", "duration_minutes": "90", "language": "en",
}


def text(response) -> str:
    return response.content.decode()


def make(counselor, **changes):
    values = {
        "title": "Group T.", "start": timezone.now().replace(microsecond=0),
        "duration_minutes": 90, "group": True,
    }
    return services.create_appointment(owner=counselor, **{**values, **changes})


def test_the_new_appointment_form_has_the_checkbox_with_the_group_size(browser, settings):
    settings.VISAVIS = {**settings.VISAVIS, "MAX_GROUP_SIZE": 7}
    body = text(browser.get("/appointments/new"))
    assert 'type="checkbox" name="group"' in body
    assert "For up to 7 people, you included, through the media server" in body
    german = text(browser.get("/appointments/new", headers={"accept-language": "de"}))
    assert "Gruppensitzung" in german and "Für bis zu 7 Personen" in german


def test_create_a_group_appointment_and_a_series_of_them(browser):
    response = browser.post("/appointments/new", {**FORM, "group": "on"})
    assert response.status_code == 302
    assert Appointment.objects.get().group is True
    browser.post(
        "/appointments/new",
        {**FORM, "group": "on", "repeat": "weekly", "occurrences": "3"},
    )
    assert Appointment.objects.filter(group=True).count() == 4
    browser.post("/appointments/new", FORM)
    assert Appointment.objects.filter(group=False).count() == 1


def test_edit_turns_the_flag_on_and_off(browser, counselor):
    appointment = make(counselor, group=False, start=timezone.now() + timedelta(days=1))
    page = text(browser.get(f"/appointments/{appointment.pk}/edit"))
    assert 'name="group"' in page and 'name="group" id="id_group" checked' not in page
    start = timezone.localtime(appointment.start).strftime("%Y-%m-%dT%H:%M")
    values = {**FORM, "title": "Group T.", "start": start, "duration_minutes": "90"}
    browser.post(f"/appointments/{appointment.pk}/edit", {**values, "group": "on"})
    appointment.refresh_from_db()
    assert appointment.group is True
    page = text(browser.get(f"/appointments/{appointment.pk}/edit"))
    assert re.search(r'name="group"[^>]*checked', page)
    browser.post(f"/appointments/{appointment.pk}/edit", values)
    appointment.refresh_from_db()
    assert appointment.group is False


def test_dashboard_and_appointment_page_show_the_badge(browser, counselor):
    group = make(counselor)
    make(counselor, title="Single S.", group=False)
    dashboard = text(browser.get("/"))
    assert dashboard.count('class="badge group"') == 1
    detail = text(browser.get(f"/appointments/{group.pk}"))
    assert '<span class="badge group">Group session</span>' in detail
    assert 'id="group-unavailable"' in detail and "no media server configured" in detail
    german = text(browser.get(f"/appointments/{group.pk}", headers={"accept-language": "de"}))
    assert "Gruppensitzung" in german and "kein Medienserver eingerichtet" in german


def test_the_host_room_of_a_group_appointment_says_it_is_not_available(browser, counselor):
    appointment = make(counselor)
    response = browser.get(f"/appointments/{appointment.pk}/room")
    assert response.status_code == 200
    body = text(response)
    assert 'data-state="group-unavailable"' in body
    assert "Group sessions are not available on this server yet" in body
    assert "no media server configured" in body
    # No call: no room configuration, no room script, no camera.
    assert 'id="room-config"' not in body and "host.js" not in body and "room.js" not in body
    german = text(browser.get(
        f"/appointments/{appointment.pk}/room", headers={"accept-language": "de"}
    ))
    assert "Gruppensitzungen sind auf diesem Server noch nicht möglich" in german
    assert "kein Medienserver eingerichtet" in german


def test_the_clients_room_of_a_group_appointment_says_it_is_not_available(counselor, guest):
    appointment = make(counselor, language="de")
    confirm_notice(guest, appointment)
    response = guest.get(f"/r/{appointment.room_token}")
    assert response.status_code == 200
    body = text(response)
    assert 'data-state="group-unavailable"' in body
    assert "Ihr Termin ist eine Gruppensitzung" in body
    assert "kein Medienserver eingerichtet" in body
    assert "Group T." not in body  # the title is the counselor's note only
    assert 'id="knock-form"' not in body and "guest.js" not in body
    english = text(guest.get(f"/r/{appointment.room_token}?lang=en"))
    assert "Group sessions are not available on this server yet" in english


def test_once_the_group_path_is_available_the_room_pages_open(
    browser, counselor, guest, monkeypatch
):
    # What the media-server work will switch on: the page then starts the call. Until a
    # topology for it exists the page cannot name one, so it refuses loudly, never "mesh".
    monkeypatch.setattr(topology, "group_availability", lambda: topology.AVAILABLE)
    appointment = make(counselor)
    with pytest.raises(ValueError, match="no media topology"):
        browser.get(f"/appointments/{appointment.pk}/room")


def test_an_individual_room_page_is_unchanged(browser, counselor):
    appointment = make(counselor, group=False)
    body = text(browser.get(f"/appointments/{appointment.pk}/room"))
    config = json.loads(body.split('id="room-config" type="application/json">', 1)[1]
                        .split("</script>", 1)[0])
    assert config["topology"] == "mesh" and config["maxParticipants"] == 4
