"""A case's story, from its first line in the book to where it stands now: the moves of the
lifecycle (`cases.TRANSITIONS`) with one owner at every moment, hand-overs offered and answered,
upward reports sent by the owner and acknowledged by someone else, refused attempts and
reopenings, and, for a dispute, the mediation it goes to. Nothing runs past now: a case
reported recently is still open where its story stands.

The lines are made in memory (`Story.events`) and written with the year's other rows."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.utils.translation import gettext as _

from qunfang.casebook.demo.case_words import (
    ACCEPT_NOTES,
    CLOSE_NOTES,
    DECLINE_NOTES,
    HANDOVER_REASONS,
    IN_HAND_NOTES,
    INSTRUCTIONS,
    REFER_NOTES,
    REOPEN_NOTES,
    RESOLVED_NOTES,
)
from qunfang.casebook.demo.mediation import MediationBook, MediationDraft, milestone_note
from qunfang.casebook.demo.rhythms import RESOLVE_DAYS, ROUTES, days, hours, minutes
from qunfang.casebook.demo.township import Draft, Township
from qunfang.casebook.models import (
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
    Escalation,
    Level,
    Severity,
)
from qunfang.casebook.services.cases import REOPEN, TRANSITIONS
from qunfang.core.bulk import insert
from qunfang.core.demo.reference import STRONG_VILLAGES
from qunfang.core.models import User

S = CaseStatus
E = CaseEventKind


class Story:
    """Tells the cases' stories into one book of lines (`events`, in the order they happen)."""

    def __init__(self, t: Township, mediation_book: MediationBook):
        self.t, self.rng, self.now = t, t.rng, t.now
        self.mediation_book = mediation_book
        self.events: list[tuple[dt.datetime, int, CaseEvent]] = []
        self.deferred: list[tuple[CaseEvent, str, MediationDraft]] = []  # notes naming a mediation

    def event(self, d: Draft, kind: str, at: dt.datetime, by: User, **values) -> CaseEvent:
        event = CaseEvent(case=d.case, kind=kind, by=by, at=at, **values)
        self.events.append((at, len(self.events), event))
        return event

    def go(
        self,
        d: Draft,
        to: str,
        after: dt.timedelta | None = None,
        *,
        at: dt.datetime | None = None,
        note: str = "",
        outcome: str = "",
        by: User | None = None,
    ) -> bool:
        """One move of the transition table, as cases.move makes it; nothing past now."""
        if d.frozen:
            return False
        at = max(at or d.t + after, d.t + minutes(1))  # type: ignore[operator]  # at or after
        if at > self.now:
            d.frozen = True
            return False
        assert to in TRANSITIONS[d.status], (d.status, to)
        by = by or d.owner
        c = d.case
        before_status, before_owner = d.status, d.owner
        if to == S.CLOSED:
            assert outcome in CaseOutcome.values
            c.outcome, c.outcome_note, c.closed_at = outcome, note, at
        elif (d.status, to) == REOPEN:
            c.outcome, c.closed_at = "", None
            if by != d.owner:  # whoever reopens it holds it
                d.owner = c.owner = by
                d.owners.append((at, by))
        d.status = c.status = to
        self.event(
            d,
            E.TRANSITION,
            at,
            by,
            from_status=before_status,
            to_status=to,
            from_owner=before_owner,
            to_owner=d.owner,
            note=note,
        )
        d.t = at
        if to == S.ESCALATED:
            self.report_upward(d, at, None)
        if d.stop_after == to:
            d.frozen = True
        return True

    def close(self, d: Draft, outcome: str, after: dt.timedelta, note: str = "") -> bool:
        rng = self.rng
        if not d.frozen and rng.random() < 0.012:  # a refused attempt first, in the book
            at = d.t + after - minutes(rng.uniform(2, 30))
            if d.t < at <= self.now:
                mediator = next(iter(d.village.mediators), None)
                if mediator and mediator != d.owner and rng.random() < 0.5:
                    self.event(
                        d, E.REFUSED, at, mediator, note=_("Only the case's owner can change it.")
                    )
                else:
                    self.event(
                        d, E.REFUSED, at, d.owner, note=_("Closing a case needs an outcome.")
                    )
                self.t.stats["refused"] += 1
        return self.go(
            d, S.CLOSED, after, note=note or rng.choice(CLOSE_NOTES[outcome]), outcome=outcome
        )

    def plan_escalations(self, d: Draft) -> None:
        """What the rules require (as cases.plan_escalations): the tightest deadline per level."""
        c = d.case
        due: dict[str, int] = {}
        level: str
        for rule in self.t.rules:
            if (rule.case_type_id in (None, c.case_type.pk)) and rule.min_severity <= c.severity:
                for level, wanted in (
                    (Level.TOWNSHIP, rule.to_township),
                    (Level.POLICE, rule.to_police),
                ):
                    if wanted:
                        due[level] = min(due.get(level, rule.within_minutes), rule.within_minutes)
        for level, within in due.items():
            d.escalations[level] = Escalation(
                case=c, level=level, required=True, due_at=c.reported_at + minutes(within)
            )

    def report_upward(self, d: Draft, at: dt.datetime, level: str | None) -> None:
        """Send the due upward reports (or one level on demand), as cases.report_upward."""
        if at > self.now:
            return
        by = d.owner_at(at)
        if level:
            levels = [level]
        else:
            unsent = sorted(
                (e for e in d.escalations.values() if e.sent_at is None),
                key=lambda e: (e.due_at, e.level),
            )
            levels = [e.level for e in unsent] or [Level.TOWNSHIP]
        for lvl in levels:
            e = d.escalations.get(lvl)
            if e is None:
                e = d.escalations[lvl] = Escalation(
                    case=d.case, level=lvl, required=False, due_at=at
                )
            if e.sent_at:
                continue
            e.sent_at, e.sent_by = at, by
            self.event(d, E.ESCALATED, at, by, note=str(Level(lvl).label))
            self.acknowledge(d, e)

    def acknowledge(self, d: Draft, e: Escalation) -> None:
        """The receiving level acknowledges, mostly soon, a few late; never the sender."""
        rng = self.rng
        sent_at = cast(dt.datetime, e.sent_at)  # sent: only a sent report is acknowledged
        old = sent_at < self.now - days(2)
        first_late = not self.t.stats["acknowledged_late"] and sent_at < self.now - days(30)
        if old and (rng.random() < 0.07 or first_late):  # a few late, one at least
            at = max(e.due_at + hours(1) + minutes(rng.uniform(20, 900)), sent_at + minutes(10))
            self.t.stats["acknowledged_late"] += 1
        else:
            at = sent_at + minutes(rng.uniform(3, 50))
        if at > self.now:
            return
        receiver: User | None = self.t.police if e.level == Level.POLICE else self.t.township_user
        if receiver in (e.sent_by, d.owner_at(at)):
            receiver = self.t.admin  # the township's own report goes up to the county's office
        if receiver is None:
            return
        e.acknowledged_at, e.acknowledged_by = at, receiver
        self.event(d, E.ACKNOWLEDGED, at, receiver, note=str(Level(e.level).label))
        if rng.random() < (0.45 if e.level == Level.POLICE else 0.25):
            text = rng.choice(INSTRUCTIONS[e.level])
            e.instructions = text
            self.event(d, E.INSTRUCTION, at + minutes(rng.uniform(0, 5)), receiver, note=text)

    def send_time(self, d: Draft) -> dt.datetime:
        c = d.case
        due = min(e.due_at for e in d.escalations.values())
        # the demo's strong villages report on time (a late major report vetoes the month);
        # the roll is made for every village all the same, so the rest of the year is as before
        if (
            c.reported_at < self.now - days(3)
            and self.rng.random() < 0.05
            and d.village.region.code not in STRONG_VILLAGES
        ):
            self.t.stats["sent_late"] += 1
            return due + minutes(self.rng.uniform(10, 180))
        return c.reported_at + (due - c.reported_at) * self.rng.uniform(0.15, 0.8)

    def span(self, code: str) -> dt.timedelta:
        lo, hi = RESOLVE_DAYS[code]
        return days(lo + (hi - lo) * self.rng.random() ** 2)

    def route(self, d: Draft) -> str:
        weights = dict(ROUTES[d.code])
        if "mediate" in weights and d.village.mediators:  # a village with a mediator's account
            weights["mediate"] *= 2
        route = self.t.pick(weights)
        if route == "mediate":  # only a dispute goes to the committee (source_case_problem)
            real = d.village.mediators and d.a and d.b and d.case.case_type.is_dispute
            return "mediation" if real else "mediated_off"
        return route

    def registered(self, d: Draft) -> None:
        """The first line of the book, as cases.register_case writes it."""
        c = d.case
        d.t = c.reported_at
        self.event(d, E.REGISTERED, d.t, c.registered_by, to_status=S.REGISTERED, to_owner=d.owner)

    def tell(self, d: Draft, route: str = "") -> None:
        """The case's story from registration to where it stands now."""
        rng, c = self.rng, d.case
        self.registered(d)
        self.plan_escalations(d)
        route = route or self.route(d)
        required = bool(d.escalations)
        if not required and route != "mediation" and rng.random() < 0.015:  # a duplicate
            self.go(
                d,
                S.CLOSED,
                minutes(rng.uniform(20, 600)),
                note="重复登记，已并案",
                outcome=CaseOutcome.UNFOUNDED,
            )
            return
        if (
            not required
            and route != "mediation"
            and c.reported_at < self.now - days(20)
            and rng.random() < 0.006
        ):
            d.stop_after = rng.choice([S.IN_HAND, S.REFERRED])  # stuck: still open after weeks
            self.t.stats["stuck"] += 1
        major = c.severity >= Severity.MAJOR
        self.go(
            d,
            S.ACCEPTED,
            minutes(rng.uniform(2, 10) if required else rng.uniform(3, 45)),
            note=rng.choice(ACCEPT_NOTES),
        )
        if required:
            when = self.send_time(d)
            if major:
                self.go(d, S.ESCALATED, at=when, note="重大情况，按规定上报")
            else:
                self.report_upward(d, max(when, d.t + minutes(1)), None)
        self.go(d, S.IN_HAND, minutes(rng.uniform(10, 180)), note=rng.choice(IN_HAND_NOTES[d.code]))
        self.finish(d, route)
        if (
            d.status == S.CLOSED
            and c.closed_at is not None  # (closed: it has its time)
            and c.closed_at < self.now - days(30)
            and rng.random() < 0.01
        ):
            self.reopen(d)

    def finish(self, d: Draft, route: str) -> None:
        rng, code = self.rng, d.code
        if route == "resolve":
            self.go(d, S.RESOLVED, self.span(code), note=rng.choice(RESOLVED_NOTES[code]))
            self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 72)))
        elif route == "unfounded":
            self.close(d, CaseOutcome.UNFOUNDED, hours(rng.uniform(1, 30)))
        elif route == "not_resolved":
            self.close(d, CaseOutcome.NOT_RESOLVED, days(rng.uniform(3, 30)))
        elif route == "police":
            self.go(
                d,
                S.REFERRED,
                hours(rng.uniform(0.2, 12)),
                note=rng.choice(REFER_NOTES["traffic" if code == "traffic" else "police"]),
            )
            if Level.POLICE not in d.escalations and not d.frozen and rng.random() < 0.3:
                self.report_upward(d, d.t + minutes(rng.uniform(1, 10)), Level.POLICE)
            if d.owner == self.t.township_user and rng.random() < 0.15:
                reason = "涉嫌违法犯罪，移交派出所办理"  # the station takes the file over
                self.handover(d, self.t.police, hours(rng.uniform(1, 24)), reason)
            if rng.random() < 0.2:
                self.go(
                    d,
                    S.IN_HAND,
                    days(rng.uniform(1, 10)),
                    note="派出所反馈已查明，交回村里做好后续工作",
                )
                self.go(d, S.RESOLVED, self.span(code), note=rng.choice(RESOLVED_NOTES[code]))
                self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 48)))
            else:
                self.close(d, CaseOutcome.REFERRED_POLICE, days(rng.uniform(1, 20)))
        elif route == "township":
            if d.village.main and d.owner == d.village.holder and rng.random() < 0.5:
                self.handover(
                    d, self.t.township_user, hours(rng.uniform(1, 12)), "矛盾复杂，请乡镇牵头处理"
                )
            if d.status != S.ESCALATED:
                self.go(d, S.ESCALATED, hours(rng.uniform(1, 48)), note="情况复杂，上报乡镇")
            if rng.random() < 0.4:
                self.go(d, S.RESOLVED, self.span(code), note=rng.choice(RESOLVED_NOTES[code]))
                self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 48)))
            else:
                self.close(d, CaseOutcome.REFERRED_TOWNSHIP, days(rng.uniform(1, 10)))
        elif route == "mediated_off":
            self.go(
                d, S.REFERRED, hours(rng.uniform(1, 48)), note=rng.choice(REFER_NOTES["mediation"])
            )
            self.go(d, S.RESOLVED, days(rng.uniform(2, 15)), note="经村调委会调解，双方达成协议")
            self.close(d, CaseOutcome.MEDIATED, hours(rng.uniform(1, 48)))
        elif route == "mediation":
            self.mediate_case(d)

    def reopen(self, d: Draft) -> None:
        rng = self.rng
        by = self.t.township_user if d.village.main and rng.random() < 0.35 else d.owner
        if self.go(d, S.IN_HAND, days(rng.uniform(3, 30)), note=rng.choice(REOPEN_NOTES), by=by):
            self.t.stats["reopened"] += 1
        self.go(d, S.RESOLVED, self.span(d.code), note=rng.choice(RESOLVED_NOTES[d.code]))
        self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 48)))

    def handover(
        self, d: Draft, to: User, after: dt.timedelta, reason: str, *, decline: bool | None = None
    ) -> bool:
        """Offer the case to `to`; they accept (mostly), decline, or have not answered yet.
        True when `to` holds it now."""
        rng, c = self.rng, d.case
        at = d.t + after
        if any(e.sent_at is None or e.sent_at > at for e in d.escalations.values() if e.required):
            return False  # the rules' reports go up first, from the one who registered the case
        if any(e.acknowledged_by == to and e.acknowledged_at > at for e in d.escalations.values()):
            return False  # nor to whoever acknowledges one later: nobody acknowledges their own
        if d.frozen or at > self.now:
            d.frozen = True
            return False
        self.event(d, E.HANDOVER_OFFERED, at, d.owner, from_owner=d.owner, to_owner=to, note=reason)
        answer = at + hours(rng.uniform(0.5, 20))
        if answer > self.now:  # waiting for the receiver
            c.handover_to, c.handover_reason = to, reason
            d.t, d.frozen = at, True
            self.t.stats["handovers_waiting"] += 1
            return False
        d.t = answer
        if decline or (decline is None and rng.random() < 0.1):
            self.event(
                d,
                E.HANDOVER_DECLINED,
                answer,
                to,
                from_owner=d.owner,
                to_owner=d.owner,
                note=rng.choice(DECLINE_NOTES),
            )
            return False
        self.event(d, E.HANDOVER_ACCEPTED, answer, to, from_owner=d.owner, to_owner=to)
        d.owner = d.case.owner = to
        d.owners.append((answer, to))
        self.t.stats["handovers"] += 1
        return True

    def mediate_case(self, d: Draft) -> None:
        """A dispute in a village with a mediator's account goes to the mediation committee:
        handed to the mediator, referred, mediated; the case ends as the mediation does."""
        rng, v = self.rng, d.village
        mediator = v.mediators[0]
        if d.owner not in v.mediators and rng.random() < 0.7:
            self.handover(d, mediator, hours(rng.uniform(1, 24)), rng.choice(HANDOVER_REASONS))
        if not self.go(
            d, S.REFERRED, hours(rng.uniform(1, 30)), note=rng.choice(REFER_NOTES["mediation"])
        ):
            return
        applied = self.t.local(d.t).date()
        actor = d.owner if d.owner in v.mediators else mediator
        md = self.mediation_book.mediation(
            v,
            applied,
            d.sub or "other",
            d.a,  # type: ignore[arg-type]  # a dispute's two sides: both set
            d.b,  # type: ignore[arg-type]
            d.case.description,
            actor,
            case=d.case,
        )
        at = d.t + minutes(rng.uniform(1, 30))
        if at > self.now:
            return
        note = self.event(d, E.NOTE, at, actor)
        self.deferred.append((note, _("Taken to mediation: mediation case %(number)s."), md))
        d.t = at
        for day, what in md.milestones:
            at = max(self.t.office(day), d.t + minutes(1))
            if at > self.now:
                break
            note = self.event(d, E.NOTE, at, actor)
            self.deferred.append((note, what, md))
            d.t = at
            if what == "agreed" and d.status == S.REFERRED:
                self.go(d, S.RESOLVED, minutes(rng.uniform(5, 90)), note="调解成功，双方达成协议")
                self.close(d, CaseOutcome.MEDIATED, hours(rng.uniform(1, 72)))
            elif what == "referred" and d.status == S.REFERRED:
                self.close(
                    d,
                    CaseOutcome.REFERRED_TOWNSHIP,
                    minutes(rng.uniform(10, 240)),
                    note=f"调解不成，已引导当事人到{md.mediation.referred_to}解决",
                )

    def write(self) -> None:
        """The lines in the order they happened, the notes about mediations naming them."""
        for event, what, md in self.deferred:
            event.note = milestone_note(what, md.mediation)
        self.events.sort(key=lambda row: (row[0], row[1]))
        insert(CaseEvent, [row[2] for row in self.events])  # a book: chained as written
        self.t.stats["events"] = len(self.events)
