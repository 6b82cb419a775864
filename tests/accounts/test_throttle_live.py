"""The login throttle under real concurrency: a burst of simultaneous attempts against a
real server process (SQLite, or PostgreSQL in the second round) is evaluated at most
``limit`` times, and the password hashes of a burst do not all run at once."""

from __future__ import annotations

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
    assert grown_mib < 600
