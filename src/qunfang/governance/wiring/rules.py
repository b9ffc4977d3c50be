"""Menu entries, home panels and hooks into other apps; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.rules import rules_summary

    add([NavItem("governance:rule_list", _("Rules"), Perm.VIEW_GOVERNANCE)], order=440)
    # the village's home and the township's: organisations without the rules they must have
    PANELS.append(Panel("governance/rules/_panel.html", Perm.VIEW_GOVERNANCE, rules_summary))
