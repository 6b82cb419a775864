"""The channel layer of the embedded default (one process): Channels' in-memory layer,
sweeping out expired messages at most once a second instead of on every receive.

Channels' own sweep walks every connection's queue and every group each time any
connection receives a message; with thousands of connections that made relaying
quadratic (bench/signalling.py). Expiry only matters for messages nobody reads, so a
sweep a second keeps its purpose. Several processes use channels-redis instead.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_INTERVAL_SECONDS = 1.0


class ProcessChannelLayer(InMemoryChannelLayer):
    _swept_at = float("-inf")

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL_SECONDS:
            return
        self._swept_at = now
        super()._clean_expired()
