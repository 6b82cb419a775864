"""TURN REST credentials and the ICE servers handed to browsers."""

from __future__ import annotations

import base64
import hashlib
import hmac

from visavis.rooms.turn import coturn_config, ice_servers_for, turn_credential


def test_credential_follows_the_turn_rest_api():
    username, password = turn_credential(secret="s3cret", user="abc", ttl=600, now=1_000_000)
    assert username == "1000600:abc"
    expected = base64.b64encode(hmac.new(b"s3cret", b"1000600:abc", hashlib.sha1).digest())
    assert password == expected.decode()


def test_no_ice_servers_by_default(settings):
    settings.VISAVIS = {**settings.VISAVIS, "TURN_URLS": [], "TURN_SECRET": None}
    assert ice_servers_for("p1") == []


def test_turn_urls_get_short_lived_credentials(settings):
    settings.VISAVIS = {
        **settings.VISAVIS,
        "TURN_URLS": ["stun:turn.example.org:3478", "turn:turn.example.org:3478",
                      "turns:turn.example.org:443?transport=tcp"],
        "TURN_SECRET": "k",
        "TURN_CREDENTIAL_TTL": 120,
    }
    stun, turn = ice_servers_for("p1")
    assert stun.urls == ["stun:turn.example.org:3478"] and stun.username is None
    assert turn.urls == ["turn:turn.example.org:3478", "turns:turn.example.org:443?transport=tcp"]
    expiry, user = turn.username.split(":")
    assert user == "p1"
    import time

    assert 100 <= int(expiry) - time.time() <= 121


def test_turn_without_secret_hands_out_no_turn(settings):
    settings.VISAVIS = {**settings.VISAVIS, "TURN_URLS": ["turn:t:3478"], "TURN_SECRET": None}
    assert ice_servers_for("p1") == []


def test_generated_coturn_config_denies_private_ranges():
    text = coturn_config(secret="x", realm="r", domain="turn.example.org", external_ip=None,
                         listening_ip=None, port=3478, tls_port=443, min_port=49160,
                         max_port=49200, log_file="syslog")
    lines = text.splitlines()
    for needed in ["use-auth-secret", "static-auth-secret=x", "realm=r", "tls-listening-port=443",
                   "no-cli", "denied-peer-ip=127.0.0.0-127.255.255.255",
                   "denied-peer-ip=10.0.0.0-10.255.255.255",
                   "denied-peer-ip=192.168.0.0-192.168.255.255",
                   "denied-peer-ip=169.254.0.0-169.254.255.255", "min-port=49160"]:
        assert needed in lines, needed
    assert "allow-loopback-peers" not in text


def test_coturn_config_denies_ipv4_mapped_ipv6_and_caps_allocations():
    """Issue 16, items 3 and 11: ::ffff:10.0.0.1 is 10.0.0.1; one participant holds at most
    12 relay allocations, and no more are promised than there are relay ports."""
    text = coturn_config(secret="x", realm="r", domain="turn.example.org", external_ip=None,
                         listening_ip=None, port=3478, tls_port=443, min_port=49160,
                         max_port=50159, log_file="syslog")
    lines = text.splitlines()
    for needed in ["denied-peer-ip=::ffff:0.0.0.0-::ffff:255.255.255.255",
                   "denied-peer-ip=::", "user-quota=12", "total-quota=1000"]:
        assert needed in lines, needed


def test_turnconfig_offers_a_relay_port_range_of_1000_ports(settings, capsys):
    from django.core.management import call_command

    settings.VISAVIS = {**settings.VISAVIS, "TURN_SECRET": "k"}
    call_command("turnconfig", "--no-tls")
    lines = capsys.readouterr().out.splitlines()
    assert "min-port=49160" in lines and "max-port=50159" in lines
