"""The demo's year of books: a reduced township (枫源村, 乐山村, a community and one more
village) built by the real demo steps, then checked for consistency: every case's book
replays to its status and owner, the rules' upward reports exist and were sent and
acknowledged by the right people, the rhythms are there, the situation reports count what the
register held, and the mediation, inspection and opinion books keep their own rules."""

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest
from django.db.models import F, Q
from django.utils import timezone

from qunfang.casebook.demo import Calendar, Township, spring_festival, step_casebook
from qunfang.casebook.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseStatus,
    ChecklistItem,
    Escalation,
    Hazard,
    Inspection,
    InspectionStatus,
    Level,
    MediationCase,
    MediationStatus,
    Opinion,
    OpinionStatus,
    OrderStatus,
    RectificationOrder,
    ReporterKind,
    ReportPeriod,
    SituationReport,
)
from qunfang.casebook.selectors.cases import overdue_escalations
from qunfang.casebook.services.cases import REOPEN, TRANSITIONS, can_hold, rules_for
from qunfang.casebook.services.mediation import DisputeType
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, step_accounts, step_regions
from qunfang.core.models import Notification, User
from qunfang.core.roles import Perm
from qunfang.patrols.demo import step_patrols
from qunfang.patrols.models import Finding
from qunfang.registry.demo import step_registry
from tests.clock import MIDWEEK

E, S = CaseEventKind, CaseStatus
SETTLED = (OrderStatus.VERIFIED, OrderStatus.ESCALATED)


@pytest.fixture
def demo(db, time_machine):
    time_machine.move_to(MIDWEEK, tick=True)  # the year is made back from a known day
    context = DemoContext(password="Demo-pass-2026", rng=random.Random(20261128))
    step_regions(context)
    step_accounts(context)
    others = sorted(v.code for v in context.villages if v.code not in (VILLAGE_1, VILLAGE_2))
    community = next(
        c for c in others if any(v.code == c and v.name.endswith("社区") for v in context.villages)
    )
    village = next(
        c for c in others if any(v.code == c and v.name.endswith("村") for v in context.villages)
    )
    keep = {VILLAGE_1, VILLAGE_2, community, village}
    context.villages = [v for v in context.villages if v.code in keep]
    step_registry(context)
    step_patrols(context)
    step_casebook(context)
    return context


def test_the_demo_books_are_consistent(demo):
    check_books()


def test_the_rhythms_of_the_year():
    """The generator's own rhythms, on a large sample (no database): the demo's cases follow
    them, and later analytics can find them."""
    books = Township(
        DemoContext(password="", rng=random.Random(7), accounts={"township": None, "police": None})
    )

    def sample(code, n=3000):
        return [timezone.localtime(books.occurrence(code)) for _ in range(n)]

    def share(moments, test):
        return sum(map(test, moments)) / len(moments)

    thefts = sample("theft")
    assert share(thefts, lambda m: m.hour >= 22 or m.hour < 4) > 0.5  # at night
    # the month before the Spring Festival: more thefts a day than on average
    festivals = [spring_festival(y) for y in (books.today.year - 1, books.today.year)]
    month_before = {f - dt.timedelta(days=k) for f in festivals for k in range(1, 31)}
    month_before &= set(books.days)
    if len(month_before) >= 15:
        assert share(thefts, lambda m: m.date() in month_before) > 1.6 * len(month_before) / 365
    disputes = sample("dispute")
    assert share(disputes, lambda m: 17 <= m.hour < 23) > 0.4  # evenings
    assert share(disputes, lambda m: m.weekday() >= 5) > 2 / 7 + 0.03  # weekends
    busy = share(disputes, lambda m: Calendar.busy_fields(m.date()))
    assert busy > 1.5 * 61 / 365  # the planting and harvest seasons: 61 days
    traffic = sample("traffic")
    assert share(traffic, lambda m: m.hour in (7, 8, 17, 18)) > 0.35  # commuting hours
    assert share(traffic, lambda m: Calendar.market(m.date())) > 0.3  # market days are 1 day in 5
    fires = sample("fire")
    assert share(fires, lambda m: m.month in (11, 12, 1, 2, 3)) > 0.55  # dry winter: 5 months in 12
    frauds = sample("fraud")
    assert share(frauds, lambda m: 8 <= m.hour < 18) > 0.7


