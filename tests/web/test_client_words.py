"""Issue 15 (14): a client reads plain words. No page a client can reach, and no message
the client's scripts can show, uses the technical words of video calls (relay, TURN,
ICE, WebRTC, …), in English or in German. And the invitation tells them first what the
therapist's own guide does: allow camera and microphone, use a private window, find a
quiet place, use headphones."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.test_translations import CATALOG_DIR, parse_po
from visavis.appointments import invitations
from visavis.appointments import services as appointments
from visavis.rooms.models import RoomState

pytestmark = pytest.mark.django_db

# Acronyms only as capitals ("Turn camera off" is plain English); the words in any case.
ACRONYMS = re.compile(r"\b(TURN|STUN|ICE|SFU|MCU|UDP|TCP|TLS|NAT|SDP|DTLS|SRTP|RTP|P2P)\b")
WORDS = re.compile(
    r"relay|relais|webrtc|codec|candidate|kandidat|srflx|bitrate|bit rate|jitter|"
    r"peer|signall?ing|packet loss|paketverlust|handshake|end-?point|stream id",
    re.IGNORECASE,
)
JS = Path(__file__).resolve().parents[2] / "src" / "visavis" / "web" / "static" / "visavis" / "js"
# The entry modules of the pages a client sees (guest room, setup test, room not open yet).
CLIENT_ENTRIES = ["guest.js", "setupcheck.js", "notice.js"]


def jargon(text: str) -> list[str]:
    return sorted({m.group(0) for m in (*ACRONYMS.finditer(text), *WORDS.finditer(text))})


def visible_text(page: str) -> str:
    """What a client can read or hear read out: text and the attributes a screen reader
    announces; not scripts, styles, comments or markup."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    spoken = re.findall(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"', page)
    return html.unescape(" ".join([re.sub(r"<[^>]+>", " ", page), *spoken]))


def make(counselor, *, minutes_from_now=0, **changes):
    start = (timezone.now() + timedelta(minutes=minutes_from_now)).replace(microsecond=0)
    values = {"title": "Session", "start": start, "duration_minutes": 50}
    return appointments.create_appointment(owner=counselor, **{**values, **changes})


def client_pages(counselor, guest, language: str) -> dict[str, str]:
    """Every page a client meets, in every state, in ``language``."""
    pages = {}

    def get(name, url, client=guest):
        response = client.get(url)
        assert response.status_code in (200, 404, 410), (name, response.status_code)
        pages[name] = response.content.decode()

    now = make(counselor, language=language)
    link = f"/r/{now.room_token}"
    get("privacy notice step", link)
    guest.post(link, {"step": "consent", "read_notice": "on"})
    get("pre-join, waiting room and call", link)
    get("setup test", f"{link}/setup")
    get("PIN", f"/r/{make(counselor, language=language, pin='123456').room_token}")
    later = make(counselor, language=language, minutes_from_now=3 * 24 * 60)
    get("not open yet", f"/r/{later.room_token}")
    over = make(counselor, language=language, minutes_from_now=-3 * 24 * 60)
    get("ended", f"/r/{over.room_token}")
    cancelled = make(counselor, language=language, minutes_from_now=60)
    appointments.cancel_appointment(owner=counselor, appointment_id=cancelled.pk)
    get("cancelled", f"/r/{cancelled.room_token}")
    revoked = make(counselor, language=language, minutes_from_now=60)
    appointments.revoke_link(owner=counselor, appointment_id=revoked.pk)
    get("replaced link", f"/r/{revoked.room_token}")
    ended_by_host = make(counselor, language=language)
    RoomState.objects.create(appointment=ended_by_host, ended_at=timezone.now())
    get("session ended by the counselor", f"/r/{ended_by_host.room_token}")
    assert 'data-state="session-ended"' in pages["session ended by the counselor"]
    external = make(counselor, language=language, external_url="https://zoom.example/j/1")
    get("external video", f"/r/{external.room_token}")
    get("privacy notice", f"/privacy?lang={language}")
    get("help", f"/help?lang={language}")
    get("after quick exit", "/start")
    get("unknown link", "/r/no-such-link-at-all")
    return pages


@pytest.mark.parametrize("language", ["en", "de"])
def test_no_client_page_uses_technical_words(counselor, guest, language):
    found = {
        name: jargon(visible_text(page))
        for name, page in client_pages(counselor, guest, language).items()
    }
    assert {name: words for name, words in found.items() if words} == {}


