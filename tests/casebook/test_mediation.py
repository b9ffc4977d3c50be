"""The mediation book (调解): the lifecycle table through the service, the agreement and the
follow-up visit (回访) before closing, running numbers per village and year, the screens with
their bad input, the three paper forms, the register, the home-page panel, scoping and query
counts."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.casebook.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseParty,
    CaseStatus,
    CaseType,
    MediationCase,
    MediationParty,
    MediationSession,
    MediationStatus,
    Opinion,
    PartyRole,
)
from qunfang.casebook.selectors.mediation import mediation_summary
from qunfang.casebook.services import cases
from qunfang.casebook.services import mediation as service
from qunfang.core.models import Notification
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.registry.models import Person
from tests.casebook import walk_mediation
from tests.clock import AWKWARD, SHANGHAI
from tests.factories import TEST_PASSWORD

S = MediationStatus
# The book numbers by year and prints from 1 January, and the helpers date things "ten days ago":
# the module runs on an ordinary day (mid-June, mid-week), so that stays inside the year whatever
# the calendar says. The turn of the year is in test_numbers_follow_the_year_in_shanghai.
NOW = dt.datetime(2027, 6, 16, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
pytestmark = pytest.mark.time_machine(NOW)
AGREEMENT = "甲方于本月底前疏通排水沟，乙方不再堆放杂物。"


# ---- helpers --------------------------------------------------------------------------------


def _open(
    world,
    *,
    village=None,
    by=None,
    applied_on=None,
    mediators=None,
    case=None,
    names=("张三", "李四"),
):
    village = village or world.village1
    return service.open_mediation(
        mediation=MediationCase(
            region=village,
            case=case,
            dispute_type=service.DisputeType.NEIGHBOURS,
            summary="排水沟堵塞引起的邻里纠纷",
            applied_on=applied_on or TODAY - dt.timedelta(days=10),
        ),
        parties=[
            service.PartyData(side="A", name=names[0], address="枫源村3号"),
            service.PartyData(side="B", name=names[1]),
        ],
        mediators=mediators if mediators is not None else [world.mediator1],
        by=by or world.director1,
    )


def _session(world, mediation, day=None):
    return service.add_session(
        mediation=mediation,
        held_on=day or TODAY - dt.timedelta(days=5),
        notes="双方到场，陈述意见。",
        place="村调解室",
        by=world.mediator1,
    )


def _at(world, status: str, **kw) -> MediationCase:
    """A mediation brought to `status` the honest way, through the service."""
    m = _open(world, **kw)
    if status == S.APPLIED:
        return m
    m = service.move(mediation=m, to=S.IN_MEDIATION, by=world.mediator1)
    if status == S.IN_MEDIATION:
        return m
    _session(world, m)
    if status in (S.AGREED, S.CLOSED):
        m = service.move(
            mediation=m,
            to=S.AGREED,
            by=world.mediator1,
            agreement=AGREEMENT,
            follow_up_due=TODAY + dt.timedelta(days=30),
        )
        if status == S.CLOSED:
            service.record_follow_up(mediation=m, on=TODAY, note="协议已履行。", by=world.mediator1)
            m = service.move(mediation=m, to=S.CLOSED, by=world.mediator1)
        return m
    m = service.move(mediation=m, to=S.FAILED, by=world.mediator1, note="双方分歧过大")
    if status == S.REFERRED:
        m = service.move(
            mediation=m, to=S.REFERRED, by=world.mediator1, referred_to="枫桥镇人民调解委员会"
        )
    return m


def _dispute_case(world, **fields) -> Case:
    case = Case(
        region=world.village1,
        case_type=CaseType.objects.get(code=fields.pop("type", "dispute")),
        title="宅基地边界争执",
        description="两户因围墙位置发生争执。",
        occurred_at=timezone.now() - dt.timedelta(days=2),
        reporter_kind="person",
        **fields,
    )
    case = cases.register_case(case=case, by=world.director1)
    CaseParty.objects.create(case=case, name="王五", role=PartyRole.PARTY)
    CaseParty.objects.create(case=case, name="赵六", role=PartyRole.PARTY)
    CaseParty.objects.create(case=case, name="钱七", role=PartyRole.WITNESS)
    return case


def _mediator(username, region, name):
    return user_create(
        username=username,
        password=TEST_PASSWORD,
        region=region,
        roles={Role.MEDIATOR},
        full_name=name,
    )


# ---- the transition table, through the service ----------------------------------------------

PAIRS = list(itertools.product(S.values, S.values))


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "to"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_move_follows_the_table(world, start, to):
    m = _at(world, start)
    if start == S.AGREED:  # the follow-up visit is done, so closing is only a question of the table
        m = service.record_follow_up(mediation=m, on=TODAY, note="已回访。", by=world.mediator1)
    if start == S.IN_MEDIATION:
        _session(world, m)
    full = {
        "agreement": AGREEMENT,
        "referred_to": "诸暨市人民法院",
        "follow_up_due": TODAY + dt.timedelta(days=14),
    }
    if to in service.TRANSITIONS[start]:
        moved = service.move(mediation=m, to=to, by=world.mediator1, **full)
        assert MediationCase.objects.get(pk=m.pk).status == to == moved.status
    else:
        before = MediationCase.objects.get(pk=m.pk)
        with pytest.raises(ValidationError) as refused:
            service.move(mediation=m, to=to, by=world.mediator1, **full)
        assert "to" in refused.value.message_dict
        after = MediationCase.objects.get(pk=m.pk)
        assert (after.status, after.agreement, after.referred_to, after.follow_up_due) == (
            before.status,
            before.agreement,
            before.referred_to,
            before.follow_up_due,
        )


def test_the_table_is_the_documented_lifecycle():
    documented = {
        S.APPLIED: {S.IN_MEDIATION},
        S.IN_MEDIATION: {S.AGREED, S.FAILED},
        S.AGREED: {S.CLOSED},
        S.FAILED: {S.REFERRED},
        S.REFERRED: set(),
        S.CLOSED: set(),
    }
    assert documented == service.TRANSITIONS


@pytest.mark.django_db
def test_an_unknown_status_is_refused(world):
    m = _at(world, S.IN_MEDIATION)
    with pytest.raises(ValidationError):
        service.move(mediation=m, to="settled", by=world.mediator1)


@pytest.mark.django_db
@pytest.mark.parametrize("agreement", ["", "   \n "])
def test_agreeing_needs_the_agreement_text(world, agreement):
    m = _at(world, S.IN_MEDIATION)
    _session(world, m)
    with pytest.raises(ValidationError) as refused:
        service.move(
            mediation=m,
            to=S.AGREED,
            by=world.mediator1,
            agreement=agreement,
            follow_up_due=TODAY + dt.timedelta(days=30),
        )
    assert "agreement" in refused.value.message_dict
    m.refresh_from_db()
    assert (m.status, m.agreement, m.follow_up_due) == (S.IN_MEDIATION, "", None)


@pytest.mark.django_db
def test_agreeing_needs_the_follow_up_date(world):
    m = _at(world, S.IN_MEDIATION)
    _session(world, m)
    with pytest.raises(ValidationError) as refused:
        service.move(mediation=m, to=S.AGREED, by=world.mediator1, agreement=AGREEMENT)
    assert "follow_up_due" in refused.value.message_dict
    with pytest.raises(ValidationError):
        service.move(
            mediation=m,
            to=S.AGREED,
            by=world.mediator1,
            agreement=AGREEMENT,
            follow_up_due=m.applied_on - dt.timedelta(days=1),
        )
    assert MediationCase.objects.get(pk=m.pk).status == S.IN_MEDIATION


@pytest.mark.django_db
@pytest.mark.parametrize("to", [S.AGREED, S.FAILED])
def test_an_outcome_needs_a_session_on_record(world, to):
    m = _at(world, S.IN_MEDIATION)
    with pytest.raises(ValidationError, match="session"):
        service.move(
            mediation=m, to=to, by=world.mediator1, agreement=AGREEMENT, follow_up_due=TODAY
        )
    assert MediationCase.objects.get(pk=m.pk).status == S.IN_MEDIATION


@pytest.mark.django_db
def test_a_referral_says_where_to(world):
    m = _at(world, S.FAILED)
    with pytest.raises(ValidationError) as refused:
        service.move(mediation=m, to=S.REFERRED, by=world.mediator1, referred_to="  ")
    assert "referred_to" in refused.value.message_dict
    m = service.move(mediation=m, to=S.REFERRED, by=world.mediator1, referred_to="诸暨市人民法院")
    assert (m.status, m.referred_to) == (S.REFERRED, "诸暨市人民法院")


@pytest.mark.django_db
def test_an_agreed_mediation_closes_only_after_the_follow_up_visit(world):
    m = _at(world, S.AGREED)
    with pytest.raises(ValidationError, match="follow-up"):
        service.move(mediation=m, to=S.CLOSED, by=world.mediator1)
    assert MediationCase.objects.get(pk=m.pk).status == S.AGREED
    service.record_follow_up(mediation=m, on=TODAY, note="协议已履行。", by=world.mediator1)
    m = service.move(mediation=MediationCase.objects.get(pk=m.pk), to=S.CLOSED, by=world.mediator1)
    assert (m.status, m.closed_on) == (S.CLOSED, TODAY)


@pytest.mark.django_db
def test_closing_needs_the_agreement_text(world):
    m = _at(world, S.AGREED)
    service.record_follow_up(mediation=m, on=TODAY, note="协议已履行。", by=world.mediator1)
    MediationCase.objects.filter(pk=m.pk).update(agreement="")  # an agreement lost by other means
    with pytest.raises(ValidationError, match="agreement"):
        service.move(mediation=MediationCase.objects.get(pk=m.pk), to=S.CLOSED, by=world.mediator1)
    assert MediationCase.objects.get(pk=m.pk).status == S.AGREED


@pytest.mark.django_db
def test_a_stale_copy_cannot_move(world):
    m = _at(world, S.IN_MEDIATION)
    stale = MediationCase.objects.get(pk=m.pk)
    stale.status = S.APPLIED
    with pytest.raises(ValidationError, match="meanwhile"):
        service.move(mediation=stale, to=S.IN_MEDIATION, by=world.mediator1)


# ---- follow-up visits and sessions ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.APPLIED, S.IN_MEDIATION, S.FAILED, S.REFERRED, S.CLOSED])
def test_a_follow_up_visit_comes_after_an_agreement_only(world, status):
    m = _at(world, status)
    before = MediationCase.objects.get(pk=m.pk).followed_up_on
    with pytest.raises(ValidationError):
        service.record_follow_up(mediation=m, on=TODAY, note="回访。", by=world.mediator1)
    assert MediationCase.objects.get(pk=m.pk).followed_up_on == before


@pytest.mark.django_db
def test_a_follow_up_visit_is_checked_and_recorded_once(world):
    m = _at(world, S.AGREED)
    for on, note in (
        (TODAY + dt.timedelta(days=1), "回访。"),
        (TODAY, "  "),
        (m.applied_on - dt.timedelta(days=1), "回访。"),
    ):
        with pytest.raises(ValidationError):
            service.record_follow_up(mediation=m, on=on, note=note, by=world.mediator1)
    assert MediationCase.objects.get(pk=m.pk).followed_up_on is None
    service.record_follow_up(mediation=m, on=TODAY, note="协议已履行。", by=world.mediator1)
    with pytest.raises(ValidationError, match="already"):
        service.record_follow_up(mediation=m, on=TODAY, note="再次回访。", by=world.mediator1)
    m.refresh_from_db()
    assert (m.followed_up_on, m.follow_up_note) == (TODAY, "协议已履行。")


@pytest.mark.django_db
def test_sessions_are_recorded_while_the_mediation_is_under_way(world):
    applied = _at(world, S.APPLIED)
    with pytest.raises(ValidationError, match="under way"):
        _session(world, applied)
    m = _at(world, S.IN_MEDIATION)
    for day, notes in (
        (TODAY + dt.timedelta(days=1), "记录"),
        (TODAY, " "),
        (m.applied_on - dt.timedelta(days=1), "记录"),
    ):
        with pytest.raises(ValidationError):
            service.add_session(mediation=m, held_on=day, notes=notes, by=world.mediator1)
    assert not MediationSession.objects.exists()
    session = _session(world, m, TODAY)
    assert (session.recorded_by, session.held_on) == (world.mediator1, TODAY)


# ---- who acts --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["township_officer", "auditor", "police", "patrol1", "director2"])
def test_only_the_villages_mediators_and_director_act(world, who):
    m = _at(world, S.IN_MEDIATION)
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        service.move(mediation=m, to=S.FAILED, by=user)
    with pytest.raises(PermissionDenied):
        _session_by(m, user)
    with pytest.raises(PermissionDenied):
        _open(world, by=user)
    assert MediationCase.objects.get(pk=m.pk).status == S.IN_MEDIATION
    assert MediationCase.objects.count() == 1


def _session_by(m, user):
    return service.add_session(mediation=m, held_on=TODAY, notes="记录", by=user)


@pytest.mark.django_db
def test_the_director_acts_too(world):
    m = _at(world, S.APPLIED)
    assert service.move(mediation=m, to=S.IN_MEDIATION, by=world.director1).status == S.IN_MEDIATION


@pytest.mark.django_db
def test_mediators_must_be_mediators_of_the_village(world):
    other = _mediator("mediator2", world.village2, "乐山调解员")
    for mediators in ([], [world.director1], [other], [world.mediator1, other]):
        with pytest.raises(ValidationError) as refused:
            _open(world, mediators=mediators)
        assert "mediators" in refused.value.message_dict
    assert not MediationCase.objects.exists()


@pytest.mark.django_db
def test_parties_are_named_and_registry_people_belong_to_the_village(world, records):
    stranger = Person.objects.create(
        region=world.village2, name="外村人", sex="M", birth_date=dt.date(1970, 1, 1)
    )
    base = {
        "region": world.village1,
        "dispute_type": "neighbours",
        "summary": "纠纷",
        "applied_on": TODAY,
    }
    for parties in (
        [service.PartyData(side="A", name="张三")],
        [service.PartyData(side="A", name="  "), service.PartyData(side="B", name="李四")],
        [service.PartyData(side="A", name="张三"), service.PartyData(side="B", person=stranger)],
    ):
        with pytest.raises(ValidationError):
            service.open_mediation(
                mediation=MediationCase(**base),
                parties=parties,
                mediators=[world.mediator1],
                by=world.director1,
            )
    assert not MediationCase.objects.exists()
    m = service.open_mediation(
        mediation=MediationCase(**base),
        mediators=[world.mediator1],
        by=world.director1,
        parties=[
            service.PartyData(side="A", name="张三"),
            service.PartyData(side="B", person=records.person),
        ],
    )
    assert [(p.side, p.name, p.person_id) for p in m.parties.all()] == [
        ("A", "张三", None),
        ("B", records.person.name, records.person.pk),
    ]


@pytest.mark.django_db
def test_bad_mediation_fields_are_refused(world):
    for field, value in (
        ("dispute_type", "feud"),
        ("summary", " "),
        ("applied_on", TODAY + dt.timedelta(days=1)),
    ):
        m = MediationCase(
            region=world.village1, dispute_type="neighbours", summary="纠纷", applied_on=TODAY
        )
        setattr(m, field, value)
        with pytest.raises(ValidationError) as refused:
            service.open_mediation(
                mediation=m,
                parties=[service.PartyData("A", "甲"), service.PartyData("B", "乙")],
                mediators=[world.mediator1],
                by=world.director1,
            )
        assert field in refused.value.message_dict
    assert not MediationCase.objects.exists()


@pytest.mark.django_db
def test_the_mediators_are_told(world):
    m = _open(world)
    note = Notification.objects.get(user=world.mediator1)
    assert m.number in note.text_in() and note.url == m.get_absolute_url()
    assert not Notification.objects.filter(user=world.director1).exists()


# ---- running numbers ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_run_per_village_and_year(world):
    mediator2 = _mediator("mediator2", world.village2, "乐山调解员")
    first = _open(world)
    second = _open(world)
    other_village = _open(world, village=world.village2, by=world.director2, mediators=[mediator2])
    last_year = _open(world, applied_on=TODAY.replace(year=TODAY.year - 1, month=12, day=31))
    this_year_again = _open(world)
    assert [first.number, second.number, this_year_again.number] == [
        f"{TODAY.year}-0001",
        f"{TODAY.year}-0002",
        f"{TODAY.year}-0003",
    ]
    assert other_village.number == f"{TODAY.year}-0001"
    assert last_year.number == f"{TODAY.year - 1}-0001"


@pytest.mark.django_db
@pytest.mark.time_machine(AWKWARD, tick=False)
def test_numbers_follow_the_year_in_shanghai(world):
    """At 00:30 on 1 January in Shanghai, still 31 December in UTC, an application made now is
    dated today there and opens the new year's numbers."""
    now = service.open_mediation(
        mediation=MediationCase(
            region=world.village1,
            dispute_type=service.DisputeType.NEIGHBOURS,
            summary="排水沟堵塞引起的邻里纠纷",
        ),
        parties=[
            service.PartyData(side="A", name="张三"),
            service.PartyData(side="B", name="李四"),
        ],
        mediators=[world.mediator1],
        by=world.director1,
    )
    yesterday = _open(world, applied_on=dt.date(2028, 12, 31))
    assert (now.applied_on, now.number) == (dt.date(2029, 1, 1), "2029-0001")
    assert yesterday.number == "2028-0001"


