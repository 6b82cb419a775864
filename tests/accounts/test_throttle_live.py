"""The login throttle under real concurrency: a burst of simultaneous attempts against a
real server process (SQLite, or PostgreSQL in the second round) is evaluated at most
``limit`` times, and the password hashes of a burst do not all run at once."""

from __future__ import annotations

import re

import pytest

from tests.burst import burst, form_token, peak_memory_kib, post_form, shell
from tests.conftest import COUNSELOR_PASSWORD, running_server

LOGIN = "/accounts/login/"
USER_LIMIT = 5  # the defaults of login_max_attempts and login_max_attempts_per_address
ADDRESS_LIMIT = 20
COUNT_FAILURES = "from visavis.accounts.models import LoginFailure as F; print(F.objects.count())"
FORGET_FAILURES = "from visavis.accounts.models import LoginFailure as F; F.objects.all().delete()"


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    with running_server(tmp_path_factory, request, "throttle", users=("carol",)) as server:
        server.memory_at_start = peak_memory_kib(server)
        yield server


@pytest.fixture
def fresh(server):
    shell(server, FORGET_FAILURES)
    return server


def failures(server) -> int:
    return int(shell(server, COUNT_FAILURES))


def test_a_burst_of_wrong_passwords_for_one_name_is_evaluated_at_most_limit_times(fresh):
    # Look-alike spellings of the name count for the same person.
    names = ["carol", "Carol", "\uff43\uff41\uff52\uff4f\uff4c"]  # full-width
    answers = burst(
        fresh, LOGIN, [{"username": names[i % 3], "password": f"wrong-{i}"} for i in range(60)]
    )
    assert all(a.status in {200, 429} for a in answers), [a.status for a in answers]
    # Each evaluated attempt is one failure of the name and one of the address.
    assert failures(fresh) == 2 * USER_LIMIT
    assert "Traceback" not in fresh.log()
    # Now even the right password is refused, in any spelling.
    right = post_form(
        fresh,
        LOGIN,
        {"username": names[2], "password": COUNSELOR_PASSWORD},
        form_token(fresh, LOGIN),
    )
    assert right.status == 429


def test_a_burst_from_one_address_is_evaluated_at_most_its_limit_and_hashes_take_turns(fresh):
    answers = burst(
        fresh, LOGIN, [{"username": f"someone{i}", "password": "wrong"} for i in range(40)]
    )
    # Argon2 takes ~100 MiB per hash; at most two at a time (accounts/hashers.py).
    peak = peak_memory_kib(fresh)
    grown_mib = (peak - fresh.memory_at_start) / 1024
    print(f"peak memory {peak // 1024} MiB, {grown_mib:.0f} MiB more than at start")
    assert all(a.status in {200, 429} for a in answers), [a.status for a in answers]
    assert failures(fresh) == 2 * ADDRESS_LIMIT
    assert "Traceback" not in fresh.log()
    assert grown_mib < 600


SECOND_FACTOR = """
import os
from django.contrib.auth import get_user_model
from visavis.accounts import sealed
from visavis.accounts.models import SealedTOTPDevice
user = get_user_model().objects.get(username="carol")
SealedTOTPDevice.objects.filter(user=user).delete()
SealedTOTPDevice.objects.create(
    user=user, name="authenticator app", confirmed=True, key=sealed.seal(os.urandom(20))
)
"""
NO_SECOND_FACTOR = (
    "from visavis.accounts.models import SealedTOTPDevice; SealedTOTPDevice.objects.all().delete()"
)


def test_a_burst_of_wrong_codes_in_the_second_step_is_evaluated_at_most_limit_times(fresh):
    shell(fresh, SECOND_FACTOR)
    try:
        passed = post_form(
            fresh,
            LOGIN,
            {"username": "carol", "password": COUNSELOR_PASSWORD},
            form_token(fresh, LOGIN),
        )
        assert passed.status == 302, passed.body
        session = re.search(r"sessionid=([^;]+)", passed.set_cookie).group(0)
        assert failures(fresh) == 0  # a right password is no failure
        answers = burst(
            fresh,
            "/accounts/login/code/",
            [{"code": f"{i:06d}"} for i in range(60)],
            cookie=session,
        )
        assert all(a.status in {200, 429} for a in answers), [a.status for a in answers]
        assert failures(fresh) == 2 * USER_LIMIT
        assert "Traceback" not in fresh.log()
    finally:
        shell(fresh, NO_SECOND_FACTOR)


BURST = 120


def test_a_burst_of_admitted_logins_is_answered_in_full(tmp_path_factory, request):
    """Many attempts that the throttle admits (as many names, a generous address limit)
    wait for their turn at the hash without holding a database connection: none runs
    out of the PostgreSQL pool (20 connections, 5 s) into an error."""
    with running_server(
        tmp_path_factory,
        request,
        "admitted",
        users=(),
        VISAVIS_LOGIN_MAX_ATTEMPTS_PER_ADDRESS="1000",
    ) as server:
        answers = burst(
            server, LOGIN, [{"username": f"name{i}", "password": "wrong"} for i in range(BURST)]
        )
        assert [a.status for a in answers] == [200] * BURST
        assert failures(server) == 2 * BURST
        assert "Traceback" not in server.log()
