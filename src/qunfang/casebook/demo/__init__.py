"""Demo books for 枫桥镇: a year of the case register with the rhythms of real village work,
upward reports and their acknowledgements, daily and weekly situation reports with nil returns
(零上报), the mediation committee's book, safety inspections with rectification orders, and the
villagers' opinion book. One module per book; `township.py` holds what they share.

Rhythms that later analytics can find (`rhythms.py`):
- thefts and burglaries at night (22:00-04:00) and in the month before the Spring Festival;
- disputes in the evenings and at weekends, land disputes in the planting and harvest seasons,
  family quarrels and gambling around the festival;
- traffic accidents at commuting hours and on market days (逢三逢八), fires in the dry winter
  months, at Qingming and with the festival's fireworks, water hazards in summer;
- more cases in bigger villages (more villager groups; the town's communities), in a hot
  villager group or two, and at recurring places (村委会, 祠堂, 桥头, 老街口, 菜市场…) whose
  coordinates lie near the village's patrol points;
- some cases come from patrol findings (source_check_in), from the opinion book, or from a
  rectification order that was never carried out.

Every case has the book of moves the lifecycle (cases.TRANSITIONS) would have written
(`story.py`): one owner at every moment, hand-overs offered and answered, upward reports sent
by the owner and acknowledged by someone else (a few late, two overdue now), refused attempts,
reopenings. The moves never run past now: a case reported recently is still open where its
story stands.

The services stamp every line they write with the present moment, and a book is append-only:
a year that has already happened cannot be written through them. So the year is made in
memory from the context's random generator and written by `qunfang.core.bulk`, a few
statements per table (no history rows: like the patrol demo's past, the demo's books are its
starting point). What may be dated now goes through the services: the inspections planned for
the weeks ahead, the inbox's notices (`notify()`, dated by `notify.sent_at`) and the overdue
notices (their hourly task's function).
"""

from __future__ import annotations

from qunfang.casebook.demo.cases import CaseRegister
from qunfang.casebook.demo.current import open_now
from qunfang.casebook.demo.inspections import InspectionBook
from qunfang.casebook.demo.mediation import MediationBook
from qunfang.casebook.demo.opinions import OpinionBook
from qunfang.casebook.demo.reports import inbox, situation_reports
from qunfang.casebook.demo.rhythms import Calendar, spring_festival
from qunfang.casebook.demo.story import Story
from qunfang.casebook.demo.township import Township
from qunfang.casebook.models import CaseType, EscalationRule
from qunfang.casebook.reference import CASE_TYPES, ESCALATION_RULES
from qunfang.core.demo import DemoContext

__all__ = ["Books", "Calendar", "Township", "spring_festival", "step_casebook"]


class Books:
    """The casebook's year: every book made in memory, then written, then what follows from
    them (the situation reports, the inbox)."""

    def __init__(self, context: DemoContext):
        self.t = Township(context)
        self.mediation = MediationBook(self.t)
        self.story = Story(self.t, self.mediation)
        self.cases = CaseRegister(self.t, self.story)
        self.opinions = OpinionBook(self.cases, self.mediation)
        self.inspections = InspectionBook(self.cases)

    def run(self) -> None:
        self.t.load()
        self.opinions.build()
        self.cases.patrol_cases()
        self.cases.incidents()
        self.mediation.walk_ins()
        self.inspections.build()
        open_now(self.cases)
        self.cases.number()
        self.mediation.number()
        self.write()
        situation_reports(self.cases)
        inbox(self.cases)

    def write(self) -> None:
        """Each table after those it points at: opinions, cases with their books, mediations,
        inspections (an escalated order points at its case)."""
        self.opinions.write()
        self.cases.write()
        self.mediation.write()
        self.inspections.write()


def reference_lists() -> None:
    """The incident types and reporting rules of casebook/reference.py, as migration 0003
    seeds them (a test database's flush may have emptied them since)."""
    if CaseType.objects.exists():
        return
    types: dict[str | None, CaseType] = {}
    code: str | None  # a type's; a rule's, None for every type
    for order, (code, name, name_en, dispute) in enumerate(CASE_TYPES):
        types[code] = CaseType.objects.create(
            code=code, name=name, name_en=name_en, is_dispute=dispute, order=order
        )
    for code, severity, township, police, within in ESCALATION_RULES:
        EscalationRule.objects.create(
            case_type=types.get(code),
            min_severity=severity,
            to_township=township,
            to_police=police,
            within_minutes=within,
        )


def step_casebook(context: DemoContext) -> None:
    reference_lists()
    Books(context).run()
