"""The JSON API, mounted at ``/api/v1/``: list, create, change, cancel appointments and series.

A thin layer over :mod:`visavis.appointments.services`. Callers authenticate with
``Authorization: Bearer <token>`` (tokens come from ``visavis createtoken``); there is
no cookie authentication, so CSRF does not apply. Every error is JSON with a
human-readable ``detail``.
"""

import json
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.operation import PathView
from ninja.security import HttpBearer

from visavis.accounts.services import user_for_token
from visavis.appointments import links, services
from visavis.appointments.schemas import (
    ApplyTo,
    AppointmentIn,
    AppointmentOut,
    AppointmentPage,
    AppointmentPatch,
    ErrorOut,
    ListQuery,
    SeriesIn,
    SeriesOut,
    ValidationErrorOut,
)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        if not token:
            return None
        return user_for_token(token)


api = NinjaAPI(
    title="visavis",
    version="1",
    description=(
        "Appointments of one counselor, each with its own private video room: list, "
        "create (one or a weekly / two-weekly series), change, cancel, replace the guest "
        "link. Another appointment system can use this to give its appointments visavis "
        "rooms. Authenticate with a Bearer token from `visavis createtoken`. Times without "
        "a UTC offset are read in the counselor's time zone; answers are in it too. Every "
        "error is JSON with a human-readable `detail`."
    ),
    urls_namespace="api",
    auth=BearerToken(),
    # The interactive docs page would load its assets from a CDN; the schema stays
    # available at openapi.json.
    docs_url=None,
)


# A method a path does not have: ninja answers with plain text; ours is JSON like every
# other error. (ninja has no setting for this; visavis mounts no other ninja API.)
def _json_not_allowed(self) -> HttpResponse:
    allowed = sorted({method for operation in self.operations for method in operation.methods})
    response = HttpResponse(
        json.dumps({"detail": f"Method not allowed here; allowed: {', '.join(allowed)}."}),
        status=405,
        content_type="application/json",
    )
    response["Allow"] = ", ".join(allowed)
    return response


PathView._not_allowed = _json_not_allowed


# --- errors ---------------------------------------------------------------------------


def _error(request: HttpRequest, status: int, detail: str, **extra) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        401,
        "Authentication required: send 'Authorization: Bearer <API token>' with a valid token.",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(services.AppointmentNotFound)
def _not_found(request: HttpRequest, exc: services.AppointmentNotFound) -> HttpResponse:
    return _error(request, 404, str(exc))


@api.exception_handler(services.AppointmentConflict)
def _conflict(request: HttpRequest, exc: services.AppointmentConflict) -> HttpResponse:
    return _error(request, 409, str(exc))


@api.exception_handler(services.AppointmentError)
def _refused(request: HttpRequest, exc: services.AppointmentError) -> HttpResponse:
    return _error(request, 422, str(exc))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises HttpError(400, "Cannot parse request body") for a body that is not JSON.
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = "The request body is not valid JSON."
    return _error(request, exc.status_code, detail)


def _field_path(loc) -> list:
    # Ninja prefixes the location with the source ("body") and the parameter name.
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts and parts[0] in ("query", "path"):
        parts = parts[1:]
        # A query schema adds its own parameter name ("filters") before the field.
        if len(parts) > 1 and parts[0] == "filters":
            parts = parts[1:]
    return parts


# Error types pydantic reports for a missing body or one that is not an object.
_NOT_AN_OBJECT = {"missing", "model_type", "model_attributes_type", "dict_type"}


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        path = _field_path(err.get("loc", ()))
        if not path and err.get("type") in _NOT_AN_OBJECT:
            msg = "a JSON object is required"
        else:
            msg = str(err.get("msg", "is invalid"))
            # Messages from our own validators arrive as "Value error, must ...".
            msg = msg.removeprefix("Value error, ")
        errors.append({"loc": path, "msg": msg, "type": str(err.get("type", ""))})
    summary = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'request body'}: {e['msg']}" for e in errors
    )
    return _error(request, 422, f"Invalid request: {summary}.", errors=errors)


# --- endpoints ------------------------------------------------------------------------


def _out(request: HttpRequest, appointment, zone=None) -> AppointmentOut:
    zone = zone or services.zone_for(appointment.owner)
    return AppointmentOut(
        id=appointment.id,
        title=appointment.title,
        start=timezone.localtime(appointment.start, zone),
        duration_minutes=appointment.duration_minutes,
        end=timezone.localtime(appointment.end, zone),
        cancelled=appointment.is_cancelled,
        guest_url=links.guest_url(request, appointment),
        host_url=links.host_url(request, appointment),
        language=appointment.language,
        has_pin=appointment.has_pin,
        external_url=appointment.external_url or None,
        series_id=appointment.series_id,
        group=appointment.group,
        room_opens_at=timezone.localtime(appointment.room_opens_at, zone),
        room_closes_at=timezone.localtime(appointment.room_closes_at, zone),
    )


def _appointment_id(raw: str) -> UUID:
    """Parse the id from the path; anything that is not a UUID is simply not found."""
    try:
        return UUID(raw)
    except (ValueError, TypeError):
        raise services.AppointmentNotFound("No such appointment.") from None


def _series_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except (ValueError, TypeError):
        raise services.AppointmentNotFound("No such series.") from None


def _naive_in_zone(moment, zone):
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, zone)
    return moment


