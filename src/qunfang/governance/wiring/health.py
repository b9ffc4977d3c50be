"""Menu entries and home panels of organisation health and the four in place (四落实);
connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.health import health_panel

    add(
        [
            NavItem("governance:health_overview", _("Organisation health"), Perm.VIEW_GOVERNANCE),
            NavItem("governance:four_overview", _("Four in place"), Perm.VIEW_GOVERNANCE),
        ],
        order=476,
    )
    PANELS.append(Panel("governance/health/_panel.html", Perm.VIEW_GOVERNANCE, health_panel))
