"""`qunfang close-shifts`: settle every shift that ended more than the grace period ago as
served / late / partial / missed from its check-ins. Idempotent; run it from cron."""

from django.core.management.base import BaseCommand

from qunfang.patrols import checkin


class Command(BaseCommand):
    help = "Close the shifts that have ended: record how each ended from its check-ins."

    def handle(self, *args, **options):
        closed = checkin.close_due()
        self.stdout.write(f"shifts closed: {closed}")
