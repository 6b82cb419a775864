"""The JSON API, mounted at ``/api/v1/``: create, read and cancel appointments.

A thin layer over :mod:`visavis.appointments.services`. Callers authenticate with
``Authorization: Bearer <token>`` (tokens come from ``visavis createtoken``); there is
no cookie authentication, so CSRF does not apply. Every error is JSON with a
human-readable ``detail``.
"""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from visavis.accounts.services import user_for_token
from visavis.appointments import services
from visavis.appointments.schemas import (
    AppointmentIn,
    AppointmentOut,
    ErrorOut,
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
    description="Create, read and cancel appointments. Authenticate with a Bearer token.",
    urls_namespace="api",
    auth=BearerToken(),
    # The interactive docs page would load its assets from a CDN; the schema stays
    # available at openapi.json.
    docs_url=None,
)


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


def _out(request: HttpRequest, appointment) -> AppointmentOut:
    return AppointmentOut(
        id=appointment.id,
        title=appointment.title,
        start=timezone.localtime(appointment.start),
        duration_minutes=appointment.duration_minutes,
        end=timezone.localtime(appointment.end),
        cancelled=appointment.is_cancelled,
        guest_url=request.build_absolute_uri(reverse("guest-room", args=[appointment.room_token])),
        host_url=request.build_absolute_uri(reverse("host-room", args=[appointment.id])),
    )


def _appointment_id(raw: str) -> UUID:
    """Parse the id from the path; anything that is not a UUID is simply not found."""
    try:
        return UUID(raw)
    except (ValueError, TypeError):
        raise services.AppointmentNotFound("No such appointment.") from None


_ERRORS = {401: ErrorOut, 404: ErrorOut}


@api.post(
    "/appointments",
    response={201: AppointmentOut, 400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Create an appointment",
)
def create_appointment(request: HttpRequest, payload: AppointmentIn):
    appointment = services.create_appointment(
        owner=request.auth,
        title=payload.title,
        start=payload.start,
        duration_minutes=payload.duration_minutes,
    )
    return Status(201, _out(request, appointment))


@api.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **_ERRORS},
    summary="Read an appointment",
)
def get_appointment(request: HttpRequest, appointment_id: str):
    appointment = services.get_for_owner(
        owner=request.auth, appointment_id=_appointment_id(appointment_id)
    )
    return _out(request, appointment)


@api.delete(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **_ERRORS},
    summary="Cancel an appointment",
    description="Cancels the appointment; its guest link stops working. Cancelling twice "
    "is harmless.",
)
def cancel_appointment(request: HttpRequest, appointment_id: str):
    appointment = services.cancel_appointment(
        owner=request.auth, appointment_id=_appointment_id(appointment_id)
    )
    return _out(request, appointment)