# ---- from the case register and the opinion book ------------------------------------------------


@pytest.mark.django_db
def test_a_mediation_from_a_case_writes_a_note_in_the_cases_book(world):
    case = _dispute_case(world)
    m = _open(world, case=case, village=world.village2)  # the case's village wins
    assert m.region == world.village1 and m.case == case
    note = CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE).get()
    assert m.number in note.note and note.by == world.director1
    m = service.move(mediation=m, to=S.IN_MEDIATION, by=world.mediator1)
    _session(world, m)
    m = service.move(mediation=m, to=S.FAILED, by=world.mediator1)
    service.move(mediation=m, to=S.REFERRED, by=world.mediator1, referred_to="诸暨市人民法院")
    notes = list(
        CaseEvent.objects.filter(case=case, kind=CaseEventKind.NOTE).values_list("note", flat=True)
    )
    assert len(notes) == 3 and "诸暨市人民法院" in notes[-1]


@pytest.mark.django_db
def test_only_an_open_dispute_case_goes_to_mediation(world):
    theft = _dispute_case(world, type="theft")
    with pytest.raises(ValidationError, match="dispute"):
        _open(world, case=theft)
    case = _dispute_case(world)
    _open(world, case=case)
    with pytest.raises(ValidationError, match="already"):
        _open(world, case=case)
    closed = _dispute_case(world)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED, outcome="resolved")
    with pytest.raises(ValidationError, match="closed"):
        _open(world, case=closed)
    assert MediationCase.objects.count() == 1
    assert not CaseEvent.objects.filter(case__in=[theft, closed], kind=CaseEventKind.NOTE).exists()


