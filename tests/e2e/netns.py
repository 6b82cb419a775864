"""A test host of our own: a network namespace joined to this machine by a veth pair.

Only addresses inside the pair are used (the shared testing recipe), and everything is
removed again at the end.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@dataclass
class TestHost:
    __test__ = False  # not a pytest test class

    name: str
    outside: str  # veth end on this machine
    inside: str  # veth end in the namespace
    outside_address: str
    inside_address: str
    impaired: bool = False  # impair() made a table on this machine's side: remove() drops it

    @classmethod
    def create(cls, folder: Path) -> TestHost:
        tag = secrets.token_hex(3)
        octet = 16 + secrets.randbelow(200)
        host = cls(
            name=f"vv{tag}",
            outside=f"vvo{tag}",
            inside=f"vvi{tag}",
            outside_address=f"10.231.{octet}.1",
            inside_address=f"10.231.{octet}.2",
        )
        _ip("netns", "add", host.name)
        try:
            _ip("link", "add", host.outside, "type", "veth", "peer", "name", host.inside)
            _ip("link", "set", host.inside, "netns", host.name)
            _ip("addr", "add", f"{host.outside_address}/29", "dev", host.outside)
            _ip("link", "set", host.outside, "up")
            host.run_inside("ip", "addr", "add", f"{host.inside_address}/29", "dev", host.inside)
            host.run_inside("ip", "link", "set", host.inside, "up")
            host.run_inside("ip", "link", "set", "lo", "up")
        except subprocess.CalledProcessError:
            host.remove()
            raise
        return host

    def run_inside(self, *command: str) -> None:
        _ip("netns", "exec", self.name, *command)

    def link(self, up: bool) -> None:
        """Take the namespace's only link down or bring it back (as a Wi-Fi drop would)."""
        self.run_inside("ip", "link", "set", self.inside, "up" if up else "down")

    def move(self) -> None:
        """Give the namespace a new address, as a phone gets one when it changes networks."""
        old = self.inside_address
        prefix, last = old.rsplit(".", 1)
        self.inside_address = f"{prefix}.{int(last) + 1}"
        # Delete first: removing a primary address takes its secondaries with it.
        self.run_inside("ip", "addr", "del", f"{old}/29", "dev", self.inside)
        self.run_inside("ip", "addr", "add", f"{self.inside_address}/29", "dev", self.inside)

    def chromium_wrapper(self, folder: Path, chromium: str) -> str:
        """An executable that starts Chromium inside the namespace, for Playwright."""
        wrapper = folder / f"chromium-in-{self.name}"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {self.name} {chromium} "$@"\n')
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        return str(wrapper)

    def impair(self, rate_kbit: int, loss_percent: float, queue_ms: int = 100) -> None:
        """Make the link a poor one, both ways: at most ``rate_kbit`` per direction (tbf
        on each end's way out, with a queue of ``queue_ms``) and ``loss_percent`` of the
        UDP packets (the media) dropped at random where they arrive (nftables on each
        end's ingress hook: a drop on the sender's way out would only make ``sendto()``
        fail, and the browser would simply send again). TCP (page loads, signalling) is
        slowed by the rate but not dropped. No delay or jitter: this kernel has no netem.
        Calling it again replaces the previous impairment."""
        qdisc = ["tc", "qdisc", "replace", "dev"]
        shape = ["root", "tbf", "rate", f"{rate_kbit}kbit", "burst", "4kb",
                 "latency", f"{queue_ms}ms"]
        subprocess.run([*qdisc, self.outside, *shape], check=True, capture_output=True)
        self.run_inside(*qdisc, self.inside, *shape)
        per_mille = round(loss_percent * 10)
        for device, inside in ((self.outside, False), (self.inside, True)):
            rules = (
                f"table netdev {self.name}\n"
                f"delete table netdev {self.name}\n"
                f"table netdev {self.name} {{\n"
                f"  chain loss {{\n"
                f'    type filter hook ingress device "{device}" priority 0; policy accept;\n'
                f"    ip protocol udp numgen random mod 1000 < {per_mille} drop\n"
                f"  }}\n"
                f"}}\n"
            )
            prefix = ["ip", "netns", "exec", self.name] if inside else []
            subprocess.run([*prefix, "nft", "-f", "-"], input=rules, check=True,
                           capture_output=True, text=True)
        self.impaired = True

    def remove(self) -> None:
        if self.impaired:  # the namespace's own table goes with the namespace
            subprocess.run(["nft", "delete", "table", "netdev", self.name], capture_output=True)
        subprocess.run(["ip", "link", "del", self.outside], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


def can_impair() -> bool:
    """Whether impair() can work: tc (iproute2) and nft (Debian's nftables package)."""
    return shutil.which("tc") is not None and shutil.which("nft") is not None


def can_make_namespaces() -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["ip", "netns", "list"], capture_output=True).returncode == 0
