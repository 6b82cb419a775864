"""The quick exit of a call (web/exit.py) and its setting ``quick_exit_url``."""

from __future__ import annotations

import pytest
from django.test import Client

from visavis import config
from visavis.web import exit as quick_exit


def test_quick_exit_leads_to_the_neutral_page_by_default():
    response = Client().get("/exit")
    assert response.status_code == 302
    assert response["Location"] == "/start"
    assert "no-store" in response["Cache-Control"]


def test_quick_exit_follows_the_operator_setting(monkeypatch):
    chosen = config.Config(quick_exit_url="https://weather.example/berlin")
    monkeypatch.setattr(quick_exit.config, "load", lambda: chosen)
    response = Client().get("/exit")
    assert response["Location"] == "https://weather.example/berlin"


def test_neutral_page_names_nothing_and_loads_nothing():
    response = Client().get("/start", {"q": "Berlin <script>"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "visavis" not in page.lower()
    assert "counsel" not in page.lower()
    assert "<title>Weather</title>" in page
    assert "<script" not in page.replace("Berlin &lt;script&gt;", "")
    assert "stylesheet" not in page and "src=" not in page
    assert "Content-Security-Policy" in response.headers


def test_neutral_page_in_german():
    response = Client(headers={"accept-language": "de"}).get("/start")
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["/start", "/", "https://example.org/", "http://wetter.example"])
def test_quick_exit_url_accepts_paths_and_web_addresses(value):
    assert config.Config(quick_exit_url=value).quick_exit_url == value


@pytest.mark.parametrize("value", ["", "start", "//evil.example", "/\\evil", "javascript:alert(1)",
                                   "data:text/html,x", "ftp://x", "https://"])
def test_quick_exit_url_refuses_anything_else(value):
    with pytest.raises(ValueError, match="quick_exit_url"):
        config.Config(quick_exit_url=value)