# ---- screens ---------------------------------------------------------------------------------


@pytest.fixture
def mediator(client, world):
    client.force_login(world.mediator1)
    return client


def _create_data(world, **over):
    data = {
        "region": world.village1.pk,
        "dispute_type": "neighbours",
        "summary": "排水沟纠纷",
        "applied_on": TODAY.isoformat(),
        "a_name": "张三",
        "a_address": "枫源村3号",
        "b_name": "李四",
        "mediators": [world.mediator1.pk],
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["mediator1", "director1", "township_officer", "auditor", "admin"])
def test_the_book_opens_for_its_readers(world, client, who):
    _open(world)
    client.force_login(getattr(world, who))
    body = client.get(reverse("casebook:mediation_list")).content.decode()
    assert "张三" in body


@pytest.mark.django_db
def test_the_book_is_closed_to_patrol_members(world, client):
    client.force_login(world.patrol1)
    assert client.get(reverse("casebook:mediation_list")).status_code == 403
    assert client.get(reverse("casebook:mediation_create")).status_code == 403


@pytest.mark.django_db
def test_the_police_station_reads_the_book_but_does_not_mediate(world, client):
    client.force_login(world.police)
    assert client.get(reverse("casebook:mediation_list")).status_code == 200
    assert client.get(reverse("casebook:mediation_create")).status_code == 403


