"""Counselor accounts: creation, the name clients see, and API token lookup."""

import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from visavis.accounts.models import DISPLAY_NAME_MAX, ApiToken, Profile, hash_token


class AccountError(Exception):
    """An account operation cannot be done; the message is meant for the person asking."""


def create_counselor(*, username: str, password: str, display_name: str = ""):
    """Create an active counselor account. Raises AccountError on a taken name or weak password.
    ``display_name`` is what clients see (empty: a neutral default, see display_name())."""
    User = get_user_model()
    username = username.strip()
    if not username:
        raise AccountError("the username must not be empty")
    if not password:
        raise AccountError("the password must not be empty")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"a user named {username!r} exists already")
    user = User(username=username)
    try:
        User._meta.get_field("username").run_validators(username)
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from None
    shown = clean_display_name(display_name)
    user.set_password(password)
    user.save()
    if shown:
        Profile.objects.create(user=user, display_name=shown)
    return user


def clean_display_name(name: str) -> str:
    """The shown name as stored: spaces collapsed, at most DISPLAY_NAME_MAX characters, no
    control or invisible formatting characters. Raises AccountError otherwise."""
    name = " ".join((name or "").split())
    if len(name) > DISPLAY_NAME_MAX:
        raise AccountError(
            _("The name must be at most %(max)d characters.") % {"max": DISPLAY_NAME_MAX}
        )
    if any(unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs"} for char in name):
        raise AccountError(_("The name contains characters that cannot be shown."))
    return name


def set_display_name(*, user, name: str) -> Profile:
    """Set the name clients see for ``user``; an empty name returns to the default."""
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.display_name = clean_display_name(name)
    profile.save(update_fields=["display_name"])
    return profile


def own_display_name(user) -> str:
    """The name the counselor set, or "" for the default."""
    profile = Profile.objects.filter(user=user).first()
    return profile.display_name if profile else ""


def default_display_name(language: str) -> str:
    """The neutral name clients see for a counselor who set none, in ``language``."""
    with translation.override(language):
        # Translators: what a client sees on the counselor's picture, in the chat and at
        # the safety code when the counselor has set no name of their own.
        return pgettext("default name of a counselor", "Counselor")


def display_name(user, *, language: str) -> str:
    """What clients see as ``user``'s name: the name the counselor set on their account
    page, or the neutral default in the client's ``language``. Never the login name."""
    return own_display_name(user) or default_display_name(language)


def issue_token(*, username: str, label: str = "") -> str:
    """Issue an API token for an existing counselor and return the raw token."""
    User = get_user_model()
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise AccountError(f"no active user named {username!r}") from None
    _token, raw = ApiToken.issue(user, label=label)
    return raw


def user_for_token(raw: str):
    """The active user owning ``raw``, or None. Marks the token as used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
