"""Menu entries, home panels and hooks into other apps; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.selection import selection_summary

    add(
        [NavItem("governance:selection_list", _("Appointments"), Perm.VIEW_GOVERNANCE)],
        order=430,
    )
    # candidacies awaiting the user's decision: the village committee's or the township's
    PANELS.append(Panel("governance/selection/_panel.html", Perm.RUN_GOVERNANCE, selection_summary))