@pytest.mark.django_db
def test_readers_who_do_not_act_see_no_forms(world, client):
    m = _at(world, S.IN_MEDIATION)
    client.force_login(world.township_officer)
    assert client.get(reverse("casebook:mediation_create")).status_code == 403
    body = client.get(reverse("casebook:mediation_detail", args=[m.pk])).content.decode()
    assert "张三" in body and 'name="to"' not in body and "session-save" not in body
    for route, data in (
        ("mediation_move", {"to": "failed"}),
        ("mediation_session_add", {"held_on": TODAY.isoformat(), "notes": "x"}),
    ):
        assert client.post(reverse(f"casebook:{route}", args=[m.pk]), data).status_code == 403
    assert MediationCase.objects.get(pk=m.pk).status == S.IN_MEDIATION
    assert not MediationSession.objects.exists()


@pytest.mark.django_db
def test_the_list_filters_by_status_village_and_follow_up_due(world, client):
    agreed = _at(world, S.AGREED, names=("甲一", "乙一"))
    MediationCase.objects.filter(pk=agreed.pk).update(follow_up_due=TODAY + dt.timedelta(days=3))
    _at(world, S.AGREED, names=("甲二", "乙二"))  # visit due in 30 days
    _at(world, S.APPLIED, names=("甲三", "乙三"))
    client.force_login(world.township_officer)
    url = reverse("casebook:mediation_list")

    def names(query):
        return {n for n in ("甲一", "甲二", "甲三") if n in client.get(url, query).content.decode()}

    assert names({}) == {"甲一", "甲二", "甲三"}
    assert names({"status": "agreed"}) == {"甲一", "甲二"}
    assert names({"due": "1"}) == {"甲一"}
    assert names({"village": world.village2.code}) == set()
    assert client.get(url, {"village": world.village3.code}).status_code == 404  # another township
    response = client.get(url, {"status": "settled"})
    assert "no such status" in response.content.decode() and names({"status": "settled"}) == {
        "甲一",
        "甲二",
        "甲三",
    }


