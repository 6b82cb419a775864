"""Request and response models of the JSON API (``/api/v1/``).

The limits mirror :mod:`visavis.appointments.services` so that bad input is refused
with a field-level message before the service runs, and so the OpenAPI schema
documents them. The service still checks everything itself.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from visavis.appointments.services import (
    MAX_DURATION,
    MAX_EXTERNAL_URL,
    MAX_OCCURRENCES,
    MAX_TITLE,
    MIN_DURATION,
    MIN_OCCURRENCES,
    AppointmentError,
    clean_external_url,
)

# Far enough from datetime.min/max that time zone conversion and ``start + duration``
# can never overflow; nobody books a session outside this range.
MIN_YEAR = 1900
MAX_YEAR = 9998

Language = Literal["en", "de"]
Frequency = Literal["weekly", "biweekly"]
ApplyTo = Literal["this", "series"]


def _printable(value: str) -> str:
    # Control characters and lone surrogates (which json.loads lets through) have no
    # place in a title or link, and surrogates cannot even be stored.
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValueError("must not contain control characters")
    return value


_DATE_TIME_START = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d")


def _iso_datetime(value: object) -> object:
    # pydantic would also take a Unix timestamp or a bare date; both are more likely a
    # client bug than a meant start time.
    if not isinstance(value, str) or not _DATE_TIME_START.match(value.strip()):
        raise ValueError("must be an ISO-8601 date-time string such as 2030-05-17T14:30:00+02:00")
    return value


def _sane_year(value):
    if value is None:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    if isinstance(value, datetime) and value.tzinfo is not None:
        # ISO-8601 allows offsets up to ±23:59; PostgreSQL takes only ±15:59. The instant
        # is what counts, so it goes on in UTC.
        return value.astimezone(UTC)
    return value


def _external_url(value: str | None) -> str | None:
    if value is None:
        return None
    _printable(value)
    try:
        return clean_external_url(value) or None
    except AppointmentError as exc:
        raise ValueError(str(exc)) from None


TITLE_FIELD = Field(
    min_length=1,
    max_length=MAX_TITLE,
    description="Title or pseudonym of the session; shown only to the counselor.",
    examples=["Session K. (intake)"],
)
START_DESCRIPTION = (
    "Start as an ISO-8601 date-time. Without a UTC offset it is read in the counselor's "
    "time zone (their calendar setting, else the server's configured time zone)."
)
DURATION_FIELD = Field(
    strict=True,
    ge=MIN_DURATION,
    le=MAX_DURATION,
    description="Length of the session in minutes.",
    examples=[50],
)
LANGUAGE_DESCRIPTION = (
    "Language of the client's pages and invitation texts: en or de. Defaults to the "
    "server's language_code."
)
PIN_FIELD = Field(
    pattern=r"^[0-9]{6}$",
    description="Optional 6-digit PIN the client must enter before knocking. Write-only: "
    "it is stored as a hash and never returned (see has_pin).",
    json_schema_extra={"writeOnly": True},
    examples=["482915"],
)
EXTERNAL_URL_FIELD = Field(
    max_length=MAX_EXTERNAL_URL,
    pattern=r"^(https://[^\s/?#]+\S*)?$",
    description="An https:// link to another video service (Zoom, Teams, …) to use instead "
    "of the built-in room. The client's link then shows the appointment and a button to it.",
    examples=["https://meet.example.org/room/abc"],
)
GROUP_DESCRIPTION = (
    "A group session, for up to the server's max_group_size people (the counselor "
    "included) through a media server; false: an individual session, peer to peer. Group "
    "sessions are not available on a server without a media server: the room then says so "
    "instead of starting a call."
)


class AppointmentIn(BaseModel):
    """A new appointment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = TITLE_FIELD
    start: datetime = Field(description=START_DESCRIPTION, examples=["2030-05-17T14:30:00+02:00"])
    duration_minutes: int = DURATION_FIELD
    language: Language | None = Field(default=None, description=LANGUAGE_DESCRIPTION)
    pin: Annotated[str, PIN_FIELD] | None = None
    external_url: Annotated[str, EXTERNAL_URL_FIELD] | None = None
    group: bool = Field(default=False, strict=True, description=GROUP_DESCRIPTION)

    @field_validator("title")
    @classmethod
    def _printable_title(cls, value: str) -> str:
        return _printable(value)

    @field_validator("start", mode="before")
    @classmethod
    def _iso_datetime_string(cls, value: object) -> object:
        return _iso_datetime(value)

    @field_validator("start")
    @classmethod
    def _sane_start(cls, value: datetime) -> datetime:
        return _sane_year(value)

    @field_validator("external_url")
    @classmethod
    def _https_link(cls, value: str | None) -> str | None:
        return _external_url(value)


