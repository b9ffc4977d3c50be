"""Registry screens through the test client: forms, bad input, scoping, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.core.models import SecurityEvent, SecurityEventKind
from qunfang.registry.models import Household, Membership, Organisation, Person, Post


@pytest.fixture
def director(client, world, records):
    client.force_login(world.director1)
    return client


@pytest.mark.django_db
def test_the_organisation_list_shows_posts_holders_and_empty_seats(director, records):
    body = director.get(reverse("registry:organisation_list")).content.decode()
    assert records.org.name in body and records.person.name in body
    assert "1 empty" in body or "1 个空缺" in body or "空缺" in body


@pytest.mark.django_db
def test_creating_an_organisation_in_another_village_is_refused(director, world):
    response = director.post(
        reverse("registry:organisation_create"),
        {
            "region": world.village2.pk,
            "name": "乐山村巡逻队",
            "kind": "patrol_team",
            "form": "voluntary",
            "status": "active",
        },
    )
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not Organisation.objects.filter(name="乐山村巡逻队").exists()


@pytest.mark.django_db
def test_a_director_creates_an_organisation_and_a_post(director, world):
    response = director.post(
        reverse("registry:organisation_create"),
        {
            "region": world.village1.pk,
            "name": "枫源村巡逻队",
            "kind": "patrol_team",
            "form": "voluntary",
            "status": "active",
            "founded_on": "2024-03-01",
        },
    )
    org = Organisation.objects.get(name="枫源村巡逻队")
    assert response.status_code == 302 and response["Location"] == org.get_absolute_url()
    response = director.post(
        reverse("registry:post_create", args=[org.pk]),
        {
            "title": "队长",
            "duties": "带队巡逻",
            "seats": 1,
            "is_leader": "on",
            "min_age": 20,
            "max_age": 60,
        },
    )
    assert response.status_code == 302
    assert Post.objects.get(organisation=org).is_leader


@pytest.mark.django_db
def test_placing_a_person_reports_the_rules_in_chinese_and_changes_nothing(
    director, world, records
):
    post = Post.objects.create(
        organisation=records.org, title="治保主任", requires_vetting=True, min_age=50
    )
    response = director.post(
        reverse("registry:post_place", args=[post.pk]),
        {"person": records.person.pk, "started_on": "2026-11-01"},
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "46" in errors and "50" in errors
    assert not Membership.objects.filter(post=post).exists()


@pytest.mark.django_db
def test_a_person_of_another_village_cannot_be_chosen(director, world, records):
    stranger = Person.objects.create(
        region=world.village2, name="乐山人", sex="M", birth_date=dt.date(1990, 1, 1)
    )
    response = director.post(
        reverse("registry:post_place", args=[records.post.pk]),
        {"person": stranger.pk, "started_on": "2026-11-01"},
    )
    assert "person" in response.context["form"].errors


@pytest.mark.django_db
def test_ending_a_membership_through_the_screen(director, records):
    response = director.post(
        reverse("registry:membership_end", args=[records.membership.pk]),
        {"ended_on": "2026-11-01", "reason": "外出务工"},
    )
    assert response.status_code == 302
    records.membership.refresh_from_db()
    assert records.membership.ended_on == dt.date(2026, 11, 1)
    body = director.get(
        reverse("registry:organisation_detail", args=[records.org.pk])
    ).content.decode()
    assert "外出务工" in body


@pytest.mark.django_db
def test_a_bad_id_number_on_the_person_form_is_explained_and_nothing_is_saved(
    director, world, records
):
    response = director.post(
        reverse("registry:person_edit", args=[records.person.pk]),
        {
            "region": world.village1.pk,
            "name": "楼阿根改",
            "sex": "M",
            "birth_date": "1980-05-17",
            "id_number": "330681198005170018",
            "phone": "",
            "education": "",
            "political_status": "",
        },
    )
    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    assert Person.objects.get(pk=records.person.pk).name == "楼阿根"


@pytest.mark.django_db
def test_people_list_masks_and_the_detail_reveal_is_logged(director, records):
    body = director.get(reverse("registry:person_list")).content.decode()
    assert "137****1111" in body and "13700001111" not in body
    detail = director.get(
        reverse("registry:person_detail", args=[records.person.pk])
    ).content.decode()
    assert "330681***********1" in detail and "330681198005170011" not in detail
    revealed = director.post(
        reverse("registry:person_reveal", args=[records.person.pk, "id_number"])
    )
    assert "330681198005170011" in revealed.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERSONAL_DATA_REVEALED)
    assert event.detail["record"] == "registry.Person" and event.region == records.person.region


@pytest.mark.django_db
def test_a_household_with_a_group_of_another_village_is_refused(director, world, records):
    from qunfang.core.models import Region

    foreign_group = Region.objects.create(
        code="330681109291001", name="乐山一组", kind="group", parent=world.village2
    )
    response = director.post(
        reverse("registry:household_create"),
        {
            "region": world.village1.pk,
            "group": foreign_group.pk,
            "number": "0099",
        },
    )
    assert response.status_code == 200 and "group" in response.context["form"].errors
    assert not Household.objects.filter(number="0099").exists()


@pytest.mark.django_db
def test_the_group_roster_prints_with_its_households(director, records):
    from qunfang.registry.services.groups import joint_defence_group_form

    joint_defence_group_form(
        group=records.group,
        households=[records.household],
        leader=records.household,
        on=dt.date(2025, 1, 1),
    )
    body = director.get(reverse("registry:group_print", args=[records.group.pk])).content.decode()
    assert "print.css" in body and records.household.number in body and records.person.name in body


@pytest.mark.django_db
def test_the_due_list_shows_missing_certificates(director, records):
    records.post.required_training = "mediation"
    records.post.save()
    body = director.get(reverse("registry:due_list")).content.decode()
    assert records.person.name in body


@pytest.mark.django_db
def test_a_patrol_member_cannot_open_the_registry(client, world, records):
    client.force_login(world.patrol1)
    assert client.get(reverse("registry:person_list")).status_code == 403


@pytest.mark.django_db
def test_a_foreign_village_filter_answers_404(director, world):
    assert (
        director.get(reverse("registry:person_list"), {"village": world.village2.code}).status_code
        == 404
    )


def _grow(world, n):
    start = Household.objects.count()
    for i in range(start, start + n):
        household = Household.objects.create(region=world.village1, number=f"9{i:03d}")
        person = Person.objects.create(
            region=world.village1,
            household=household,
            name=f"村民{i}",
            sex="F",
            birth_date=dt.date(1970, 1, 1),
            phone="13800000000",
        )
        org = Organisation.objects.create(
            region=world.village1, name=f"组织{i}", kind="patrol_team"
        )
        post = Post.objects.create(organisation=org, title="队员", seats=3)
        Membership.objects.create(person=person, post=post, started_on=dt.date(2025, 1, 1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    [
        "registry:organisation_list",
        "registry:person_list",
        "registry:household_list",
        "registry:group_list",
        "registry:due_list",
    ],
)
def test_registry_list_query_counts_stay_flat(client, world, records, url_name):
    client.force_login(world.township_officer)
    url = reverse(url_name)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _grow(world, 2)
    small = count()
    _grow(world, 15)
    assert count() == small
