"""Menu entries, home panels and hooks into other apps; connected from `apps.ready()`."""

from django.utils.translation import gettext_lazy as _


def connect() -> None:
    from qunfang.casebook.selectors.cases import FIRST_OFFER
    from qunfang.core.dashboard import PANELS, Panel
    from qunfang.core.navigation import NavItem, add
    from qunfang.core.roles import Perm
    from qunfang.governance.selectors.mandates import first_offer, mandates_summary

    add([NavItem("governance:mandates_list", _("Mandates"), Perm.VIEW_GOVERNANCE)], order=450)
    # the township's flags: types nobody owns, villages that cannot take their share
    PANELS.append(
        Panel("governance/mandates/_panel.html", Perm.SUPERVISE_VILLAGES, mandates_summary)
    )
    # new cases and mediations are offered to the owning organisation's people first
    FIRST_OFFER.append(first_offer)
