"""The demo's division of work: 枫桥镇 starts from the defaults (`reference.py`), then makes one
change of its own (fraud goes to the patrol teams, which meet the villagers on their rounds) and
leaves `other` to nobody, so the mandates page and the township's home panel show the flag.

The demo's village accounts are registry people too (the registry's demo names the holders of
their posts after them): the director and the mediator of 枫源村 and the director of 乐山村 sign
in as those people, so new cases and mediations there are offered to them first. Every other
village's organisations have nobody with an account, which the page flags, as it would in a
township that has just started. Through the services: a handful of rows, dated now."""

from __future__ import annotations

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.governance.selectors.mandates import CASE
from qunfang.governance.services.mandates import Owning, division_set, mandates_from_defaults
from qunfang.registry.models import Membership, OrgKind, Person

# (account, village, post title the registry's demo gave that account's person)
ACCOUNT_PEOPLE = (
    ("director1", VILLAGE_1, "治保主任"),
    ("mediator1", VILLAGE_1, "调解员"),
    ("director2", VILLAGE_2, "治保主任"),
)


def step(context: DemoContext) -> None:
    township, officer = context.township, context.accounts.get("township")
    if township is None or officer is None:
        return
    mandates_from_defaults(township=township, by=officer)
    division_set(
        township=township,
        owners=[
            Owning(CASE, "fraud", OrgKind.PATROL_TEAM),
            Owning(CASE, "other", ""),  # as the defaults have it: flagged on the page
        ],
        by=officer,
    )
    _link_accounts(context)


def _link_accounts(context: DemoContext) -> None:
    """Each account signs in as the person holding its post (named after it), unless it
    already signs in as someone."""
    linked = set(Person.objects.filter(account__isnull=False).values_list("account_id", flat=True))
    for username, code, title in ACCOUNT_PEOPLE:
        user = context.accounts.get(username)
        if user is None or user.pk in linked:
            continue
        holders = Membership.objects.filter(
            post__organisation__region__code=code,
            post__title=title,
            ended_on__isnull=True,
            person__account__isnull=True,
        ).select_related("person")
        membership = (
            next((m for m in holders if m.person.name == user.full_name), None) or holders.first()
        )
        if membership is not None:
            membership.person.account = user
            membership.person.save(update_fields=["account"])
            linked.add(user.pk)
