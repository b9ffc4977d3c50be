"""Menu entries and home panels of the bulletins book (通报); connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.bulletins import bulletin_summary

    add([NavItem("governance:bulletin_list", _("Bulletins"), Perm.VIEW_GOVERNANCE)], order=470)
    PANELS.append(Panel("governance/bulletins/_panel.html", Perm.VIEW_GOVERNANCE, bulletin_summary))
