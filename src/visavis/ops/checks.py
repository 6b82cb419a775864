"""``visavis check``: visavis's own system checks, beside Django's.

Plain ``visavis check`` reads the configuration and the files in the data directory and
connects to nothing, so it is fast and safe anywhere. ``visavis check --deploy`` also
connects to what the service needs (the database, Redis, the TURN server, the SMTP
server) and asks each for what visavis will ask of it. Every finding has an id
(``visavis.E0xx`` errors, ``W`` warnings, ``I`` notes) and a hint saying what to do;
an error makes the command exit with status 1. docs/deploy.md lists them.
"""

from __future__ import annotations

import smtplib
import ssl
import stat
from pathlib import Path

import psycopg
import redis
from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError

from visavis import config as config_
from visavis.ops import turnprobe
from visavis.rooms.turn import turn_credential

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Peers a relay must refuse (rooms/turn.py DENIED_PEER_RANGES): loopback, the private
# ranges, carrier-grade NAT and link-local (where cloud metadata services answer).
PRIVATE_PEERS = ["127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "100.64.0.1",
                 "169.254.169.254"]
# The user part of the probe's TURN credential, so coturn's log says who allocated.
PROBE_USER = "visavis-check"
NETWORK_TIMEOUT = 5


# -- configuration and files (plain `visavis check`) ----------------------------------


@checks.register("visavis")
def secret_files(app_configs=None, **kwargs):
    """The generated secret key is readable by visavis's user only; the configuration
    file (it may hold the TURN secret and passwords) not by everyone."""
    found = []
    key = Path(settings.DATA_DIR) / "secret_key"
    if not settings.CONFIG.secret_key and key.exists():
        mode = stat.S_IMODE(key.stat().st_mode)
        if mode & 0o077:
            found.append(checks.Error(
                f"The secret key file {key} can be read by other users (mode {mode:o}).",
                hint=f"Run: chmod 600 {key}",
                id="visavis.E010",
            ))
    config_file = config_._config_file()
    if config_file.exists():
        mode = stat.S_IMODE(config_file.stat().st_mode)
        if mode & 0o004:
            found.append(checks.Warning(
                f"The configuration file {config_file} can be read by every user "
                f"(mode {mode:o}); it may hold the TURN secret and passwords.",
                hint=f"Run: chmod 640 {config_file} (group: the user visavis runs as)",
                id="visavis.W011",
            ))
    return found


@checks.register("visavis")
def allowed_hosts(app_configs=None, **kwargs):
    """Entries Django would never match, and a wildcard that lets any Host header in."""
    found = []
    for host in settings.ALLOWED_HOSTS:
        if _never_matches(host):
            found.append(checks.Error(
                f"allowed_hosts contains {host!r}, which never matches: it takes host "
                "names only.",
                hint="Write the bare name, e.g. \"video.example.org\" (no https://, port "
                     "or path); origins belong in csrf_trusted_origins.",
                id="visavis.E020",
            ))
        elif host == "*":
            found.append(checks.Warning(
                "allowed_hosts contains \"*\": visavis answers to any host name, so links "
                "in password reset e-mails can be made to point elsewhere.",
                hint="List your public host name instead, e.g. [\"video.example.org\"].",
                id="visavis.W021",
            ))
    return found


def _never_matches(host: str) -> bool:
    """Django compares the request's host without its port, IPv6 in brackets."""
    if "://" in host or "/" in host:
        return True
    return not host.endswith("]") if host.startswith("[") else ":" in host


@checks.register("visavis")
def turn_settings(app_configs=None, **kwargs):
    urls = settings.VISAVIS["TURN_URLS"]
    if any(u.startswith(("turn:", "turns:")) for u in urls) and not settings.VISAVIS[
        "TURN_SECRET"
    ]:
        return [checks.Warning(
            "turn_urls names a TURN server but turn_secret is not set, so browsers get no "
            "TURN credentials and the relay is never used.",
            hint="Set turn_secret to coturn's static-auth-secret (`visavis turnconfig` "
                 "writes a matching coturn configuration).",
            id="visavis.W030",
        )]
    return []


