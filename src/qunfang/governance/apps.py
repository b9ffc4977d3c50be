from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "qunfang.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from qunfang.core.demo import DEMO_STEPS
        from qunfang.governance.wiring import (
            assessment,
            decisions,
            mandates,
            meetings,
            rules,
            selection,
            settlements,
            training,
        )

        for book in (
            meetings,
            decisions,
            training,
            selection,
            rules,
            mandates,
            assessment,
            settlements,
        ):
            book.connect()
        DEMO_STEPS.append("qunfang.governance.demo.step_governance")
