"""The privacy notice a client reads, and their confirmation before the first knock.

The notice is the operator's text: an HTML fragment per language, ``de.html`` and
``en.html`` in the directory ``privacy_notice_dir`` (see docs/config.md); where the
operator has none, the shipped default in ``consent/templates/consent/notice/`` is
shown. The operator's files are trusted like the rest of the server's configuration and
shown as they are; they are read on every request, so an edit shows without a restart.

A confirmation is kept twice: as a :class:`~visavis.consent.models.Consent` row with the
appointment (for the counselor, and as the record), and as a mark in the client's
session, which the room services check before a guest may knock
(:func:`visavis.appointments.services.check_guest_entry`), so that a hand-made client
cannot skip the step.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from visavis.appointments.models import CLIENT_LANGUAGES, Appointment
from visavis.consent.models import Consent

log = logging.getLogger(__name__)

LANGUAGES = [code for code, _name in CLIENT_LANGUAGES]
SHIPPED_DIR = Path(__file__).resolve().parent / "templates" / "consent" / "notice"
MAX_NOTICE_BYTES = 200_000
# Rows per appointment at most: a group of up to 8 switching devices stays far below it,
# while whoever holds a link cannot fill the database by posting the form in a loop.
MAX_CONSENTS_PER_APPOINTMENT = 100
_SESSION_KEY = "visavis_consents"
# Placeholders the notice may contain, filled from the configuration.
_RETENTION_PLACEHOLDER = "{retention_days}"


@dataclass(frozen=True)
class Notice:
    """The privacy notice in one language, exactly as shown."""

    language: str
    html: str
    version: str  # the first 12 hex digits of the SHA-256 of ``html``
    shipped: bool  # True: the shipped default, the operator has not written their own


def notice_dir() -> Path | None:
    """The operator's directory of notices, or None when they have not set one."""
    configured = getattr(settings.CONFIG, "privacy_notice_dir", None)
    return Path(configured) if configured else None


def clean_language(language: str | None) -> str:
    return language if language in LANGUAGES else LANGUAGES[0]


def _version(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_NOTICE_BYTES:
            log.warning("privacy notice %s is larger than %d bytes; using the default",
                        path.name, MAX_NOTICE_BYTES)
            return None
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        # The operator's file is broken: show the default rather than no notice at all.
        log.warning("cannot read privacy notice %s (%s); using the default", path.name,
                    type(exc).__name__)
        return None


def notice(language: str | None) -> Notice:
    """The notice in ``language`` (German or English; anything else gets English): the
    operator's file if there is one, else the shipped default."""
    language = clean_language(language)
    directory = notice_dir()
    text = _read(directory / f"{language}.html") if directory else None
    shipped = text is None
    if text is None:
        text = (SHIPPED_DIR / f"{language}.html").read_text(encoding="utf-8")
    text = text.replace(_RETENTION_PLACEHOLDER, str(settings.VISAVIS["RETENTION_DAYS"]))
    return Notice(language=language, html=text, version=_version(text), shipped=shipped)


def consent_given(appointment: Appointment, session) -> bool:
    """Whether this Django session confirmed the privacy notice for this appointment."""
    if session is None:
        return False
    given = session.get(_SESSION_KEY) or {}
    return isinstance(given, dict) and str(appointment.pk) in given


def record_consent(
    *, appointment: Appointment, language: str, session, now: datetime | None = None
) -> Consent:
    """Store that the client confirmed the notice in ``language`` as it reads now, and
    remember it in their session. A session that already confirmed for this appointment
    gets its existing row back: reloading the form adds no rows."""
    shown = notice(language)
    given = dict(session.get(_SESSION_KEY) or {}) if session is not None else {}
    earlier = given.get(str(appointment.pk))
    if earlier is not None:
        found = Consent.objects.filter(pk=earlier, appointment=appointment).first()
        if found is not None:
            return found
    consent = None
    if appointment.consents.count() >= MAX_CONSENTS_PER_APPOINTMENT:
        # Enough rows to show that the text was confirmed: reuse the latest for this text.
        consent = (
            appointment.consents.filter(notice_version=shown.version)
            .order_by("-given_at")
            .first()
        )
    if consent is None:
        consent = Consent.objects.create(
            appointment=appointment,
            given_at=now or timezone.now(),
            notice_version=shown.version,
            language=shown.language,
        )
    if session is not None:
        given[str(appointment.pk)] = consent.pk
        session[_SESSION_KEY] = given
    return consent


def consents_for(appointment: Appointment) -> list[Consent]:
    return list(appointment.consents.order_by("given_at"))
