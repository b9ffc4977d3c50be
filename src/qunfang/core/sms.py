"""SMS (reminders, notifications), behind a gateway interface that is off by default.

Set QUNFANG_SMS_GATEWAY to the dotted path of a class with ``send(phone, text)`` (a
provider's adapter) to switch it on."""

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def gateway() -> SmsGateway | None:
    path = settings.QUNFANG_SMS_GATEWAY
    return import_string(path)() if path else None
