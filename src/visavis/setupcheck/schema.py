"""The setup test result a client's browser posts: strictly validated, nothing else kept.

Unknown fields are refused rather than ignored, so that nothing personal can slip into
the database through a field that a later version forgets to drop.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Outcome = Literal["pass", "fail", "skipped"]


class SetupResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    verdict: Literal["ready", "audio-only", "blocked"]
    relay_configured: bool
    camera: Outcome
    microphone: Outcome
    speakers: Outcome
    host: Outcome
    srflx: Outcome
    relay_udp: Outcome
    relay_tcp: Outcome
    relay_tls: Outcome
    call: Outcome
    bitrate_kbps: int | None = Field(default=None, ge=0, le=1_000_000)
    rtt_ms: int | None = Field(default=None, ge=0, le=600_000)
    loss_pct: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)


MAX_BODY_BYTES = 2048


class ResultError(ValueError):
    """The posted result cannot be used; ``str(exc)`` says why, for the 400 answer."""


def parse_result(body: bytes) -> SetupResult:
    """The result in ``body`` (JSON), or :class:`ResultError` with a plain reason."""
    if len(body) > MAX_BODY_BYTES:
        raise ResultError(f"The result is larger than {MAX_BODY_BYTES} bytes.")
    try:
        return SetupResult.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        raise ResultError(f"Invalid result at {where}: {first.get('msg', 'invalid')}") from None
