import time

import pytest
from django.test import Client
from django_otp.oath import TOTP

from visavis.accounts import second_factor
from visavis.accounts.models import SealedTOTPDevice as TOTPDevice
from visavis.accounts.services import create_counselor

PASSWORD = "a long Passw0rd!x"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; these tests are about the login flow, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.VISAVIS = {
        **settings.VISAVIS,
        "LOGIN_MAX_ATTEMPTS": 3,
        "LOGIN_MAX_ATTEMPTS_PER_ADDRESS": 6,
        "LOGIN_WINDOW_MINUTES": 15,
        "REQUIRE_SECOND_FACTOR": False,
        "EMAIL_ENABLED": False,
    }


@pytest.fixture
def counselor(db):
    return create_counselor(username="alice", password=PASSWORD)


@pytest.fixture
def client():
    return Client()


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The app's code, as an authenticator computes it (RFC 6238). ``steps_ahead`` gives a
    code the server has not seen yet (it accepts one step of drift, and never a code twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enable_second_factor(user) -> tuple[TOTPDevice, list[str]]:
    device = second_factor.pending_device(user)
    codes = second_factor.confirm(user, code_for(device))
    assert codes
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def with_second_factor(counselor):
    """The counselor with a confirmed app: (device, recovery codes)."""
    return enable_second_factor(counselor)
