"""The JSON API at /api/v1/: create, read, cancel; auth; validation; OpenAPI schema."""

import json
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from visavis.appointments import services

URL = "/api/v1/appointments"
VALID = {"title": "Session K.", "start": "2030-05-17T14:30:00+02:00", "duration_minutes": 50}
FIELDS = {
    "id", "title", "start", "duration_minutes", "end", "cancelled", "guest_url", "host_url",
    "language", "has_pin", "external_url", "series_id", "room_opens_at", "room_closes_at",
    "group",
}


def post(client, body, headers, content_type="application/json"):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, headers=headers)


def create(client, headers, **changes):
    response = post(client, {**VALID, **changes}, headers)
    assert response.status_code == 201, response.content
    return response.json()


def assert_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"].strip()
    return body


# --- create / read / cancel -----------------------------------------------------------


@pytest.mark.django_db
def test_create_returns_201_with_the_full_appointment(api_client, auth, counselor):
    response = post(api_client, VALID, auth)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert uuid.UUID(body["id"])
    assert body["title"] == "Session K."
    assert body["duration_minutes"] == 50
    assert body["cancelled"] is False
    start = datetime.fromisoformat(body["start"])
    assert start == datetime.fromisoformat(VALID["start"])
    assert datetime.fromisoformat(body["end"]) == start + timedelta(minutes=50)

    stored = services.get_for_owner(owner=counselor, appointment_id=body["id"])
    assert stored.title == "Session K."

    guest = urlsplit(body["guest_url"])
    assert guest.scheme == "http"
    assert guest.netloc == "testserver"
    match = resolve(guest.path)
    assert match.url_name == "guest-room"
    assert match.kwargs["token"] == stored.room_token
    assert len(match.kwargs["token"]) >= 22

    host = urlsplit(body["host_url"])
    assert host.netloc == "testserver"
    match = resolve(host.path)
    assert match.url_name == "host-room"
    assert str(match.kwargs["appointment_id"]) == body["id"]


@pytest.mark.django_db
def test_each_appointment_gets_its_own_guest_link(api_client, auth):
    first = create(api_client, auth)
    second = create(api_client, auth)
    assert first["id"] != second["id"]
    assert first["guest_url"] != second["guest_url"]


@pytest.mark.django_db
def test_create_strips_the_title(api_client, auth):
    assert create(api_client, auth, title="  Session K.  ")["title"] == "Session K."


@pytest.mark.django_db
def test_naive_start_is_read_in_the_default_time_zone(api_client, auth):
    body = create(api_client, auth, start="2030-01-15T10:00:00")

    expected = timezone.make_aware(datetime(2030, 1, 15, 10, 0))
    start = datetime.fromisoformat(body["start"])
    assert start.tzinfo is not None
    assert start == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"title": "x"},
        {"title": "x" * 200},
        {"duration_minutes": 5},
        {"duration_minutes": 600},
        {"start": "2030-05-17T12:30:00Z"},
        {"start": "2030-05-17 14:30"},
    ],
)
def test_create_accepts_the_limits(api_client, auth, changes):
    body = create(api_client, auth, **changes)
    for key, value in changes.items():
        if key != "start":
            assert body[key] == value


@pytest.mark.django_db
def test_get_returns_the_appointment(api_client, auth):
    created = create(api_client, auth)

    response = api_client.get(f"{URL}/{created['id']}", headers=auth)

    assert response.status_code == 200, response.content
    assert response.json() == created


@pytest.mark.django_db
def test_delete_cancels_the_appointment(api_client, auth, counselor):
    created = create(api_client, auth)
    room_token = services.get_for_owner(owner=counselor, appointment_id=created["id"]).room_token
    assert services.find_by_room_token(room_token) is not None

    response = api_client.delete(f"{URL}/{created['id']}", headers=auth)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cancelled"] is True
    assert body["id"] == created["id"]
    assert services.get_for_owner(owner=counselor, appointment_id=created["id"]).is_cancelled
    assert services.find_by_room_token(room_token) is None
    assert api_client.get(f"{URL}/{created['id']}", headers=auth).json()["cancelled"] is True


