"""Menu entries, home panels and hooks into other apps; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _

from qunfang.core.dashboard import PANELS, Panel
from qunfang.core.navigation import NavItem, add
from qunfang.core.roles import Perm

TRAINING_ORDER = 420


def connect() -> None:
    from qunfang.governance.selectors.training import training_summary

    add(
        [NavItem("governance:course_list", _("Training"), Perm.VIEW_GOVERNANCE)],
        order=TRAINING_ORDER,
    )
    PANELS.append(Panel("governance/training/_panel.html", Perm.VIEW_GOVERNANCE, training_summary))
