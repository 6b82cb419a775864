"""The operator's answers to other apps' signals (connected in OpsConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from visavis.ops.metrics import CALLS_STARTED, count
from visavis.rooms.signals import call_started


@receiver(call_started)
def count_call(sender, **kwargs) -> None:
    count(CALLS_STARTED)
