"""The German catalogs are complete, compiled, and use the formal "Sie".

The catalogs live in ``src/visavis/locale/de/LC_MESSAGES/`` (the only entry of
LOCALE_PATHS). ``django.po`` holds the Python and template strings; ``djangojs.po``
holds the strings of ``web/static/visavis/js``. The JavaScript catalog view
(``JavaScriptCatalog.as_view(packages=["visavis.web"])``) reads the ``djangojs``
domain from ``visavis/web/locale`` *and* from LOCALE_PATHS, so it finds it there.

To update them after changing texts (from ``src/visavis``)::

    visavis makemessages -l de -d django
    visavis makemessages -l de -d djangojs
    # translate the new entries, remove "#, fuzzy", then
    visavis compilemessages -l de
"""

from __future__ import annotations

import gettext
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

SOURCE = Path(__file__).resolve().parents[1] / "src" / "visavis"
CATALOG_DIR = SOURCE / "locale" / "de" / "LC_MESSAGES"
DOMAINS = ["django", "djangojs"]


# --- a small reader for .po files --------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def label(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"{self.msgid!r}{context}"

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[index] for index in sorted(self.msgstr)]


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def parse_po(path: Path) -> list[Entry]:
    """Read a .po file into entries (the header is the entry whose msgid is "")."""
    entries: list[Entry] = []
    entry = Entry()
    started = False  # seen a keyword line for the current entry
    in_msgstr = False
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, started, in_msgstr, target
        if started:
            entries.append(entry)
        entry, started, in_msgstr, target = Entry(), False, False, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
            if line.startswith("|"):  # previous msgid of an obsolete fuzzy entry
                continue
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if in_msgstr:
                finish()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            name, index, text = keyword.group(1), keyword.group(2), _unescape(keyword.group(3))
            if name in ("msgctxt", "msgid") and in_msgstr:
                finish()
            started = True
            entry.obsolete = entry.obsolete or obsolete
            if name.startswith("msgstr"):
                in_msgstr = True
                target = ("msgstr", int(index) if index is not None else 0)
                entry.msgstr[target[1]] = text
            else:
                target = (name, None)
                setattr(entry, name, text)
            continue
        continuation = _CONTINUATION.match(line)
        if continuation and target is not None:
            text = _unescape(continuation.group(1))
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, getattr(entry, name) + text)
            continue
        raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    """The real messages: no header, no obsolete (#~) entries."""
    return [e for e in entries if e.msgid != "" and not e.obsolete]


def header(entries: list[Entry]) -> Entry:
    found = [e for e in entries if e.msgid == "" and e.msgctxt is None and not e.obsolete]
    assert found, "the catalog has no header entry"
    return found[0]


def nplurals(entries: list[Entry]) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", header(entries).msgstr.get(0, ""))
    assert match, "the catalog header has no Plural-Forms"
    return int(match.group(1))


def committed(domain: str) -> list[Entry]:
    path = CATALOG_DIR / f"{domain}.po"
    assert path.is_file(), f"missing German catalog {path}"
    return parse_po(path)


def require_programs(*programs: str) -> None:
    """Skip without gettext on a developer machine; in CI its absence is a failure."""
    missing = [program for program in programs if shutil.which(program) is None]
    if not missing:
        return
    reason = f"GNU gettext is not installed (missing: {', '.join(missing)})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must install the gettext package")
    pytest.skip(reason)


# --- (a) every message in the code has a German translation ------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, list[Entry]]:
    """Run makemessages on a copy of the source tree; the real tree is never touched."""
    require_programs("xgettext", "msgmerge", "msguniq", "msgattrib")
    root = tmp_path_factory.mktemp("makemessages") / "visavis"
    shutil.copytree(
        SOURCE, root, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc")
    )
    locale_dir = root / "locale"
    output = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(LOCALE_PATHS=[str(locale_dir)], STATIC_ROOT=None, MEDIA_ROOT=""),
    ):
        patch.chdir(root)
        for domain in DOMAINS:
            call_command(
                "makemessages", locale=["de"], domain=domain, verbosity=1,
                stdout=output, stderr=output,
            )
    found = {}
    for domain in DOMAINS:
        path = locale_dir / "de" / "LC_MESSAGES" / f"{domain}.po"
        assert path.is_file(), f"makemessages wrote no {domain}.po:\n{output.getvalue()}"
        found[domain] = messages(parse_po(path))
    return found


