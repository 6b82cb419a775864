"""The rooms' answers to other apps' signals (connected in RoomsConfig.ready)."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.dispatch import receiver

from visavis.accounts.signals import logged_out_everywhere
from visavis.appointments.signals import guest_entry_closed
from visavis.rooms import services
from visavis.rooms.consumer import deliver_elsewhere


def send_after_commit(deliveries: list[services.Delivery]) -> None:
    """Send deliveries of a change made outside a room connection (a page, the API) once
    its transaction has committed, through the channel layer to whichever process holds
    each connection."""
    if not deliveries:
        return

    async def send_all() -> None:
        layer = get_channel_layer()
        for delivery in deliveries:
            await deliver_elsewhere(layer, delivery)

    transaction.on_commit(async_to_sync(send_all))


@receiver(guest_entry_closed)
def close_guest_entry(sender, *, appointment_id, **kwargs) -> None:
    send_after_commit(services.close_guest_entry(appointment_id=appointment_id))


@receiver(logged_out_everywhere)
def log_out_connections(sender, *, user_id, **kwargs) -> None:
    """Close every room and watch connection of the account, in every process: its
    browser sessions were just ended ("log out everywhere")."""
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(
        services.account_group(user_id), {"type": "account.logged_out"}
    )
