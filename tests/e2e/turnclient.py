"""A minimal TURN client over UDP (RFC 5766 Allocate and Refresh, long-term credentials),
enough to count how many relay allocations coturn grants to one credential."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import socket
import struct

MAGIC = 0x2112A442
ALLOCATE, REFRESH = 0x0003, 0x0004
USERNAME, MESSAGE_INTEGRITY, ERROR_CODE = 0x0006, 0x0008, 0x0009
LIFETIME, REALM, NONCE, REQUESTED_TRANSPORT = 0x000D, 0x0014, 0x0015, 0x0019
UDP = bytes([17, 0, 0, 0])


def _attribute(kind: int, value: bytes) -> bytes:
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def _attributes(body: bytes) -> dict[int, bytes]:
    found, at = {}, 0
    while at + 4 <= len(body):
        kind, length = struct.unpack_from("!HH", body, at)
        found.setdefault(kind, body[at + 4:at + 4 + length])
        at += 4 + length + (-length % 4)
    return found


class Allocation:
    """One UDP socket (one 5-tuple), so one allocation at most."""

    def __init__(self, server: tuple[str, int], username: str, password: str):
        self.server = server
        self.username = username
        self.password = password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(3)
        self.realm = b""
        self.nonce = b""

    def _request(self, method: int, attributes: bytes, *, signed: bool) -> tuple[int, dict]:
        transaction = os.urandom(12)
        if signed:
            attributes += _attribute(USERNAME, self.username.encode())
            attributes += _attribute(REALM, self.realm) + _attribute(NONCE, self.nonce)
            header = struct.pack("!HHI", method, len(attributes) + 24, MAGIC) + transaction
            key = hashlib.md5(
                self.username.encode() + b":" + self.realm + b":" + self.password.encode()
            ).digest()
            digest = hmac.new(key, header + attributes, hashlib.sha1).digest()
            attributes += _attribute(MESSAGE_INTEGRITY, digest)
        message = struct.pack("!HHI", method, len(attributes), MAGIC) + transaction + attributes
        self.sock.sendto(message, self.server)
        while True:
            data, _ = self.sock.recvfrom(4096)
            if data[8:20] == transaction:
                break
        kind, _length = struct.unpack_from("!HH", data)
        return kind, _attributes(data[20:])

    def _error(self, kind: int, found: dict) -> int:
        if kind & 0x0110 == 0x0100:  # success response
            return 0
        value = found.get(ERROR_CODE, b"\0\0\0\0")
        return (value[2] & 0x7) * 100 + value[3]

    def allocate(self) -> int:
        """0 when coturn granted the allocation, else its error code (401, 486, ...)."""
        kind, found = self._request(
            ALLOCATE, _attribute(REQUESTED_TRANSPORT, UDP), signed=False
        )
        if self._error(kind, found) != 401:
            return self._error(kind, found)
        self.realm, self.nonce = found.get(REALM, b""), found.get(NONCE, b"")
        kind, found = self._request(
            ALLOCATE, _attribute(REQUESTED_TRANSPORT, UDP), signed=True
        )
        return self._error(kind, found)

    def refresh(self, lifetime: int = 600) -> int:
        """Refresh the allocation with the same credential; 0 or coturn's error code."""
        kind, found = self._request(
            REFRESH, _attribute(LIFETIME, struct.pack("!I", lifetime)), signed=True
        )
        if self._error(kind, found) == 438:  # stale nonce: once more with the new one
            self.nonce = found.get(NONCE, self.nonce)
            kind, found = self._request(
                REFRESH, _attribute(LIFETIME, struct.pack("!I", lifetime)), signed=True
            )
        return self._error(kind, found)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._request(REFRESH, _attribute(LIFETIME, b"\0\0\0\0"), signed=True)
        self.sock.close()
