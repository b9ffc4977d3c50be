from django.core.management.base import BaseCommand

from qunfang.core.notify import send_digests


class Command(BaseCommand):
    help = "E-mail the daily digest of messages to users who chose it (at most once a day each; run it daily)."

    def handle(self, *args, **options):
        self.stdout.write(f"sent {send_digests()} digests")
