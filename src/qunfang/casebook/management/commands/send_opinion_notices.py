from django.core.management.base import BaseCommand

from qunfang.casebook.opinions import send_held_notices


class Command(BaseCommand):
    help = (
        "Tell village directors about the anonymous opinion-book entries of the hours that are over "
        "(one message per village, no entry named); idempotent; run it hourly."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"sent {send_held_notices()} messages")