def test_the_source_has_messages_in_both_domains(extracted):
    # Guards the check below against finding nothing (wrong folder, broken extraction).
    assert any(e.msgid == "Knock and wait to be let in" for e in extracted["django"])
    assert any(e.msgid == "Mute" for e in extracted["djangojs"])


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_has_a_german_translation(extracted, domain):
    catalog = committed(domain)
    forms = nplurals(catalog)
    translated = {e.key: e for e in messages(catalog)}
    problems = []
    for wanted in extracted[domain]:
        entry = translated.get(wanted.key)
        if entry is None:
            problems.append(f"{wanted.label}: not in {domain}.po")
        elif "fuzzy" in entry.flags:
            problems.append(f"{wanted.label}: marked fuzzy")
        elif wanted.msgid_plural is not None and entry.msgid_plural != wanted.msgid_plural:
            problems.append(f"{wanted.label}: plural is {entry.msgid_plural!r} in {domain}.po, "
                            f"{wanted.msgid_plural!r} in the code")
        elif wanted.msgid_plural is not None and sorted(entry.msgstr) != list(range(forms)):
            problems.append(f"{wanted.label}: needs {forms} plural forms")
        elif not all(entry.translations):
            problems.append(f"{wanted.label}: empty translation")
    assert not problems, (
        f"{len(problems)} message(s) without a German translation in "
        f"{CATALOG_DIR / (domain + '.po')} (run makemessages, translate, compilemessages):\n  "
        + "\n  ".join(problems)
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalog_header(domain):
    entry = header(committed(domain))
    text = entry.msgstr.get(0, "")
    assert "fuzzy" not in entry.flags, "the header is fuzzy, so msgfmt would drop it"
    assert re.search(r"^Language: de$", text, re.MULTILINE), text
    assert re.search(r"^Content-Type: text/plain; charset=UTF-8$", text, re.MULTILINE), text
    assert re.search(r"^Plural-Forms: nplurals=2; plural=\(n != 1\);$", text, re.MULTILINE), text


_PLACEHOLDER = re.compile(
    r"%\([^)]+\)[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %(name)s, %(max)d
    r"|%[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]"  # %s, %d
    r"|\{\{.*?\}\}"  # {{ minutes }}
    r"|\{\w*\}"  # {} {name}
)


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_the_placeholders(domain):
    problems = []
    for entry in messages(committed(domain)):
        if entry.msgid_plural is None:
            pairs = [(entry.msgid, entry.msgstr.get(0, ""))]
        else:
            pairs = [(entry.msgid_plural, text) for text in entry.translations]
        for source, text in pairs:
            if text and placeholders(source) != placeholders(text):
                problems.append(f"{entry.label}: {placeholders(source)} became "
                                f"{placeholders(text)} in {text!r}")
    assert not problems, "\n".join(problems)


# --- (b) the committed .mo files match the .po files -------------------------------------


def load_mo(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def header_fields(translations: gettext.GNUTranslations) -> dict[str, str]:
    info = translations.info()
    return {name: info.get(name, "") for name in ("language", "content-type", "plural-forms")}


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalog_is_up_to_date(tmp_path, domain):
    require_programs("msgfmt")
    po, mo = CATALOG_DIR / f"{domain}.po", CATALOG_DIR / f"{domain}.mo"
    assert mo.is_file(), f"{mo} is missing: run 'visavis compilemessages -l de'"
    fresh_path = tmp_path / f"{domain}.mo"
    # The same msgfmt call as Django's compilemessages.
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh_path), str(po)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, f"msgfmt rejects {po}:\n{result.stderr}"
    fresh, current = load_mo(fresh_path), load_mo(mo)
    # Compare what gettext serves, not bytes; the header's dates may differ.
    fresh_catalog = {k: v for k, v in fresh._catalog.items() if k != ""}
    current_catalog = {k: v for k, v in current._catalog.items() if k != ""}
    stale = sorted(
        repr(key) for key in fresh_catalog.keys() | current_catalog.keys()
        if fresh_catalog.get(key) != current_catalog.get(key)
    )
    assert not stale, (
        f"{mo} is out of date with {po.name} (run 'visavis compilemessages -l de'); "
        f"differs in:\n  " + "\n  ".join(stale)
    )
    assert header_fields(current) == header_fields(fresh)


# --- (c) formal address only -------------------------------------------------------------

_INFORMAL = re.compile(
    r"\b(du|dich|dir|dein|deine|deinem|deinen|deiner|deines|euch|euer|eure|euren|eurem|"
    r"bist|hast|kannst|musst|willst|sollst|darfst|wirst)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("domain", DOMAINS)
def test_german_uses_the_formal_sie(domain):
    informal = [
        f"{entry.label} -> {text!r} ({', '.join(_INFORMAL.findall(text))})"
        for entry in messages(committed(domain))
        for text in entry.translations
        if _INFORMAL.search(text)
    ]
    assert not informal, "informal address (du/dein/dich/dir) in German:\n" + "\n".join(informal)


# --- the catalogs are where Django looks for them ---------------------------------------


def test_django_domain_is_served_in_german():
    from django.utils import translation

    with translation.override("de"):
        assert translation.gettext("Waiting room") == "Wartezimmer"


def test_javascript_catalog_is_served_in_german(client):
    response = client.get("/jsi18n/", headers={"accept-language": "de"})
    assert response.status_code == 200
    assert '"Mute": "Stummschalten"' in response.content.decode()
