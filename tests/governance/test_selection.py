"""Selection and appointment (选聘), the services: the lifecycle as a table, nominating,
the village committee's and the township's decisions, the appointment through the registry's
placement rules, dismissal, the three checks as vetting records them, and the messages sent.
Every refusal changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qunfang.core.lifecycle import MoveRefused
from qunfang.core.models import Notification
from qunfang.governance.models import Candidacy, CandidacyStatus, Dismissal
from qunfang.governance.services import selection as service
from qunfang.governance.services.selection import CheckState, check_rows
from qunfang.registry.models import (
    Membership,
    Organisation,
    OrgKind,
    Person,
    Post,
    TrainingRecord,
    VettingCheck,
)
from tests.clock import MIDWEEK
from tests.factories import candidacy_for, vetted_person

S = CandidacyStatus
TODAY = dt.date(2029, 1, 10)  # MIDWEEK in Shanghai
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture
def v(world):
    """Village 1's security committee: a member post (2 seats, vetting) and the head's post
    (1 seat, vetting, training, the township approves), and a vetted candidate."""
    org = Organisation.objects.create(
        region=world.village1, name="枫源村治保会", kind=OrgKind.SECURITY_COMMITTEE
    )
    member = Post.objects.create(
        organisation=org, title="治保委员", seats=2, requires_vetting=True, min_age=22, max_age=65
    )
    head = Post.objects.create(
        organisation=org,
        title="治保主任",
        seats=1,
        is_leader=True,
        requires_vetting=True,
        requires_township_approval=True,
        min_age=25,
        max_age=65,
        required_training="security_basics",
    )
    plain = Post.objects.create(organisation=org, title="联络员", seats=1)
    person = vetted_person(world.village1, name="楼志明")
    TrainingRecord.objects.create(
        person=person,
        kind="security_basics",
        course="治保业务培训班",
        held_on=TODAY - dt.timedelta(days=100),
        hours=8,
        certificate_expires_on=TODAY + dt.timedelta(days=300),
    )
    world.member, world.head, world.plain, world.person = member, head, plain, person
    return world


def nominate(w, post=None, person=None, **fields):
    values = {
        "post": post or w.member,
        "person": person or w.person,
        "nominated_by": "committee",
        "nominated_on": TODAY - dt.timedelta(days=10),
        "reason": "群众基础好",
        "by": w.director1,
        **fields,
    }
    return service.candidacy_nominate(**values)


def move(candidacy, to, by, *, days_ago=1, note=""):
    return service.candidacy_move(
        candidacy=candidacy, to=to, on=TODAY - dt.timedelta(days=days_ago), note=note, by=by
    )


def unchanged(candidacy):
    """The row as the database has it, for a refusal's "nothing changed"."""
    return Candidacy.objects.values().get(pk=candidacy.pk)


# ---- the lifecycle ----------------------------------------------------------------------------


def test_the_transition_table_is_data_with_a_row_for_every_state():
    assert set(service.TRANSITIONS) == set(S.values)
    assert service.LIFECYCLE.table[S.NOMINATED] == {S.COMMITTEE_APPROVED, S.REJECTED, S.WITHDRAWN}
    assert S.APPOINTED in service.LIFECYCLE.table[S.COMMITTEE_APPROVED]
    assert service.LIFECYCLE.table[S.TOWNSHIP_APPROVED] == {S.APPOINTED, S.WITHDRAWN}
    for done in (S.APPOINTED, S.REJECTED, S.WITHDRAWN):
        assert service.LIFECYCLE.table[done] == frozenset()


def test_a_move_the_table_does_not_allow_is_refused_naming_both_states(v):
    candidacy = nominate(v)
    before = unchanged(candidacy)
    with pytest.raises(MoveRefused) as refused:
        move(candidacy, S.APPOINTED, v.director1)
    message = " ".join(refused.value.messages)
    assert "已提名" in message and "已聘任" in message, message
    assert unchanged(candidacy) == before


