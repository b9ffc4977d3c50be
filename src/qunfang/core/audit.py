"""Writing the security log. Every caller goes through `security_event_record`."""

from typing import Any

from django.http import HttpRequest

from qunfang.core.clientaddr import client_address
from qunfang.core.models import Region, SecurityEvent, SecurityEventKind, User


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    actor: User | None = None,
    region: Region | None = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent:
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.username if user else ""),
        actor=actor,
        region=region or (user.region if user else None),
        ip_address=client_address(request),
        detail=detail or {},
    )


def reveal_record(
    *, viewer: User, record: Any, field: str, label: str = "", request: HttpRequest | None = None
) -> SecurityEvent:
    """The line a reveal of a whole value writes: who saw which field of which record — the
    record's id, never the value."""
    return security_event_record(
        kind=SecurityEventKind.PERSONAL_DATA_REVEALED,
        request=request,
        actor=viewer,
        region=record.region,
        username=label or str(record),
        detail={"field": field, "record": record._meta.label, "id": record.pk},
    )
