"""Menu entries and home panels of the supervision book; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.supervision import panel

    add(
        [
            NavItem("governance:supervision_visit_list", _("Supervision"), Perm.VIEW_GOVERNANCE),
            NavItem(
                "governance:supervision_task_list", _("Rectification tasks"), Perm.VIEW_GOVERNANCE
            ),
        ],
        order=470,
    )
    PANELS.append(Panel("governance/supervision/_panel.html", Perm.VIEW_GOVERNANCE, panel))
