"""The one scoping mechanism: every region-owned model answers `.visible_to(user)`."""

import pytest
from django.apps import apps

from qunfang.core.models import Region, SecurityEvent, User, UserRole
from qunfang.core.scoping import RegionOwned


def _codes(queryset):
    return {r.code for r in queryset}


@pytest.mark.django_db
def test_each_user_sees_exactly_their_subtree(world):
    assert _codes(Region.objects.visible_to(world.director1)) == {"330681109290", "330681109290001"}
    assert _codes(Region.objects.visible_to(world.township_officer)) == {
        "330681109000",
        "330681109290",
        "330681109290001",
        "330681109291",
    }
    assert Region.objects.visible_to(world.admin).count() == Region.objects.count()
    assert set(User.objects.visible_to(world.director2)) == {world.director2, world.patrol2}


@pytest.mark.django_db
def test_inactive_or_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    world.township_officer.is_active = False
    assert not Region.objects.visible_to(world.township_officer).exists()
    assert not Region.objects.visible_to(AnonymousUser()).exists()


@pytest.mark.django_db
def test_a_user_without_jurisdiction_sees_nothing(world):
    world.police.region = None
    assert not User.objects.visible_to(world.police).exists()


# Models that belong to no region, each with the reason.
UNSCOPED = {
    "DemoStamp": "a marker row for the demo command; no data in it",
    "ScheduledRun": "which periodic task was queued for which time slot; no village's data, "
    "read and written only by the scheduler (core.schedule)",
    "CaseType": "reference list of incident types, the same for every village",
    "EscalationRule": "reference rules for upward reporting, the same for every village",
    "ChainHead": "each book chain's line count and last hash, no village's data; read by "
    "verify-books and the backup, and by the auditors' digest for their own regions",
}


def _qunfang_models():
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("qunfang.") and not m.__name__.startswith("Historical")
    ]


def _is_scoped(model):
    return hasattr(model, "region_lookup") and hasattr(model._default_manager.all(), "visible_to")


def test_every_model_is_scoped_or_explicitly_exempt():
    """A new model must offer `.visible_to(user)` (inherit RegionOwned, or a manager built on
    ScopedQuerySet) or be listed in UNSCOPED with a reason."""
    unscoped = {m.__name__ for m in _qunfang_models() if not _is_scoped(m)}
    assert unscoped == set(UNSCOPED)
    assert {Region, User, UserRole, SecurityEvent} <= set(filter(_is_scoped, _qunfang_models()))
    assert issubclass(SecurityEvent, RegionOwned)


@pytest.mark.django_db
def test_region_lookups_resolve(world):
    for model in filter(_is_scoped, _qunfang_models()):
        model._default_manager.visible_to(
            world.director1
        ).count()  # raises on a wrong region_lookup
