"""``/healthz``: 200 when the database and the channel layer answer, 503 otherwise."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.test import AsyncClient, Client

from tests.backends import PostgresDatabases, require_postgres
from tests.conftest import LiveServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _assert_private(response) -> None:
    assert "Set-Cookie" not in response.headers, response.headers
    assert not response.cookies
    assert "no-cache" in response.headers["Cache-Control"] or "no-store" in response.headers[
        "Cache-Control"]


async def test_healthy_service_answers_200():
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}
    assert response.headers["Content-Type"] == "application/json"
    _assert_private(response)


def test_healthz_needs_no_login_and_ignores_a_session(django_user_model):
    user = django_user_model.objects.create_user(username="owner", password="x-Long-Password-1")
    client = Client()
    client.force_login(user)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}
    assert "no-store" in response.headers["Cache-Control"] or "no-cache" in response.headers[
        "Cache-Control"]
    # Without a session, none is made (with one, any request renews it: idle expiry).
    _assert_private(Client().get("/healthz"))


def test_healthz_is_read_only():
    assert Client().post("/healthz").status_code == 405


async def test_unreachable_channel_layer_gives_503(settings):
    # A Redis address where nothing listens: the channel layer cannot be reached.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "visavis.transport.layers.RedisPubSubLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    response = await AsyncClient().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "channel_layer": "error"}
    _assert_private(response)


def _healthz(server: LiveServer) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(server.url + "/healthz", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_server_whose_database_is_gone_answers_503(tmp_path):
    databases = PostgresDatabases(require_postgres())
    url = databases.create()
    server = LiveServer(data_dir=tmp_path, extra_env={"VISAVIS_DATABASE_URL": url})
    try:
        server.start()
        assert _healthz(server) == (
            200, {"status": "ok", "database": "ok", "channel_layer": "ok"}
        ), server.log()
        databases.drop(url)  # closes the server's connections, and the database is no more
        assert _healthz(server) == (
            503, {"status": "error", "database": "error", "channel_layer": "ok"}
        ), server.log()
    finally:
        server.stop()
        databases.drop_all()
    assert "Traceback" not in server.log(), server.log()
