"""Password reset by e-mail: only with SMTP configured, and it never tells who exists."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from tests.accounts.conftest import PASSWORD

RESET_PATHS = [
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
]


@pytest.mark.parametrize("path", RESET_PATHS)
def test_no_reset_without_email(client, db, path):
    assert client.get(path).status_code == 404


def test_login_offers_reset_only_with_email(client, db, settings):
    assert b"Forgot your password?" not in client.get("/accounts/login/").content
    settings.VISAVIS = {**settings.VISAVIS, "EMAIL_ENABLED": True}
    assert b"Forgot your password?" in client.get("/accounts/login/").content


@pytest.fixture
def with_email(settings, counselor):
    settings.VISAVIS = {**settings.VISAVIS, "EMAIL_ENABLED": True}
    counselor.email = "alice@example.org"
    counselor.save()
    return counselor


def test_same_answer_for_known_and_unknown_addresses(client, with_email):
    known = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]


def test_reset_link_sets_a_new_password_and_needs_a_new_login(client, with_email):
    elsewhere = Client()
    elsewhere.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    body = mail.outbox[0].body
    assert "alice" in body and "testserver" in body
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", body).group(1)
    form = client.get(link, follow=True)
    assert b"Choose a new password" in form.content
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "A-new-Long-Secret-77", "new_password2": "A-new-Long-Secret-77"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    assert SESSION_KEY not in client.session  # the login comes after, with its second step
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")
    login = Client().post(
        "/accounts/login/", {"username": "alice", "password": "A-new-Long-Secret-77"}
    )
    assert login["Location"] == "/"
    # The link works once.
    assert b"does not work" in Client().get(link, follow=True).content


def test_reset_requests_are_throttled_per_address(client, with_email):
    for _ in range(6):
        client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert mail.outbox == []