@pytest.mark.django_db
def test_a_mediator_registers_an_application(world, mediator, records):
    page = mediator.get(reverse("casebook:mediation_create")).content.decode()
    assert world.mediator1.full_name in page and records.person.name in page
    response = mediator.post(
        reverse("casebook:mediation_create"),
        _create_data(world, b_name="", b_person=records.person.pk),
    )
    m = MediationCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "casebook:mediation_detail", args=[m.pk]
    )
    assert (m.region, m.status, m.number) == (world.village1, S.APPLIED, f"{TODAY.year}-0001")
    assert list(m.mediators.all()) == [world.mediator1]
    assert [(p.side, p.name, p.person_id, p.address) for p in m.parties.all()] == [
        ("A", "张三", None, "枫源村3号"),
        ("B", records.person.name, records.person.pk, ""),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"a_name": ""}, "Name the party"),
        ({"b_name": ""}, "Name the party"),
        ({"mediators": None}, "at least one mediator"),
        ({"mediators": [999999]}, "mediators of your villages"),
        ({"dispute_type": "feud"}, "kind of dispute"),
        ({"summary": ""}, "what the dispute is about"),
        ({"applied_on": "2027-02-30"}, "Enter a date"),
        ({"applied_on": (TODAY + dt.timedelta(days=2)).isoformat()}, "future"),
        ({"region": None}, "Choose the village"),
    ],
)
def test_bad_input_on_the_new_mediation_saves_nothing(world, mediator, over, message):
    response = mediator.post(reverse("casebook:mediation_create"), _create_data(world, **over))
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert not MediationCase.objects.exists() and not MediationParty.objects.exists()