@pytest.mark.django_db
def test_delete_twice_is_harmless(api_client, auth):
    created = create(api_client, auth)
    api_client.delete(f"{URL}/{created['id']}", headers=auth)

    response = api_client.delete(f"{URL}/{created['id']}", headers=auth)

    assert response.status_code == 200, response.content
    assert response.json()["cancelled"] is True


# --- authentication -------------------------------------------------------------------


def _calls(appointment_id):
    return [
        ("post", URL),
        ("get", f"{URL}/{appointment_id}"),
        ("delete", f"{URL}/{appointment_id}"),
    ]


def _send(client, method, url, headers):
    if method == "post":
        return post(client, VALID, headers)
    return getattr(client, method)(url, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("call", range(3))
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer vv_not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWxpY2U6cGFzcw=="},
        {"Authorization": "vv_not-a-real-token"},
    ],
    ids=["none", "wrong-token", "empty-token", "basic", "no-scheme"],
)
def test_missing_or_bad_token_is_401(api_client, auth, counselor, call, headers):
    created = create(api_client, auth)
    method, url = _calls(created["id"])[call]

    response = _send(api_client, method, url, headers)

    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert services.appointments_for(counselor).count() == 1
    assert not services.get_for_owner(owner=counselor, appointment_id=created["id"]).is_cancelled


@pytest.mark.django_db
def test_token_of_a_deactivated_counselor_is_401(api_client, auth, counselor):
    counselor.is_active = False
    counselor.save()

    assert_error(post(api_client, VALID, auth), 401)


@pytest.mark.django_db
def test_a_logged_in_session_is_not_enough(api_client, counselor):
    # Only Bearer tokens authenticate: the session cookie must not, or CSRF would matter.
    api_client.force_login(counselor)

    assert_error(post(api_client, VALID, {}), 401)


@pytest.mark.django_db
def test_bearer_calls_need_no_csrf_token(api_client, auth):
    assert api_client.handler.enforce_csrf_checks
    created = create(api_client, auth)
    response = api_client.delete(f"{URL}/{created['id']}", headers=auth)
    assert response.status_code == 200, response.content


# --- not found ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "delete"])
def test_another_counselors_appointment_is_404(
    api_client, auth, other_auth, other_counselor, method
):
    theirs = create(api_client, other_auth)

    response = getattr(api_client, method)(f"{URL}/{theirs['id']}", headers=auth)

    body = assert_error(response, 404)
    assert theirs["title"] not in json.dumps(body)
    stored = services.get_for_owner(owner=other_counselor, appointment_id=theirs["id"])
    assert not stored.is_cancelled


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize(
    "appointment_id",
    [str(uuid.uuid4()), "garbage", "123", "00000000-0000-0000-0000-00000000000g", "x" * 300],
)
def test_unknown_or_malformed_id_is_404(api_client, auth, method, appointment_id):
    response = getattr(api_client, method)(f"{URL}/{appointment_id}", headers=auth)
    assert_error(response, 404)


# --- invalid input --------------------------------------------------------------------


def _without(key):
    return {k: v for k, v in VALID.items() if k != key}


