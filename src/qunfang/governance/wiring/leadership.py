"""Menu entries and home panels of leaders' responsibility (领导责任制) and of 分类指导 and
rebuilding; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.leadership import leader_panel

    add(
        [
            NavItem("governance:leadership", _("Leaders' responsibility"), Perm.VIEW_GOVERNANCE),
            NavItem("governance:visit_list", _("Police guidance visits"), Perm.VIEW_GOVERNANCE),
            NavItem("governance:class_overview", _("Village classification"), Perm.VIEW_GOVERNANCE),
            NavItem("governance:plan_list", _("Rebuilding plans"), Perm.VIEW_GOVERNANCE),
        ],
        order=475,
    )
    # shown only to a township leader in charge of villages (an empty context hides it)
    # first on the home page: a leader in charge opens it to see their villages
    PANELS.insert(0, Panel("governance/leadership/_panel.html", Perm.VIEW_GOVERNANCE, leader_panel))