def test_nominated_approved_and_appointed_writes_the_membership(v):
    candidacy = nominate(v)
    candidacy = move(candidacy, S.COMMITTEE_APPROVED, v.director1, days_ago=5, note="同意")
    assert candidacy.committee_decided_on == TODAY - dt.timedelta(days=5)
    assert service.moves_for(candidacy, v.director1) == [S.APPOINTED, S.WITHDRAWN]
    candidacy = move(candidacy, S.APPOINTED, v.director1, days_ago=2)
    membership = candidacy.membership
    assert candidacy.status == S.APPOINTED and membership is not None
    assert (membership.person, membership.post, membership.started_on) == (
        v.person,
        v.member,
        TODAY - dt.timedelta(days=2),
    )
    assert membership.ended_on is None
    assert candidacy.decision_note == "同意"  # the appointment without a note keeps it
    reasons = [h.history_change_reason for h in candidacy.history.order_by("history_id")]
    assert reasons[1] == "同意"


def test_the_township_approves_where_the_post_requires_it(v):
    candidacy = move(nominate(v, v.head), S.COMMITTEE_APPROVED, v.director1, days_ago=5)
    # the village cannot skip the township, and may not approve in its place
    assert service.moves_for(candidacy, v.director1) == [S.WITHDRAWN]
    assert service.moves_for(candidacy, v.township_officer) == [
        S.TOWNSHIP_APPROVED,
        S.REJECTED,
        S.WITHDRAWN,
    ]
    candidacy = move(candidacy, S.TOWNSHIP_APPROVED, v.township_officer, days_ago=3, note="同意")
    assert candidacy.township_decided_by == v.township_officer
    assert candidacy.township_decided_on == TODAY - dt.timedelta(days=3)
    candidacy = move(candidacy, S.APPOINTED, v.director1)
    assert candidacy.membership.post == v.head


def test_appointing_without_the_townships_approval_is_refused(v):
    candidacy = move(nominate(v, v.head), S.COMMITTEE_APPROVED, v.director1, days_ago=5)
    before = unchanged(candidacy)
    with pytest.raises(MoveRefused) as refused:
        move(candidacy, S.APPOINTED, v.director1)
    assert "乡镇" in " ".join(refused.value.messages)
    assert unchanged(candidacy) == before
    assert not Membership.objects.filter(post=v.head).exists()


def test_the_township_does_not_approve_a_post_that_needs_no_approval(v):
    candidacy = move(nominate(v), S.COMMITTEE_APPROVED, v.director1, days_ago=5)
    before = unchanged(candidacy)
    with pytest.raises(MoveRefused):
        move(candidacy, S.TOWNSHIP_APPROVED, v.township_officer)
    assert unchanged(candidacy) == before


def test_the_committee_rejects_with_a_note_and_the_township_rejects_what_it_approved(v):
    first = nominate(v)
    with pytest.raises(ValidationError) as refused:
        move(first, S.REJECTED, v.director1)
    assert "note" in refused.value.message_dict
    assert Candidacy.objects.get(pk=first.pk).status == S.NOMINATED
    first = move(first, S.REJECTED, v.director1, note="群众评议意见较多")
    assert (first.status, first.decision_note) == (S.REJECTED, "群众评议意见较多")
    assert first.committee_decided_on == TODAY - dt.timedelta(days=1)
    head = move(nominate(v, v.head), S.COMMITTEE_APPROVED, v.director1, days_ago=5)
    with pytest.raises(MoveRefused):  # the committee withdraws what it approved, not rejects
        move(head, S.REJECTED, v.director1, note="x")
    head = move(head, S.REJECTED, v.township_officer, note="年龄将到限")
    assert head.status == S.REJECTED and head.township_decided_by == v.township_officer


def test_a_withdrawal_keeps_its_day_and_note(v):
    candidacy = move(nominate(v), S.WITHDRAWN, v.director1, days_ago=4, note="本人申请退出")
    assert candidacy.status == S.WITHDRAWN
    assert candidacy.committee_decided_on == TODAY - dt.timedelta(days=4)
    assert service.moves_for(candidacy, v.director1) == []