INVALID_BODIES = {
    "missing-title": (_without("title"), "title"),
    "missing-start": (_without("start"), "start"),
    "missing-duration": (_without("duration_minutes"), "duration_minutes"),
    "empty-object": ({}, "title"),
    "extra-field": ({**VALID, "owner": 1}, "owner"),
    "title-int": ({**VALID, "title": 5}, "title"),
    "title-null": ({**VALID, "title": None}, "title"),
    "title-empty": ({**VALID, "title": ""}, "title"),
    "title-blank": ({**VALID, "title": "   "}, "title"),
    "title-too-long": ({**VALID, "title": "x" * 201}, "title"),
    "title-control-char": ({**VALID, "title": "a\x00b"}, "title"),
    "start-garbage": ({**VALID, "start": "tomorrow"}, "start"),
    "start-number": ({**VALID, "start": 1900000000}, "start"),
    "start-date-only": ({**VALID, "start": "2030-05-17"}, "start"),
    "start-bad-month": ({**VALID, "start": "2030-13-01T10:00:00"}, "start"),
    "start-year-1": ({**VALID, "start": "0001-01-01T00:00:00"}, "start"),
    "start-year-9999": ({**VALID, "start": "9999-12-31T23:59:00"}, "start"),
    "duration-string": ({**VALID, "duration_minutes": "50"}, "duration_minutes"),
    "duration-float": ({**VALID, "duration_minutes": 50.5}, "duration_minutes"),
    "duration-bool": ({**VALID, "duration_minutes": True}, "duration_minutes"),
    "duration-null": ({**VALID, "duration_minutes": None}, "duration_minutes"),
    "duration-too-short": ({**VALID, "duration_minutes": 4}, "duration_minutes"),
    "duration-too-long": ({**VALID, "duration_minutes": 601}, "duration_minutes"),
    "duration-negative": ({**VALID, "duration_minutes": -30}, "duration_minutes"),
    "duration-huge": ({**VALID, "duration_minutes": 10**30}, "duration_minutes"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("body, field", INVALID_BODIES.values(), ids=INVALID_BODIES.keys())
def test_invalid_body_is_422_naming_the_field(api_client, auth, counselor, body, field):
    response = post(api_client, body, auth)

    result = assert_error(response, 422)
    assert field in result["detail"]
    assert [field] in [error["loc"] for error in result["errors"]]
    assert all(error["msg"] for error in result["errors"])
    assert services.appointments_for(counselor).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[]", '["title"]', '"title"', "42", "null"])
def test_json_that_is_not_an_object_is_422(api_client, auth, counselor, body):
    result = assert_error(post(api_client, body, auth), 422)
    assert "JSON object" in result["detail"]
    assert services.appointments_for(counselor).count() == 0


@pytest.mark.django_db
def test_empty_body_is_422(api_client, auth, counselor):
    result = assert_error(post(api_client, "", auth), 422)
    assert "JSON object" in result["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, content_type",
    [
        ("not json", "application/json"),
        ('{"title": "x", ', "application/json"),
        (b'{"title": "\xff"}', "application/json"),
        ("title=x&start=2030-05-17T14:30&duration_minutes=50", "application/x-www-form-urlencoded"),
        ("title: x", "text/plain"),
    ],
    ids=["text", "truncated", "bad-utf8", "form", "plain"],
)
def test_unparsable_body_is_400(api_client, auth, counselor, body, content_type):
    result = assert_error(post(api_client, body, auth, content_type=content_type), 400)
    assert "JSON" in result["detail"]
    assert services.appointments_for(counselor).count() == 0


@pytest.mark.django_db
def test_service_refusal_is_422_with_its_message(api_client, auth, monkeypatch):
    def refuse(**kwargs):
        raise services.AppointmentError("The room is under maintenance.")

    monkeypatch.setattr(services, "create_appointment", refuse)

    response = post(api_client, VALID, auth)

    assert assert_error(response, 422) == {"detail": "The room is under maintenance."}


# --- OpenAPI --------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_lists_the_paths_and_limits(api_client):
    response = api_client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    assert set(paths["/api/v1/appointments"]) == {"get", "post"}
    assert set(paths["/api/v1/appointments/{appointment_id}"]) == {"get", "patch", "delete"}
    assert "201" in paths["/api/v1/appointments"]["post"]["responses"]

    schemas = schema["components"]["schemas"]
    body = schemas["AppointmentIn"]
    assert body["additionalProperties"] is False
    assert set(body["required"]) == {"title", "start", "duration_minutes"}
    props = body["properties"]
    assert (props["title"]["minLength"], props["title"]["maxLength"]) == (1, 200)
    assert props["start"]["format"] == "date-time"
    duration = props["duration_minutes"]
    assert (duration["minimum"], duration["maximum"]) == (5, 600)
    assert set(schemas["AppointmentOut"]["properties"]) == FIELDS

    schemes = schema["components"]["securitySchemes"]
    assert [s["scheme"].lower() for s in schemes.values()] == ["bearer"]


def test_interactive_docs_page_is_off():
    # It would load its assets from a CDN.
    with pytest.raises(Resolver404):
        resolve("/api/v1/docs")
    assert resolve("/api/v1/openapi.json")