def _imports(module: Path, seen: set[Path]) -> set[Path]:
    if module in seen:
        return seen
    seen.add(module)
    found = re.findall(r'^\s*import\b[^;]*?from\s+"(\.[^"]+)"', module.read_text(), re.M | re.S)
    for name in found:
        _imports((module.parent / name).resolve(), seen)
    return seen


def client_script_messages() -> list[str]:
    """Every message the scripts of the client's pages can show (their gettext texts)."""
    modules: set[Path] = set()
    for entry in CLIENT_ENTRIES:
        _imports(JS / entry, modules)
    messages = []
    for module in sorted(modules):
        for literal in re.findall(r'gettext\(\s*"((?:[^"\\]|\\.)*)"', module.read_text()):
            messages.append(literal.replace('\\"', '"'))
    return messages


def test_the_scan_of_the_client_s_scripts_reaches_their_messages():
    messages = client_script_messages()
    assert len(messages) > 100
    assert "Turn camera off" in messages  # controls.js, imported by guest.js
    assert "Your result was saved: your counselor can see whether your setup is ready." in (
        messages
    )  # setupcheck.js


def test_no_message_of_the_client_s_scripts_uses_technical_words():
    german = {entry.msgid: " ".join(entry.translations)
              for entry in parse_po(CATALOG_DIR / "djangojs.po") if entry.msgid}
    found = {}
    for message in client_script_messages():
        words = jargon(message) + jargon(german.get(message, ""))
        if words:
            found[message] = words
    assert found == {}


def test_the_scan_catches_what_it_is_for():
    assert jargon("No relay server configured") == ["relay"]
    assert jargon("Über Relais, weiterhin verschlüsselt") == ["Relais"]
    assert jargon("It lacks WebRTC; STUN and TURN failed") == ["STUN", "TURN", "WebRTC"]
    assert jargon("Turn camera off, turn up the volume in a nice place") == []


# --- the invitation: what the therapist's guide tells clients first -------------------------


@pytest.mark.parametrize(
    "language, expected",
    [
        ("en", ["Before the session:", "camera and microphone", "private window",
                "quiet place", "headphones"]),
        ("de", ["Vor dem Termin:", "Kamera und Mikrofon", "privaten Fenster",
                "ruhigen Ort", "Kopfhörer"]),
    ],
)
def test_the_invitation_says_what_to_do_before_the_session(counselor, language, expected):
    appointment = make(counselor, language=language, minutes_from_now=24 * 60)
    body = invitations.link_invitation(appointment, guest_url="https://v.example/r/x").body
    before = body.split(expected[0], 1)[1]
    for words in expected[1:]:
        assert words in before, (words, body)
    # In this order: first what the call needs, then privacy, place and sound.
    positions = [before.index(words) for words in expected[1:]]
    assert positions == sorted(positions)
    assert jargon(body) == []
    series = appointments.create_series(
        owner=counselor, title="Weekly", start=timezone.now() + timedelta(days=1),
        duration_minutes=50, frequency="weekly", count=2, language=language,
    )
    members = list(appointments.series_members(series))
    series_text = invitations.series_invitation(
        members, guest_urls={a.pk: "https://v.example/r/y" for a in members}
    ).body
    assert expected[0] in series_text and expected[2] in series_text


def test_an_external_session_gets_no_list_for_the_built_in_room(counselor):
    appointment = make(counselor, external_url="https://zoom.example/j/1")
    body = invitations.link_invitation(appointment, guest_url="https://v.example/r/x").body
    assert "Before the session:" not in body


@pytest.mark.parametrize("language, heading", [("en", "Before the session:"),
                                                ("de", "Vor dem Termin:")])
def test_the_page_of_a_room_not_open_yet_lists_it_too(counselor, guest, language, heading):
    later = make(counselor, language=language, minutes_from_now=2 * 24 * 60)
    page = guest.get(f"/r/{later.room_token}").content.decode()
    assert heading in page
    for item in invitations_in(language):
        assert html.escape(item) in page or item in html.unescape(page)


def invitations_in(language: str) -> list[str]:
    from django.utils import translation

    with translation.override(language):
        return invitations.before_the_session()