@pytest.mark.django_db
def test_forged_ids_from_another_village_fail_like_typos(world, client):
    other = _mediator("mediator2", world.village2, "乐山调解员")
    stranger = Person.objects.create(
        region=world.village2, name="外村人", sex="M", birth_date=dt.date(1970, 1, 1)
    )
    client.force_login(world.mediator1)
    for over in (
        {"mediators": [other.pk]},
        {"region": world.village2.pk},
        {"b_person": stranger.pk},
    ):
        response = client.post(reverse("casebook:mediation_create"), _create_data(world, **over))
        assert response.status_code == 200
    assert not MediationCase.objects.exists()


@pytest.mark.django_db
def test_a_dispute_case_goes_to_mediation_from_the_register(world, mediator):
    case = _dispute_case(world, type="domestic_violence")
    url = reverse("casebook:mediation_create") + f"?case={case.pk}"
    page = mediator.get(url).content.decode()
    assert "王五" in page and "赵六" in page and case.number in page
    assert 'value="marriage_family" selected' in page
    data = _create_data(world, region=None, a_name="王五", b_name="赵六")
    response = mediator.post(url, data)
    m = MediationCase.objects.get()
    assert response.status_code == 302 and m.case == case and m.region == world.village1
    assert CaseEvent.objects.filter(
        case=case, kind=CaseEventKind.NOTE, note__contains=m.number
    ).exists()
    # once before the committee, the case does not go there again
    page = mediator.get(url).content.decode()
    assert "already before the mediation committee" in page
    assert mediator.post(url, data).status_code == 200 and MediationCase.objects.count() == 1


@pytest.mark.django_db
def test_a_case_that_is_no_dispute_is_refused_on_screen(world, mediator):
    case = _dispute_case(world, type="theft")
    url = reverse("casebook:mediation_create") + f"?case={case.pk}"
    assert 'data-testid="mediation-problem"' in mediator.get(url).content.decode()
    assert mediator.post(url, _create_data(world, region=None)).status_code == 200
    assert not MediationCase.objects.exists()


@pytest.mark.django_db
def test_an_opinion_goes_to_mediation(world, mediator):
    opinion = Opinion.objects.create(
        region=world.village1,
        kind="complaint",
        text="邻居家的狗天天夜里叫。",
        name="孙八",
        channel="in_person",
    )
    url = reverse("casebook:mediation_create") + f"?opinion={opinion.pk}"
    page = mediator.get(url).content.decode()
    assert "邻居家的狗天天夜里叫。" in page and 'value="孙八"' in page
    assert mediator.post(url, _create_data(world, region=None, a_name="孙八")).status_code == 302
    assert MediationCase.objects.get().opinion == opinion


@pytest.mark.django_db
def test_sources_of_another_village_answer_404(world, client):
    client.force_login(world.director2)
    case = _dispute_case(world)
    opinion = Opinion.objects.create(
        region=world.village1, kind="opinion", text="意见", anonymous=True, channel="public_form"
    )
    for query in (f"?case={case.pk}", f"?opinion={opinion.pk}", "?case=abc"):
        assert client.get(reverse("casebook:mediation_create") + query).status_code == 404


@pytest.mark.django_db
def test_the_whole_mediation_through_the_screens(world, mediator):
    m = _open(world)
    detail = reverse("casebook:mediation_detail", args=[m.pk])

    def post(route, data):
        return mediator.post(reverse(f"casebook:{route}", args=[m.pk]), data)

    assert post("mediation_move", {"to": "in_mediation"}).status_code == 302
    # an agreement without a session, then without its text: refused, nothing changed
    response = post(
        "mediation_move",
        {"to": "agreed", "agreement": AGREEMENT, "follow_up_due": TODAY.isoformat()},
    )
    assert (
        response.status_code == 200
        and "Record at least one mediation session" in response.content.decode()
    )
    assert (
        post(
            "mediation_session_add",
            {"held_on": TODAY.isoformat(), "place": "村委会", "notes": "调解记录"},
        ).status_code
        == 302
    )
    response = post(
        "mediation_move", {"to": "agreed", "agreement": " ", "follow_up_due": TODAY.isoformat()}
    )
    assert response.status_code == 200 and "needs its text" in response.content.decode()
    assert MediationCase.objects.get(pk=m.pk).status == S.IN_MEDIATION
    assert (
        post(
            "mediation_move",
            {
                "to": "agreed",
                "agreement": AGREEMENT,
                "follow_up_due": TODAY.isoformat(),
                "note": "当场签字",
            },
        ).status_code
        == 302
    )
    # closing before the visit: refused on screen
    response = post("mediation_move", {"to": "closed"})
    assert response.status_code == 200 and "follow-up visit" in response.content.decode()
    assert (
        post("mediation_follow_up", {"on": TODAY.isoformat(), "note": "已履行"}).status_code == 302
    )
    assert post("mediation_move", {"to": "closed"}).status_code == 302
    m.refresh_from_db()
    assert (m.status, m.agreement, m.followed_up_on, m.closed_on) == (
        S.CLOSED,
        AGREEMENT,
        TODAY,
        TODAY,
    )
    body = mediator.get(detail).content.decode()
    assert AGREEMENT in body and "当场签字" in body and "调解记录" in body
    assert "nothing further to do" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "data", "message"),
    [
        ("mediation_move", {}, "Choose where the mediation goes next"),
        ("mediation_move", {"to": "closed"}, "cannot become"),
        (
            "mediation_move",
            {"to": "agreed", "agreement": AGREEMENT, "follow_up_due": "soon"},
            "Enter a date",
        ),
        ("mediation_session_add", {}, "Enter the day of the session"),
        ("mediation_session_add", {"held_on": "2027-13-01", "notes": "x"}, "Enter a date"),
        (
            "mediation_session_add",
            {"held_on": (TODAY + dt.timedelta(days=3)).isoformat(), "notes": "x"},
            "before it is held",
        ),
        ("mediation_follow_up", {"on": TODAY.isoformat(), "note": "x"}, "after an agreement"),
        ("mediation_follow_up", {}, "Enter the day of the visit"),
    ],
)
def test_bad_input_on_a_mediation_changes_nothing(world, mediator, route, data, message):
    m = _at(world, S.IN_MEDIATION)
    _session(world, m)
    before = list(MediationCase.history.values_list("history_id", flat=True))
    response = mediator.post(reverse(f"casebook:{route}", args=[m.pk]), data)
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert list(MediationCase.history.values_list("history_id", flat=True)) == before
    assert MediationSession.objects.count() == 1


