from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasebookConfig(AppConfig):
    name = "qunfang.casebook"
    label = "casebook"
    verbose_name = _("Registration books")

    def ready(self) -> None:
        from qunfang.casebook.selectors.cases import case_summary
        from qunfang.casebook.selectors.inspections import inspection_summary
        from qunfang.casebook.selectors.mediation import mediation_summary
        from qunfang.casebook.services.patrol_findings import open_case_from_check_in
        from qunfang.core.dashboard import PANELS, Panel
        from qunfang.core.demo import DEMO_STEPS
        from qunfang.core.navigation import NavItem, add, section
        from qunfang.core.roles import Perm
        from qunfang.patrols.services.hooks import FINDING_HANDLERS

        section(300, _("Cases and books"))
        add(
            [
                NavItem("casebook:case_list", _("Case register"), Perm.VIEW_BOOKS),
                NavItem("casebook:mediation_list", _("Mediation"), Perm.VIEW_BOOKS),
                NavItem("casebook:inspection_list", _("Safety inspections"), Perm.VIEW_BOOKS),
                NavItem("casebook:opinion_list", _("Opinion book"), Perm.VIEW_BOOKS),
            ],
            order=300,
        )
        PANELS.append(Panel("casebook/cases/_panel.html", Perm.VIEW_BOOKS, case_summary))
        PANELS.append(
            Panel("casebook/mediation/_panel.html", Perm.HANDLE_MEDIATION, mediation_summary)
        )
        PANELS.append(
            Panel("casebook/inspections/_panel.html", Perm.VIEW_BOOKS, inspection_summary)
        )
        FINDING_HANDLERS.append(open_case_from_check_in)
        DEMO_STEPS.append("qunfang.casebook.demo.step_casebook")