def check_books() -> None:
    """Every check, on whatever demo the database holds (also run by hand on the full one)."""
    now = timezone.now()
    check_cases(now)
    check_escalations(now)
    check_rhythms()
    check_situation_reports(now)
    check_mediations()
    check_inspections()
    check_opinions()


# ---- the case register ------------------------------------------------------------------------


def replay(case: Case, events: list[CaseEvent]) -> list[tuple[dt.datetime, int]]:
    """Walk the case's book as the lifecycle wrote it; return the owners over time."""
    status = owner = handover = None
    owners = []
    for e in events:
        where = (case.number, e.kind, e.at)
        if e.kind == E.REGISTERED:
            assert status is None, where
            status, owner = e.to_status, e.to_owner_id
            owners.append((e.at, owner))
        elif e.kind == E.TRANSITION:
            assert (e.from_status, e.from_owner_id) == (status, owner), where
            assert e.to_status in TRANSITIONS[status], where
            reopening = (status, e.to_status) == REOPEN
            if reopening:
                assert e.note.strip(), where
                assert e.by_id == owner or User.objects.get(pk=e.by_id).can(
                    Perm.SUPERVISE_VILLAGES
                ), where
                assert e.to_owner_id == e.by_id, where
            else:
                assert e.by_id == owner and e.to_owner_id == owner, where
            if e.to_status == S.CLOSED:
                handover = None
            status = e.to_status
            if e.to_owner_id != owner:
                owner = e.to_owner_id
                owners.append((e.at, owner))
        elif e.kind == E.HANDOVER_OFFERED:
            assert (
                e.by_id == owner == e.from_owner_id
                and e.to_owner_id != owner
                and status != S.CLOSED
            ), where
            handover = e.to_owner_id
        elif e.kind == E.HANDOVER_ACCEPTED:
            assert e.by_id == e.to_owner_id == handover and e.from_owner_id == owner, where
            owner, handover = handover, None
            owners.append((e.at, owner))
        elif e.kind == E.HANDOVER_DECLINED:
            assert e.by_id == handover and e.to_owner_id == owner, where
            handover = None
        elif e.kind == E.ESCALATED:
            assert e.by_id == owner, where
        elif e.kind in (E.ACKNOWLEDGED, E.INSTRUCTION):
            assert e.by_id != owner, where
        else:
            assert e.kind in (E.NOTE, E.REFUSED), where
    assert (status, owner, handover) == (case.status, case.owner_id, case.handover_to_id), (
        case.number
    )
    return owners


def owner_at(owners: list[tuple[dt.datetime, int]], at: dt.datetime) -> int:
    return [o for since, o in owners if since <= at][-1]


