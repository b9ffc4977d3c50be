"""Registry rules: who may take a post, vetting sign-off order, person validation, groups."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from qunfang.registry.models import (
    GroupMembership,
    Household,
    Membership,
    Person,
    TrainingRecord,
    VettingCheck,
)
from qunfang.registry.services.groups import joint_defence_group_form
from qunfang.registry.services.organisations import membership_end, membership_start
from qunfang.registry.services.people import person_save, vetting_passed, vetting_sign
from tests.clock import MIDWEEK

TODAY = dt.date(2026, 11, 28)


def _vet(
    person, world, *, kinds=("political", "quality", "age"), police=True, due=dt.date(2028, 1, 1)
):
    for kind in kinds:
        VettingCheck.objects.create(
            person=person,
            kind=kind,
            result="passed",
            checked_on=dt.date(2026, 1, 1),
            due_on=due,
            village_signed_by=world.director1,
            village_signed_on=dt.date(2026, 1, 2),
            police_signed_by=world.police if police else None,
            police_signed_on=dt.date(2026, 1, 5) if police else None,
        )


@pytest.fixture
def strict_post(records):
    post = records.post
    post.requires_vetting, post.min_age, post.max_age, post.required_training = (
        True,
        25,
        60,
        "patrol",
    )
    post.save()
    return post


@pytest.mark.django_db
def test_a_vetted_trained_person_of_the_right_age_takes_the_post(world, records, strict_post):
    records.membership.delete()
    _vet(records.person, world)  # person born 1980: 46 on TODAY; trained in patrol 2025-03-01
    TrainingRecord.objects.filter(pk=records.training.pk).update(
        certificate_expires_on=dt.date(2027, 3, 1)
    )
    membership = membership_start(person=records.person, post=strict_post, started_on=TODAY)
    assert membership.is_current


@pytest.mark.django_db
def test_every_reason_for_refusal_is_listed(world, records, strict_post):
    records.membership.delete()
    _vet(
        records.person, world, kinds=("political",), police=False
    )  # only one check, unsigned by police
    strict_post.max_age = 40
    strict_post.save()
    with pytest.raises(ValidationError) as caught:
        membership_start(person=records.person, post=strict_post, started_on=TODAY)
    text = " ".join(caught.value.messages)
    assert len(caught.value.messages) == 3, text  # vetting, age, training
    assert "素质关" in text and "46" in text and "巡逻" in text
    assert not Membership.objects.filter(person=records.person).exists()


@pytest.mark.django_db
def test_a_vetting_check_counts_only_when_police_signed_and_not_yet_due(world, records):
    _vet(records.person, world, police=False)
    assert vetting_passed(person=records.person, on=TODAY) == {
        "political": False,
        "quality": False,
        "age": False,
    }
    VettingCheck.objects.filter(person=records.person, village_signed_by__isnull=False).update(
        police_signed_by=world.police, police_signed_on=TODAY
    )
    assert all(vetting_passed(person=records.person, on=TODAY).values())
    assert not any(vetting_passed(person=records.person, on=dt.date(2028, 1, 1)).values())


@pytest.mark.django_db
def test_full_posts_refuse_another_holder(world, records):
    records.post.seats = 1
    records.post.save()
    other = Person.objects.create(
        region=world.village1, name="赵二", sex="M", birth_date=dt.date(1990, 1, 1)
    )
    with pytest.raises(ValidationError, match="1"):
        membership_start(person=other, post=records.post, started_on=TODAY)


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_membership_of_the_same_post(records):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(person=records.person, post=records.post, started_on=TODAY)


@pytest.mark.django_db
def test_a_person_from_another_village_cannot_take_the_post(world, records):
    outsider = Person.objects.create(
        region=world.village2, name="钱三", sex="M", birth_date=dt.date(1990, 1, 1)
    )
    with pytest.raises(ValidationError):
        membership_start(person=outsider, post=records.post, started_on=TODAY)


@pytest.mark.django_db
def test_ending_a_membership_keeps_it_in_history(records):
    membership_end(membership=records.membership, ended_on=TODAY, reason="外出务工")
    with pytest.raises(ValidationError):
        membership_end(membership=records.membership, ended_on=TODAY)
    assert records.membership.history.count() == 2
    with pytest.raises(ValidationError):
        membership_end(
            membership=Membership.objects.create(
                person=records.person, post=records.post, started_on=TODAY
            ),
            ended_on=TODAY - dt.timedelta(days=1),
        )


@pytest.mark.django_db
def test_vetting_is_signed_by_the_village_then_the_police(world, records):
    check = records.check
    with pytest.raises(PermissionDenied):
        vetting_sign(check=check, by=world.police, on=TODAY)  # police cannot sign first
    vetting_sign(check=check, by=world.director1, on=TODAY)
    with pytest.raises(PermissionDenied):
        vetting_sign(check=check, by=world.director1, on=TODAY)  # nor the director twice
    vetting_sign(check=check, by=world.police, on=TODAY)
    assert check.counts_on(TODAY)
    with pytest.raises(ValidationError):
        vetting_sign(check=check, by=world.police, on=TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "330681198005170018"}, "id_number"),  # bad check digit
        ({"birth_date": dt.date(1981, 5, 17)}, "birth_date"),  # does not match the ID number
        ({"phone": "12345"}, "phone"),
        ({"id_number": "", "birth_date": dt.date(2099, 1, 1)}, "birth_date"),
    ],
)
@pytest.mark.django_db
def test_person_data_is_validated_with_a_reason_per_field(world, records, changes, field):
    person = Person.objects.get(pk=records.person.pk)
    for key, value in changes.items():
        setattr(person, key, value)
    with pytest.raises(ValidationError) as caught:
        person_save(person=person)
    assert field in caught.value.message_dict
    assert Person.objects.get(pk=person.pk).id_number == "330681198005170011"


@pytest.mark.django_db
def test_two_people_cannot_share_an_id_number(world, records):
    twin = Person(
        region=world.village2,
        name="重号",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        id_number="330681198005170011",
    )
    with pytest.raises(ValidationError) as caught:
        person_save(person=twin)
    assert "id_number" in caught.value.message_dict


@pytest.mark.django_db
def test_reforming_a_group_keeps_who_left_and_moves_households_between_groups(world, records):
    households = [
        Household.objects.create(region=world.village1, number=f"1{i:03d}") for i in range(12)
    ]
    first, second = (
        records.group,
        records.group.__class__.objects.create(
            region=world.village1, name="第2联防组", formed_on=dt.date(2025, 1, 1)
        ),
    )
    joint_defence_group_form(
        group=first, households=households[:10], leader=households[0], on=dt.date(2025, 1, 1)
    )
    joint_defence_group_form(
        group=second, households=households[8:], leader=households[11], on=TODAY
    )
    assert set(
        first.memberships.filter(left_on__isnull=True).values_list("household", flat=True)
    ) == {h.pk for h in households[:8]}
    moved = GroupMembership.objects.get(group=first, household=households[9])
    assert moved.left_on == TODAY
    assert GroupMembership.objects.get(group=second, household=households[9], left_on__isnull=True)


@pytest.mark.django_db
def test_a_group_refuses_another_villages_household_or_an_outside_leader(world, records):
    with pytest.raises(ValidationError):
        joint_defence_group_form(
            group=records.group,
            households=[records.household, records.household2],
            leader=records.household,
            on=TODAY,
        )
    with pytest.raises(ValidationError):
        joint_defence_group_form(
            group=records.group, households=[records.household], leader=records.household2, on=TODAY
        )
    assert not GroupMembership.objects.exists()


@pytest.mark.django_db
@pytest.mark.time_machine(MIDWEEK, tick=False)
def test_training_falls_due_without_a_certificate_valid_past_the_window(world, records):
    """Due: no certificate of the post's kind valid past 60 days from today. A certificate
    without an expiry does not count as valid, on SQLite and PostgreSQL alike."""
    from qunfang.registry.models import TrainingRecord
    from qunfang.registry.selectors import training_due

    records.post.required_training = "mediation"
    records.post.save()
    today = dt.date(2029, 1, 10)

    def due() -> list:
        return [(m.person_id, m.expires) for m in training_due(user=world.director1)]

    def certificate(expires):
        return TrainingRecord.objects.create(
            person=records.person,
            kind="mediation",
            course="调解",
            held_on=dt.date(2028, 6, 1),
            hours=8,
            certificate_expires_on=expires,
        )

    assert due() == [(records.person.pk, None)]  # only a patrol course: missing
    certificate(None)
    assert due() == [(records.person.pk, None)]  # no expiry: not a valid certificate
    soon = certificate(today + dt.timedelta(days=30))
    assert due() == [(records.person.pk, soon.certificate_expires_on)]  # expires within the window
    certificate(today + dt.timedelta(days=200))
    assert due() == []  # valid well past the window
