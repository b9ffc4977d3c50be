"""Menu entry and home panels of the work reports to villagers; connected from `apps.ready()`.
A village's panel says whether last month's report is published; a township's shows each
village's satisfaction over the last months. The assessment indicator is registered in
`assessment/indicators/villagers.py`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.reports import reports_summary

    add(
        [NavItem("governance:report_list", _("Work reports to villagers"), Perm.VIEW_GOVERNANCE)],
        order=478,
    )
    PANELS.append(Panel("governance/reports/_panel.html", Perm.VIEW_GOVERNANCE, reports_summary))
