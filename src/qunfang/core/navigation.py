"""The menu. Each app adds its entries here; an entry shows only to users holding its permission."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qunfang.core.roles import Perm


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    perm: str | None = None


NAVIGATION: list[NavItem] = [
    NavItem("home", _("Home")),
    NavItem("core:region_list", _("Regions"), Perm.VIEW_REGIONS),
    NavItem("core:user_list", _("Accounts"), Perm.VIEW_USERS),
    NavItem("core:security_log", _("Security log"), Perm.VIEW_SECURITY_LOG),
]


def add_after(url_name: str, items: list[NavItem]) -> None:
    """Called from an app's ready(): put its entries after an existing one."""
    position = next(i for i, item in enumerate(NAVIGATION) if item.url_name == url_name) + 1
    NAVIGATION[position:position] = items


def items_for(user) -> list[NavItem]:
    return [item for item in NAVIGATION if item.perm is None or user.can(item.perm)]
