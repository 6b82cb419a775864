"""The client's setup test: the page per link state, the TURN credentials it gets, the
posted result (strictly validated), and what the counselor sees."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from visavis.appointments import invitations
from visavis.appointments import services as appointments
from visavis.setupcheck import services
from visavis.setupcheck.models import SetupCheck

pytestmark = pytest.mark.django_db

READY = {
    "verdict": "ready",
    "relay_configured": True,
    "camera": "pass",
    "microphone": "pass",
    "speakers": "pass",
    "host": "pass",
    "srflx": "fail",
    "relay_udp": "pass",
    "relay_tcp": "pass",
    "relay_tls": "skipped",
    "call": "pass",
    "bitrate_kbps": 850,
    "rtt_ms": 4,
    "loss_pct": 0.0,
}

CHROME_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


def make(counselor, minutes_from_now=0, **changes):
    start = (timezone.now() + timedelta(minutes=minutes_from_now)).replace(microsecond=0)
    values = {"title": "Secret title", "start": start, "duration_minutes": 50}
    return appointments.create_appointment(owner=counselor, **{**values, **changes})


def page(appointment) -> str:
    return f"/r/{appointment.room_token}/setup"


def post(client, appointment, body, **headers):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        page(appointment) + "/result", data=data, content_type="application/json", headers=headers
    )


# --- the page per link state ------------------------------------------------------------------


def test_days_ahead_the_page_works_in_the_appointments_language(counselor, guest):
    appointment = make(counselor, minutes_from_now=3 * 24 * 60, language="de")
    response = guest.get(page(appointment), headers={"accept-language": "en"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="de"' in body and response["Content-Language"] == "de"
    assert 'id="start-test"' in body
    assert "/jsi18n/de/" in body and "visavis/js/setupcheck.js" in body
    assert "Secret title" not in body  # the title is the counselor's note only
    assert response["Cache-Control"] == "no-store"
    config = json.loads(body.split('id="setup-config" type="application/json">')[1].split("<")[0])
    assert config["iceUrl"] == page(appointment) + "/ice"
    english = guest.get(page(appointment) + "?lang=en")
    assert 'lang="en"' in english.content.decode() and "Test your setup" in english.content.decode()


def test_inside_the_window_too(counselor, guest):
    appointment = make(counselor)
    assert guest.get(page(appointment)).status_code == 200


def test_after_the_end_it_says_the_appointment_has_ended(counselor, guest):
    appointment = make(counselor, minutes_from_now=60)
    with time_machine.travel(appointment.end + timedelta(minutes=61), tick=False):
        response = guest.get(page(appointment))
        assert guest.get(page(appointment) + "/ice").status_code == 410
        assert post(guest, appointment, READY).status_code == 410
    assert response.status_code == 410 and "has ended" in response.content.decode()
    assert 'id="start-test"' not in response.content.decode()


def test_cancelled_and_replaced_links_are_refused_plainly(counselor, guest):
    cancelled = make(counselor, minutes_from_now=600, language="de")
    appointments.cancel_appointment(owner=counselor, appointment_id=cancelled.pk)
    response = guest.get(page(cancelled))
    assert response.status_code == 410
    assert "Dieser Termin wurde abgesagt" in response.content.decode()
    assert post(guest, cancelled, READY).status_code == 410

    replaced = make(counselor, minutes_from_now=600)
    old = replaced.room_token
    appointments.revoke_link(owner=counselor, appointment_id=replaced.pk)
    replaced.refresh_from_db()
    response = guest.get(f"/r/{old}/setup")
    assert response.status_code == 410 and "no longer valid" in response.content.decode()
    assert replaced.room_token not in response.content.decode()
    assert guest.get(f"/r/{old}/setup/ice").status_code == 410
    assert guest.get(page(replaced)).status_code == 200


def test_unknown_link_is_404(guest, db):
    assert guest.get("/r/not-a-room/setup").status_code == 404
    assert guest.get("/r/not-a-room/setup/ice").status_code == 404
    assert guest.post("/r/not-a-room/setup/result", data="{}",
                      content_type="application/json").status_code == 404


def test_external_video_appointments_have_no_test(counselor, guest):
    appointment = make(counselor, minutes_from_now=600, external_url="https://zoom.example/j/1")
    response = guest.get(page(appointment))
    assert response.status_code == 200
    body = response.content.decode()
    assert "does not apply" in body and "setupcheck.js" not in body
    assert guest.get(page(appointment) + "/ice").status_code == 410


def test_the_pin_is_not_needed_for_the_test(counselor, guest):
    appointment = make(counselor, minutes_from_now=600, pin="482915")
    assert 'id="start-test"' in guest.get(page(appointment)).content.decode()


# --- ICE servers ------------------------------------------------------------------------------


def test_without_turn_only_direct_connections(counselor, guest, no_turn):
    appointment = make(counselor, minutes_from_now=600)
    response = guest.get(page(appointment) + "/ice")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.json() == {"stun": [], "turn": [], "icePolicy": "all"}


def test_each_turn_url_on_its_own_with_a_short_lived_credential(counselor, guest, turn):
    appointment = make(counselor, minutes_from_now=600)
    config = guest.get(page(appointment) + "/ice").json()
    assert [(r["kind"], r["urls"]) for r in config["turn"]] == [
        ("udp", ["turn:turn.example.org:3478?transport=udp"]),
        ("tcp", ["turn:turn.example.org:3478?transport=tcp"]),
        ("tls", ["turns:turn.example.org:443?transport=tcp"]),
    ]
    # coturn answers STUN on its plain port, so the reflexive address can be tested too.
    assert config["stun"] == ["stun:turn.example.org:3478"]
    relay = config["turn"][0]
    expiry, user = relay["username"].split(":", 1)
    assert 0 < int(expiry) - time.time() <= services.CREDENTIAL_TTL_SECONDS
    assert user.startswith("setup-") and appointment.room_token not in user
    digest = hmac.new(b"s3cret", relay["username"].encode(), hashlib.sha1).digest()
    assert relay["credential"] == base64.b64encode(digest).decode()


def test_configured_stun_urls_are_used_as_they_are(settings):
    settings.VISAVIS = {**settings.VISAVIS, "TURN_URLS": ["stun:stun.example.org:3478"],
                        "TURN_SECRET": None}
    assert services.ice_config()["stun"] == ["stun:stun.example.org:3478"]
    assert services.ice_config()["turn"] == []


# --- the result -------------------------------------------------------------------------------


def test_a_result_is_kept_without_personal_data(counselor, guest):
    appointment = make(counselor, minutes_from_now=3 * 24 * 60)
    response = post(guest, appointment, READY, user_agent=CHROME_UA)
    assert response.status_code == 201
    assert response.json() == {"verdict": "ready", "status": "ready"}
    check = SetupCheck.objects.get(appointment=appointment)
    assert check.verdict == "ready" and check.call == "pass" and check.srflx == "fail"
    assert check.bitrate_kbps == 850 and check.rtt_ms == 4 and check.loss_pct == 0.0
    assert check.browser == "chrome"
    stored = " ".join(str(getattr(check, f.attname)) for f in SetupCheck._meta.fields)
    assert "127.0.0.1" not in stored and "Mozilla" not in stored


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{", "Invalid JSON"),
        (b"", "Invalid JSON"),
        (b"\xff\xfe", "Invalid JSON"),
        (b"[]", "object"),
        (b"null", "object"),
        ({**READY, "verdict": "great"}, "verdict"),
        ({**READY, "camera": True}, "camera"),
        ({**READY, "rtt_ms": -1}, "rtt_ms"),
        ({**READY, "rtt_ms": "4"}, "rtt_ms"),
        ({**READY, "loss_pct": 101}, "loss_pct"),
        ({**READY, "name": "Kim"}, "name"),
        ({**READY, "ip": "192.0.2.1"}, "ip"),
        ({k: v for k, v in READY.items() if k != "call"}, "call"),
        (json.dumps({**READY, "loss_pct": float("nan")}), "loss_pct"),
        (json.dumps({**READY, "pad": "x" * 5000}), "larger than"),
    ],
)
def test_bad_results_get_a_clear_400(counselor, guest, body, fragment):
    appointment = make(counselor, minutes_from_now=600)
    response = post(guest, appointment, body)
    assert response.status_code == 400, response.content
    assert fragment in response.json()["error"]
    assert not SetupCheck.objects.exists()


def test_only_post_with_a_csrf_token(counselor):
    appointment = make(counselor, minutes_from_now=600)
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(page(appointment) + "/result").status_code == 405
    assert post(strict, appointment, READY).status_code == 403
    strict.get(page(appointment))  # sets the CSRF cookie, as the page does
    token = strict.cookies["csrftoken"].value
    response = post(strict, appointment, READY, x_csrftoken=token, sec_fetch_site="same-origin")
    assert response.status_code == 201


def test_only_the_newest_results_are_kept(counselor, guest):
    appointment = make(counselor, minutes_from_now=600)
    for _ in range(services.KEEP_RESULTS + 3):
        assert post(guest, appointment, READY).status_code == 201
    assert SetupCheck.objects.filter(appointment=appointment).count() == services.KEEP_RESULTS


def test_results_go_with_the_appointment(counselor, guest, settings):
    appointment = make(counselor, minutes_from_now=600)
    post(guest, appointment, READY)
    later = appointment.end + timedelta(days=settings.VISAVIS["RETENTION_DAYS"] + 1)
    assert appointments.purge(now=later) == 1
    assert not SetupCheck.objects.exists()


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (CHROME_UA, "chrome"),
        ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120 Safari/537.36 Edg/120",
         "edge"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", "firefox"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", "safari"),
        ("curl/8", "other"),
        ("", "other"),
    ],
)
def test_browser_family(agent, family):
    assert services.browser_family(agent) == family


# --- the counselor's pages --------------------------------------------------------------------


def test_dashboard_and_detail_show_the_setup_status(counselor, browser, guest):
    appointment = make(counselor, minutes_from_now=3 * 24 * 60)
    dashboard = browser.get("/").content.decode()
    assert 'data-setup="not-tested"' in dashboard and "Setup: not tested" in dashboard

    post(guest, appointment, READY)
    dashboard = browser.get("/").content.decode()
    assert 'data-setup="ready"' in dashboard and "Setup: ready" in dashboard
    detail = browser.get(f"/appointments/{appointment.pk}").content.decode()
    assert "Setup: ready" in detail and "Last tested on" in detail
    assert f"/r/{appointment.room_token}/setup" in detail
    assert "850 kbit/s" in detail
    # No reflexive address is no problem when the relay carried the call.
    assert 'data-outcome="minor">Address on the internet (STUN): not found' in detail

    post(guest, appointment, {**READY, "verdict": "blocked", "call": "fail"})
    dashboard = browser.get("/").content.decode()
    assert 'data-setup="problems"' in dashboard and "Setup: problems" in dashboard
    detail = browser.get(f"/appointments/{appointment.pk}").content.decode()
    assert 'data-outcome="fail">Test call: does not work' in detail


def test_no_status_for_external_or_cancelled_appointments(counselor, browser):
    make(counselor, minutes_from_now=600, external_url="https://zoom.example/j/1")
    cancelled = make(counselor, minutes_from_now=700)
    appointments.cancel_appointment(owner=counselor, appointment_id=cancelled.pk)
    assert "data-setup=" not in browser.get("/").content.decode()


# --- the invitation and the "not open yet" notice -----------------------------------------


def test_the_invitation_links_the_setup_test(counselor):
    appointment = make(counselor, minutes_from_now=600, language="de")
    guest_url = f"https://visavis.example/r/{appointment.room_token}"
    body = invitations.link_invitation(appointment, guest_url=guest_url).body
    assert f"{guest_url}/setup\n" in body
    external = make(counselor, minutes_from_now=600, external_url="https://zoom.example/j/1")
    body = invitations.link_invitation(external, guest_url="https://x.example/r/t").body
    assert "/setup" not in body


def test_the_not_open_yet_notice_links_the_setup_test(counselor, guest):
    appointment = make(counselor, minutes_from_now=600)
    body = guest.get(f"/r/{appointment.room_token}?lang=de").content.decode()
    assert f'href="/r/{appointment.room_token}/setup?lang=de"' in body


def test_one_link_gets_at_most_20_relay_credentials_an_hour(counselor, guest, turn):
    """Issue 16, item 3: the setup test cannot be used to drain the relay."""
    appointment = make(counselor, minutes_from_now=600, language="de")
    for _ in range(20):
        assert guest.get(page(appointment) + "/ice").status_code == 200
    refused = guest.get(page(appointment) + "/ice")
    assert refused.status_code == 429 and refused["Cache-Control"] == "no-store"
    assert "turn" not in refused.json()
    assert "Einrichtungstests" in refused.json()["message"]  # in the link's language
    other = make(counselor, minutes_from_now=600)
    assert guest.get(page(other) + "/ice").status_code == 200