def check_cases(now: dt.datetime) -> None:
    cases = list(
        Case.objects.select_related(
            "region", "case_type", "owner__region", "source_check_in__point"
        )
    )
    assert cases
    events = defaultdict(list)
    for e in CaseEvent.objects.order_by("at", "id"):
        events[e.case_id].append(e)
    kinds = Counter()
    for case in cases:
        book = events[case.pk]
        assert book[0].kind == E.REGISTERED and book[0].at >= case.reported_at, case.number
        assert case.occurred_at <= case.reported_at <= now, case.number
        assert all(case.reported_at <= e.at <= now for e in book), case.number
        replay(case, book)
        kinds.update(e.kind for e in book)
        # every closed case has an outcome; an open one has none
        if case.status == S.CLOSED:
            assert case.outcome in CaseOutcome.values and case.closed_at, case.number
        else:
            assert not case.outcome and case.closed_at is None, case.number
        assert can_hold(case.owner, case), case.number
        assert case.number.startswith(str(timezone.localtime(case.reported_at).year))
        if case.reporter_kind == ReporterKind.ANONYMOUS:
            assert not case.reporter_name and case.reporter_id is None
        if case.source_check_in_id:  # from a patrol's finding, in the point's village
            check_in = case.source_check_in
            assert check_in.accepted and check_in.finding != Finding.NOTHING
            assert (
                check_in.point.region_id == case.region_id
                and case.reporter_kind == ReporterKind.PATROL
            )
    assert all(kinds[k] for k in E.values), kinds  # every kind of line is in some book
    by_status = Counter(c.status for c in cases)
    open_cases = len(cases) - by_status[S.CLOSED]
    assert 3 <= open_cases <= 0.1 * len(cases), by_status
    outcomes = Counter(c.outcome for c in cases)
    assert all(outcomes[o] for o in CaseOutcome.values), outcomes
    assert Case.objects.filter(source_check_in__isnull=False).count() >= 5
    assert Case.objects.filter(source_opinion__isnull=False).exists()
    # 举报人保密: named reporters from the opinion book, the hotline and the public form are
    # confidential (as opinions.to_case and cases.register_case make them), and so are some
    # villagers who came in person; nobody without a name is
    confidential = [c for c in cases if c.reporter_confidential]
    assert all(c.reporter_name or c.reporter_id for c in confidential)
    always = Case.objects.exclude(reporter_name="").filter(
        Q(reporter_kind__in=[ReporterKind.HOTLINE, ReporterKind.PUBLIC_FORM])
        | Q(source_opinion__anonymous=False)
    )
    assert always.exists() and not always.filter(reporter_confidential=False).exists()
    assert any(c.reporter_kind == ReporterKind.PERSON for c in confidential)
    assert 0.1 * len(cases) <= len(confidential) <= 0.5 * len(cases), len(confidential)
    # owners are the demo's accounts: the village's director, the township office for villages
    # without an account of their own, and whoever took a case over (mediator, township, police)
    directors = {
        u.region_id: u.pk for u in User.objects.filter(username__in=["director1", "director2"])
    }
    others = set(
        User.objects.filter(username__in=["township", "police", "mediator1"]).values_list(
            "pk", flat=True
        )
    )
    for case in cases:
        assert case.owner_id == directors.get(case.region_id) or case.owner_id in others, (
            case.number
        )
    assert Case.objects.filter(owner__username="mediator1").exists()
    assert Case.objects.filter(handover_to__username="mediator1").exists()  # waiting for her answer
    severities = Counter(c.severity for c in cases)
    assert severities[2] > 0.5 * len(cases) and 0 < severities[3] + severities[4] < 0.12 * len(
        cases
    )


def check_escalations(now: dt.datetime) -> None:
    cases = Case.objects.select_related("case_type", "region").prefetch_related("escalations")
    events = defaultdict(list)
    for e in CaseEvent.objects.order_by("at", "id"):
        events[e.case_id].append(e)
    late = 0
    for case in cases:
        owners = replay(case, events[case.pk])
        due = {}
        for rule in rules_for(case):  # the rules' upward reports exist, due as the rules say
            for level, wanted in (
                (Level.TOWNSHIP, rule.to_township),
                (Level.POLICE, rule.to_police),
            ):
                if wanted:
                    due[level] = min(due.get(level, rule.within_minutes), rule.within_minutes)
        required = {e.level: e.due_at for e in case.escalations.all() if e.required}
        assert required == {
            lvl: case.reported_at + dt.timedelta(minutes=m) for lvl, m in due.items()
        }, case.number
        sent = [e for e in case.escalations.all() if e.sent_at]
        assert len(sent) == sum(e.kind == E.ESCALATED for e in events[case.pk]), case.number
        acknowledged = [e for e in sent if e.acknowledged_at]
        assert len(acknowledged) == sum(e.kind == E.ACKNOWLEDGED for e in events[case.pk]), (
            case.number
        )
        for e in case.escalations.all():
            if e.sent_at:
                assert e.sent_by_id == owner_at(owners, e.sent_at), case.number
            if e.acknowledged_at:
                assert e.sent_at and e.acknowledged_at >= e.sent_at, case.number
                assert e.acknowledged_by_id not in (
                    e.sent_by_id,
                    owner_at(owners, e.acknowledged_at),
                ), case.number
                perm = (
                    Perm.SUPERVISE_VILLAGES
                    if e.level == Level.TOWNSHIP
                    else Perm.RECEIVE_ESCALATIONS
                )
                assert e.acknowledged_by.can(perm), case.number
                late += e.acknowledged_at > e.due_at + dt.timedelta(hours=1)
            if e.instructions:
                assert e.acknowledged_at, case.number
        if case.status == S.ESCALATED or any(
            ev.kind == E.TRANSITION and ev.to_status == S.ESCALATED for ev in events[case.pk]
        ):
            assert sent, case.number  # moving to "escalated" reports upward
    assert late >= 1  # a few acknowledged late
    assert Escalation.objects.filter(required=False).exists()  # reported on demand
    assert Escalation.objects.exclude(instructions="").exists()
    township = User.objects.get(username="township")
    overdue = overdue_escalations(township, now)
    assert 2 <= overdue.count() <= 8, list(overdue)
    assert (
        overdue.filter(sent_at__isnull=True).exists()
        and overdue.filter(sent_at__isnull=False).exists()
    )
    # and they were told, through notify(), like the hourly task tells them
    assert Notification.objects.filter(kind="overdue", user=township).exists()
    assert not Notification.objects.exclude(text="").exists()  # none in the sender's language


