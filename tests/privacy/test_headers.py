"""Every response carries the privacy headers: CSP, no Referer, Permissions-Policy, nosniff,
cookies HttpOnly and SameSite; behind a TLS proxy also HSTS and Secure cookies."""

from __future__ import annotations

import http.client
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import COUNSELOR_PASSWORD, LiveServer
from visavis.accounts.services import create_counselor, issue_token
from visavis.appointments import services as appointments

PASSWORD = "a long Passw0rd!x"


def csp_directives(value: str) -> dict[str, list[str]]:
    directives = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_privacy_headers(response, what: str) -> None:
    headers = response.headers
    csp = csp_directives(headers.get("Content-Security-Policy", ""))
    assert csp.get("default-src") == ["'self'"], (what, csp)
    assert csp.get("script-src") == ["'self'"], (what, csp)  # no unsafe-inline/-eval
    assert csp.get("object-src") == ["'none'"], (what, csp)
    assert csp.get("base-uri") == ["'none'"], (what, csp)
    assert csp.get("frame-ancestors") == ["'none'"], (what, csp)
    for sources in csp.values():
        assert not any("unsafe" in s or s in {"*", "http:", "https:"} for s in sources), csp
    assert headers.get("Referrer-Policy") == "no-referrer", what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    policy = dict(
        item.strip().split("=", 1) for item in headers.get("Permissions-Policy", "").split(",")
    )
    for feature in ("camera", "microphone", "display-capture", "speaker-selection"):
        assert policy.get(feature) == "(self)", (what, feature, policy)
    for feature in ("geolocation", "payment", "usb", "browsing-topics"):
        assert policy.get(feature) == "()", (what, feature, policy)
    assert all(v in {"(self)", "()"} for v in policy.values()), policy
    for name, morsel in response.cookies.items():
        if morsel.value:  # deleting a cookie needs no flags
            assert morsel["httponly"], (what, name)
            assert morsel["samesite"] in {"Lax", "Strict"}, (what, name)


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = create_counselor(username="alice", password=PASSWORD)
    now = timezone.now()

    def make(**kwargs):
        return appointments.create_appointment(
            owner=owner, title="Session", start=kwargs.pop("start", now),
            duration_minutes=50, **kwargs,
        )

    open_ = make()
    with_pin = make(pin="123456")
    later = make(start=now + timedelta(days=3))
    over = make(start=now - timedelta(days=3))
    cancelled = make()
    appointments.cancel_appointment(owner=owner, appointment_id=cancelled.pk)
    revoked = make()
    old_token = revoked.room_token
    appointments.revoke_link(owner=owner, appointment_id=revoked.pk)
    external = make(external_url="https://video.example.org/abc")
    return {
        "owner": owner,
        "appointment": open_,
        "guest_urls": {
            "open": f"/r/{open_.room_token}",
            "pin": f"/r/{with_pin.room_token}",
            "not yet open": f"/r/{later.room_token}",
            "ended": f"/r/{over.room_token}",
            "cancelled": f"/r/{cancelled.room_token}",
            "revoked": f"/r/{old_token}",
            "external": f"/r/{external.room_token}",
            "unknown": "/r/no-such-link",
        },
        "token": issue_token(username="alice"),
    }


def test_every_page_carries_the_privacy_headers(world):
    anonymous = Client()
    counselor = Client()
    assert counselor.login(username="alice", password=PASSWORD)
    a = world["appointment"].pk
    checked = []

    def check(client, url, *, status=None, **kwargs):
        response = client.get(url, **kwargs)
        if status is not None:
            assert response.status_code == status, (url, response.status_code)
        assert_privacy_headers(response, url)
        checked.append(url)
        return response

    check(anonymous, "/accounts/login/", status=200)
    check(anonymous, "/", status=302)
    for url in ("/", "/appointments/new", f"/appointments/{a}", f"/appointments/{a}/edit",
                f"/appointments/{a}/room", f"/appointments/{a}/invitation.ics",
                "/calendar/settings"):
        check(counselor, url, status=200)
    for state, url in world["guest_urls"].items():
        response = check(anonymous, url)
        assert response.status_code in {200, 404, 410}, (state, response.status_code)
    check(anonymous, f"{world['guest_urls']['open']}/calendar.ics", status=200)
    check(anonymous, "/no/such/page", status=404)
    check(counselor, "/appointments/00000000-0000-0000-0000-000000000000", status=404)
    check(anonymous, "/jsi18n/", status=200)
    check(anonymous, "/jsi18n/de/", status=200)
    check(anonymous, "/static/visavis/js/mesh.js", status=200)
    check(anonymous, "/healthz", status=200)
    check(anonymous, "/api/v1/appointments", status=401)
    check(anonymous, "/api/v1/appointments", status=200,
          headers={"Authorization": f"Bearer {world['token']}"})
    check(anonymous, "/api/v1/openapi.json")
    # A form post that sets cookies (the login) sets them HttpOnly and SameSite too.
    login = Client()
    response = login.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert_privacy_headers(response, "login post")
    assert set(response.cookies) >= {"sessionid"}
    assert len(checked) >= 24


