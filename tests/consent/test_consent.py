"""The client confirms the privacy notice before the first knock; the counselor sees it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from visavis.appointments import services
from visavis.consent import services as notices
from visavis.consent.models import Consent
from visavis.entry import door

pytestmark = pytest.mark.django_db


def make(counselor, minutes_from_now=0, **changes):
    start = (timezone.now() + timedelta(minutes=minutes_from_now)).replace(microsecond=0)
    values = {"title": "Session", "start": start, "duration_minutes": 50}
    return services.create_appointment(owner=counselor, **{**values, **changes})


def url(appointment) -> str:
    return f"/r/{appointment.room_token}"


def text(response) -> str:
    return response.content.decode()


def consent(guest, appointment, **extra):
    return guest.post(url(appointment), {"step": "consent", "read_notice": "on", **extra})


def test_the_link_asks_for_the_notice_first_and_stores_the_confirmation(counselor, guest):
    appointment = make(counselor, language="de")
    step = guest.get(url(appointment))
    body = text(step)
    assert step.status_code == 200 and step["Cache-Control"] == "no-store"
    assert 'id="consent-read"' in body and 'id="knock-form"' not in body
    assert 'href="/privacy?lang=de"' in body
    assert not Consent.objects.exists()

    # Without the tick: a clear error, nothing stored, still no room.
    refused = guest.post(url(appointment), {"step": "consent"})
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in text(refused) and 'role="alert"' in text(refused)
    assert not Consent.objects.exists()

    before = timezone.now()
    accepted = consent(guest, appointment)
    assert accepted.status_code == 302 and accepted["Location"] == url(appointment)
    row = Consent.objects.get()
    assert row.appointment == appointment and row.language == "de"
    assert row.notice_version == consent_version("de") and len(row.notice_version) == 12
    assert before <= row.given_at <= timezone.now()
    assert 'id="knock-form"' in text(guest.get(url(appointment)))

    # Sending the form again (a double click, the back button) adds no row.
    assert consent(guest, appointment).status_code == 302
    assert Consent.objects.count() == 1
    # Another browser is asked again, and its confirmation is a row of its own.
    from django.test import Client

    other = Client()
    assert 'id="consent-read"' in text(other.get(url(appointment) + "?lang=en"))
    other.post(url(appointment) + "?lang=en", {"step": "consent", "read_notice": "on"})
    assert sorted(Consent.objects.values_list("language", flat=True)) == ["de", "en"]


def consent_version(language: str) -> str:
    return notices.notice(language).version


def test_pin_comes_first_then_the_notice(counselor, guest):
    appointment = make(counselor, pin="123456")
    assert 'id="pin-submit"' in text(guest.get(url(appointment)))
    # A consent post without the PIN is just the PIN form again: nothing is stored.
    consent(guest, appointment)
    assert not Consent.objects.exists()
    assert guest.post(url(appointment), {"pin": "123456"}).status_code == 302
    assert 'id="consent-read"' in text(guest.get(url(appointment)))
    # The PIN form sent twice is not mistaken for an unticked consent form.
    again = guest.post(url(appointment), {"pin": "123456"})
    assert again.status_code == 302 and not Consent.objects.exists()
    assert 'role="alert"' not in text(guest.get(url(appointment)))
    consent(guest, appointment)
    assert 'id="knock-form"' in text(guest.get(url(appointment)))


def test_no_notice_step_for_external_video_or_closed_links(counselor, guest):
    external = make(counselor, external_url="https://video.example.org/room")
    assert 'id="external-link"' in text(guest.get(url(external)))
    later = make(counselor, minutes_from_now=600)
    assert 'id="consent-read"' not in text(guest.get(url(later)))


def test_the_knock_is_refused_without_the_confirmation(counselor, guest):
    appointment = make(counselor)
    with pytest.raises(door.EntryRefused) as refused:
        door.check_guest_entry(appointment=appointment, session=guest.session)
    assert refused.value.reason == door.Entry.CONSENT_REQUIRED
    consent(guest, appointment)
    door.check_guest_entry(appointment=appointment, session=guest.session)
    # The confirmation is for this appointment only.
    other = make(counselor, minutes_from_now=5)
    with pytest.raises(door.EntryRefused):
        door.check_guest_entry(appointment=other, session=guest.session)


@pytest.mark.django_db(transaction=True)
async def test_a_hand_made_client_cannot_knock_without_the_confirmation(counselor):
    from django.test import Client

    from visavis.asgi import application

    appointment = await database_sync_to_async(make)(counselor)

    async def knock(session: str | None) -> dict:
        headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
        if session:
            headers.append((b"cookie", f"sessionid={session}".encode()))
        ws = WebsocketCommunicator(application, "/ws/room", headers=headers)
        assert (await ws.connect())[0]
        await ws.send_to(text_data=json.dumps(
            {"type": "hello", "version": 1, "room": appointment.room_token}))
        assert json.loads(await ws.receive_from(timeout=10))["type"] == "welcome"
        await ws.send_to(text_data=json.dumps({"type": "knock", "name": "Robin"}))
        answer = json.loads(await ws.receive_from(timeout=10))
        await ws.disconnect()
        return answer

    refused = await knock(None)
    assert refused["type"] == "error" and refused["code"] == "not-allowed"
    assert "privacy notice" in refused["message"]
    # A session of the guest page that has not confirmed (the PIN of another appointment).
    http = Client()
    other = await database_sync_to_async(make)(counselor, pin="123456")
    await database_sync_to_async(http.post)(url(other), {"pin": "123456"})
    assert (await knock(http.cookies["sessionid"].value))["code"] == "not-allowed"
    await database_sync_to_async(consent)(http, appointment)
    assert (await knock(http.cookies["sessionid"].value))["type"] == "waiting"


def test_the_counselor_sees_the_confirmation(counselor, browser, guest, settings):
    appointment = make(counselor)
    page = text(browser.get(f"/appointments/{appointment.pk}"))
    assert "has not accepted the privacy notice yet" in page
    consent(guest, appointment)
    row = Consent.objects.get()
    page = text(browser.get(f"/appointments/{appointment.pk}"))
    shown = timezone.localtime(row.given_at, services.zone_for(counselor))
    assert "Privacy notice accepted on " in page and f" at {shown:%-I:%M}" in page
    assert f"(version {row.notice_version})" in page


def test_confirmations_go_with_the_appointment(counselor, guest, settings):
    appointment = make(counselor)
    consent(guest, appointment)
    later = appointment.end + timedelta(days=settings.VISAVIS["RETENTION_DAYS"] + 1)
    assert services.purge(now=later) == 1
    assert not Consent.objects.exists()


def test_the_notice_is_readable_without_login_in_both_languages(guest, settings):
    german = guest.get("/privacy?lang=de")
    assert german.status_code == 200 and german["Content-Language"] == "de"
    body = text(german)
    assert "Nichts wird aufgezeichnet" in body
    assert f"{settings.VISAVIS['RETENTION_DAYS']} Tage nach dem Termin" in body
    assert "{retention_days}" not in body
    assert notices.notice("de").version in body
    assert 'href="/privacy?lang=en"' in body  # the other language
    english = text(guest.get("/privacy", headers={"accept-language": "en"}))
    assert "Nothing is recorded" in english and "operator-missing" in english
    assert "Nichts wird aufgezeichnet" in text(
        guest.get("/privacy?lang=xx", headers={"accept-language": "de"}))
    assert guest.post("/privacy").status_code == 405


def test_the_operator_s_own_notice_replaces_the_default(counselor, guest, notice_dir):
    shipped = notices.notice("de").version
    (notice_dir / "de.html").write_text(
        "<h2>Praxis Muster</h2><p>Gelöscht nach {retention_days} Tagen.</p>", encoding="utf-8"
    )
    own = notices.notice("de")
    assert not own.shipped and own.version != shipped
    body = text(guest.get("/privacy?lang=de"))
    assert "Praxis Muster" in body and "Nichts wird aufgezeichnet" not in body
    # No English file: the English default stays.
    assert notices.notice("en").shipped
    # The version stored is the one of the text shown at that moment.
    appointment = make(counselor, language="de")
    consent_post = guest.post(url(appointment), {"step": "consent", "read_notice": "on"})
    assert consent_post.status_code == 302
    assert Consent.objects.get().notice_version == own.version
    # A broken file (not UTF-8) falls back to the default rather than failing.
    (notice_dir / "de.html").write_bytes(b"\xff\xfe broken")
    assert notices.notice("de").shipped


def test_help_page_in_both_languages_and_linked_from_every_client_page(counselor, guest):
    german = guest.get("/help?lang=de")
    assert german.status_code == 200
    body = text(german)
    assert "Kopfhörer" in body and "privaten Fenster" in body and "Nur Ton" in body
    assert "Firefox" in body and "Safari" in body and "Edge" in body
    english = text(guest.get("/help?lang=en"))
    assert "headphones" in english and "Audio only" in english and "private window" in english
    appointment = make(counselor, language="de")
    for page in (guest.get(url(appointment)), guest.get("/privacy?lang=de")):
        assert 'href="/help?lang=de"' in text(page)
    consent(guest, appointment)
    room = text(guest.get(url(appointment)))
    assert 'href="/help?lang=de"' in room and 'href="/privacy?lang=de"' in room
    assert 'target="_blank"' in room  # from the room, help opens beside the call


def test_posting_the_form_in_a_loop_does_not_fill_the_database(counselor, settings, monkeypatch):
    from django.test import Client

    monkeypatch.setattr(notices, "MAX_CONSENTS_PER_APPOINTMENT", 3)
    appointment = make(counselor)
    clients = [Client() for _ in range(5)]
    for client in clients:
        assert consent(client, appointment).status_code == 302
    assert Consent.objects.count() == 3
    # Every one of them may knock all the same.
    for client in clients:
        door.check_guest_entry(appointment=appointment, session=client.session)


# --- issue 15 (4): the shipped notice is true, and shows clients no placeholders -----------


def _visible(html: str) -> str:
    """The text a reader sees: no comments, no tags."""
    import re

    html = re.sub(r"<!--.*?-->", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_shipped_notice_says_there_is_a_chat_and_that_it_is_not_stored(guest, language):
    body = _visible(text(guest.get(f"/privacy?lang={language}")))
    if language == "en":
        assert "The call has a text chat." in body and "not stored" in body
        assert "no chat" not in body.lower()
    else:
        assert "Das Gespräch hat einen Text-Chat." in body and "nirgends gespeichert" in body
        assert "keinen Chat" not in body


@pytest.mark.parametrize("language", ["en", "de"])
def test_unset_operator_details_read_as_plain_sentences_not_placeholders(guest, language):
    body = _visible(text(guest.get(f"/privacy?lang={language}")))
    assert "[" not in body and "]" not in body
    assert "{" not in body and "}" not in body
    expected = {
        "en": "Your counselor can tell you its name and address.",
        "de": "Ihre Beratungsperson kann Ihnen deren Namen und Anschrift nennen.",
    }[language]
    assert expected in body


def test_the_operator_s_details_are_shown_escaped(guest, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "privacy_controller": "Praxis Muster\nMusterweg 1, 12345 Berlin",
        "privacy_contact": "datenschutz@praxis-muster.example, 030 123456",
        "privacy_officer": "Dr. Daten <b>Schutz</b>",
        "privacy_legal_basis": "Art. 6 Abs. 1 lit. b und Art. 9 Abs. 2 lit. h DSGVO",
    })
    html = text(guest.get("/privacy?lang=de"))
    assert "Praxis Muster<br>Musterweg 1, 12345 Berlin" in html
    assert "Fragen zum Datenschutz: datenschutz@praxis-muster.example, 030 123456" in html
    assert "Dr. Daten &lt;b&gt;Schutz&lt;/b&gt;" in html and "<b>Schutz" not in html
    assert "Art. 6 Abs. 1 lit. b und Art. 9 Abs. 2 lit. h DSGVO" in html
    assert "operator-missing" not in html
    assert notices.operator_warning() is None
    # The version follows the text shown: new details, a new version.
    settings.CONFIG = settings.CONFIG.model_copy(update={"privacy_controller": "Other"})
    assert notices.notice("de").version not in html


def test_the_operator_is_warned_while_the_notice_names_nobody(settings, notice_dir):
    warning = notices.operator_warning()
    assert "privacy_controller" in warning and "privacy_contact" in warning
    settings.CONFIG = settings.CONFIG.model_copy(update={"privacy_controller": "Praxis"})
    assert "privacy_controller" not in notices.operator_warning()
    # Their own notices, which name the practice themselves: nothing to warn about.
    for language in ("de", "en"):
        (notice_dir / f"{language}.html").write_text("<p>Praxis Muster</p>", encoding="utf-8")
    assert notices.operator_warning() is None
