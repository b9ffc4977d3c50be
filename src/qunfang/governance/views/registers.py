"""The governance books on paper: the minutes book (会议记录簿) of a village, one row per meeting
held in the period (a year by default), through the register kit (core/registers.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponseBase
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qunfang.core.http import SignedInRequest
from qunfang.core.models import Region
from qunfang.core.permissions import permission_required
from qunfang.core.registers import Column, DateRange, RegisterView
from qunfang.core.roles import Perm
from qunfang.governance.models import DecisionStatus, Meeting
from qunfang.governance.selectors.decisions import register_meetings

MINUTES_SHOWN = 80  # characters of the minutes a row carries; the meeting's page has them all


class MinutesRegister(RegisterView):
    """The minutes book (会议记录簿) of a village for a period, as bound paper: each meeting
    held, who chaired it, who came, what the minutes say and what was decided."""

    key = "minutes"
    title = gettext_lazy("Minutes book (会议记录簿)")
    choose_text = gettext_lazy("Choose a village: the minutes book is kept per village.")
    empty_text = gettext_lazy("No meetings held in this period.")
    columns = (
        Column(gettext_lazy("Date"), "pr-col-date"),
        Column(gettext_lazy("Organisation"), "gm-org"),
        Column(gettext_lazy("Kind"), "gm-short"),
        Column(gettext_lazy("Title"), "gm-title"),
        Column(gettext_lazy("Chair"), "gm-short"),
        Column(gettext_lazy("Present / invited"), "gm-short"),
        Column(gettext_lazy("Minutes"), "gm-wide"),
        Column(gettext_lazy("Decisions"), "gm-wide"),
    )
    cells_template = "governance/registers/_minutes_cells.html"
    back_url_name = "governance:decision_list"
    nav_template = "governance/decisions/_nav.html"
    period = DateRange(default="year")
    rows_per_sheet = 5  # rows carry minutes and decisions: taller than a case's
    keeper = gettext_lazy("Recorded by (signature) (记录人签字)")
    css_class = "gov-minutes"  # its column widths (print.css)

    def items(self, village: Region, first: dt.date, last: dt.date) -> Sequence[Meeting]:
        rows: list[Any] = list(
            register_meetings(self.request.user, village=village, first=first, last=last)
        )
        for meeting in rows:
            minutes = " ".join(meeting.minutes.split())
            meeting.excerpt = (
                minutes if len(minutes) <= MINUTES_SHOWN else minutes[: MINUTES_SHOWN - 1] + "…"
            )
            meeting.decision_rows = list(meeting.decisions.all())
        return rows

    def closing_note(self, items: Sequence[Any]) -> str:
        if not items:
            return ""
        invited = sum(m.invited for m in items)
        present = sum(m.present for m in items)
        decisions = [d for m in items for d in m.decision_rows]
        done = sum(d.status == DecisionStatus.DONE for d in decisions)
        meetings = ngettext("%(n)d meeting held", "%(n)d meetings held", len(items)) % {
            "n": len(items)
        }
        attendance = _("attendance %(present)d of %(invited)d (%(share)d%%)") % {
            "present": present,
            "invited": invited,
            "share": round(100 * present / invited) if invited else 0,
        }
        taken = ngettext(
            "%(n)d decision, %(done)d done", "%(n)d decisions, %(done)d done", len(decisions)
        ) % {"n": len(decisions), "done": done}
        return format_html("{}；{}；{}。", meetings, attendance, taken)


@permission_required(Perm.VIEW_GOVERNANCE)
def minutes_register_print(request: SignedInRequest) -> HttpResponseBase:
    return MinutesRegister.as_view()(request)