def test_the_csrf_cookie_is_httponly_and_forms_still_work(world):
    """Django reads the CSRF token from the form field, so no script needs the cookie."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    cookie = page.cookies["csrftoken"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    refused = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 403
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def _get(server: LiveServer, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _cookies(response) -> list[str]:
    return [v for k, v in response.getheaders() if k.lower() == "set-cookie"]


@pytest.fixture(scope="module")
def tls_proxied_server(tmp_path_factory, request):
    from tests.conftest import server_env

    server = LiveServer(
        data_dir=tmp_path_factory.mktemp("visavis-tls"),
        extra_env={**server_env(request), "VISAVIS_BEHIND_TLS_PROXY": "true",
                   "VISAVIS_ALLOWED_HOSTS": '["video.example.org"]'},
    )
    server.run("createuser", "counselor", "--password-stdin", stdin=COUNSELOR_PASSWORD)
    server.launch()
    import time

    for _ in range(300):
        if server.process.poll() is not None:
            raise RuntimeError(server.log())
        try:
            _get(server, "/healthz", {"Host": "video.example.org"})
            break
        except OSError:
            time.sleep(0.1)
    yield server
    server.stop()


def test_behind_a_tls_proxy_hsts_and_secure_cookies(tls_proxied_server):
    host = {"Host": "video.example.org"}
    secure = _get(tls_proxied_server, "/accounts/login/", {**host, "X-Forwarded-Proto": "https"})
    assert secure.status == 200
    assert secure.getheader("Strict-Transport-Security") == "max-age=63072000"
    cookies = _cookies(secure)
    assert cookies and all("; Secure" in c and "HttpOnly" in c for c in cookies), cookies
    # The same server asked over plain HTTP (no proxy in between): no HSTS promise.
    plain = _get(tls_proxied_server, "/accounts/login/", host)
    assert plain.getheader("Strict-Transport-Security") is None


def test_without_a_tls_proxy_the_header_is_not_believed(live_server_process):
    response = _get(live_server_process, "/accounts/login/", {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") is None
    assert not any("Secure" in c for c in _cookies(response))
    assert response.getheader("Referrer-Policy") == "no-referrer"
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")


def test_responses_that_end_early_carry_the_headers_too(world, settings):
    """Static files, redirects, refused CSRF, bad hosts and errors are answered by
    middleware before the view: X-Frame-Options and the rest must be on them too."""
    settings.ALLOWED_HOSTS = ["testserver"]
    anonymous = Client(enforce_csrf_checks=True)
    responses = {
        "static file": anonymous.get("/static/visavis/css/visavis.css"),
        "slash redirect": anonymous.get("/accounts/login"),
        "not found": anonymous.get("/no/such/page"),
        "csrf refused": anonymous.post("/accounts/login/", {"username": "a", "password": "b"}),
        "bad host": anonymous.get("/accounts/login/", HTTP_HOST="evil.example"),
        "api unauthorised": anonymous.get("/api/v1/appointments"),
    }
    statuses = {what: r.status_code for what, r in responses.items()}
    assert statuses["csrf refused"] == 403 and statuses["bad host"] == 400, statuses
    assert statuses["not found"] == 404 and statuses["slash redirect"] == 301, statuses
    for what, response in responses.items():
        assert response.headers.get("X-Frame-Options") == "DENY", (what, response.status_code)
        assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", what
        assert_privacy_headers(response, what)