@pytest.mark.parametrize(
    ("days_ago", "field"),
    [(-1, "on"), (11, "on")],  # tomorrow; before the nomination (10 days ago)
)
def test_a_decision_dated_in_the_future_or_before_the_nomination_is_refused(v, days_ago, field):
    candidacy = nominate(v)
    before = unchanged(candidacy)
    with pytest.raises(ValidationError) as refused:
        move(candidacy, S.COMMITTEE_APPROVED, v.director1, days_ago=days_ago)
    assert field in refused.value.message_dict
    assert unchanged(candidacy) == before


# ---- who decides --------------------------------------------------------------------------------


def test_deciding_from_another_village_is_refused(v):
    candidacy = nominate(v)
    before = unchanged(candidacy)
    with pytest.raises(MoveRefused) as refused:
        move(candidacy, S.COMMITTEE_APPROVED, v.director2)
    assert "枫源村" in " ".join(refused.value.messages)
    assert unchanged(candidacy) == before


def test_only_the_township_over_the_village_approves(v):
    candidacy = move(nominate(v, v.head), S.COMMITTEE_APPROVED, v.director1, days_ago=5)
    before = unchanged(candidacy)
    for outsider in (v.director1, v.township2_officer, v.auditor):
        with pytest.raises(MoveRefused):
            move(candidacy, S.TOWNSHIP_APPROVED, outsider)
    assert unchanged(candidacy) == before
    assert service.moves_for(candidacy, v.township2_officer) == []
    assert service.moves_for(candidacy, v.auditor) == []


# ---- nominating -------------------------------------------------------------------------------


def test_a_second_open_candidacy_for_the_same_post_and_person_is_refused(v):
    first = nominate(v)
    with pytest.raises(ValidationError) as refused:
        nominate(v)
    assert "person" in refused.value.message_dict
    assert Candidacy.objects.filter(person=v.person).count() == 1
    move(first, S.REJECTED, v.director1, note="暂不聘任")
    assert nominate(v).status == S.NOMINATED  # once closed, a new nomination is fine
    assert nominate(v, v.head).status == S.NOMINATED  # and another post anyway


def test_a_person_from_another_village_is_refused(v):
    outsider = vetted_person(v.village2, name="乐山村人")
    with pytest.raises(ValidationError) as refused:
        nominate(v, person=outsider)
    assert "乐山村" in refused.value.message_dict["person"][0]
    assert not Candidacy.objects.exists()


def test_nominating_for_another_villages_post_is_refused(v):
    with pytest.raises(ValidationError) as refused:
        nominate(v, by=v.director2)
    assert "枫源村" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        nominate(v, by=v.auditor)
    assert not Candidacy.objects.exists()


def test_a_holder_of_the_post_or_a_future_nomination_is_refused(v):
    Membership.objects.create(person=v.person, post=v.member, started_on=TODAY)
    with pytest.raises(ValidationError, match="担任"):
        nominate(v)
    with pytest.raises(ValidationError) as refused:
        nominate(v, post=v.head, nominated_on=TODAY + dt.timedelta(days=1))
    assert "nominated_on" in refused.value.message_dict
    assert not Candidacy.objects.exists()


# ---- the appointment's checks ------------------------------------------------------------------


def approved(v, post=None, person=None):
    return move(nominate(v, post, person), S.COMMITTEE_APPROVED, v.director1, days_ago=5)


def refused_appointment(candidacy, by) -> list[str]:
    before = unchanged(candidacy)
    memberships = Membership.objects.count()
    with pytest.raises(ValidationError) as refused:
        move(candidacy, S.APPOINTED, by)
    assert unchanged(candidacy) == before
    assert Membership.objects.count() == memberships
    return refused.value.messages


def test_appointing_to_a_full_post_is_refused(v):
    holder = vetted_person(v.village1)
    Membership.objects.create(person=holder, post=v.plain, started_on=TODAY - dt.timedelta(days=90))
    messages = refused_appointment(approved(v, v.plain), v.director1)
    assert any("1" in m and "名额已满" in m for m in messages), messages


