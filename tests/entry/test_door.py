"""The door for clients (visavis.entry.door): whether a link, its time window, the PIN and
the privacy notice let a client in, and what the room page, the knock and the setup test are
told. (That a hand-made WebSocket client meets the same door: test_room_entry.py.)

The clock is moved by passing ``now=``, never by waiting.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore

from tests.appointments.test_services import at, make
from visavis.appointments import services
from visavis.appointments.models import PinAttempt
from visavis.consent import services as consent
from visavis.entry import door
from visavis.entry.door import Entry, GuestLink

pytestmark = pytest.mark.django_db
DURING = at(2030, 3, 4, 10, 5)  # the appointments of make() start at 10:00, for 50 minutes


# --- the link and the time window -------------------------------------------------------------


def test_link_states(counselor):
    appointment = make(counselor)
    assert door.resolve("nothing").state == Entry.UNKNOWN
    assert door.resolve("x" * 65).state == Entry.UNKNOWN
    services.cancel_appointment(owner=counselor, appointment_id=appointment.pk)
    assert door.resolve(appointment.room_token).state == Entry.CANCELLED


@pytest.mark.parametrize(
    "now, expected",
    [
        (at(2030, 3, 4, 9, 44), Entry.NOT_OPEN_YET),
        (at(2030, 3, 4, 9, 45), Entry.OPEN),
        (at(2030, 3, 4, 11, 50), Entry.OPEN),  # end 10:50 + 60 minutes
        (at(2030, 3, 4, 11, 51), Entry.ENDED),
    ],
)
def test_the_link_works_from_15_minutes_before_to_60_after(counselor, now, expected):
    assert door.window(make(counselor), now=now) == expected


def test_the_window_is_configurable(counselor, settings):
    settings.VISAVIS = {**settings.VISAVIS, "ROOM_OPENS_MINUTES_BEFORE": 0,
                        "ROOM_CLOSES_MINUTES_AFTER": 5}
    appointment = make(counselor)
    assert door.window(appointment, now=at(2030, 3, 4, 9, 59)) == Entry.NOT_OPEN_YET
    assert door.window(appointment, now=at(2030, 3, 4, 10, 55)) == Entry.OPEN
    assert door.window(appointment, now=at(2030, 3, 4, 10, 56)) == Entry.ENDED


def test_guest_entry_decides_in_order(counselor):
    during = at(2030, 3, 4, 10, 5)
    session = SessionStore()
    plain = make(counselor)
    # The privacy notice, the last of the checks (tests/consent tests the step itself).
    assert door.guest_entry(plain, session=session, now=during) == Entry.CONSENT_REQUIRED
    consent.record_consent(appointment=plain, language="en", session=session)
    assert door.guest_entry(plain, session=session, now=during) == Entry.OPEN
    with_pin = make(counselor, pin="123456")
    assert door.guest_entry(with_pin, session=session, now=during) == Entry.PIN_REQUIRED
    with pytest.raises(door.EntryRefused, match="PIN"):
        door.check_guest_entry(appointment=with_pin, session=session, now=during)
    external = make(counselor, external_url="https://meet.example/x")
    assert door.guest_entry(external, session=None, now=during) == Entry.EXTERNAL
    services.cancel_appointment(owner=counselor, appointment_id=plain.pk)
    plain.refresh_from_db()
    assert door.guest_entry(plain, session=None, now=during) == Entry.CANCELLED


# --- PIN attempts ---------------------------------------------------------------------------


def test_right_pin_is_remembered_in_the_session_until_the_pin_changes(counselor):
    appointment = make(counselor, pin="123456")
    session = SessionStore()
    result = door.enter_pin(appointment=appointment, pin="123456", session=session)
    assert result.ok
    assert door.pin_passed(appointment, session)
    assert "123456" not in str(dict(session))
    services.update_appointment(owner=counselor, appointment_id=appointment.pk, pin="999999")
    appointment.refresh_from_db()
    assert not door.pin_passed(appointment, session)
    other = make(counselor, pin="123456")
    assert not door.pin_passed(other, session)


def test_five_wrong_pins_block_for_fifteen_minutes_then_allow_again(counselor):
    appointment = make(counselor, pin="123456")
    start = at(2030, 3, 4, 10, 0)
    for attempt in range(4):
        result = door.enter_pin(
            appointment=appointment, pin="000000", session=None,
            now=start + timedelta(minutes=attempt),
        )
        assert not result.ok and result.remaining == 4 - attempt and result.blocked_until is None
    fifth = door.enter_pin(
        appointment=appointment, pin="000000", session=None, now=start + timedelta(minutes=4)
    )
    assert not fifth.ok and fifth.blocked_until == start + timedelta(minutes=15)
    # Blocked: even the right PIN is not checked now, and nothing more is counted.
    blocked = door.enter_pin(
        appointment=appointment, pin="123456", session=None, now=start + timedelta(minutes=14)
    )
    assert not blocked.ok and blocked.blocked_until == start + timedelta(minutes=15)
    assert PinAttempt.objects.filter(appointment=appointment).count() == 5
    later = door.enter_pin(
        appointment=appointment, pin="123456", session=None,
        now=start + timedelta(minutes=15, seconds=1),
    )
    assert later.ok


def test_the_limit_is_per_appointment_and_malformed_input_does_not_count(counselor):
    one, two = make(counselor, pin="123456"), make(counselor, pin="123456")
    now = at(2030, 3, 4, 10, 0)
    for _ in range(5):
        door.enter_pin(appointment=one, pin="000000", session=None, now=now)
    assert door.pin_blocked_until(one, now=now) is not None
    assert door.pin_blocked_until(two, now=now) is None
    for text in ["", "12", "abcdef", "1234567"]:
        result = door.enter_pin(appointment=two, pin=text, session=None, now=now)
        assert result.malformed and not result.ok
    assert not PinAttempt.objects.filter(appointment=two).exists()


def test_the_attempt_limit_is_configurable(counselor, settings):
    settings.VISAVIS = {**settings.VISAVIS, "PIN_MAX_ATTEMPTS": 2, "PIN_LOCKOUT_MINUTES": 1}
    appointment = make(counselor, pin="123456")
    now = at(2030, 3, 4, 10, 0)
    door.enter_pin(appointment=appointment, pin="000000", session=None, now=now)
    second = door.enter_pin(appointment=appointment, pin="000000", session=None, now=now)
    assert second.blocked_until == now + timedelta(minutes=1)


# --- what each caller is told -----------------------------------------------------------------


def test_the_room_page_asks_the_link_then_every_rule_in_order(counselor):
    appointment = make(counselor, pin="123456")
    token, session = appointment.room_token, SessionStore()
    assert door.room_page("nothing", session=session, now=DURING) == GuestLink(Entry.UNKNOWN)
    early = at(2030, 3, 4, 9, 0)
    assert door.room_page(token, session=session, now=early) == GuestLink(
        Entry.NOT_OPEN_YET, appointment
    )
    assert door.room_page(token, session=session, now=DURING).state == Entry.PIN_REQUIRED
    assert door.enter_pin(appointment=appointment, pin="123456", session=session, now=DURING).ok
    assert door.room_page(token, session=session, now=DURING).state == Entry.CONSENT_REQUIRED
    consent.record_consent(appointment=appointment, language="en", session=session)
    assert door.room_page(token, session=session, now=DURING) == GuestLink(Entry.OPEN, appointment)
    door.check_guest_entry(appointment=appointment, session=session, now=DURING)
    services.revoke_link(owner=counselor, appointment_id=appointment.pk)
    assert door.room_page(token, session=session, now=DURING) == GuestLink(
        Entry.REVOKED, appointment
    )


def test_the_setup_test_runs_any_time_before_the_end_without_pin_or_notice(counselor):
    appointment = make(counselor, pin="123456")
    token = appointment.room_token
    days_before = at(2030, 3, 1, 10, 0)
    assert door.setup_test(token, now=days_before) == GuestLink(Entry.OPEN, appointment)
    assert door.setup_test(token, now=DURING) == GuestLink(Entry.OPEN, appointment)
    assert door.setup_test(token, now=at(2030, 3, 4, 11, 51)).state == Entry.ENDED
    external = make(counselor, external_url="https://meet.example/x")
    assert door.setup_test(external.room_token, now=DURING).state == Entry.EXTERNAL
    assert door.setup_test("x" * 65, now=DURING) == GuestLink(Entry.UNKNOWN)
    services.cancel_appointment(owner=counselor, appointment_id=appointment.pk)
    assert door.setup_test(token, now=DURING).state == Entry.CANCELLED


def test_every_refusal_has_words_for_the_knock():
    refusals = set(Entry) - {Entry.OPEN, Entry.UNKNOWN, Entry.REVOKED}
    assert refusals == door.EntryRefused.MESSAGES.keys()
