"""Home-page panels. Each app registers its own from ready(); a panel shows only to users
holding its permission, and builds its context from scoped selectors (a few queries each)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qunfang.core.models import User


@dataclass(frozen=True)
class Panel:
    template: str
    perm: str
    context: Callable[["User"], dict[str, Any]]


PANELS: list[Panel] = []


def panels_for(user: "User") -> list[dict[str, Any]]:
    return [
        {"template": panel.template, **panel.context(user)}
        for panel in PANELS
        if user.can(panel.perm)
    ]