def test_a_failed_check_always_refuses_even_where_the_post_requires_no_vetting(v):
    failed = vetted_person(v.village1, political="failed")
    messages = refused_appointment(approved(v, v.plain, failed), v.director1)
    assert any("政治关" in m for m in messages), messages


def test_a_later_pass_clears_an_earlier_failure(v):
    person = vetted_person(v.village1, political="failed", checked_on=TODAY - dt.timedelta(400))
    VettingCheck.objects.create(
        person=person,
        kind="political",
        result="passed",
        checked_on=TODAY - dt.timedelta(days=20),
        due_on=TODAY + dt.timedelta(days=700),
        village_signed_by=v.director1,
        village_signed_on=TODAY - dt.timedelta(days=20),
        police_signed_by=v.police,
        police_signed_on=TODAY - dt.timedelta(days=18),
    )
    candidacy = move(approved(v, v.member, person), S.APPOINTED, v.director1)
    assert candidacy.status == S.APPOINTED


@pytest.mark.parametrize(
    "results",
    [
        {"quality": None},  # missing
        {"political": "pending"},
        {"age": "passed", "unsigned": True},
        {"expired": True},
    ],
    ids=["missing", "pending", "unsigned", "expired"],
)
def test_a_check_the_post_requires_that_does_not_count_refuses(v, results):
    results = dict(results)
    unsigned, expired = results.pop("unsigned", False), results.pop("expired", False)
    day = TODAY - dt.timedelta(days=4 * 365) if expired else None
    person = vetted_person(v.village1, checked_on=day, **results)
    if unsigned:
        person.vetting_checks.filter(kind="age").update(police_signed_by=None)
    messages = refused_appointment(approved(v, v.member, person), v.director1)
    assert any("审查" in m for m in messages), messages


def test_age_and_training_outside_what_the_post_requires_refuse(v):
    young = vetted_person(v.village1, born=2010)  # 18 on the day: the head needs 25
    candidacy = move(approved(v, v.head, young), S.TOWNSHIP_APPROVED, v.township_officer)
    messages = refused_appointment(candidacy, v.director1)
    assert any("18" in m for m in messages), messages
    assert any("证书" in m for m in messages), messages  # no security-basics certificate


def test_appointing_on_a_day_before_the_decision_is_refused(v):
    candidacy = approved(v)
    with pytest.raises(ValidationError) as refused:
        move(candidacy, S.APPOINTED, v.director1, days_ago=7)
    assert "on" in refused.value.message_dict
    assert Candidacy.objects.get(pk=candidacy.pk).status == S.COMMITTEE_APPROVED


# ---- the three checks -----------------------------------------------------------------------


def test_the_checks_read_as_vetting_records_them(v):
    person = Person.objects.create(
        region=v.village1, name="甲", sex="M", birth_date=dt.date(1980, 1, 1)
    )
    old = TODAY - dt.timedelta(days=4 * 365)

    def check(kind, result, day, *, signed=True, due=None):
        return VettingCheck.objects.create(
            person=person,
            kind=kind,
            result=result,
            checked_on=day,
            due_on=due or day + dt.timedelta(days=3 * 365),
            village_signed_by=v.director1 if signed else None,
            police_signed_by=v.police if signed else None,
        )

    check("political", "passed", TODAY - dt.timedelta(days=10))
    check("quality", "passed", old)  # due three years on: expired
    states = {r.kind: r.state for r in check_rows(person.vetting_checks.all(), TODAY)}
    assert states == {
        "political": CheckState.PASSED,
        "quality": CheckState.EXPIRED,
        "age": CheckState.MISSING,
    }
    check("age", "passed", TODAY - dt.timedelta(days=5), signed=False)
    check("quality", "failed", TODAY - dt.timedelta(days=3))
    states = {r.kind: r.state for r in check_rows(person.vetting_checks.all(), TODAY)}
    assert states["age"] == CheckState.PENDING and states["quality"] == CheckState.FAILED
    # a check recorded after the day does not count on it
    earlier = {r.kind: r.state for r in check_rows(person.vetting_checks.all(), old)}
    assert earlier["political"] == CheckState.MISSING


