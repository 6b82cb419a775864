# The hand-made WebSocket clients of the room tests, for tests that need people in rooms.
from tests.rooms.conftest import appointment, connect, counselor, room  # noqa: F401
