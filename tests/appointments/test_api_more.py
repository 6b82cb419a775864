"""The API beyond create/read/cancel: list with filters and paging, change, PIN (write-only),
external link, link replacement, series, apply_to."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from visavis.appointments import services
from visavis.appointments.models import Appointment

URL = "/api/v1/appointments"
VALID = {"title": "Session K.", "start": "2030-05-17T14:30:00+02:00", "duration_minutes": 50}
pytestmark = pytest.mark.django_db


def send(client, method, url, headers, body=None):
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def create(client, headers, **changes):
    response = send(client, "post", URL, headers, {**VALID, **changes})
    assert response.status_code == 201, response.content
    return response.json()


def error(response, status):
    assert response.status_code == status, response.content
    assert response.json()["detail"].strip()
    return response.json()


def test_pin_is_write_only(api_client, auth, counselor):
    body = create(api_client, auth, pin="482915")
    assert body["has_pin"] is True
    assert "pin" not in body and "482915" not in json.dumps(body)
    stored = services.get_for_owner(owner=counselor, appointment_id=body["id"])
    assert stored.has_pin and "482915" not in stored.pin_hash
    schema = api_client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    pin = schema["AppointmentIn"]["properties"]["pin"]
    assert "writeOnly" in json.dumps(pin)


def test_language_and_external_link(api_client, auth):
    body = create(api_client, auth, language="de", external_url="https://zoom.example/j/1")
    assert body["language"] == "de" and body["external_url"] == "https://zoom.example/j/1"
    assert create(api_client, auth)["external_url"] is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"pin": "12345"}, "pin"),
        ({"pin": 123456}, "pin"),
        ({"external_url": "http://zoom.example/j/1"}, "external_url"),
        ({"external_url": "https://"}, "external_url"),
        ({"language": "fr"}, "language"),
    ],
)
def test_invalid_pin_link_or_language_is_422(api_client, auth, counselor, changes, field):
    result = error(send(api_client, "post", URL, auth, {**VALID, **changes}), 422)
    assert [field] in [e["loc"] for e in result["errors"]]
    assert not Appointment.objects.exists()


def test_list_with_date_filters_and_paging(api_client, auth, other_auth):
    for day in range(1, 8):
        create(api_client, auth, title=f"Day {day}", start=f"2030-05-0{day}T10:00:00+02:00")
    create(api_client, other_auth, title="Not mine")

    everything = api_client.get(URL, headers=auth).json()
    assert everything["count"] == 7 and len(everything["items"]) == 7
    assert [i["title"] for i in everything["items"]] == [f"Day {d}" for d in range(1, 8)]

    window = api_client.get(
        URL, {"starts_after": "2030-05-03T00:00:00+02:00", "starts_before": "2030-05-06T00:00:00"},
        headers=auth,
    ).json()
    assert [i["title"] for i in window["items"]] == ["Day 3", "Day 4", "Day 5"]

    page = api_client.get(URL, {"limit": 2, "offset": 2}, headers=auth).json()
    assert page["count"] == 7 and page["limit"] == 2 and page["offset"] == 2
    assert [i["title"] for i in page["items"]] == ["Day 3", "Day 4"]


def test_list_can_leave_out_cancelled(api_client, auth):
    kept = create(api_client, auth)
    gone = create(api_client, auth)
    api_client.delete(f"{URL}/{gone['id']}", headers=auth)
    assert api_client.get(URL, headers=auth).json()["count"] == 2
    active = api_client.get(URL, {"include_cancelled": "false"}, headers=auth).json()
    assert [i["id"] for i in active["items"]] == [kept["id"]]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "many"}, "limit"),
        ({"starts_after": "yesterday"}, "starts_after"),
        ({"starts_after": "0001-01-01T00:00:00"}, "starts_after"),
        ({"series_id": "nope"}, "series_id"),
    ],
)
def test_bad_list_parameters_are_422(api_client, auth, query, field):
    result = error(api_client.get(URL, query, headers=auth), 422)
    assert field in result["detail"]


def test_patch_changes_only_what_is_given(api_client, auth):
    created = create(api_client, auth, pin="482915")
    response = send(
        api_client, "patch", f"{URL}/{created['id']}", auth,
        {"title": "Renamed", "start": "2030-05-18T09:00:00"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Renamed"
    assert datetime.fromisoformat(body["start"]) == datetime.fromisoformat(
        "2030-05-18T09:00:00+02:00"
    )
    assert body["duration_minutes"] == 50 and body["has_pin"] is True
    assert body["guest_url"] == created["guest_url"]


def test_patch_pin_and_external_link_can_be_removed_with_null(api_client, auth):
    created = create(api_client, auth, pin="482915", external_url="https://zoom.example/j/1")
    body = send(
        api_client, "patch", f"{URL}/{created['id']}", auth, {"pin": None, "external_url": None}
    ).json()
    assert body["has_pin"] is False and body["external_url"] is None


@pytest.mark.parametrize("body", [{"title": None}, {"start": None}, {"owner": 2}, {"pin": "1"}])
def test_patch_invalid_is_422(api_client, auth, body):
    created = create(api_client, auth)
    error(send(api_client, "patch", f"{URL}/{created['id']}", auth, body), 422)


def test_patch_cancelled_is_409(api_client, auth):
    created = create(api_client, auth)
    api_client.delete(f"{URL}/{created['id']}", headers=auth)
    error(send(api_client, "patch", f"{URL}/{created['id']}", auth, {"title": "x"}), 409)


def test_patch_someone_elses_is_404(api_client, auth, other_auth):
    theirs = create(api_client, other_auth)
    error(send(api_client, "patch", f"{URL}/{theirs['id']}", auth, {"title": "x"}), 404)


def test_revoke_link(api_client, auth):
    created = create(api_client, auth)
    response = api_client.post(f"{URL}/{created['id']}/revoke-link", headers=auth)
    assert response.status_code == 200
    assert response.json()["guest_url"] != created["guest_url"]
    old_path = created["guest_url"].removeprefix("http://testserver")
    assert api_client.get(old_path).status_code == 410


def test_series_create_read_edit_and_cancel(api_client, auth):
    response = send(
        api_client, "post", "/api/v1/series", auth,
        {**VALID, "frequency": "weekly", "count": 3, "pin": "482915"},
    )
    assert response.status_code == 201, response.content
    series = response.json()
    items = series["appointments"]
    assert len(items) == 3 and len({i["guest_url"] for i in items}) == 3
    assert all(i["series_id"] == series["id"] and i["has_pin"] for i in items)
    assert api_client.get(f"/api/v1/series/{series['id']}", headers=auth).json() == series

    send(api_client, "patch", f"{URL}/{items[0]['id']}?apply_to=series", auth, {"title": "Group"})
    listed = api_client.get(URL, {"series_id": series["id"]}, headers=auth).json()["items"]
    assert {i["title"] for i in listed} == {"Group"}

    send(api_client, "patch", f"{URL}/{items[0]['id']}", auth, {"title": "Only one"})
    listed = api_client.get(URL, {"series_id": series["id"]}, headers=auth).json()["items"]
    assert [i["title"] for i in listed] == ["Only one", "Group", "Group"]

    api_client.delete(f"{URL}/{items[1]['id']}?apply_to=series", headers=auth)
    listed = api_client.get(URL, {"series_id": series["id"]}, headers=auth).json()["items"]
    assert [i["cancelled"] for i in listed] == [True, True, True]  # none is over yet


def test_series_until(api_client, auth):
    body = send(
        api_client, "post", "/api/v1/series", auth,
        {**VALID, "frequency": "biweekly", "until": "2030-06-30"},
    ).json()
    assert [i["start"][:10] for i in body["appointments"]] == [
        "2030-05-17", "2030-05-31", "2030-06-14", "2030-06-28",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"frequency": "daily", "count": 3},
        {"frequency": "weekly"},
        {"frequency": "weekly", "count": 3, "until": "2030-06-30"},
        {"frequency": "weekly", "count": 1},
        {"frequency": "weekly", "count": 53},
        {"frequency": "weekly", "until": "2040-01-01"},
    ],
)
def test_invalid_series_is_422(api_client, auth, changes):
    error(send(api_client, "post", "/api/v1/series", auth, {**VALID, **changes}), 422)
    assert not Appointment.objects.exists()


def test_bad_apply_to_is_422(api_client, auth):
    created = create(api_client, auth)
    error(api_client.delete(f"{URL}/{created['id']}?apply_to=everything", headers=auth), 422)


def test_openapi_documents_the_new_operations(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/appointments/{appointment_id}/revoke-link"]) == {"post"}
    assert set(paths["/api/v1/series"]) == {"post"}
    assert set(paths["/api/v1/series/{series_id}"]) == {"get"}
    parameters = {p["name"] for p in paths["/api/v1/appointments"]["get"]["parameters"]}
    assert {"starts_after", "starts_before", "limit", "offset", "series_id"} <= parameters


def test_extreme_utc_offsets_are_taken_as_the_instant_they_name(api_client, auth):
    """ISO-8601 allows offsets up to ±23:59, PostgreSQL only ±15:59: found by the fuzzer."""
    listed = send(api_client, "get",
                  "/api/v1/appointments?starts_before=2320-04-20T19:19:50-22:19", auth)
    assert listed.status_code == 200, listed.content
    created = create(api_client, auth, start="2031-01-01T10:00:00+23:30")
    start = datetime.fromisoformat(created["start"])
    assert start.astimezone(UTC) == datetime(2030, 12, 31, 10, 30, tzinfo=UTC)


def test_a_start_in_the_past_is_refused(api_client, auth):
    """Issue 15 (13): an appointment in the past is refused with a message, not stored."""
    body = error(send(api_client, "post", URL, auth, {**VALID, "start": "2020-05-17T14:30:00Z"}),
                 422)
    assert "already passed" in body["detail"]
    series = {**VALID, "start": "2020-05-17T14:30:00Z", "frequency": "weekly", "count": 3}
    assert "already passed" in error(
        send(api_client, "post", "/api/v1/series", auth, series), 422
    )["detail"]
    assert not Appointment.objects.exists()


def test_moving_into_the_past_is_refused_but_other_changes_are_not(api_client, auth):
    created = create(api_client, auth)
    url = f"{URL}/{created['id']}"
    body = error(send(api_client, "patch", url, auth, {"start": "2020-01-01T10:00:00Z"}), 422)
    assert "already passed" in body["detail"]
    assert datetime.fromisoformat(send(api_client, "get", url, auth).json()["start"]) == (
        datetime.fromisoformat(VALID["start"])
    )
    # An appointment that is over keeps its start; sending it back unchanged is fine.
    Appointment.objects.filter(pk=created["id"]).update(
        start=datetime(2021, 3, 1, 9, 0, tzinfo=UTC)
    )
    changed = send(api_client, "patch", url, auth,
                   {"title": "Renamed", "start": "2021-03-01T09:00:00Z"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Renamed"
