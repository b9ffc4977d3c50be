from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "qunfang.patrols"
    label = "patrols"
    verbose_name = _("Patrols")

    def ready(self) -> None:
        from qunfang.core.dashboard import PANELS, Panel
        from qunfang.core.demo import DEMO_STEPS
        from qunfang.core.navigation import NavItem, add, section
        from qunfang.core.roles import Perm
        from qunfang.patrols.selectors.records import patrol_summary

        section(200, _("Patrols"))
        add(
            [
                NavItem("patrols:my", _("My shifts"), Perm.PATROL),
                NavItem("patrols:roster_list", _("Rosters"), Perm.VIEW_PATROLS),
                NavItem("patrols:log_list", _("Patrol log"), Perm.VIEW_PATROLS),
                NavItem("patrols:attendance", _("Attendance"), Perm.VIEW_PATROLS),
                NavItem("patrols:notifications", _("Messages")),
            ],
            order=200,
        )
        PANELS.append(Panel("patrols/_panel.html", Perm.VIEW_PATROLS, patrol_summary))
        DEMO_STEPS.append("qunfang.patrols.demo.step_patrols")

        from qunfang.core.exports import EXPORTED_LISTS

        EXPORTED_LISTS.update(attendance=_("Attendance"), roster=_("Roster"))
