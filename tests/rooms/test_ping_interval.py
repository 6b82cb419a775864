"""The server's sign-of-life timeouts are counted in the clients' ping interval, and the
browser client pings at exactly that interval (js/socket.js)."""

import re
from pathlib import Path

from visavis.rooms import consumer, limits, services

SOCKET_JS = Path(limits.__file__).parents[1] / "web/static/visavis/js/socket.js"


def test_the_browser_client_pings_at_the_interval_the_server_counts_with():
    match = re.search(r"PING_INTERVAL_MS = (\d+);", SOCKET_JS.read_text())
    assert match and int(match.group(1)) == limits.CLIENT_PING_SECONDS * 1000


def test_timeouts_allow_several_missed_pings():
    assert limits.CLIENT_PING_SECONDS == 15
    assert services.HEARTBEAT_SLACK.total_seconds() == 45
    assert consumer.PRESENCE_TTL_SECONDS == 45
    assert limits.CONNECTION_TTL_SECONDS == 90
