from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qunfang.registry"
    label = "registry"
    verbose_name = _("Registries")

    def ready(self) -> None:
        from qunfang.core.demo import DEMO_STEPS
        from qunfang.core.navigation import NavItem, add, section
        from qunfang.core.roles import Perm

        section(100, _("Organisation and people"))
        add(
            [
                NavItem("registry:organisation_list", _("Organisations"), Perm.VIEW_REGISTRY),
                NavItem("registry:person_list", _("People"), Perm.VIEW_REGISTRY),
                NavItem("registry:household_list", _("Households"), Perm.VIEW_REGISTRY),
                NavItem("registry:group_list", _("Ten-household groups"), Perm.VIEW_REGISTRY),
                NavItem("registry:contract_list", _("Security contracts"), Perm.VIEW_REGISTRY),
                NavItem("registry:due_list", _("Vetting and training due"), Perm.VIEW_REGISTRY),
            ],
            order=100,
        )
        DEMO_STEPS.append("qunfang.registry.demo.step_registry")

        from qunfang.core.dashboard import PANELS, Panel
        from qunfang.registry.selectors import registry_summary

        PANELS.append(Panel("registry/_panel.html", Perm.VIEW_REGISTRY, registry_summary))

        from qunfang.core.exports import EXPORTED_LISTS
        from qunfang.registry.spreadsheets import LAYOUTS

        EXPORTED_LISTS.update({key: layout.label for key, layout in LAYOUTS.items()})
