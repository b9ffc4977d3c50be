"""The meetings' menu entry and home panel; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.meetings import meetings_summary

    add([NavItem("governance:meeting_list", _("Meetings"), Perm.VIEW_GOVERNANCE)], order=400)
    # the meetings coming this week, and those that fell due and were not held: the village's
    # list for its director, a line per village for the township
    PANELS.append(Panel("governance/meetings/_panel.html", Perm.VIEW_GOVERNANCE, meetings_summary))
