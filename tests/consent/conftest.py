import pytest
from django.test import Client

from visavis.accounts.services import create_counselor

PASSWORD = "a long Passw0rd!x"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def counselor(db):
    return create_counselor(username="alice", password=PASSWORD)


@pytest.fixture
def browser(counselor):
    client = Client()
    client.force_login(counselor)
    return client


@pytest.fixture
def guest():
    return Client()


@pytest.fixture
def notice_dir(settings, tmp_path):
    """The operator's own notices, in a directory of this test."""
    settings.CONFIG = settings.CONFIG.model_copy(update={"privacy_notice_dir": tmp_path})
    return tmp_path
