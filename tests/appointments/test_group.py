"""Group appointments (issue 18): the flag on the appointment, in services, series, the API
and the calendar files. (Capacity in the room: tests/rooms/test_group_rooms.py; the pages:
tests/web/test_group_pages.py.)"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.appointments.test_api_more import create, error, send
from visavis.appointments import calendar, services

BERLIN = ZoneInfo("Europe/Berlin")
URL = "/api/v1/appointments"
pytestmark = pytest.mark.django_db


def make(counselor, **changes):
    values = {
        "title": "Group T.", "start": datetime(2030, 3, 4, 10, 0, tzinfo=BERLIN),
        "duration_minutes": 90,
    }
    return services.create_appointment(owner=counselor, **{**values, **changes})


# --- services -------------------------------------------------------------------------------


def test_an_appointment_is_individual_unless_marked_as_group(counselor):
    assert make(counselor).group is False
    assert make(counselor, group=True).group is True


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_group_must_be_yes_or_no(counselor, value):
    with pytest.raises(services.AppointmentError, match="group session"):
        make(counselor, group=value)


def test_a_series_carries_the_flag_to_every_occurrence(counselor):
    series = services.create_series(
        owner=counselor, title="Group T.", start=datetime(2030, 3, 4, 10, 0, tzinfo=BERLIN),
        duration_minutes=90, frequency="weekly", count=3, group=True,
    )
    assert [a.group for a in services.series_members(series)] == [True, True, True]


def test_changing_the_flag_for_the_series(counselor):
    series = services.create_series(
        owner=counselor, title="Group T.", start=datetime(2030, 3, 4, 10, 0, tzinfo=BERLIN),
        duration_minutes=90, frequency="weekly", count=3,
    )
    first = services.series_members(series).first()
    services.update_appointment(
        owner=counselor, appointment_id=first.pk, apply_to="series", group=True,
        now=datetime(2030, 3, 1, tzinfo=BERLIN),
    )
    members = list(services.series_members(series))
    assert [a.group for a in members] == [True, True, True]
    assert all(a.sequence == 1 for a in members)  # calendars pick the change up


def test_other_changes_keep_the_flag(counselor):
    appointment = make(counselor, group=True)
    changed = services.update_appointment(
        owner=counselor, appointment_id=appointment.pk, title="Renamed"
    )
    assert changed.group is True


# --- calendar files -------------------------------------------------------------------------


def _event(content: bytes):
    return next(iter(Calendar.from_ical(content).walk("VEVENT")))


def test_the_feed_and_the_clients_file_say_group_session(counselor):
    group, single = make(counselor, group=True), make(counselor, title="Single S.")
    feed = Calendar.from_ical(
        calendar.feed_ics([group, single], hide_titles=False, host_url=lambda a: "https://h/x")
    )
    summaries = sorted(str(e["summary"]) for e in feed.walk("VEVENT"))
    assert summaries == ["Group T. (group session)", "Single S."]
    hidden = _event(calendar.feed_ics([group], hide_titles=True, host_url=lambda a: "u"))
    assert str(hidden["summary"]) == "Appointment (group session)"

    assert str(_event(calendar.client_ics(group, guest_url="https://g"))["summary"]) == (
        "Group video session"
    )
    group.language = "de"
    assert str(_event(calendar.client_ics(group, guest_url="https://g"))["summary"]) == (
        "Gruppen-Videotermin"
    )


# --- API ------------------------------------------------------------------------------------


def test_api_create_read_and_list_with_group(api_client, auth):
    created = create(api_client, auth, group=True)
    assert created["group"] is True
    assert create(api_client, auth)["group"] is False
    read = api_client.get(f"{URL}/{created['id']}", headers=auth).json()
    assert read["group"] is True
    listed = api_client.get(URL, headers=auth).json()["items"]
    assert sorted(item["group"] for item in listed) == [False, True]


def test_api_update_sets_and_clears_group(api_client, auth):
    created = create(api_client, auth)
    url = f"{URL}/{created['id']}"
    assert send(api_client, "patch", url, auth, {"group": True}).json()["group"] is True
    # Left out: stays.
    assert send(api_client, "patch", url, auth, {"title": "x"}).json()["group"] is True
    assert send(api_client, "patch", url, auth, {"group": False}).json()["group"] is False


def test_api_series_with_group(api_client, auth):
    response = api_client.post(
        "/api/v1/series",
        data=json.dumps({
            "title": "Group T.", "start": "2030-05-17T14:30:00+02:00", "duration_minutes": 90,
            "frequency": "weekly", "count": 2, "group": True,
        }),
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 201, response.content
    assert [a["group"] for a in response.json()["appointments"]] == [True, True]


@pytest.mark.parametrize("value", ["true", 1, 0, "yes", [], {}])
def test_api_refuses_a_group_that_is_not_true_or_false(api_client, auth, value):
    body = error(
        api_client.post(
            URL,
            data=json.dumps({
                "title": "T", "start": "2030-05-17T14:30:00+02:00", "duration_minutes": 50,
                "group": value,
            }),
            content_type="application/json",
            headers=auth,
        ),
        422,
    )
    assert body["errors"][0]["loc"] == ["group"]
    created = create(api_client, auth)
    body = error(
        send(api_client, "patch", f"{URL}/{created['id']}", auth, {"group": value}), 422
    )
    assert body["errors"][0]["loc"] == ["group"]


def test_api_refuses_group_null_on_update(api_client, auth):
    created = create(api_client, auth)
    error(send(api_client, "patch", f"{URL}/{created['id']}", auth, {"group": None}), 422)


def test_openapi_schema_documents_group(api_client):
    schemas = api_client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("AppointmentIn", "AppointmentPatch", "SeriesIn"):
        field = schemas[name]["properties"]["group"]
        assert field["type"] == "boolean" and "media server" in field["description"]
    assert "group" not in schemas["AppointmentIn"].get("required", [])
    assert schemas["AppointmentOut"]["properties"]["group"]["type"] == "boolean"
    assert "group" in schemas["AppointmentOut"]["required"]
