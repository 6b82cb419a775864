import pytest
from django.test import Client

from visavis.accounts.services import create_counselor, issue_token

PASSWORD = "a long Passw0rd!x"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; these tests are about the API, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def counselor(db):
    return create_counselor(username="alice", password=PASSWORD)


@pytest.fixture
def other_counselor(db):
    return create_counselor(username="bob", password=PASSWORD)


@pytest.fixture
def token(counselor):
    return issue_token(username=counselor.username)


@pytest.fixture
def other_token(other_counselor):
    return issue_token(username=other_counselor.username)


@pytest.fixture
def api_client():
    # Enforce CSRF like a real browser-less client would meet it: Bearer calls must pass.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def other_auth(other_token):
    return {"Authorization": f"Bearer {other_token}"}
