from django.urls import path

from visavis.rooms.consumer import RoomConsumer

WS_PATH = "/ws/room"

websocket_urlpatterns = [path(WS_PATH.lstrip("/"), RoomConsumer.as_asgi())]