def _only_query(request: HttpRequest, *allowed: str) -> None:
    """Refuse query parameters the operation does not have, as the body refuses extra
    fields: a misspelt filter must not silently return everything."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise ValidationError(
            [
                {"loc": ("query", name), "msg": "is not a parameter of this operation",
                 "type": "extra_forbidden"}
                for name in unknown
            ]
        )


_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
_WRITE_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


@api.get(
    "/appointments",
    response={200: AppointmentPage, 401: ErrorOut, 422: ValidationErrorOut},
    summary="List appointments",
    description="The counselor's appointments, oldest first, filtered by start time and "
    "series, one page at a time (limit/offset).",
)
def list_appointments(request: HttpRequest, filters: Query[ListQuery]):
    _only_query(request, *ListQuery.model_fields)
    zone = services.zone_for(request.auth)
    found = services.search(
        owner=request.auth,
        starts_after=_naive_in_zone(filters.starts_after, zone),
        starts_before=_naive_in_zone(filters.starts_before, zone),
        series_id=filters.series_id,
        include_cancelled=filters.include_cancelled,
    )
    page = list(found[filters.offset : filters.offset + filters.limit])
    return AppointmentPage(
        count=found.count(),
        limit=filters.limit,
        offset=filters.offset,
        items=[_out(request, a, zone) for a in page],
    )


@api.post(
    "/appointments",
    response={201: AppointmentOut, 400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Create an appointment",
    description="Creates one appointment with its own private guest link. For a repeating "
    "appointment use POST /series. A start more than 5 minutes in the past is refused (422).",
)
def create_appointment(request: HttpRequest, payload: AppointmentIn):
    _only_query(request)
    services.check_start_not_past(payload.start, owner=request.auth)
    appointment = services.create_appointment(
        owner=request.auth,
        title=payload.title,
        start=payload.start,
        duration_minutes=payload.duration_minutes,
        language=payload.language,
        pin=payload.pin,
        external_url=payload.external_url,
        group=payload.group,
    )
    return Status(201, _out(request, appointment))


@api.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **_ERRORS},
    summary="Read an appointment",
)
def get_appointment(request: HttpRequest, appointment_id: str):
    _only_query(request)
    appointment = services.get_for_owner(
        owner=request.auth, appointment_id=_appointment_id(appointment_id)
    )
    return _out(request, appointment)


@api.patch(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **_WRITE_ERRORS},
    summary="Change an appointment",
    description="Changes the fields given; the others stay. `pin: null` removes the PIN, "
    "`external_url: null` returns to the built-in room. With `apply_to=series` the change "
    "applies to every appointment of the series that is not over yet. The guest link stays "
    "the same. A cancelled appointment cannot be changed (409); a new start more than 5 "
    "minutes in the past is refused (422).",
)
def update_appointment(
    request: HttpRequest, appointment_id: str, payload: AppointmentPatch, apply_to: ApplyTo = "this"
):
    _only_query(request, "apply_to")
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    if changes.get("start") is not None:
        # A new start must not lie in the past; the unchanged one sent again may.
        current = services.get_for_owner(
            owner=request.auth, appointment_id=_appointment_id(appointment_id)
        )
        zone = services.zone_for(request.auth)
        if _naive_in_zone(changes["start"], zone) != current.start:
            services.check_start_not_past(changes["start"], owner=request.auth)
    appointment = services.update_appointment(
        owner=request.auth,
        appointment_id=_appointment_id(appointment_id),
        apply_to=apply_to,
        **changes,
    )
    return _out(request, appointment)


@api.delete(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **_ERRORS},
    summary="Cancel an appointment",
    description="Cancels the appointment (with `apply_to=series`: every appointment of its "
    "series that is not over yet); its guest link then tells the client it was cancelled. "
    "Cancelling twice is harmless. Cancelled appointments are deleted with the others after "
    "the retention period.",
)
def cancel_appointment(request: HttpRequest, appointment_id: str, apply_to: ApplyTo = "this"):
    _only_query(request, "apply_to")
    appointment = services.cancel_appointment(
        owner=request.auth, appointment_id=_appointment_id(appointment_id), apply_to=apply_to
    )
    return _out(request, appointment)


@api.post(
    "/appointments/{appointment_id}/revoke-link",
    response={200: AppointmentOut, **_ERRORS},
    summary="Replace the guest link",
    description="Issues a new guest link. The old one then tells whoever opens it that it "
    "is no longer valid.",
)
def revoke_link(request: HttpRequest, appointment_id: str):
    _only_query(request)
    appointment = services.revoke_link(
        owner=request.auth, appointment_id=_appointment_id(appointment_id)
    )
    return _out(request, appointment)


def _series_out(request: HttpRequest, series) -> SeriesOut:
    zone = services.zone_for(series.owner)
    return SeriesOut(
        id=series.id,
        frequency=series.frequency,
        appointments=[_out(request, a, zone) for a in services.series_members(series)],
    )


@api.post(
    "/series",
    response={201: SeriesOut, 400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Create a series of appointments",
    description="Creates appointments every week or every two weeks at the same local time, "
    "either `count` of them or until the date `until`. Each has its own guest link; they "
    "share title, duration, language, PIN, external link and `group`. A first start more than 5 "
    "minutes in the past is refused (422).",
)
def create_series(request: HttpRequest, payload: SeriesIn):
    _only_query(request)
    services.check_start_not_past(payload.start, owner=request.auth)
    series = services.create_series(
        owner=request.auth,
        title=payload.title,
        start=payload.start,
        duration_minutes=payload.duration_minutes,
        frequency=payload.frequency,
        count=payload.count,
        until=payload.until,
        language=payload.language,
        pin=payload.pin,
        external_url=payload.external_url,
        group=payload.group,
    )
    return Status(201, _series_out(request, series))


@api.get(
    "/series/{series_id}",
    response={200: SeriesOut, **_ERRORS},
    summary="Read a series",
)
def get_series(request: HttpRequest, series_id: str):
    _only_query(request)
    series = services.get_series_for_owner(owner=request.auth, series_id=_series_id(series_id))
    return _series_out(request, series)
