"""docs/protocol.md against the code: every JSON example parses, every message is shown.

Each ```json block in the document is one complete message and must be preceded
(blank lines aside) by ``<!-- client -->`` or ``<!-- server -->``; the marker picks
the parser. The message types are read from the protocol's unions, so a new message
type fails here until the document shows an example of it. No database is needed.
"""

from __future__ import annotations

import contextlib
import json
import re
import typing
from dataclasses import dataclass
from pathlib import Path

import pytest

from visavis.rooms import protocol as p

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
MARKER = re.compile(r"^<!--\s*(client|server)\s*-->$")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^\s`]*)")


@dataclass(frozen=True)
class Example:
    line: int  # 1-based line of the opening fence
    direction: str | None  # "client", "server", or None when the marker is missing
    text: str

    def __str__(self) -> str:
        return f"docs/protocol.md:{self.line}"


def _scan(lines: list[str]) -> tuple[list[Example], list[int]]:
    """The ```json blocks with their markers, and the lines of markers not before one."""
    examples: list[Example] = []
    stray: list[int] = []
    pending: tuple[int, str] | None = None  # (line, direction) of the last marker seen
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if marker := MARKER.match(stripped):
            if pending:
                stray.append(pending[0])
            pending = (i + 1, marker.group(1))
            i += 1
            continue
        if fence := FENCE.match(stripped):
            ticks, info = fence.group(1), fence.group(2)
            end = i + 1
            while end < len(lines) and not lines[end].strip().startswith(ticks):
                end += 1
            if info.lower() == "json":
                direction = pending[1] if pending else None
                examples.append(Example(i + 1, direction, "\n".join(lines[i + 1 : end])))
            elif pending:
                stray.append(pending[0])
            pending = None
            i = end + 1
            continue
        if stripped and pending:
            stray.append(pending[0])  # text between the marker and the block
            pending = None
        i += 1
    if pending:
        stray.append(pending[0])
    return examples, stray


DOC_TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES, STRAY_MARKERS = _scan(DOC_TEXT.splitlines())


def _type_literals(union) -> set[str]:
    """The ``type`` values of every model in an ``Annotated[A | B | …, Field(...)]`` union."""
    members = typing.get_args(typing.get_args(union)[0])
    values: set[str] = set()
    for model in members:
        values.update(typing.get_args(model.model_fields["type"].annotation))
    return values


CLIENT_TYPES = _type_literals(p.ClientMessage)
SERVER_TYPES = _type_literals(p.ServerMessage)


def _documented(direction: str) -> set[str]:
    found = set()
    for example in EXAMPLES:
        if example.direction == direction:
            # A block that is not a JSON object is reported by test_example_parses.
            with contextlib.suppress(ValueError, AttributeError):
                found.add(json.loads(example.text).get("type"))
    return found


def test_the_unions_are_read():
    # Guards the introspection itself: an empty set would make the coverage tests vacuous.
    assert {"hello", "knock", "admit", "deny", "signal", "leave", "ping"} <= CLIENT_TYPES
    assert {"welcome", "error", "signal", "pong"} <= SERVER_TYPES


def test_document_has_examples():
    assert len(EXAMPLES) >= len(CLIENT_TYPES) + len(SERVER_TYPES)


def test_every_json_block_is_marked():
    unmarked = [str(e) for e in EXAMPLES if e.direction is None]
    assert not unmarked, f"json blocks without <!-- client --> or <!-- server -->: {unmarked}"
    assert not STRAY_MARKERS, (
        f"markers not directly before a ```json block at lines {STRAY_MARKERS}"
    )


def test_every_client_message_type_has_an_example():
    missing = CLIENT_TYPES - _documented("client")
    assert not missing, f"client messages without a <!-- client --> example: {sorted(missing)}"


def test_every_server_message_type_has_an_example():
    missing = SERVER_TYPES - _documented("server")
    assert not missing, f"server messages without a <!-- server --> example: {sorted(missing)}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"line-{e.line}")
def test_example_parses(example: Example):
    assert example.direction is not None, f"{example}: no <!-- client --> / <!-- server -->"
    try:
        raw = json.loads(example.text)
    except ValueError as exc:
        pytest.fail(f"{example}: not JSON: {exc}")
    assert isinstance(raw, dict), f"{example}: a message must be one JSON object"
    if example.direction == "client":
        try:
            message = p.parse_client(example.text)
        except p.ProtocolError as exc:
            pytest.fail(f"{example}: refused by parse_client: {exc.code}: {exc.message}")
    else:
        try:
            message = p.parse_server(example.text)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            pytest.fail(f"{example}: refused by parse_server: {exc}")
    assert message.type == raw["type"], example
    if message.type == "hello":
        assert p.choose_version(message.offered) is not None, (
            f"{example}: example offers versions {message.offered}, "
            f"the server speaks {sorted(p.SUPPORTED_VERSIONS)}"
        )
    if message.type == "welcome":
        assert message.version in p.SUPPORTED_VERSIONS, (
            f"{example}: example uses version {message.version}, "
            f"the server speaks {sorted(p.SUPPORTED_VERSIONS)}"
        )


@pytest.mark.parametrize("code", list(p.ErrorCode), ids=str)
def test_every_error_code_is_documented(code: p.ErrorCode):
    assert f"`{code.value}`" in DOC_TEXT, f"error code {code.value!r} is not in docs/protocol.md"


def test_scanner_finds_markers_and_strays():
    lines = [
        "<!-- client -->",
        "```json",
        '{"type": "ping"}',
        "```",
        "<!-- server -->",
        "",
        "```json",
        '{"type": "pong"}',
        "```",
        "```json",
        "{}",
        "```",
        "<!-- client -->",
        "some text",
        "```js",
        "```",
    ]
    examples, stray = _scan(lines)
    assert [(e.line, e.direction) for e in examples] == [(2, "client"), (7, "server"), (10, None)]
    assert stray == [13]
