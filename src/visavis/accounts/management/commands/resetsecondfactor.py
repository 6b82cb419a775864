from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from visavis.accounts import second_factor


class Command(BaseCommand):
    help = (
        "Remove a counselor's second factor (authenticator app and recovery codes), "
        "for one who lost both. They log in with the password alone, then set it up anew."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        second_factor.disable(user)
        self.stdout.write(f"Removed the second factor of {username!r}.")