def check_rhythms() -> None:
    tz = timezone.get_current_timezone()

    def local(moments):
        return [m.astimezone(tz) for m in moments]

    def occurred(*codes):
        return local(
            Case.objects.filter(case_type__code__in=codes).values_list("occurred_at", flat=True)
        )

    thefts = occurred("theft")
    night = sum(m.hour >= 22 or m.hour < 4 for m in thefts)
    assert night > 0.4 * len(thefts), (night, len(thefts))
    # more cases in the big villages, and a hot spot or two: places that recur
    per_village = Counter(Case.objects.values_list("region__code", flat=True))
    assert per_village[VILLAGE_1] > min(per_village.values())
    places = Counter(Case.objects.exclude(address="").values_list("region_id", "address"))
    assert places.most_common(1)[0][1] >= 6
    assert Case.objects.filter(
        Q(address__contains="村委会") | Q(address__contains="菜市场")
    ).exists()
    lat, lon = Case.objects.exclude(latitude=None).values_list("latitude", "longitude").first()
    assert abs(float(lat) - 29.71) < 0.1 and abs(float(lon) - 120.24) < 0.1


def check_situation_reports(now: dt.datetime) -> None:
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    reports = list(SituationReport.objects.all())
    daily = [r for r in reports if r.period == ReportPeriod.DAILY]
    weekly = [r for r in reports if r.period == ReportPeriod.WEEKLY]
    villages = {r.region_id for r in reports}
    assert len(villages) >= 4
    assert {r.starts_on for r in daily} <= {today - dt.timedelta(days=k) for k in range(60)}
    assert len(daily) < 60 * len(villages)  # a few days never reported
    assert all(
        r.starts_on.weekday() == 0 and r.starts_on + dt.timedelta(days=7) <= today for r in weekly
    )
    assert len(weekly) >= 45 * len(villages)
    cases = defaultdict(list)
    for region, at, code in Case.objects.values_list("region_id", "reported_at", "case_type__code"):
        cases[region].append((at, code))
    for r in reports:
        start = dt.datetime.combine(r.starts_on, dt.time.min, tzinfo=tz)
        end = start + dt.timedelta(days=1 if r.period == ReportPeriod.DAILY else 7)
        held = Counter(
            code for at, code in cases[r.region_id] if start <= at < end and at <= r.submitted_at
        )
        assert r.counts == dict(held), (r.region_id, r.period, r.starts_on)
        assert r.nil_return == (not held)
        assert start <= r.submitted_at <= now
    assert any(r.nil_return for r in daily) and not all(r.nil_return for r in daily)


# ---- the other books --------------------------------------------------------------------------


def check_mediations() -> None:
    mediations = list(
        MediationCase.objects.select_related("case__case_type", "region").prefetch_related(
            "mediators", "parties", "sessions"
        )
    )
    assert len(mediations) >= 20
    statuses = Counter(m.status for m in mediations)
    assert statuses[MediationStatus.CLOSED] and statuses[MediationStatus.REFERRED], statuses
    for m in mediations:
        assert m.dispute_type in DisputeType.values
        assert {p.side for p in m.parties.all()} == {"A", "B"}
        assert all(
            u.can(Perm.HANDLE_MEDIATION) and u.region_id == m.region_id for u in m.mediators.all()
        )
        assert m.mediators.exists()
        held = [s.held_on for s in m.sessions.all()]
        assert all(m.applied_on <= day <= timezone.localdate() for day in held)
        if m.status in (MediationStatus.AGREED, MediationStatus.CLOSED):
            assert m.agreement and m.follow_up_due and held
        if m.status == MediationStatus.CLOSED:
            assert m.followed_up_on and m.closed_on >= m.followed_up_on >= m.applied_on
        if m.status == MediationStatus.REFERRED:
            assert m.referred_to and held and not m.agreement
        if m.status == MediationStatus.APPLIED:
            assert not held
        if m.case_id:
            assert m.case.case_type.is_dispute and m.case.region_id == m.region_id
            assert timezone.localtime(m.case.reported_at).date() <= m.applied_on
            assert CaseEvent.objects.filter(
                case=m.case, kind=E.NOTE, note__contains=m.number
            ).exists()
    assert any(m.case_id for m in mediations) and any(m.opinion_id for m in mediations)
    assert any(not m.case_id and not m.opinion_id for m in mediations)  # walk-ins


