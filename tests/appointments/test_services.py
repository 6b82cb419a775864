"""Appointment services: series, changes, cancelling, revoking links, purge. (Whether a
link, its time window and PIN let a client in: tests/entry/test_door.py.)

The clock is moved by passing ``now=`` (or with time-machine), never by waiting.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from visavis.appointments import services
from visavis.appointments.models import Appointment, PinAttempt, RevokedLink, Series
from visavis.entry import door
from visavis.entry.door import Entry

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def make(counselor, **changes):
    values = {"title": "Session K.", "start": at(2030, 3, 4, 10, 0), "duration_minutes": 50}
    return services.create_appointment(owner=counselor, **{**values, **changes})


# --- creating -------------------------------------------------------------------------------


def test_pin_is_stored_hashed(counselor):
    appointment = make(counselor, pin="482915")
    assert appointment.has_pin
    assert "482915" not in appointment.pin_hash
    assert appointment.pin_hash.startswith("md5$")  # the test hasher; argon2 in production


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", "١٢٣٤٥٦", " "])
def test_a_pin_must_be_six_ascii_digits(counselor, pin):
    if pin.strip() == "":
        assert not make(counselor, pin=pin).has_pin
        return
    with pytest.raises(services.AppointmentError, match="6 digits"):
        make(counselor, pin=pin)


@pytest.mark.parametrize(
    "url",
    ["http://zoom.example/j/1", "ftp://x.example", "https://", "zoom.us/j/1", "javascript:x"],
)
def test_external_link_must_be_https(counselor, url):
    with pytest.raises(services.AppointmentError, match="https"):
        make(counselor, external_url=url)


def test_external_link_is_kept(counselor):
    appointment = make(counselor, external_url="https://zoom.example/j/123?pwd=x")
    assert appointment.is_external and appointment.external_url.endswith("pwd=x")


def test_naive_start_is_read_in_the_counselors_time_zone(counselor):
    services.set_time_zone(user=counselor, name="America/New_York")
    appointment = make(counselor, start=datetime(2030, 3, 4, 10, 0))
    assert appointment.start == datetime(2030, 3, 4, 10, 0, tzinfo=ZoneInfo("America/New_York"))


def test_unknown_time_zone_is_refused(counselor):
    with pytest.raises(services.AppointmentError, match="time zone"):
        services.set_time_zone(user=counselor, name="Mars/Olympus")
    assert services.zone_for(counselor) == ZoneInfo("Europe/Berlin")


def test_language_defaults_to_the_configured_language(counselor):
    assert make(counselor).language == "en"
    assert make(counselor, language="de").language == "de"
    with pytest.raises(services.AppointmentError):
        make(counselor, language="fr")


# --- series ---------------------------------------------------------------------------------


def test_weekly_series_by_count_keeps_the_local_time_across_daylight_saving(counselor):
    # Berlin switches to summer time on 2030-03-31.
    series = services.create_series(
        owner=counselor, title="Weekly", start=at(2030, 3, 18, 10, 0), duration_minutes=50,
        frequency="weekly", count=4, pin="111222",
    )
    members = list(services.series_members(series))
    assert [timezone.localtime(a.start, BERLIN).strftime("%m-%d %H:%M") for a in members] == [
        "03-18 10:00", "03-25 10:00", "04-01 10:00", "04-08 10:00",
    ]
    assert len({a.room_token for a in members}) == 4
    assert len({a.pin_hash for a in members}) == 1 and members[0].has_pin


def test_biweekly_series_until_a_date(counselor):
    series = services.create_series(
        owner=counselor, title="Every two weeks", start=at(2030, 1, 7, 9, 0),
        duration_minutes=50, frequency="biweekly", until=date(2030, 2, 18),
    )
    days = [timezone.localtime(a.start, BERLIN).date() for a in services.series_members(series)]
    assert days == [date(2030, 1, 7), date(2030, 1, 21), date(2030, 2, 4), date(2030, 2, 18)]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"count": 1}, "between"),
        ({"count": 53}, "between"),
        ({"until": date(2029, 1, 1)}, "before"),
        ({"until": date(2031, 12, 31)}, "at most"),
        ({"until": date(2030, 1, 8)}, "only one"),
        ({}, "either"),
        ({"count": 3, "until": date(2030, 3, 1)}, "either"),
    ],
)
def test_series_limits(counselor, options, message):
    with pytest.raises(services.AppointmentError, match=message):
        services.create_series(
            owner=counselor, title="x", start=at(2030, 1, 7, 9, 0), duration_minutes=50,
            frequency="weekly", **options,
        )
    assert not Series.objects.exists() and not Appointment.objects.exists()


def _series(counselor, count=4):
    series = services.create_series(
        owner=counselor, title="Weekly", start=at(2030, 3, 4, 10, 0), duration_minutes=50,
        frequency="weekly", count=count,
    )
    return list(services.series_members(series))


def test_editing_one_occurrence_leaves_the_others(counselor):
    first, second, *_rest = _series(counselor)
    services.update_appointment(
        owner=counselor, appointment_id=second.pk, title="Moved", start=at(2030, 3, 12, 16, 0),
        now=at(2030, 3, 1, 0, 0),
    )
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.title == "Moved" and second.start == at(2030, 3, 12, 16, 0)
    assert first.title == "Weekly" and first.start == at(2030, 3, 4, 10, 0)
    assert second.sequence == 1 and first.sequence == 0


def test_editing_the_series_changes_every_upcoming_occurrence(counselor):
    members = _series(counselor)
    now = at(2030, 3, 5, 0, 0)  # the first one is over
    original_tokens = [a.room_token for a in members]
    services.update_appointment(
        owner=counselor, appointment_id=members[2].pk, apply_to="series", title="Group",
        start=at(2030, 3, 18, 11, 30), duration_minutes=60, language="de", pin="654321", now=now,
    )
    for member in members:
        member.refresh_from_db()
    assert members[0].title == "Weekly" and members[0].start == at(2030, 3, 4, 10, 0)
    assert [timezone.localtime(a.start, BERLIN).strftime("%m-%d %H:%M") for a in members[1:]] == [
        "03-11 11:30", "03-18 11:30", "03-25 11:30",
    ]
    assert all(a.title == "Group" and a.duration_minutes == 60 and a.language == "de"
               and a.has_pin for a in members[1:])
    assert [a.room_token for a in members] == original_tokens


def test_cancelled_appointments_cannot_be_changed(counselor):
    appointment = make(counselor)
    services.cancel_appointment(owner=counselor, appointment_id=appointment.pk)
    with pytest.raises(services.AppointmentConflict):
        services.update_appointment(owner=counselor, appointment_id=appointment.pk, title="x")


def test_cancelling_the_series_cancels_only_what_is_not_over(counselor):
    members = _series(counselor)
    services.cancel_appointment(
        owner=counselor, appointment_id=members[1].pk, apply_to="series",
        now=at(2030, 3, 6, 0, 0),
    )
    states = [Appointment.objects.get(pk=a.pk).is_cancelled for a in members]
    assert states == [False, True, True, True]


def test_someone_elses_appointment_cannot_be_touched(counselor, other_counselor):
    appointment = make(counselor)
    for call in (services.update_appointment, services.cancel_appointment, services.revoke_link):
        kwargs = {"title": "x"} if call is services.update_appointment else {}
        with pytest.raises(services.AppointmentNotFound):
            call(owner=other_counselor, appointment_id=appointment.pk, **kwargs)


# --- links ------------------------------------------------------------------------------------


def test_revoking_issues_a_new_link_and_remembers_only_a_hash_of_the_old(counselor):
    appointment = make(counselor)
    old = appointment.room_token
    services.revoke_link(owner=counselor, appointment_id=appointment.pk)
    appointment.refresh_from_db()
    assert appointment.room_token != old and len(appointment.room_token) >= 43
    assert door.resolve(old) == door.GuestLink(Entry.REVOKED, appointment)
    assert door.resolve(appointment.room_token).state == Entry.OPEN
    assert services.find_by_room_token(old) is None
    assert not RevokedLink.objects.filter(token_hash=old).exists()


# --- retention ------------------------------------------------------------------------------


def test_purge_deletes_appointments_and_everything_attached_after_the_retention_period(
    counselor,
):
    from visavis.rooms.models import Participant

    old = make(counselor, pin="123456")
    services.revoke_link(owner=counselor, appointment_id=old.pk)
    door.enter_pin(appointment=old, pin="000000", session=None, now=at(2030, 3, 4, 10, 0))
    Participant.objects.create(appointment=old, role="guest", state="left", channel_name="x")
    kept = make(counselor, start=at(2030, 5, 1, 10, 0))
    members = _series(counselor, count=2)

    end = old.end
    # One day short of 90 days after the end: nothing goes.
    assert services.purge(now=end + timedelta(days=90) - timedelta(seconds=1)) == 0
    assert Appointment.objects.filter(pk=old.pk).exists()

    deleted = services.purge(now=end + timedelta(days=90, seconds=1))
    assert deleted == 2  # the old one and the first occurrence of the series (same day)
    assert not Appointment.objects.filter(pk=old.pk).exists()
    assert not Participant.objects.filter(appointment_id=old.pk).exists()
    assert not RevokedLink.objects.exists()
    assert not PinAttempt.objects.exists()
    assert Appointment.objects.filter(pk=kept.pk).exists()
    assert Series.objects.count() == 1
    assert services.purge(now=members[1].end + timedelta(days=91)) == 1
    assert not Series.objects.exists()


def test_purge_follows_the_configured_retention(counselor, settings):
    settings.VISAVIS = {**settings.VISAVIS, "RETENTION_DAYS": 7}
    appointment = make(counselor)
    assert services.purge(now=appointment.end + timedelta(days=6)) == 0
    assert services.purge(now=appointment.end + timedelta(days=7, minutes=1)) == 1


def test_purge_with_a_moved_clock(counselor):
    import time_machine

    appointment = make(counselor)
    with time_machine.travel(appointment.end + timedelta(days=91), tick=False):
        assert services.purge() == 1


def test_purge_command(counselor):
    from io import StringIO

    from django.core.management import call_command

    make(counselor, start=timezone.now() - timedelta(days=200))
    make(counselor, start=timezone.now() - timedelta(days=10))
    out = StringIO()
    call_command("purge", stdout=out)
    assert "Deleted 1 appointment(s)" in out.getvalue()
    assert Appointment.objects.count() == 1


# --- calendar feed --------------------------------------------------------------------------


def test_feed_token_is_new_each_time_and_can_be_turned_off(counselor):
    first = services.enable_feed(user=counselor).feed_token
    assert services.feed_owner(first).user == counselor
    second = services.enable_feed(user=counselor).feed_token
    assert second != first and services.feed_owner(first) is None
    services.disable_feed(user=counselor)
    assert services.feed_owner(second) is None
    assert services.feed_owner("") is None
