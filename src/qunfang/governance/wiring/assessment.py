"""Menu entries and home panels of assessment (考核), rewards and punishments (奖惩) and contract
settlement; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.assessment import assessment_summary

    add(
        [
            NavItem("governance:run_list", _("Assessment"), Perm.VIEW_GOVERNANCE),
            NavItem("governance:scheme_list", _("Assessment schemes"), Perm.VIEW_GOVERNANCE),
            NavItem("governance:sanction_list", _("Rewards and punishments"), Perm.VIEW_GOVERNANCE),
            NavItem("governance:settlement_list", _("Contract settlements"), Perm.VIEW_GOVERNANCE),
        ],
        order=460,
    )
    PANELS.append(
        Panel("governance/assessment/_panel.html", Perm.VIEW_GOVERNANCE, assessment_summary)
    )
