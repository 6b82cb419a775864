from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from visavis.appointments.services import purge


class Command(BaseCommand):
    help = (
        "Delete appointments (and everything attached to them) that ended more than "
        "retention_days ago. The running server does this once a day by itself."
    )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        deleted = purge()
        days = settings.VISAVIS["RETENTION_DAYS"]
        self.stdout.write(
            f"Deleted {deleted} appointment(s) that ended more than {days} days ago."
        )