@checks.register("visavis", deploy=True)
def public_address(app_configs=None, **kwargs):
    """In production visavis sits behind a TLS proxy and answers to a public name."""
    found = []
    if set(settings.ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
        found.append(checks.Warning(
            "allowed_hosts names only this machine (127.0.0.1, localhost): requests for "
            "your public host name are refused with 400 Bad Request.",
            hint="Add your public host name: allowed_hosts = [\"video.example.org\"].",
            id="visavis.W022",
        ))
    if not settings.VISAVIS["BEHIND_TLS_PROXY"]:
        found.append(checks.Warning(
            "behind_tls_proxy is off: visavis does not believe the proxy's "
            "X-Forwarded-Proto header, so it takes every request for plain HTTP (cookies "
            "without Secure, no HSTS, form posts from https:// refused as cross-origin) "
            "and counts the abuse limits per proxy instead of per client.",
            hint="Behind nginx (docs/deploy.md), set behind_tls_proxy = true and have the "
                 "proxy send X-Forwarded-Proto and X-Forwarded-For.",
            id="visavis.W023",
        ))
    return found


# -- what the service connects to (`visavis check --deploy` only) ----------------------


@checks.register("visavis", deploy=True)
def database(app_configs=None, **kwargs):
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        if connection.vendor == "postgresql":
            _connect_postgresql(connection.settings_dict)
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except (DatabaseError, psycopg.Error) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
        return [checks.Error(
            f"The database cannot be reached: {config_._without_password(reason)}",
            hint="Check database_url (host, port, name, user, password) and that "
                 "PostgreSQL runs and lets this user in.",
            id="visavis.E040",
        )]
    finally:
        if connection.connection is not None:  # close() alone would open the pool
            connection.close()
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return [checks.Error(
            f"The database is not up to date: {len(plan)} migration(s) not applied "
            f"({names}{more}).",
            hint="Run `visavis migrate` (`visavis serve` also does it when it starts).",
            id="visavis.E041",
        )]
    return []


def _connect_postgresql(database: dict) -> None:
    """One connection of its own, outside the pool: the pool would only say that it got
    none in time, psycopg says why (refused, no such database, wrong password)."""
    options = {k: v for k, v in database.get("OPTIONS", {}).items() if k != "pool"}
    psycopg.connect(
        dbname=database["NAME"], user=database.get("USER") or None,
        password=database.get("PASSWORD") or None, host=database.get("HOST") or None,
        port=database.get("PORT") or None, connect_timeout=NETWORK_TIMEOUT, **options,
    ).close()


@checks.register("visavis", deploy=True)
def redis_server(app_configs=None, **kwargs):
    """The channel layer (and cache) in Redis answers; the in-memory layer always does."""
    url = settings.VISAVIS["REDIS_URL"]
    if not url:
        return []
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=NETWORK_TIMEOUT, socket_timeout=NETWORK_TIMEOUT
        )
        with client:
            client.ping()
    except redis.RedisError as exc:
        return [checks.Error(
            f"Redis at {config_._without_password(url)} cannot be reached: "
            f"{config_._without_password(str(exc))}",
            hint="Start Redis, or correct redis_url (host, port, password). Without it "
                 "no signalling message reaches another process.",
            id="visavis.E050",
        )]
    return []


@checks.register("visavis", deploy=True)
def turn_relay(app_configs=None, **kwargs):
    """Each TURN server answers, takes visavis's credentials and refuses private peers;
    its clock is compared with ours through the credentials' expiry."""
    config = settings.VISAVIS
    addresses = [a for a in map(turnprobe.parse_url, config["TURN_URLS"]) if a]
    if not addresses or not config["TURN_SECRET"]:
        return [checks.Info(
            "The clock was not compared with another server (no TURN server configured), "
            "and visavis contacts no other one.",
            hint="Keep the clock in sync (systemd-timesyncd or chrony): appointment times "
                 "and second-factor codes depend on it.",
            id="visavis.I069",
        )]
    found = []
    peers_probed = False
    for address in addresses:
        problems, granted = _probe(address, probe_peers=not peers_probed)
        found += problems
        peers_probed = peers_probed or granted
    return found


