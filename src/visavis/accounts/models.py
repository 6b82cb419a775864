"""API tokens for counselors. Only a hash of each token is stored."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from visavis.accounts import sealed

TOKEN_PREFIX = "vv_"  # noqa: S105 (a marker that makes leaked tokens recognisable)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    @classmethod
    def issue(cls, user, *, label: str = "") -> tuple["ApiToken", str]:
        """Create a token for ``user``; return it with the raw secret, which is never stored."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, key_hash=hash_token(raw), label=label)
        return token, raw


class LoginFailure(models.Model):
    """One failed login step (password or second factor), for throttling.

    ``key`` is a keyed hash of what was counted (a username, a client address), so the
    table names nobody: it only tells whether *this* name or address failed lately.
    Rows older than the window are deleted as new attempts come in, and by the daily purge.
    """

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.at:%Y-%m-%d %H:%M}"


DISPLAY_NAME_MAX = 60


class Profile(models.Model):
    """What a counselor shows of themselves to clients: the name on their picture, in the
    chat and at the safety code. Never the login name (that is half of a login); empty
    means a neutral default in the client's language (accounts.services.display_name)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        _("name shown to clients"), max_length=DISPLAY_NAME_MAX, blank=True
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or f"#{self.user_id}"
class SealedTOTPDevice(TOTPDevice):
    """django-otp's authenticator device with its key stored sealed (accounts/sealed.py)
    instead of in hex; django-otp computes and checks codes from ``bin_key`` only."""

    class Meta:
        proxy = True

    @property
    def bin_key(self) -> bytes:
        return sealed.unseal(self.key)
