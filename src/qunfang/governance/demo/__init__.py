"""The demo's governance year for 枫桥镇: the township's mandates, a year of meetings with
realistic gaps (most villages hold every meeting, one stopped in the summer), the rules each
organisation adopted, training courses and the selections of the year, and the year assessed
(schemes, letters, monthly runs, appeals, rewards and punishments, a contract settled). One
module per book, in the order they build on each other."""

from qunfang.core.demo import DemoContext
from qunfang.governance.demo import (
    assessment,
    bulletins,
    health,
    leadership,
    mandates,
    meetings,
    reports,
    rules,
    selection,
    supervision,
    training,
)


def step_governance(context: DemoContext) -> None:
    # supervision, leaders and reports are records the assessment reads; the bulletins draw on
    # the assessed year, and the health readings on everything before them
    for book in (
        mandates,
        meetings,
        rules,
        training,
        selection,
        leadership,
        supervision,
        reports,
        assessment,
        bulletins,
        health,
    ):
        book.step(context)
