"""The account page: second factor on and off, recovery codes, e-mail, log out everywhere."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from tests.accounts.conftest import PASSWORD, code_for
from visavis.accounts import sealed, second_factor
from visavis.accounts.models import SealedTOTPDevice


@pytest.fixture
def browser(counselor):
    client = Client()
    client.force_login(counselor)
    return client


def test_account_page_is_linked_from_the_header(browser):
    page = browser.get("/").content.decode()
    assert 'href="/accounts/"' in page
    account = browser.get("/accounts/").content.decode()
    for text in ("Change password", "Set up a second factor", "Log out everywhere", "60 minutes"):
        assert text in account


def test_account_page_needs_login(client, db):
    assert client.get("/accounts/")["Location"] == "/accounts/login/?next=/accounts/"


def test_enable_second_factor(browser, counselor):
    page = browser.get("/accounts/second-factor/")
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn here
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    device = SealedTOTPDevice.objects.get(user=counselor, confirmed=False)
    assert secret.replace(" ", "") == __import__("base64").b32encode(device.bin_key).decode()
    # Reloading keeps the same secret (a scan stays valid).
    assert secret in browser.get("/accounts/second-factor/").content.decode()

    wrong = browser.post("/accounts/second-factor/", {"code": "123"})
    assert b"This code is not right" in wrong.content
    assert not second_factor.is_enabled(counselor)

    done = browser.post("/accounts/second-factor/", {"code": code_for(device)})
    assert "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert second_factor.is_enabled(counselor)
    # Stored as keyed hashes only (accounts/sealed.py).
    stored = sorted(StaticToken.objects.values_list("token", flat=True))
    assert stored == sorted(sealed.recovery_hashes(code)[0] for code in codes)
    assert not set(stored) & set(codes)
    # Once on, the setup page leads back to the account page.
    assert browser.get("/accounts/second-factor/")["Location"] == "/accounts/"
    assert "10 recovery codes left" in browser.get("/accounts/").content.decode()


def test_disable_needs_a_current_code(browser, counselor, with_second_factor):
    device, _codes = with_second_factor
    response = browser.post("/accounts/second-factor/off/", {"code": "000000"}, follow=True)
    assert "This code is not right" in response.content.decode()
    assert second_factor.is_enabled(counselor)
    browser.post("/accounts/second-factor/off/", {"code": code_for(device, steps_ahead=1)})
    assert not second_factor.is_enabled(counselor)
    assert not StaticToken.objects.exists()
    assert browser.get("/accounts/second-factor/off/").status_code == 405


def test_disable_with_a_recovery_code(browser, counselor, with_second_factor):
    _device, codes = with_second_factor
    browser.post("/accounts/second-factor/off/", {"code": codes[3]})
    assert not second_factor.is_enabled(counselor)


def test_new_recovery_codes_replace_the_old(browser, counselor, with_second_factor):
    _device, old = with_second_factor
    response = browser.post("/accounts/second-factor/recovery-codes/", {"code": old[0]})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert second_factor.verify(counselor, old[1]) is None
    assert second_factor.verify(counselor, new[0]) is not None


def test_changing_second_factor_is_throttled(browser, counselor, with_second_factor):
    device, _ = with_second_factor
    for _ in range(3):
        response = browser.post("/accounts/second-factor/off/", {"code": "000000"}, follow=True)
    assert "Too many attempts" in response.content.decode()
    browser.post("/accounts/second-factor/off/", {"code": code_for(device, steps_ahead=1)})
    assert second_factor.is_enabled(counselor)


def test_log_out_everywhere(counselor, db):
    from django.contrib.auth import get_user_model

    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
        assert SESSION_KEY in client.session
    colleague = Client()
    colleague.force_login(
        get_user_model().objects.create_user("bob", password="Another-Long-Pass-42")
    )

    assert here.get("/accounts/logout-everywhere/").status_code == 405
    response = here.post("/accounts/logout-everywhere/", follow=True)
    assert "You are logged out everywhere." in response.content.decode()
    assert here.get("/")["Location"].startswith("/accounts/login/")
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")
    assert colleague.get("/").status_code == 200


def test_password_change_logs_out_other_browsers(counselor):
    here, elsewhere = Client(), Client()
    for client in (here, elsewhere):
        client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    page = here.get("/accounts/password_change/")
    assert b"id_old_password" in page.content
    response = here.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-Long-Secret-77",
            "new_password2": "A-new-Long-Secret-77",
        },
        follow=True,
    )
    assert "Your password is changed." in response.content.decode()
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")


def test_email_form_only_with_email(browser, counselor, settings):
    assert b"E-mail address" not in browser.get("/accounts/").content
    assert browser.post("/accounts/email/", {"email": "a@example.org"}).status_code == 404
    settings.VISAVIS = {**settings.VISAVIS, "EMAIL_ENABLED": True}
    assert b"E-mail address" in browser.get("/accounts/").content
    browser.post("/accounts/email/", {"email": "not an address"})
    counselor.refresh_from_db()
    assert counselor.email == ""
    browser.post("/accounts/email/", {"email": "alice@example.org"})
    counselor.refresh_from_db()
    assert counselor.email == "alice@example.org"


def test_keep_alive(browser, client, db):
    assert browser.get("/accounts/alive/").status_code == 204
    assert client.get("/accounts/alive/").status_code == 401
    # A client's session (PIN entered, privacy notice accepted) is kept alive as well.
    session = client.session
    session["visavis-test"] = True
    session.save()
    assert client.get("/accounts/alive/").status_code == 204


def test_operator_can_remove_a_lost_second_factor(counselor, with_second_factor, capsys):
    from django.core.management import call_command

    call_command("resetsecondfactor", "alice")
    assert "Removed the second factor of 'alice'." in capsys.readouterr().out
    assert not second_factor.is_enabled(counselor)
    with pytest.raises(Exception, match="no user named 'nobody'"):
        call_command("resetsecondfactor", "nobody")


def test_the_name_clients_see_is_set_on_the_account_page(browser, counselor):
    """Issue 15 (12): a counselor chooses the name clients see; empty means a neutral one."""
    from visavis.accounts.services import display_name

    page = browser.get("/accounts/").content.decode()
    assert "Your name for clients" in page
    assert "Clients now see “Counselor” (in German “Beratung”)." in page
    assert counselor.get_username() not in page.split('id="name-heading"', 1)[1].split(
        "</section>", 1)[0]
    response = browser.post("/accounts/name/", {"display_name": "Dr. Jane Doe"})
    assert response.status_code == 302
    page = browser.get("/accounts/").content.decode()
    assert 'value="Dr. Jane Doe"' in page and "Clients now see" not in page
    assert display_name(counselor, language="de") == "Dr. Jane Doe"
    # Too long, or with invisible characters: refused with a message, nothing saved.
    refused = browser.post("/accounts/name/", {"display_name": "x" * 61})
    assert refused.status_code == 400
    assert "at most 60 characters" in refused.content.decode()
    refused = browser.post("/accounts/name/", {"display_name": "Jane\u202eDoe"})
    assert "cannot be shown" in refused.content.decode()
    assert display_name(counselor, language="en") == "Dr. Jane Doe"
    # Empty: back to the neutral default.
    browser.post("/accounts/name/", {"display_name": ""})
    assert display_name(counselor, language="en") == "Counselor"
