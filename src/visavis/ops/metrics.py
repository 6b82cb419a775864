"""Aggregate figures about the service, for ``/metrics`` (Prometheus text format).

Everything is read from the database, so every process reports the same service-wide
figures and a scrape of any one of them is enough. Only counts: no room, no person,
no address, no time of any single call.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from visavis.ops.models import Counter
from visavis.rooms.models import Participant
from visavis.rooms.services import ACTIVE_STATES

CALLS_STARTED = "calls_started"


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # "gauge" or "counter"
    help: str
    value: int


def count(name: str) -> None:
    """Add one to the service-wide counter ``name``, in the caller's transaction."""
    if not Counter.objects.filter(name=name).update(value=F("value") + 1):
        Counter.objects.bulk_create([Counter(name=name, value=0)], ignore_conflicts=True)
        Counter.objects.filter(name=name).update(value=F("value") + 1)


def collect() -> list[Metric]:
    active = Participant.objects.filter(state__in=ACTIVE_STATES)
    calls = Counter.objects.filter(name=CALLS_STARTED).values_list("value", flat=True).first()
    return [
        Metric(
            "visavis_open_rooms",
            "gauge",
            "Rooms with at least one participant (waiting or in the call).",
            active.values("appointment_id").distinct().count(),
        ),
        Metric(
            "visavis_connected_participants",
            "gauge",
            "Participants in a room: in the lobby, waiting or in the call.",
            active.count(),
        ),
        Metric(
            "visavis_calls_started_total",
            "counter",
            "Calls started: times a host admitted a first guest into a call.",
            calls or 0,
        ),
    ]


def exposition(metrics: list[Metric]) -> str:
    """The Prometheus text exposition format (version 0.0.4)."""
    lines: list[str] = []
    for metric in metrics:
        lines += [
            f"# HELP {metric.name} {metric.help}",
            f"# TYPE {metric.name} {metric.kind}",
            f"{metric.name} {metric.value}",
        ]
    return "\n".join(lines) + "\n"
