import getpass
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from visavis.accounts.services import AccountError, create_counselor


class Command(BaseCommand):
    help = "Create a counselor account."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the login name (clients never see it)")
        parser.add_argument(
            "--display-name",
            default="",
            help="the name clients see in a call (default: a neutral 'Counselor'); the "
            "counselor can change it on their account page",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of asking",
        )

    def handle(self, *args, username, password_stdin, display_name, **options):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            try:
                password = getpass.getpass("Password: ")
                if password != getpass.getpass("Password (again): "):
                    raise CommandError("the passwords do not match")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("no password given") from None
        # The embedded database may be brand new: set it up first, quietly.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            create_counselor(username=username, password=password, display_name=display_name)
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Created counselor {username!r}.")
