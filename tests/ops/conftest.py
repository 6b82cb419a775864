# The hand-made WebSocket clients of the room tests, for tests that need people in rooms;
# consent_given (autouse): guests count as having confirmed the privacy notice
# (tests/consent tests that step).
from tests.rooms.conftest import (  # noqa: F401
    appointment,
    connect,
    consent_given,
    counselor,
    room,
)
