"""The counselor's second factor: an authenticator app (TOTP) plus one-time recovery codes.

Built on django-otp: a ``TOTPDevice`` named :data:`APP` and a ``StaticDevice`` named
:data:`RECOVERY` holding the recovery codes. A TOTP device starts unconfirmed while the
counselor scans its QR code, and counts only once a code from the app confirmed it; the
recovery codes are made at that moment. The QR code is drawn here as SVG (segno), so
the secret never leaves the server for a QR service.

At rest, the app's key is sealed and the recovery codes are keyed hashes (sealed.py):
the devices are used through :class:`~visavis.accounts.models.SealedTOTPDevice`.
"""

from __future__ import annotations

import os
import re
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from visavis.accounts import sealed
from visavis.accounts.models import SealedTOTPDevice as TOTPDevice

APP = "authenticator app"
RECOVERY = "recovery codes"
RECOVERY_CODE_COUNT = 10

_DIGITS = re.compile(r"[0-9]{6}")
_RECOVERY = re.compile(r"[a-z2-7]{8}")


def required() -> bool:
    """Whether the operator requires a second factor of every counselor."""
    return bool(settings.VISAVIS.get("REQUIRE_SECOND_FACTOR"))


def is_enabled(user) -> bool:
    """Whether ``user`` has a confirmed authenticator app (recovery codes alone do not
    count: they come with the app and go with it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def normalise(code: str) -> str:
    """A code as typed (spaces, dashes, upper case) in the form the devices store."""
    return re.sub(r"[\s-]+", "", code or "").lower()


@dataclass(frozen=True)
class Enrolment:
    """What the counselor needs to add the account to an authenticator app."""

    secret: str  # base32, grouped in fours for typing
    qr_data_uri: str  # an SVG image as data: URI (the CSP allows data: images)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator device being set up, made on first use. Its secret
    stays the same while the counselor goes back and forth, so a scan stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=APP).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=APP, confirmed=False, key=sealed.seal(os.urandom(20))
        )
    return device


def enrolment(device: TOTPDevice) -> Enrolment:
    secret = b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    qr = segno.make(device.config_url, error="m")
    return Enrolment(
        secret=grouped, qr_data_uri=qr.svg_data_uri(scale=5, border=2, dark="#1b1b1b")
    )


def confirm(user, code: str) -> list[str] | None:
    """Confirm the device being set up with a code from the app. On success, return the
    new recovery codes (the only time they are shown); None for a wrong code."""
    code = normalise(code)
    if not _DIGITS.fullmatch(code):
        return None
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False, name=APP)
            .first()
        )
        if device is None or not device.verify_token(code):
            return None
        # One app per counselor: the confirmed one replaces any earlier one.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _new_recovery_codes(user)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=sealed.recovery_hashes(c)[0]) for c in codes
    )
    return codes


def new_recovery_codes(user) -> list[str]:
    """Replace the recovery codes (all earlier ones stop working)."""
    with transaction.atomic():
        return _new_recovery_codes(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class Verified:
    recovery_code: bool  # a recovery code was used up (the counselor should know)


def verify(user, code: str) -> Verified | None:
    """Check a code from the app or a recovery code; a recovery code is used up.
    None if it matches neither."""
    code = normalise(code)
    with transaction.atomic():
        if _DIGITS.fullmatch(code):
            for device in TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True):
                if device.verify_token(code):
                    return Verified(recovery_code=False)
        elif _RECOVERY.fullmatch(code):
            hashes = sealed.recovery_hashes(code)
            for device in StaticDevice.objects.select_for_update().filter(
                user=user, confirmed=True
            ):
                if any(device.verify_token(stored) for stored in hashes):
                    return Verified(recovery_code=True)
    return None


def disable(user) -> None:
    """Remove the authenticator app and the recovery codes."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
