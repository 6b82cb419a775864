"""The two-step login: password, then a code; never a half-logged-in session."""

from unittest import mock

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from tests.accounts.conftest import PASSWORD, code_for, enable_second_factor
from visavis.accounts import pending


def log_in(client, username="alice", password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_without_second_factor_the_password_logs_in(client, counselor):
    response = log_in(client)
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in(client)


def test_wrong_password_and_unknown_user_look_the_same(client, counselor):
    wrong = log_in(client, password="nope")
    unknown = log_in(Client(), username="nobody")
    assert wrong.status_code == unknown.status_code == 200
    assert "correct username and password" in wrong.content.decode()
    assert "correct username and password" in unknown.content.decode()
    assert not logged_in(client)


def test_unknown_user_still_runs_the_password_hasher(client, db):
    from django.contrib.auth.hashers import MD5PasswordHasher

    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True,
                           side_effect=MD5PasswordHasher.encode) as encode:
        log_in(client, username="nobody")
    assert encode.call_count == 1


def test_next_is_kept_but_only_on_this_site(client, counselor):
    response = log_in(client, next="/calendar/settings")
    assert response["Location"] == "/calendar/settings"
    response = log_in(Client(), next="https://evil.example/")
    assert response["Location"] == "/"


def test_with_second_factor_the_password_alone_is_not_a_login(
    client, counselor, with_second_factor
):
    device, _codes = with_second_factor
    response = log_in(client)
    assert response["Location"] == "/accounts/login/code/"
    assert not logged_in(client)
    assert pending.SESSION_KEY in client.session
    # Between the steps, every counselor page still wants a login.
    assert client.get("/")["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/")["Location"].startswith("/accounts/login/")

    page = client.get("/accounts/login/code/")
    assert b"authenticator app" in page.content
    response = client.post("/accounts/login/code/", {"code": "000000"})
    assert b"This code is not right" in response.content
    assert not logged_in(client)

    response = client.post("/accounts/login/code/", {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in(client)
    assert pending.SESSION_KEY not in client.session
    # The same code does not work twice.
    other = Client()
    log_in(other)
    again = other.post("/accounts/login/code/", {"code": code_for(device, steps_ahead=1)})
    assert again.status_code == 200 and not logged_in(other)


def test_code_step_keeps_next(client, counselor, with_second_factor):
    device, _ = with_second_factor
    log_in(client, next="/calendar/settings")
    response = client.post("/accounts/login/code/", {"code": code_for(device, steps_ahead=1)})
    assert response["Location"] == "/calendar/settings"


def test_recovery_code_works_once(client, counselor, with_second_factor):
    _device, codes = with_second_factor
    log_in(client)
    typed = f" {codes[0][:4].upper()}-{codes[0][4:]} "  # as someone might type it
    response = client.post("/accounts/login/code/", {"code": typed}, follow=True)
    assert logged_in(client)
    assert "You used a recovery code. 9 are left." in response.content.decode()

    other = Client()
    log_in(other)
    other.post("/accounts/login/code/", {"code": codes[0]})
    assert not logged_in(other)


def test_code_step_without_password_step_goes_back_to_login(client, counselor):
    response = client.get("/accounts/login/code/")
    assert response["Location"] == "/accounts/login/"
    response = client.post("/accounts/login/code/", {"code": "123456"})
    assert response["Location"] == "/accounts/login/"
    assert not logged_in(client)


def test_pending_login_expires(client, counselor, with_second_factor):
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to("2026-11-20 10:00Z")
        log_in(client)
        traveller.move_to("2026-11-20 10:11Z")
        response = client.post("/accounts/login/code/", {"code": "123456"})
    assert response["Location"] == "/accounts/login/"
    assert not logged_in(client)


def test_login_page_again_drops_a_pending_login(client, counselor, with_second_factor):
    log_in(client)
    client.get("/accounts/login/")
    assert pending.SESSION_KEY not in client.session


def test_logout_is_post_only(client, counselor):
    log_in(client)
    assert client.get("/accounts/logout/").status_code == 405
    assert logged_in(client)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert not logged_in(client)


def test_admin_login_goes_through_ours(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == "/accounts/login/?next=/admin/"
    response = client.get("/admin/")
    assert client.get(response["Location"])["Location"].startswith("/accounts/login/")


def test_idle_sessions_expire(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 60 * 60  # the default session_idle_minutes


def test_session_cookie_renewed_on_every_request(client, counselor):
    log_in(client)
    response = client.get("/")
    assert response.cookies["sessionid"]["max-age"] == 3600


@pytest.mark.parametrize("required", [True])
def test_required_second_factor_is_set_up_before_the_login_completes(
    client, counselor, settings, required
):
    settings.VISAVIS = {**settings.VISAVIS, "REQUIRE_SECOND_FACTOR": required}
    response = log_in(client)
    assert response["Location"] == "/accounts/second-factor/"
    assert not logged_in(client)
    assert client.get("/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/second-factor/")
    assert b"data:image/svg+xml" in page.content
    assert b"asks every counselor for a second factor" in page.content

    from visavis.accounts.models import SealedTOTPDevice

    device = SealedTOTPDevice.objects.get(user=counselor, confirmed=False)
    response = client.post("/accounts/second-factor/", {"code": code_for(device)})
    assert response.status_code == 200
    assert b"recovery-codes" in response.content
    assert logged_in(client)
    assert client.get("/").status_code == 200


def test_required_second_factor_sends_logged_in_counselor_to_set_up(
    client, counselor, settings
):
    client.force_login(counselor)
    settings.VISAVIS = {**settings.VISAVIS, "REQUIRE_SECOND_FACTOR": True}
    assert client.get("/")["Location"] == "/accounts/second-factor/"
    assert client.get("/accounts/")["Location"] == "/accounts/second-factor/"
    assert client.get("/accounts/second-factor/").status_code == 200
    enable_second_factor(counselor)
    assert client.get("/").status_code == 200


def test_createuser_still_works(db, capsys):
    import io

    with mock.patch("sys.stdin", io.StringIO("Another-Long-Pass-42\n")):
        call_command("createuser", "carol", "--password-stdin")
    assert "Created counselor 'carol'" in capsys.readouterr().out
    response = log_in(Client(), username="carol", password="Another-Long-Pass-42")
    assert response["Location"] == "/"
