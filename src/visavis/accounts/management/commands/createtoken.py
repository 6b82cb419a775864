from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from visavis.accounts.services import AccountError, issue_token


class Command(BaseCommand):
    help = "Print a new API token for a counselor (last line of the output)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--label", default="", help="a note to recognise the token by")

    def handle(self, *args, username, label, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            raw = issue_token(username=username, label=label)
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("Keep this token secret; it is shown only once.")
        self.stdout.write(raw)