# ---- dismissal --------------------------------------------------------------------------------


@pytest.fixture
def held(v):
    return Membership.objects.create(
        person=v.person, post=v.member, started_on=TODAY - dt.timedelta(days=200)
    )


def test_a_dismissal_ends_the_membership_with_its_reason(v, held):
    dismissal = service.membership_dismiss(
        membership=held,
        reason="长期外出，不能履职",
        decided_on=TODAY - dt.timedelta(days=1),
        by=v.director1,
    )
    held.refresh_from_db()
    assert held.ended_on == TODAY - dt.timedelta(days=1)
    assert held.end_reason == "长期外出，不能履职"
    assert (dismissal.membership, dismissal.decided_by) == (held, v.director1)


@pytest.mark.parametrize(
    ("reason", "days_ago", "by", "field"),
    [
        ("  ", 1, "director1", "reason"),
        ("不能履职", -1, "director1", "decided_on"),
        ("不能履职", 201, "director1", "decided_on"),
        ("不能履职", 1, "director2", None),
        ("不能履职", 1, "auditor", None),
    ],
    ids=["no-reason", "future", "before-start", "other-village", "no-right"],
)
def test_a_dismissal_refused_changes_nothing(v, held, reason, days_ago, by, field):
    with pytest.raises(ValidationError) as refused:
        service.membership_dismiss(
            membership=held,
            reason=reason,
            decided_on=TODAY - dt.timedelta(days=days_ago),
            by=getattr(v, by),
        )
    if field:
        assert field in refused.value.message_dict
    held.refresh_from_db()
    assert held.ended_on is None and not Dismissal.objects.exists()


def test_an_ended_membership_cannot_be_dismissed(v, held):
    held.ended_on = TODAY - dt.timedelta(days=3)
    held.save()
    with pytest.raises(ValidationError, match="结束"):
        service.membership_dismiss(
            membership=held, reason="不能履职", decided_on=TODAY, by=v.director1
        )
    assert not Dismissal.objects.exists()


# ---- messages ---------------------------------------------------------------------------------


def test_the_township_hears_of_a_candidate_awaiting_its_approval(
    v, django_capture_on_commit_callbacks
):
    candidacy = nominate(v, v.head)
    with django_capture_on_commit_callbacks(execute=True):
        move(candidacy, S.COMMITTEE_APPROVED, v.director1)
    note = Notification.objects.get()
    assert (note.user, note.kind, note.url) == (
        v.township_officer,
        "assignment",
        candidacy.get_absolute_url(),
    )
    assert "楼志明" in note.text_in("zh-hans") and "乡镇" in note.text_in("zh-hans")
    with translation.override("en"):
        assert "awaits the township" in note.text_in("en")


def test_a_member_post_approved_tells_nobody_and_the_village_hears_the_townships_answer(
    v, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approved(v)
    assert not Notification.objects.exists()
    head = approved(v, v.head, vetted_person(v.village1))
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        move(head, S.REJECTED, v.township_officer, note="年龄将到限")
    note = Notification.objects.get()
    assert note.user == v.director1
    assert "年龄将到限" in note.text_in("zh-hans")


def test_the_village_hears_the_townships_approval(v, django_capture_on_commit_callbacks):
    head = approved(v, v.head)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        move(head, S.TOWNSHIP_APPROVED, v.township_officer)
    assert [n.user for n in Notification.objects.all()] == [v.director1]


def test_a_refused_move_tells_nobody(v, django_capture_on_commit_callbacks):
    candidacy = nominate(v, v.head)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        move(candidacy, S.COMMITTEE_APPROVED, v.director1, days_ago=-3)
    assert not Notification.objects.exists()


# ---- the factory --------------------------------------------------------------------------------


def test_the_factory_keeps_the_candidate_in_the_posts_village(v):
    candidacy = candidacy_for(v.member, status="committee_approved")
    assert candidacy.person.region == v.village1
    assert candidacy.committee_decided_on is not None
