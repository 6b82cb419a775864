"""Login throttling: per username and per address, in the database, the same for everyone."""

import re

import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests.accounts.conftest import PASSWORD, code_for
from visavis.accounts import throttle
from visavis.accounts.models import LoginFailure

TOO_MANY = re.compile(r"Too many attempts\. Please try again at (\d\d:\d\d)\.")


def attempt(client, username="alice", password="wrong", address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_username_is_locked_after_the_limit_known_or_not(counselor):
    with time_machine.travel("2026-11-20 10:00Z", tick=False):  # 11:00 in Berlin
        for username in ("alice", "nobody"):
            client = Client()
            answers = [attempt(client, username) for _ in range(3)]
            assert [a.status_code for a in answers] == [200, 200, 429]
            last = answers[-1].content.decode()
            assert TOO_MANY.search(last).group(1) == "11:15"
            assert "correct username and password" not in last
            # Now even the right password is refused, with the same message.
            refused = attempt(client, username, PASSWORD)
            assert refused.status_code == 429 and TOO_MANY.search(refused.content.decode())
            assert SESSION_KEY not in client.session


def test_lock_ends_when_the_oldest_failure_leaves_the_window(counselor):
    with time_machine.travel("2026-11-20 10:00Z", tick=False) as traveller:
        attempt(Client())
        traveller.shift(5 * 60)
        attempt(Client())
        attempt(Client())
        traveller.shift(9 * 60)  # 14 minutes after the first failure
        assert attempt(Client(), password=PASSWORD).status_code == 429
        traveller.shift(61)
        client = Client()
        assert attempt(client, password=PASSWORD).status_code == 302
        assert SESSION_KEY in client.session


def test_username_lock_ignores_case_and_spaces(counselor):
    for name in ("alice", "ALICE", " Alice "):
        attempt(Client(), name)
    assert attempt(Client(), password=PASSWORD).status_code == 429


def test_address_is_locked_across_usernames(counselor):
    for i in range(6):
        attempt(Client(), f"user{i}", address="10.0.0.9")
    assert attempt(Client(), "alice", PASSWORD, address="10.0.0.9").status_code == 429
    # Another address is not affected.
    assert attempt(Client(), "alice", PASSWORD, address="10.0.0.10").status_code == 302


def test_ipv6_counts_per_64(settings):
    class Request:
        def __init__(self, address):
            self.META = {"REMOTE_ADDR": address}

    a = throttle.client_address(Request("2001:db8:1:2::1"))
    b = throttle.client_address(Request("2001:db8:1:2:ffff::9"))
    assert a == b == "2001:db8:1:2::/64"
    assert throttle.client_address(Request("::ffff:10.0.0.1")) == "10.0.0.1"


def test_behind_proxy_the_forwarded_address_counts(settings):
    settings.VISAVIS = {**settings.VISAVIS, "BEHIND_TLS_PROXY": True}

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.9.8.7"}

    assert throttle.client_address(Request()) == "10.9.8.7"


def test_success_forgives_the_username_but_not_the_address(counselor):
    attempt(Client())
    attempt(Client())
    assert attempt(Client(), password=PASSWORD).status_code == 302
    attempt(Client())
    attempt(Client())
    assert attempt(Client(), password=PASSWORD).status_code == 302


def test_nothing_personal_is_stored(counselor):
    attempt(Client(), "alice", address="10.1.2.3")
    keys = list(LoginFailure.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)
    assert not any("alice" in key or "10.1.2.3" in key for key in keys)


def test_old_failures_are_deleted(counselor):
    with time_machine.travel("2026-11-20 10:00Z", tick=False) as traveller:
        attempt(Client())
        traveller.shift(16 * 60)
        attempt(Client(), "bob")
    assert LoginFailure.objects.count() == 2  # only bob's two counters


def test_code_step_is_throttled_too(counselor, with_second_factor):
    device, _ = with_second_factor
    client = Client()
    attempt(client, password=PASSWORD)
    answers = [client.post("/accounts/login/code/", {"code": "000000"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert TOO_MANY.search(answers[-1].content.decode())
    right = client.post("/accounts/login/code/", {"code": code_for(device, steps_ahead=1)})
    assert right.status_code == 429
    assert SESSION_KEY not in client.session
    # The password step is locked for this name as well.
    assert attempt(Client(), password=PASSWORD).status_code == 429



def test_look_alike_names_share_the_counter(counselor):
    fullwidth = "\uff41\uff4c\uff49\uff43\uff45"  # full-width "alice": logs in as alice
    client = Client()
    assert attempt(client, fullwidth, PASSWORD).status_code == 302
    assert client.session[SESSION_KEY] == str(counselor.pk)
    for name in (fullwidth, "\uff21\uff2c\uff29\uff23\uff25", fullwidth):  # and "ALICE"
        attempt(Client(), name, address="10.0.0.2")
    assert attempt(Client(), "alice", PASSWORD, address="10.0.0.3").status_code == 429


def test_a_right_password_leaves_no_failure_behind(counselor):
    assert attempt(Client(), password=PASSWORD).status_code == 302
    assert LoginFailure.objects.count() == 0


def test_the_purge_deletes_failures_whose_window_is_over(counselor):
    from visavis.appointments.services import purge

    with time_machine.travel("2026-11-20 10:00Z", tick=False) as traveller:
        attempt(Client())
        traveller.shift(10 * 60)
        attempt(Client(), "bob")
        traveller.shift(7 * 60)  # alice's failure is 17 minutes old, bob's 7
        purge()
    assert LoginFailure.objects.count() == 2  # only bob's two counters
