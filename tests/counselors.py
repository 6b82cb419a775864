"""The counselor fixtures that the Django-level test packages share: a counselor with a
fast password hash, their logged-in browser, and a client's browser. A package's
conftest imports the fixtures it uses from here."""

import pytest
from django.test import Client

from visavis.accounts.services import create_counselor

PASSWORD = "a long Passw0rd!x"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; PINs and passwords are hashed the same way.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def counselor(db):
    return create_counselor(username="alice", password=PASSWORD)


@pytest.fixture
def other_counselor(db):
    return create_counselor(username="bob", password=PASSWORD)


@pytest.fixture
def browser(counselor):
    """The counselor's logged-in browser."""
    client = Client()
    client.force_login(counselor)
    return client


@pytest.fixture
def guest():
    """A client's browser: no login."""
    return Client()
