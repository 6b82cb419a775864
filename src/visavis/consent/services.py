"""The privacy notice a client reads, and their confirmation before the first knock.

The notice is the operator's text: an HTML fragment per language, ``de.html`` and
``en.html`` in the directory ``privacy_notice_dir`` (see docs/config.md); where the
operator has none, the shipped default in ``consent/templates/consent/notice/`` is
shown. The operator's files are trusted like the rest of the server's configuration and
shown as they are; they are read on every request, so an edit shows without a restart.

A confirmation is kept twice: as a :class:`~visavis.consent.models.Consent` row with the
appointment (for the counselor, and as the record), and as a mark in the client's
session (:func:`consent_given`), which the door (:mod:`visavis.entry.door`) asks for the
room page and again before a guest may knock, so that a hand-made client cannot skip the
step.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from visavis.appointments.models import Appointment
from visavis.appointments.services import LANGUAGE_CODES
from visavis.consent.models import Consent

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent / "templates" / "consent" / "notice"
MAX_NOTICE_BYTES = 200_000
# Rows per appointment at most: a group of up to 8 switching devices stays far below it,
# while whoever holds a link cannot fill the database by posting the form in a loop.
MAX_CONSENTS_PER_APPOINTMENT = 100
_SESSION_KEY = "visavis_consents"
# Placeholders the notice may contain, filled from the configuration.
_RETENTION_PLACEHOLDER = "{retention_days}"
_OPERATOR_PLACEHOLDER = "{operator}"  # who is responsible, how to reach them
_LEGAL_BASIS_PLACEHOLDER = "{legal_basis}"
# The settings without which the notice cannot say who is responsible.
REQUIRED_OPERATOR_SETTINGS = ("privacy_controller", "privacy_contact")


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
    return language if language in LANGUAGE_CODES else LANGUAGE_CODES[0]


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
    if _OPERATOR_PLACEHOLDER in text or _LEGAL_BASIS_PLACEHOLDER in text:
        with translation.override(language):
            text = text.replace(_OPERATOR_PLACEHOLDER, _operator_html()).replace(
                _LEGAL_BASIS_PLACEHOLDER, _legal_basis_html()
            )
    return Notice(language=language, html=text, version=_version(text), shipped=shipped)


def _setting(name: str) -> str:
    return (getattr(settings.CONFIG, name, None) or "").strip()


def _paragraph(text: str, *, css: str = "") -> str:
    """One paragraph of the operator's plain text, escaped; line breaks kept."""
    shown = "<br>".join(escape(line.strip()) for line in text.splitlines() if line.strip())
    return f'<p class="{css}">{shown}</p>' if css else f"<p>{shown}</p>"


def _operator_html() -> str:
    """Who is responsible and how to reach them, from the configuration. Where the operator
    has not said, a plain sentence (never a placeholder) sends the client to their
    counselor, who knows."""
    controller = _setting("privacy_controller")
    contact = _setting("privacy_contact")
    officer = _setting("privacy_officer")
    parts = [
        _paragraph(controller, css="operator-controller")
        if controller
        else _paragraph(
            _(
                "This service is run by the practice or organisation of your counselor. "
                "Your counselor can tell you its name and address."
            ),
            css="operator-missing",
        )
    ]
    if contact:
        parts.append(_paragraph(_("Questions about privacy: %(contact)s") % {"contact": contact}))
    else:
        parts.append(
            _paragraph(
                _("For questions about privacy, your counselor can tell you whom to contact."),
                css="operator-missing",
            )
        )
    if officer:
        parts.append(
            _paragraph(_("Data protection officer: %(officer)s") % {"officer": officer})
        )
    return "\n".join(parts)


def _legal_basis_html() -> str:
    legal_basis = _setting("privacy_legal_basis")
    if legal_basis:
        return _paragraph(legal_basis)
    return _paragraph(
        _(
            "The data are processed only to hold the video sessions you agreed on with your "
            "counselor. The practice or organisation responsible can tell you the exact "
            "legal basis."
        )
    )


def operator_warning() -> str | None:
    """For the operator (``serve`` and ``check --deploy``): which settings the privacy
    notice that clients confirm lacks, or None when it names who is responsible."""
    missing = [name for name in REQUIRED_OPERATOR_SETTINGS if not _setting(name)]
    if not missing:
        return None
    directory = notice_dir()
    uses = []
    for language in LANGUAGE_CODES:
        own = _read(directory / f"{language}.html") if directory else None
        text = own if own is not None else (SHIPPED_DIR / f"{language}.html").read_text(
            encoding="utf-8"
        )
        if _OPERATOR_PLACEHOLDER in text:
            uses.append(language)
    if not uses:
        return None
    names = ", ".join(f"{name} (VISAVIS_{name.upper()})" for name in missing)
    return (
        "the privacy notice that clients confirm does not say who is responsible for "
        f"their data: set {names}"
    )


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