def check_inspections() -> None:
    today = timezone.localdate()
    inspections = list(Inspection.objects.prefetch_related("items", "hazards__order"))
    assert len(inspections) >= 30
    for inspection in inspections:
        items = list(inspection.items.all())
        hazards = list(inspection.hazards.all())
        assert items
        if inspection.status == InspectionStatus.PLANNED:
            assert (
                inspection.inspected_on is None
                and all(i.passed is None for i in items)
                and not hazards
            )
            continue
        assert inspection.inspected_on <= today and inspection.inspectors
        assert all(i.passed is not None for i in items)
        assert len(hazards) == sum(not i.passed for i in items)
        orders = [h.order for h in hazards]
        settled = all(o.status in SETTLED for o in orders)
        assert (inspection.status == InspectionStatus.CLOSED) == settled, inspection.pk
        for o in orders:
            assert o.deadline >= inspection.inspected_on
            if o.status == OrderStatus.VERIFIED:
                assert o.reinspected_on and o.escalated_case is None
            if o.status == OrderStatus.ESCALATED:
                assert o.escalated_case.case_type.code == "hazard" and o.reinspected_on
    # rectification orders overdue now are open (or reported done, waiting for the re-inspection)
    overdue = RectificationOrder.objects.filter(deadline__lt=today).exclude(status__in=SETTLED)
    assert overdue.exists()
    assert not overdue.exclude(status__in=[OrderStatus.OPEN, OrderStatus.REPORTED_DONE]).exists()
    assert not overdue.filter(escalated_case__isnull=False).exists()
    assert RectificationOrder.objects.filter(status=OrderStatus.ESCALATED).exists()
    assert Inspection.objects.filter(
        status=InspectionStatus.PLANNED, planned_for__gte=today
    ).exists()
    assert Hazard.objects.count() == ChecklistItem.objects.filter(passed=False).count()


def check_opinions() -> None:
    opinions = list(Opinion.objects.all())
    assert len(opinions) >= 40
    assert len({o.tracking_code for o in opinions}) == len(opinions)
    for o in opinions:
        if o.anonymous:  # opinions marked anonymous keep no name or contact
            assert o.name == "" and o.contact == ""
        else:
            assert o.name or o.contact
        if o.channel == "public_form":
            assert o.created_at.minute == 0 and o.created_at.second == 0  # the hour only
            assert o.entered_by_id is None
        else:
            assert o.entered_by_id
        if o.status in (OpinionStatus.ANSWERED, OpinionStatus.CLOSED):
            assert o.answer and o.answered_by_id and o.answered_at >= o.created_at
        else:
            assert not o.answer and not o.answer_published
        assert o.satisfaction is None or o.status == OpinionStatus.CLOSED
    assert sum(o.anonymous for o in opinions) > 0.3 * len(opinions)
    assert any(o.answer_published for o in opinions) and any(o.satisfaction for o in opinions)
    assert any(o.channel == "in_person" for o in opinions)
    # 举报人保密: most named senders on the public form (the box is ticked for them), some in
    # person; an entry and the case opened from it are confidential together
    named = [o for o in opinions if not o.anonymous]
    assert not any(o.confidential for o in opinions if o.anonymous)
    for channel in ("public_form", "in_person"):
        senders = [o for o in named if o.channel == channel]
        share = sum(o.confidential for o in senders) / len(senders)
        assert (0.4 <= share <= 0.95) if channel == "public_form" else (0.05 <= share <= 0.6), share
    from_book = Case.objects.filter(source_opinion__anonymous=False)
    assert from_book.exists()
    assert not from_book.exclude(reporter_confidential=F("source_opinion__confidential")).exists()
