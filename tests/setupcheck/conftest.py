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
def no_turn(settings):
    settings.VISAVIS = {**settings.VISAVIS, "TURN_URLS": [], "TURN_SECRET": None}


@pytest.fixture
def turn(settings):
    settings.VISAVIS = {
        **settings.VISAVIS,
        "TURN_URLS": [
            "turn:turn.example.org:3478?transport=udp",
            "turn:turn.example.org:3478?transport=tcp",
            "turns:turn.example.org:443?transport=tcp",
        ],
        "TURN_SECRET": "s3cret",
    }