@pytest.mark.django_db
def test_write_routes_take_post_only(world, mediator):
    m = _at(world, S.IN_MEDIATION)
    for route in ("mediation_move", "mediation_session_add", "mediation_follow_up"):
        assert mediator.get(reverse(f"casebook:{route}", args=[m.pk])).status_code == 405


# ---- paper -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["application", "record", "agreement"])
def test_the_paper_forms_carry_the_parties_and_signature_lines(world, mediator, records, form):
    m = service.open_mediation(
        mediation=MediationCase(
            region=world.village1,
            dispute_type="housing_land",
            summary="宅基地纠纷",
            applied_on=TODAY - dt.timedelta(days=5),
        ),
        parties=[
            service.PartyData("A", "张三", address="枫源村3号"),
            service.PartyData("B", person=records.person),
        ],
        mediators=[world.mediator1],
        by=world.director1,
    )
    m = service.move(mediation=m, to=S.IN_MEDIATION, by=world.mediator1)
    _session(world, m, TODAY - dt.timedelta(days=4))
    _session(world, m, TODAY - dt.timedelta(days=2))
    service.move(
        mediation=m, to=S.AGREED, by=world.mediator1, agreement=AGREEMENT, follow_up_due=TODAY
    )
    response = mediator.get(reverse("casebook:mediation_print", args=[m.pk]), {"form": form})
    body = response.content.decode()
    assert response.status_code == 200
    assert "张三" in body and records.person.name in body and m.number in body
    assert 'data-testid="signature-lines"' in body and 'data-testid="seal-box"' in body
    assert world.mediator1.full_name in body
    assert "<script" not in body and 'style="' not in body
    if form in ("application", "agreement"):  # each party's particulars, as far as known
        assert "枫源村3号" in body and records.household.address in body
        assert str(records.person.age_on(m.applied_on)) in body
    if form == "record":
        assert body.count('data-testid="print-form"') == 2  # one sheet per session
    if form == "agreement":
        assert AGREEMENT in body


@pytest.mark.django_db
def test_an_unknown_paper_form_is_refused_plainly(world, mediator):
    m = _open(world)
    response = mediator.get(
        reverse("casebook:mediation_print", args=[m.pk]), {"form": "summons"}, follow=True
    )
    assert "no such form" in response.content.decode()


@pytest.mark.django_db
def test_the_register_prints_a_villages_period(world, client):
    mediator2 = _mediator("mediator2", world.village2, "乐山调解员")
    inside = [_at(world, S.CLOSED, names=(f"甲{n}", f"乙{n}")) for n in range(12)]
    _open(
        world,
        applied_on=TODAY.replace(year=TODAY.year - 1, month=6, day=1),
        names=("去年甲", "去年乙"),
    )
    _open(
        world,
        village=world.village2,
        by=world.director2,
        mediators=[mediator2],
        names=("乐山甲", "乐山乙"),
    )
    client.force_login(world.township_officer)
    url = reverse("casebook:mediation_register_print")
    assert (
        'data-testid="village-required"' in client.get(url).content.decode()
    )  # a township chooses
    body = client.get(
        url,
        {"village": world.village1.code, "from": f"{TODAY.year}-01-01", "to": TODAY.isoformat()},
    ).content.decode()
    assert body.count('data-testid="register-row"') == 12
    assert body.count('data-testid="register-sheet"') == 2  # 10 rows a sheet
    assert all(m.number in body for m in inside) and "去年甲" not in body and "乐山甲" not in body
    assert body.count('data-testid="stamp-box"') == 2 and body.count('data-testid="signoff"') == 2
    assert "Sheet 2 of 2" in body or "2 / 2" in body or "第 2" in body


