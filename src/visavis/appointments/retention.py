"""Deleting old appointments by itself: the running server purges once a day.

``visavis serve`` starts one :class:`DailyPurge` thread: it runs
:func:`visavis.appointments.services.purge` right at start and then every 24 hours
(an hour after a failure). A thread rather than an asyncio task because the purge is
plain synchronous ORM work that must not hold up the event loop serving the rooms; a
daemon thread also needs no shutdown step. Several server processes each purge daily;
the purge is idempotent, so that is harmless. ``visavis purge`` does the same by hand
(or from cron, for operators who run visavis another way).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections

from visavis.appointments import services

log = logging.getLogger(__name__)

DAY = 24 * 3600.0
RETRY_AFTER_FAILURE = 3600.0


class DailyPurge:
    def __init__(self, *, interval: float = DAY, retry: float = RETRY_AFTER_FAILURE):
        self.interval = interval
        self.retry = retry
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="visavis-purge", daemon=True)

    def start(self) -> DailyPurge:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def run_once(self) -> bool:
        """Purge now; True if it worked. Never raises: a failed purge is retried later."""
        close_old_connections()
        try:
            deleted = services.purge()
        except Exception:
            log.exception("the daily deletion of old appointments failed; retrying later")
            return False
        finally:
            # This thread's connection: do not keep it open for a day.
            connections.close_all()
            self.runs += 1
        if deleted:
            log.info("deleted %d appointment(s) past the retention period", deleted)
        return True

    def _loop(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            delay = self.interval if self.run_once() else self.retry
