"""The menu. Each app adds its entries from its `ready()` with `add(items, order=…)`; an entry
shows only to users holding its permission. Entries fall into sections (`section(order,
label)`: a section holds the entries from its number up to the next section's), so the menu is
one short row of sections and, under it, the entries of the section the page is in — not a
row of forty links to scroll through on an office PC or a phone.

The menu reads in `order`, lower first: each app takes its own number and never names another
app's entries, so an app can be added or removed without moving the others. Entries added at
the same number keep the order they were given in.

    0     home
    100   registry          (organisations, people, households, contracts)
    200   patrols           (shifts, rosters, the patrol log, attendance, messages)
    300   casebook          (cases, mediation, inspections, opinions)
    400   governance        (meetings, decisions, training, appointments, rules, mandates)
    900   administration    (regions, accounts, the security log)

A new app takes a free number between its neighbours (funds, analytics: 500–800), and names its
sections."""

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import get_script_prefix, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from qunfang.core.roles import Perm

if TYPE_CHECKING:
    from qunfang.core.models import User

HOME_ORDER = 0
ADMINISTRATION_ORDER = 900


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    perm: str | None = None
    order: int = 0

    @property
    def url(self) -> str:
        return _reversed(self.url_name, get_script_prefix())


@functools.lru_cache(maxsize=256)
def _reversed(url_name: str, script_prefix: str) -> str:
    """The menu's links, reversed once per process (and mount point): the menu is on every
    page, and reversing its links was a tenth of a home page's time."""
    return reverse(url_name)


@dataclass(frozen=True)
class Section:
    order: int
    label: str | Promise


@dataclass(frozen=True)
class MenuSection:
    label: str | Promise
    items: list[NavItem]
    current: bool

    @property
    def url(self) -> str:
        return self.items[0].url


NAVIGATION: list[NavItem] = []
SECTIONS: list[Section] = []


def add(items: list[NavItem], *, order: int) -> None:
    """Called from an app's ready(): put its entries at `order` (see the table above)."""
    NAVIGATION.extend(NavItem(i.url_name, i.label, i.perm, order) for i in items)
    NAVIGATION.sort(key=lambda item: item.order)  # stable: one app's entries keep their order


def section(order: int, label: str | Promise) -> None:
    """Called from an app's ready(): the entries from `order` up to the next section's are
    shown together under `label`."""
    SECTIONS.append(Section(order, label))
    SECTIONS.sort(key=lambda s: s.order)


section(HOME_ORDER, _("Home"))
add([NavItem("home", _("Home"))], order=HOME_ORDER)
section(ADMINISTRATION_ORDER, _("Administration"))
add(
    [
        NavItem("core:region_list", _("Regions"), Perm.VIEW_REGIONS),
        NavItem("core:user_list", _("Accounts"), Perm.VIEW_USERS),
        NavItem("core:security_log", _("Security log"), Perm.VIEW_SECURITY_LOG),
    ],
    order=ADMINISTRATION_ORDER,
)


def items_for(user: "User") -> list[NavItem]:
    return [item for item in NAVIGATION if item.perm is None or user.can(item.perm)]


def current_item(items: list[NavItem], path: str) -> NavItem | None:
    """The entry the page at `path` belongs to: the one whose address is the longest start of
    it (a case's page belongs to the case register); the home entry only for the home page."""
    best: NavItem | None = None
    for item in items:
        url = item.url
        inside = path == url if url == get_script_prefix() else path.startswith(url)
        if inside and (best is None or len(url) > len(best.url)):
            best = item
    return best


def menu_for(user: "User", path: str) -> tuple[list[MenuSection], NavItem | None]:
    """The user's sections (those holding an entry they may open) and the page's entry."""
    items = items_for(user)
    here = current_item(items, path)
    grouped: dict[int, list[NavItem]] = {}
    for item in items:
        home = max((s.order for s in SECTIONS if s.order <= item.order), default=HOME_ORDER)
        grouped.setdefault(home, []).append(item)
    labels = {s.order: s.label for s in SECTIONS}
    return [
        MenuSection(labels.get(order, ""), entries, here in entries)
        for order, entries in sorted(grouped.items())
    ], here
