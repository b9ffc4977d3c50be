from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "qunfang.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from qunfang.core.demo import DEMO_STEPS
        from qunfang.core.navigation import section
        from qunfang.governance.wiring import (
            assessment,
            bulletins,
            decisions,
            health,
            leadership,
            mandates,
            meetings,
            reports,
            rules,
            selection,
            settlements,
            supervision,
            training,
        )

        section(400, _("Governance"))
        section(460, _("Assessment and rewards"))
        section(470, _("Supervision and guidance"))
        for book in (
            meetings,
            decisions,
            training,
            selection,
            rules,
            mandates,
            assessment,
            settlements,
            supervision,
            bulletins,
            leadership,
            health,
            reports,
        ):
            book.connect()
        DEMO_STEPS.append("qunfang.governance.demo.step_governance")
