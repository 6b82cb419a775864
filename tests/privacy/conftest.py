"""The privacy tests reuse the hand-made protocol clients of the room tests."""

from tests.rooms.conftest import (  # noqa: F401 (fixtures)
    appointment,
    colleague,
    connect,
    counselor,
    room,
)