class SeriesIn(AppointmentIn):
    """A repeating appointment. Every occurrence gets its own room and link."""

    frequency: Frequency = Field(description="weekly, or biweekly (every two weeks).")
    count: int | None = Field(
        default=None,
        strict=True,
        ge=MIN_OCCURRENCES,
        le=MAX_OCCURRENCES,
        description="Number of appointments. Give this or until.",
    )
    until: date | None = Field(
        default=None,
        description="Last date (inclusive) on which an appointment may fall, in the "
        f"counselor's time zone. Give this or count. At most {MAX_OCCURRENCES} appointments.",
        examples=["2030-07-31"],
    )

    @field_validator("until")
    @classmethod
    def _sane_until(cls, value: date | None) -> date | None:
        return _sane_year(value)

    @model_validator(mode="after")
    def _count_or_until(self) -> SeriesIn:
        if (self.count is None) == (self.until is None):
            raise ValueError("give exactly one of count or until")
        return self


class AppointmentPatch(BaseModel):
    """Changes to an appointment. Fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Left out means "keep"; null is refused for these (they cannot be empty).
    title: Annotated[str, TITLE_FIELD] = None  # type: ignore[assignment]
    start: datetime = Field(  # type: ignore[assignment]
        default=None,
        description=START_DESCRIPTION + " With apply_to=series the other upcoming "
        "appointments move by the same amount of wall-clock time.",
    )
    duration_minutes: Annotated[int, DURATION_FIELD] = None  # type: ignore[assignment]
    language: Language = Field(default=None, description=LANGUAGE_DESCRIPTION)  # type: ignore[assignment]
    pin: Annotated[str, PIN_FIELD] | None = Field(
        default=None, description="A new 6-digit PIN, or null to remove the PIN."
    )
    external_url: Annotated[str, EXTERNAL_URL_FIELD] | None = Field(
        default=None, description="A new external https:// link, or null for the built-in room."
    )
    group: bool = Field(  # type: ignore[assignment]
        default=None, strict=True, description=GROUP_DESCRIPTION
    )

    @field_validator("title")
    @classmethod
    def _printable_title(cls, value: str) -> str:
        return _printable(value)

    @field_validator("start", mode="before")
    @classmethod
    def _iso_datetime_string(cls, value: object) -> object:
        return _iso_datetime(value)

    @field_validator("start")
    @classmethod
    def _sane_start(cls, value: datetime | None) -> datetime | None:
        return _sane_year(value)

    @field_validator("external_url")
    @classmethod
    def _https_link(cls, value: str | None) -> str | None:
        return _external_url(value)



class ListQuery(BaseModel):
    """Filters and paging of the appointment list."""

    starts_after: datetime | None = Field(
        default=None, description="Only appointments starting at or after this time."
    )
    starts_before: datetime | None = Field(
        default=None, description="Only appointments starting before this time."
    )
    series_id: UUID | None = Field(default=None, description="Only this series.")
    include_cancelled: bool = Field(default=True, description="Include cancelled appointments.")
    limit: int = Field(default=50, ge=1, le=200, description="Page size.")
    offset: int = Field(default=0, ge=0, le=1_000_000, description="Items to skip.")

    @field_validator("starts_after", "starts_before", mode="before")
    @classmethod
    def _iso_datetime_string(cls, value: object) -> object:
        return value if value is None else _iso_datetime(value)

    @field_validator("starts_after", "starts_before")
    @classmethod
    def _sane_bounds(cls, value: datetime | None) -> datetime | None:
        return _sane_year(value)


class AppointmentOut(BaseModel):
    """An appointment as the API returns it."""

    id: UUID
    title: str
    start: datetime = Field(description="Start, in the counselor's time zone.")
    duration_minutes: int
    end: datetime = Field(description="start + duration_minutes")
    cancelled: bool
    guest_url: str = Field(
        description="Absolute link for the client. It is the only key to the room (with the "
        "PIN, if set): share it privately."
    )
    host_url: str = Field(description="Absolute link to the counselor's side of the room.")
    language: Language = Field(description="Language of the client's pages and invitations.")
    has_pin: bool = Field(description="Whether the client must enter a PIN.")
    external_url: str | None = Field(description="External video link, or null.")
    series_id: UUID | None = Field(description="The series this appointment belongs to.")
    group: bool = Field(description="Whether this is a group session.")
    room_opens_at: datetime = Field(description="From when the guest link opens the room.")
    room_closes_at: datetime = Field(description="Until when the guest link opens the room.")


class AppointmentPage(BaseModel):
    """One page of appointments, oldest first."""

    count: int = Field(description="How many appointments match the filters in total.")
    limit: int
    offset: int
    items: list[AppointmentOut]


class SeriesOut(BaseModel):
    id: UUID
    frequency: Frequency
    appointments: list[AppointmentOut] = Field(description="Every occurrence, oldest first.")


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
