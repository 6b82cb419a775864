"""A tiny TURN client for ``visavis check --deploy``: does the relay answer, does it take
visavis's credentials, and does it refuse to relay into private networks?

Just enough of RFC 5389 (STUN) and RFC 5766 (TURN) for that: an Allocate with long-term
credentials (the TURN REST credentials of rooms/turn.py), CreatePermission towards a
peer address, and a Refresh with lifetime 0 that gives the allocation back. Over UDP
(with retransmissions), TCP or TLS, as the ``turn:``/``turns:`` URL says. No media is
ever sent; the probe holds one allocation for a moment.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import os
import socket
import ssl
import struct
from dataclasses import dataclass
from urllib.parse import parse_qs

MAGIC = 0x2112A442
ALLOCATE, REFRESH, CREATE_PERMISSION = 0x0003, 0x0004, 0x0008
USERNAME, MESSAGE_INTEGRITY, ERROR_CODE = 0x0006, 0x0008, 0x0009
LIFETIME, XOR_PEER_ADDRESS, REALM, NONCE = 0x000D, 0x0012, 0x0014, 0x0015
REQUESTED_TRANSPORT = 0x0019
UDP_TRANSPORT = bytes([17, 0, 0, 0])

# Error codes a TURN server answers with (RFC 5389, 5766).
UNAUTHORIZED, FORBIDDEN, STALE_NONCE = 401, 403, 438


class ProbeError(Exception):
    """The TURN server could not be reached or did not speak TURN; the message says how."""


@dataclass(frozen=True)
class TurnAddress:
    host: str
    port: int
    transport: str  # "udp", "tcp" or "tls"

    def __str__(self) -> str:
        return f"{self.host}:{self.port} ({self.transport.upper()})"


def parse_url(url: str) -> TurnAddress | None:
    """The address of a ``turn:``/``turns:`` URL (RFC 7065); None for ``stun:`` URLs."""
    scheme, _, rest = url.partition(":")
    if scheme not in ("turn", "turns"):
        return None
    rest, _, query = rest.partition("?")
    transport = parse_qs(query).get("transport", ["udp" if scheme == "turn" else "tcp"])[0]
    if rest.startswith("["):  # [IPv6]:port
        host, _, port = rest[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = rest.partition(":")
    default = 5349 if scheme == "turns" else 3478
    kind = "tls" if scheme == "turns" else ("tcp" if transport.lower() == "tcp" else "udp")
    return TurnAddress(host, int(port) if port else default, kind)


def _attribute(kind: int, value: bytes) -> bytes:
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def _attributes(body: bytes) -> dict[int, bytes]:
    found, at = {}, 0
    while at + 4 <= len(body):
        kind, length = struct.unpack_from("!HH", body, at)
        found.setdefault(kind, body[at + 4:at + 4 + length])
        at += 4 + length + (-length % 4)
    return found


def _xor_address(ip: str, port: int) -> bytes:
    address = ipaddress.ip_address(ip)
    if address.version != 4:
        raise ValueError("only IPv4 peers are probed")
    return struct.pack(
        "!BBHI", 0, 1, port ^ (MAGIC >> 16), int(address) ^ MAGIC
    )


def _code(kind: int, found: dict[int, bytes]) -> int:
    """0 for a success response, else the error code (401, 403, …)."""
    if kind & 0x0110 == 0x0100:
        return 0
    value = found.get(ERROR_CODE, b"\0\0\0\0")
    return (value[2] & 0x7) * 100 + value[3]


class TurnClient:
    """One connection to a TURN server, so one allocation at most."""

    def __init__(self, address: TurnAddress, *, username: str, password: str,
                 timeout: float = 3.0):
        self.address = address
        self.username = username.encode()
        self.password = password.encode()
        self.timeout = timeout
        self.realm = b""
        self.nonce = b""
        try:
            family, kind, proto, _name, target = socket.getaddrinfo(
                address.host, address.port,
                type=socket.SOCK_DGRAM if address.transport == "udp" else socket.SOCK_STREAM,
            )[0]
        except (OSError, UnicodeError) as exc:
            raise ProbeError(f"cannot resolve {address.host}: {exc}") from None
        self.sock = socket.socket(family, kind, proto)
        self.sock.settimeout(timeout)
        try:
            # Connected UDP too: a closed port then fails at once ("connection refused").
            self.sock.connect(target)
            if address.transport == "udp":
                return
            if address.transport == "tls":
                context = ssl.create_default_context()
                self.sock = context.wrap_socket(self.sock, server_hostname=address.host)
        except (OSError, ssl.SSLError) as exc:
            self.sock.close()
            raise ProbeError(f"cannot connect to {address}: {exc}") from None

    # -- the wire ------------------------------------------------------------------------

    def _exchange(self, message: bytes, transaction: bytes) -> bytes:
        if self.address.transport == "udp":
            # UDP may lose the request or the answer: send it up to three times.
            self.sock.settimeout(self.timeout / 3)
            for _ in range(3):
                self.sock.send(message)
                with contextlib.suppress(TimeoutError):
                    while True:
                        data = self.sock.recv(4096)
                        if data[8:20] == transaction:
                            return data
            raise TimeoutError
        self.sock.sendall(message)
        while True:
            header = self._read(20)
            data = header + self._read(struct.unpack_from("!H", header, 2)[0])
            if data[8:20] == transaction:
                return data

    def _read(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("the server closed the connection")
            data += chunk
        return data

    def _request(self, method: int, attributes: bytes, *, signed: bool = True
                 ) -> tuple[int, dict[int, bytes]]:
        transaction = os.urandom(12)
        if signed:
            attributes += _attribute(USERNAME, self.username)
            attributes += _attribute(REALM, self.realm) + _attribute(NONCE, self.nonce)
            # MESSAGE-INTEGRITY covers the header with the length including itself (24).
            header = struct.pack("!HHI", method, len(attributes) + 24, MAGIC) + transaction
            key = hashlib.md5(  # noqa: S324 — RFC 5389's long-term key is MD5 by definition
                self.username + b":" + self.realm + b":" + self.password
            ).digest()
            attributes += _attribute(
                MESSAGE_INTEGRITY, hmac.new(key, header + attributes, hashlib.sha1).digest()
            )
        message = struct.pack("!HHI", method, len(attributes), MAGIC) + transaction + attributes
        try:
            data = self._exchange(message, transaction)
        except (OSError, ssl.SSLError) as exc:
            reason = "no answer" if isinstance(exc, TimeoutError) else str(exc)
            raise ProbeError(f"{self.address}: {reason}") from None
        if len(data) < 20 or struct.unpack_from("!I", data, 4)[0] != MAGIC:
            raise ProbeError(f"{self.address} did not answer in STUN/TURN")
        kind = struct.unpack_from("!H", data)[0]
        return kind, _attributes(data[20:])

    def _signed(self, method: int, attributes: bytes) -> int:
        kind, found = self._request(method, attributes)
        if _code(kind, found) == STALE_NONCE:  # once more with the fresh nonce
            self.nonce = found.get(NONCE, self.nonce)
            kind, found = self._request(method, attributes)
        return _code(kind, found)

    # -- what the check asks -------------------------------------------------------------

    def allocate(self) -> int:
        """Ask for a UDP relay: 0 when granted, else the server's error code (401: the
        credential was not accepted)."""
        transport = _attribute(REQUESTED_TRANSPORT, UDP_TRANSPORT)
        kind, found = self._request(ALLOCATE, transport, signed=False)
        if _code(kind, found) != UNAUTHORIZED:  # a server without authentication
            return _code(kind, found)
        self.realm, self.nonce = found.get(REALM, b""), found.get(NONCE, b"")
        return self._signed(ALLOCATE, transport)

    def create_permission(self, peer: str) -> int:
        """Ask to relay to ``peer`` (an IPv4 address): 0 when allowed, 403 when refused."""
        return self._signed(CREATE_PERMISSION, _attribute(XOR_PEER_ADDRESS, _xor_address(peer, 0)))

    def close(self) -> None:
        """Give the allocation back (Refresh with lifetime 0) and close the connection."""
        with contextlib.suppress(ProbeError, OSError):
            if self.nonce:
                self._request(REFRESH, _attribute(LIFETIME, b"\0\0\0\0"))
        self.sock.close()

    def __enter__(self) -> TurnClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
