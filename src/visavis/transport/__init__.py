"""Transport: how messages reach WebSocket connections, whatever they mean.

Two things live here, tuned for signalling (many quiet connections, short messages on
the busiest path) and measured in bench/signalling.py:

- :mod:`visavis.transport.layers`: the channel layers (``CHANNEL_LAYERS`` in settings):
  ``ProcessChannelLayer`` for one process, ``RedisPubSubLayer`` for several.
- :mod:`visavis.transport.consumer`: ``LeanWebsocketConsumer``, Channels' WebSocket
  consumer with a leaner receive loop, the base of the room and watch consumers.

This package knows nothing of rooms, appointments or the protocol: it imports Channels,
channels-redis and the standard library only (tests/test_layers.py holds it to that).

**What it relies on beyond the public API** (checked with channels 4.3.2 and
channels-redis 4.3.0; pyproject.toml allows ``channels>=4.3,<5`` and
``channels-redis>=4.2``). An upgrade of either must be checked against this list; the
tests in tests/transport/ exercise each point:

- ``channels.consumer.AsyncConsumer.__call__`` is replaced whole
  (``LeanWebsocketConsumer.__call__``): it sets the attributes Channels' own sets and its
  handlers use: ``scope``, ``channel_layer`` (from ``channel_layer_alias``),
  ``channel_name`` (``new_channel()``) and ``base_send``. Channels' ``channel_receive``
  and its ``groups`` class attribute are not supported (nothing here uses them), and a
  channel layer must be configured.
- ``channels.consumer.get_handler_name`` (public in the module, not documented) turns
  a message's ``type`` into the handler's name, as Channels' ``dispatch`` does.
- ``AsyncWebsocketConsumer.websocket_disconnect`` raises ``StopConsumer`` after
  calling ``disconnect``; the loop ends on it.
- ``channels.layers.InMemoryChannelLayer``: ``send``, ``receive`` and ``_clean_expired``
  are replaced; the inherited group methods and ``flush`` work on its private
  ``channels`` dict (channel name -> queue, here a ``Mailbox``) and ``groups`` dict
  (group -> {channel: joined at}); ``group_send`` calls ``_clean_expired`` and our
  ``send``; ``_remove_from_groups``, ``expiry``, ``group_expiry``, ``get_capacity`` and
  ``require_valid_channel_name`` are used as they are.
- ``channels_redis.pubsub``: ``RedisPubSubChannelLayer._get_layer`` (replaced), its
  private ``_layers``, ``_args`` and ``_kwargs``, the module function ``_wrap_close``;
  ``RedisPubSubLoopLayer._subscribe_to_channel`` (replaced), ``_get_shard``, and its
  ``channels`` dict, whose values need only ``put_nowait`` (called by the shard's
  receiver) and ``get`` (awaited by ``receive``, which unsubscribes when it is
  cancelled).
"""
