import pytest
from django.test import Client

from tests.counselors import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fast_password_hashing,
    counselor,
    other_counselor,
)
from visavis.accounts.services import issue_token


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
