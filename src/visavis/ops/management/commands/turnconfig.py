"""Print a coturn configuration that matches this visavis installation."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from visavis.rooms.turn import coturn_config


class Command(BaseCommand):
    help = "Print a turnserver.conf for coturn that matches visavis's TURN settings."

    def add_arguments(self, parser):
        parser.add_argument("--domain", default="turn.example.org",
                            help="public name of the TURN server (certificate name)")
        parser.add_argument("--external-ip", default=None,
                            help="public address, when coturn runs behind NAT")
        parser.add_argument("--listening-ip", default=None,
                            help="address to listen on (default: all)")
        parser.add_argument("--port", type=int, default=3478, help="TURN port (UDP and TCP)")
        parser.add_argument("--tls-port", type=int, default=443, help="TURN over TLS port")
        # 1,000 relay ports: with 12 allocations at most per participant, one participant
        # (or one link) can hold only a small part of them.
        parser.add_argument("--min-port", type=int, default=49160)
        parser.add_argument("--max-port", type=int, default=50159)
        parser.add_argument("--no-tls", action="store_true",
                            help="leave TLS out (only for trying it out locally)")
        parser.add_argument("--log-file", default="syslog")

    def handle(self, *args, **options):
        secret = settings.VISAVIS["TURN_SECRET"]
        if not secret:
            raise CommandError(
                "no TURN secret is configured: set VISAVIS_TURN_SECRET (or turn_secret in "
                "the config file) to a long random value first, e.g. `openssl rand -hex 32`"
            )
        if not 0 < options["min_port"] <= options["max_port"] < 65536:
            raise CommandError("the relay port range must satisfy 0 < --min-port <= --max-port")
        self.stdout.write(
            coturn_config(
                secret=secret,
                realm=settings.VISAVIS["TURN_REALM"],
                domain=options["domain"],
                external_ip=options["external_ip"],
                listening_ip=options["listening_ip"],
                port=options["port"],
                tls_port=None if options["no_tls"] else options["tls_port"],
                min_port=options["min_port"],
                max_port=options["max_port"],
                log_file=options["log_file"],
            ),
            ending="",
        )
