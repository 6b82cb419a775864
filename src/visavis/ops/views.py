"""Endpoints for operators' machines: ``/healthz`` and, when switched on, ``/metrics``.

Both answer without a session, set no cookie and say nothing about any person or room.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from visavis.ops import metrics as metrics_

log = logging.getLogger(__name__)

# A check that takes longer than this counts as failed: a load balancer waits for us.
CHECK_TIMEOUT_SECONDS = 5


def _database_check() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # Leave no connection behind in the worker thread (back to the pool, or the SQLite
        # file closed), but never close one that a transaction around us still uses.
        if not connection.in_atomic_block:
            connection.close()


async def _forget(layer, channel: str) -> None:
    """Channels has no "delete channel": a layer learns that nobody reads a channel any
    more when a waiting receive on it is cancelled (Redis pub/sub unsubscribes then).
    Without this, every health check would leave a subscription behind."""
    receiving = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)  # let it start waiting: cancelled before that, it cleans nothing
    receiving.cancel()
    await asyncio.gather(receiving, return_exceptions=True)


async def _channel_layer_check() -> None:
    """A message through the channel layer to a fresh channel of this process and back."""
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    try:
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
    finally:
        await _forget(layer, channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("the channel layer returned another message")


async def _status(name: str, check) -> str:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure is "not reachable"; the log says which kind
        log.warning("health check: %s unreachable (%s)", name, type(exc).__name__)
        return "error"
    return "ok"


@login_not_required
@never_cache
@require_GET
async def healthz(request):
    """200 when the database and the channel layer both answer, 503 otherwise."""
    database, channel_layer = await asyncio.gather(
        _status("database", sync_to_async(_database_check)),
        _status("channel layer", _channel_layer_check),
    )
    healthy = database == channel_layer == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database,
         "channel_layer": channel_layer},
        status=200 if healthy else 503,
    )


@login_not_required
@never_cache
@require_GET
def metrics(request):
    """Aggregate counts in Prometheus' text format; 404 unless the operator switched it on."""
    if not settings.VISAVIS.get("METRICS"):
        raise Http404("metrics are switched off")
    body = metrics_.exposition(metrics_.collect())
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
