"""`qunfang send-reminders`: remind each member of a published shift that starts within
QUNFANG_REMINDER_HOURS, once (in-app, by email when the account has an address, and by SMS
when a gateway is configured). Safe to run every few minutes from cron."""

from django.conf import settings
from django.core.management.base import BaseCommand

from qunfang.core import sms
from qunfang.patrols import services


class Command(BaseCommand):
    help = "Send shift reminders that are due (each shift is reminded once)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None,
                            help="Remind shifts starting within this many hours (default: QUNFANG_REMINDER_HOURS).")  # fmt: skip

    def handle(self, *args, hours=None, **options):
        hours = hours or settings.QUNFANG_REMINDER_HOURS
        sent = services.send_reminders(hours=hours, sms=sms.gateway())
        self.stdout.write(f"reminders sent: {sent}")
