"""Request and response models of the JSON API (``/api/v1/``).

The limits mirror :mod:`visavis.appointments.services` so that bad input is refused
with a field-level message before the service runs, and so the OpenAPI schema
documents them. The service still checks everything itself.
"""

import unicodedata
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from visavis.appointments.services import MAX_DURATION, MAX_TITLE, MIN_DURATION

# Far enough from datetime.min/max that time zone conversion and ``start + duration``
# can never overflow; nobody books a session outside this range.
MIN_YEAR = 1900
MAX_YEAR = 9998


class AppointmentIn(BaseModel):
    """A new appointment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(
        min_length=1,
        max_length=MAX_TITLE,
        description="Title or pseudonym of the session; shown only to the counselor.",
        examples=["Session K. (intake)"],
    )
    start: datetime = Field(
        description=(
            "Start as an ISO-8601 date-time. Without a UTC offset it is read in the "
            "server's time zone."
        ),
        examples=["2030-05-17T14:30:00+02:00"],
    )
    duration_minutes: int = Field(
        strict=True,
        ge=MIN_DURATION,
        le=MAX_DURATION,
        description="Length of the session in minutes.",
        examples=[50],
    )

    @field_validator("title")
    @classmethod
    def _printable_title(cls, value: str) -> str:
        # Control characters and lone surrogates (which json.loads lets through)
        # have no place in a title, and surrogates cannot even be stored.
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
            raise ValueError("must not contain control characters")
        return value

    @field_validator("start", mode="before")
    @classmethod
    def _iso_datetime_string(cls, value: object) -> object:
        # pydantic would also take a Unix timestamp or a bare date; both are more
        # likely a client bug than a meant start time.
        if not isinstance(value, str) or len(value.strip()) <= len("YYYY-MM-DD"):
            raise ValueError(
                "must be an ISO-8601 date-time string such as 2030-05-17T14:30:00+02:00"
            )
        return value

    @field_validator("start")
    @classmethod
    def _sane_year(cls, value: datetime) -> datetime:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
        return value


class AppointmentOut(BaseModel):
    """An appointment as the API returns it."""

    id: UUID
    title: str
    start: datetime = Field(description="Start, in the server's time zone.")
    duration_minutes: int
    end: datetime = Field(description="start + duration_minutes")
    cancelled: bool
    guest_url: str = Field(
        description="Absolute link for the client. It is the only key to the room: share "
        "it privately."
    )
    host_url: str = Field(description="Absolute link to the counselor's side of the room.")


class ErrorOut(BaseModel):
    """Every error answer carries a human-readable ``detail``."""

    detail: str


class FieldErrorOut(BaseModel):
    loc: list[str | int] = Field(description="Path of the offending field in the body.")
    msg: str
    type: str


class ValidationErrorOut(ErrorOut):
    """A request that failed validation: ``detail`` sums up, ``errors`` lists each problem."""

    errors: list[FieldErrorOut] = []