@pytest.mark.django_db
def test_the_register_is_the_directors_own_by_default_and_refuses_bad_dates(world, client):
    _open(world, names=("本村甲", "本村乙"))
    client.force_login(world.director1)
    url = reverse("casebook:mediation_register_print")
    body = client.get(url).content.decode()
    assert "本村甲" in body and 'data-testid="register-sheet"' in body
    body = client.get(url, {"from": "2027-02-30"}).content.decode()
    assert "YYYY-MM-DD" in body and "本村甲" in body
    body = client.get(
        url, {"from": TODAY.isoformat(), "to": (TODAY - dt.timedelta(days=30)).isoformat()}
    ).content.decode()
    assert "ends before it starts" in body
    assert client.get(url, {"village": world.village2.code}).status_code == 404


# ---- the home-page panel ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_panel_shows_follow_up_visits_due_within_a_week(world):
    due_soon, overdue, later, done = (
        _at(world, S.AGREED, names=(f"{k}甲", f"{k}乙")) for k in ("soon", "late", "later", "done")
    )
    MediationCase.objects.filter(pk=due_soon.pk).update(follow_up_due=TODAY + dt.timedelta(days=7))
    MediationCase.objects.filter(pk=overdue.pk).update(follow_up_due=TODAY - dt.timedelta(days=2))
    MediationCase.objects.filter(pk=later.pk).update(follow_up_due=TODAY + dt.timedelta(days=8))
    MediationCase.objects.filter(pk=done.pk).update(follow_up_due=TODAY, followed_up_on=TODAY)
    _at(world, S.APPLIED)
    with CaptureQueriesContext(connection) as captured:
        panel = mediation_summary(world.mediator1)
    assert len(captured) <= 4
    assert [m.pk for m in panel["follow_ups"]] == [overdue.pk, due_soon.pk]
    assert (panel["follow_ups_due"], panel["follow_ups_overdue"]) == (2, 1)
    assert panel["open_mediations"] == 5  # four agreed (not yet closed) and one applied
    html = render_to_string("casebook/mediation/_panel.html", {"panel": panel})
    assert overdue.number in html and due_soon.number in html and later.number not in html
    assert mediation_summary(world.director2)["follow_ups_due"] == 0


# ---- scoping and query counts ------------------------------------------------------------------


@pytest.fixture
def foreign(world, records):
    return walk_mediation.records(world, records).mediation


PK_ROUTES = [
    "mediation_detail",
    "mediation_print",
    "mediation_move",
    "mediation_session_add",
    "mediation_follow_up",
]


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
@pytest.mark.parametrize("route", PK_ROUTES)
def test_outsiders_get_404_on_village1_mediations(world, client, foreign, outsider, route):
    client.force_login(getattr(world, outsider))
    url = reverse(f"casebook:{route}", args=[foreign.pk])
    statuses = {client.get(url).status_code, client.post(url, {"to": "failed"}).status_code}
    assert 404 in statuses and statuses <= {404, 405}
    assert MediationCase.objects.get(pk=foreign.pk).status == S.IN_MEDIATION


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
@pytest.mark.parametrize("route", walk_mediation.ROUTES)
def test_outsiders_see_nothing_of_village1_on_scoped_pages(world, client, foreign, outsider, route):
    if walk_mediation.ROUTES[route] != walk_mediation.SCOPED:
        return
    client.force_login(getattr(world, outsider))
    for response in (client.get(reverse(route)), client.post(reverse(route))):
        assert response.status_code in (200, 302, 403, 405)
        body = response.content.decode()
        for marker in (
            world.village1.name,
            walk_mediation.MARKER_PARTY,
            world.mediator1.full_name,
            foreign.number,
        ):
            assert marker not in body, (route, marker)
    assert MediationCase.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("route", PK_ROUTES)
def test_village1s_director_reaches_every_route(world, client, foreign, route):
    client.force_login(world.director1)
    url = reverse(f"casebook:{route}", args=[foreign.pk])
    status = client.get(url).status_code
    assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302))


@pytest.mark.django_db
def test_the_list_query_count_stays_flat(world, client):
    client.force_login(world.township_officer)
    url = reverse("casebook:mediation_list")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for n in range(2):
        _at(world, S.AGREED, names=(f"甲{n}", f"乙{n}"))
    small = count()
    for n in range(2, 14):
        _at(world, S.APPLIED if n % 2 else S.AGREED, names=(f"甲{n}", f"乙{n}"))
    assert count() == small


@pytest.mark.django_db
def test_the_detail_query_count_stays_flat_as_sessions_grow(world, client):
    m = _at(world, S.IN_MEDIATION)
    _session(world, m)
    client.force_login(world.mediator1)
    url = reverse("casebook:mediation_detail", args=[m.pk])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = count()
    for _ in range(6):
        _session(world, m)
    assert count() == small
