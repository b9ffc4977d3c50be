"""Demo patrols for 枫桥镇: points, a route and shift patterns in every village, one rotation per
ten-household group, a joint zone (联勤互防), the farming calendar, a year of published monthly
rosters with their patrol logs (late starts, partial rounds, missed nights, excuses, swaps,
refused scans, findings) and the duty ledger, the current month rostered by the real solver,
and a draft for next month.

- `township.py`: what every part shares (clock, chance, villages, accounts, weather, seasons,
  pools and profiles);
- `ground.py`: the points, routes and patterns, the proof of presence, the joint zone;
- `turns.py`: how each turn of duty went, its scans and its lines in the duty ledger;
- `history.py`: the published past, rostered and logged in memory, written in bulk by
  `qunfang.core.bulk` so that the step stays well within a minute;
- `this_month.py`: the current month and next month's draft through the real services
  (generate, publish, check in, close, excuse, buy out, swap, remind).
"""

from qunfang.core.demo import DemoContext
from qunfang.core.demo.reference import VILLAGE_3
from qunfang.patrols.demo import ground
from qunfang.patrols.demo.history import History
from qunfang.patrols.demo.this_month import ThisMonth
from qunfang.patrols.demo.township import MONTHS, Township
from qunfang.patrols.demo.turns import Turns

__all__ = ["MONTHS", "VILLAGE_3", "step_patrols"]


def step_patrols(context: DemoContext) -> None:
    t = Township(context)
    t.set_up()
    ground.places(t)
    t.pools()
    ground.patterns(t)
    ground.zone(t)
    t.profiles()
    turns = Turns(t)
    History(t, turns).build()
    ThisMonth(t, turns).build()