def _probe(address: turnprobe.TurnAddress, *, probe_peers: bool):
    """Findings for one TURN server, and whether an allocation was granted."""
    secret, ttl = settings.VISAVIS["TURN_SECRET"], settings.VISAVIS["TURN_CREDENTIAL_TTL"]
    # coturn refuses a credential whose expiry has passed by its own clock. Shortest first:
    # granted at 60 s, its clock is at most a minute ahead of ours; granted only at the
    # browsers' lifetime, it is further ahead; only at 7 days, every browser is refused.
    lifetimes = sorted({60, ttl, 7 * 24 * 3600})
    try:
        for lifetime in lifetimes:
            username, password = turn_credential(secret=secret, user=PROBE_USER, ttl=lifetime)
            with turnprobe.TurnClient(address, username=username, password=password,
                                      timeout=NETWORK_TIMEOUT) as client:
                code = client.allocate()
                if code == 0:
                    allowed = ([p for p in PRIVATE_PEERS if client.create_permission(p) == 0]
                               if probe_peers else [])
                    break
            if code != turnprobe.UNAUTHORIZED:
                return [checks.Error(
                    f"The TURN server {address} refused a relay with error {code}.",
                    hint="See coturn's log (log-file in turnserver.conf) for the reason.",
                    id="visavis.E064",
                )], False
    except turnprobe.ProbeError as exc:
        return [checks.Error(
            f"The TURN server cannot be reached: {exc}.",
            hint="Check that coturn runs, that turn_urls names its address and port, and "
                 "that the firewall lets them through (docs/deploy.md, Firewall).",
            id="visavis.E060",
        )], False
    if code != 0:
        return [checks.Error(
            f"The TURN server {address} does not accept visavis's credentials.",
            hint="turn_secret must equal static-auth-secret in turnserver.conf (with "
                 "use-auth-secret); `visavis turnconfig` writes a matching file. Restart "
                 "coturn after changing it. (Or its clock is more than a week ahead.)",
            id="visavis.E061",
        )], False
    found = []
    if lifetime > ttl:
        found.append(checks.Error(
            f"The TURN server {address}'s clock is ahead of this machine's by more than "
            f"turn_credential_ttl ({ttl} s): it refuses every browser's credential as expired.",
            hint="Keep both clocks in sync (systemd-timesyncd or chrony).",
            id="visavis.E062",
        ))
    elif lifetime > 60:
        found.append(checks.Warning(
            f"The TURN server {address}'s clock is more than a minute ahead of this "
            "machine's: browsers' credentials expire early.",
            hint="Keep both clocks in sync (systemd-timesyncd or chrony).",
            id="visavis.W063",
        ))
    if allowed:
        found.append(checks.Error(
            f"The TURN server {address} relays to private and loopback addresses "
            f"({', '.join(allowed)}): anyone with a credential can reach into your networks.",
            hint="Use the denied-peer-ip lines `visavis turnconfig` writes, remove "
                 "allow-loopback-peers, and restart coturn.",
            id="visavis.E065",
        ))
    return found, True


@checks.register("visavis", deploy=True)
def smtp(app_configs=None, **kwargs):
    """The SMTP server answers EHLO (and STARTTLS when configured). No login, no mail."""
    cfg = settings.CONFIG
    if not cfg.email_host:
        return []
    where = f"{cfg.email_host}:{cfg.email_port}"
    try:
        if cfg.email_use_ssl:
            server = smtplib.SMTP_SSL(cfg.email_host, cfg.email_port, timeout=NETWORK_TIMEOUT)
        else:
            server = smtplib.SMTP(cfg.email_host, cfg.email_port, timeout=NETWORK_TIMEOUT)
        with server:
            code, _ = server.ehlo()
            if code != 250:
                raise smtplib.SMTPResponseException(code, "EHLO refused")
            if cfg.email_use_tls and not cfg.email_use_ssl:
                server.starttls(context=ssl.create_default_context())
    except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
        reason = "no answer" if isinstance(exc, TimeoutError) else str(exc) or repr(exc)
        return [checks.Error(
            f"The SMTP server {where} does not work: {reason}.",
            hint="Check email_host, email_port and email_use_tls/email_use_ssl (587: "
                 "STARTTLS, 465: SSL), or unset email_host to send no e-mail.",
            id="visavis.E070",
        )]
    return []
