"""The decisions' menu entry, home panel and section of a meeting's page; connected from
`apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.decisions import decision_summary
    from qunfang.governance.views.decisions import meeting_section
    from qunfang.governance.views.meetings import SECTIONS, Section

    add([NavItem("governance:decision_list", _("Decisions"), Perm.VIEW_GOVERNANCE)], order=410)
    # the village's overdue decisions for its director, every village's for the township
    PANELS.append(Panel("governance/decisions/_panel.html", Perm.VIEW_GOVERNANCE, decision_summary))
    SECTIONS.append(Section("governance/decisions/_meeting_section.html", meeting_section))
