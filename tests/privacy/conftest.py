"""The privacy tests reuse the hand-made protocol clients of the room tests."""

from tests.rooms.conftest import (  # noqa: F401 (fixtures)
    appointment,
    colleague,
    connect,
    consent_given,  # autouse: guests count as having confirmed the privacy notice
    counselor,
    room,
)
