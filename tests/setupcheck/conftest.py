import pytest

from tests.counselors import (  # noqa: F401 (fixtures)
    PASSWORD,
    _fast_password_hashing,
    browser,
    counselor,
    guest,
)


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
