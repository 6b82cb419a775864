from django.urls import path

from visavis.rooms.consumer import RoomConsumer, WatchConsumer

WS_PATH = "/ws/room"
# A counselor's live view of their waiting rooms (docs/protocol.md, *The watch connection*).
WATCH_PATH = "/ws/watch"

websocket_urlpatterns = [
    path(WS_PATH.lstrip("/"), RoomConsumer.as_asgi()),
    path(WATCH_PATH.lstrip("/"), WatchConsumer.as_asgi()),
]
