"""Counselor accounts: creation and API token lookup."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from visavis.accounts.models import ApiToken, hash_token


class AccountError(Exception):
    """An account operation cannot be done; the message is meant for the person asking."""


def create_counselor(*, username: str, password: str):
    """Create an active counselor account. Raises AccountError on a taken name or weak password."""
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
    user.set_password(password)
    user.save()
    return user


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
