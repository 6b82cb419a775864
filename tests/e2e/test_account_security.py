"""A counselor's account security in a real browser: turning on the second factor, logging
in with password and code, with a recovery code, and the login throttling.

The code is computed here as any authenticator app does (RFC 6238: HMAC-SHA1 of the
30-second step), from the key the page shows for typing in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

import pytest

from tests.conftest import COUNSELOR_PASSWORD, running_server
from tests.e2e.conftest import Pages
from tests.e2e.helpers import log_in

MAX_ATTEMPTS = 3


def totp(secret: str, *, at: float | None = None) -> str:
    key = secret.replace(" ", "").upper()
    key = base64.b32decode(key + "=" * (-len(key) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


@pytest.fixture(scope="module")
def account_server(tmp_path_factory, request):
    with running_server(
        tmp_path_factory, request, "accounts", VISAVIS_LOGIN_MAX_ATTEMPTS=str(MAX_ATTEMPTS)
    ) as server:
        yield server


@pytest.fixture
def account_pages(browser, account_server):
    pages = Pages(browser, account_server.url)
    yield pages
    pages.close()


def log_out(page) -> None:
    page.click("header button:has-text('Log out')")
    page.wait_for_url("**/accounts/login/")


def password_step(page, password: str = COUNSELOR_PASSWORD) -> None:
    page.fill("#id_username", "counselor")
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit].primary")


def test_second_factor_login_and_throttling(account_pages):
    page = account_pages()

    # Without a second factor the usual helper logs in; the header leads to the account.
    log_in(page)
    page.click("header a:has-text('Account')")
    page.wait_for_url("**/accounts/")
    page.click("text=Set up a second factor")
    page.wait_for_selector("img.qr")
    assert page.get_attribute("img.qr", "src").startswith("data:image/svg+xml")
    secret = page.text_content("#totp-secret")
    assert re.fullmatch(r"[A-Z2-7 ]+", secret)
    page.fill("#id_code", totp(secret))
    page.click("button:has-text('Confirm')")
    page.wait_for_selector("#recovery-codes")
    recovery = [c.strip() for c in page.locator("#recovery-codes code").all_text_contents()]
    assert len(recovery) == 10
    page.click("text=I have kept them")
    page.wait_for_url("**/accounts/")
    assert "After your password, you enter a code" in page.text_content("main")

    # Log out; the password alone now leads to the code, and the code logs in.
    log_out(page)
    password_step(page)
    page.wait_for_url("**/accounts/login/code/")
    assert page.get_by_role("link", name="Appointments").count() == 0  # not logged in yet
    page.fill("#id_code", "000000")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=This code is not right")
    page.fill("#id_code", totp(secret, at=time.time() + 30))  # one the server has not seen
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector("text=Your appointments")

    # A recovery code instead of the app.
    log_out(page)
    password_step(page)
    page.wait_for_url("**/accounts/login/code/")
    page.fill("#id_code", recovery[0])
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector("text=You used a recovery code. 9 are left.")

    # Wrong passwords: after MAX_ATTEMPTS the login refuses, even the right password.
    log_out(page)
    for _ in range(MAX_ATTEMPTS):
        password_step(page, "not the password")
        page.wait_for_selector("[role=alert]")
    message = page.text_content("[role=alert]")
    assert re.search(r"Too many attempts\. Please try again at \d\d:\d\d\.", message), message
    password_step(page)
    page.wait_for_selector("text=Too many attempts")
    assert page.url.endswith("/accounts/login/")
