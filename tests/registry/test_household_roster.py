"""A roster of household heads (户籍花名册) is a households file: each row records the household
and its head as a person of the village, numbers the households the roster leaves unnumbered,
stores the household size, and imports again without changing anything."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from qunfang.core.models import Region
from qunfang.registry.models import Household, Person
from qunfang.registry.spreadsheets import export_file
from tests.registry.test_spreadsheets import (
    HOUSEHOLD_HEADER,
    MAN,
    WOMAN,
    _csv_rows,
    an_id,
    history_rows,
    run,
    where,
    xlsx,
)

pytestmark = pytest.mark.django_db

ROSTER_HEADER = [
    "户主姓名",
    "户主身份证号",
    "性别",
    "出生日期",
    "联系电话",
    "住址",
    "村民小组",
    "人口数",
]
ROSTER = [
    ROSTER_HEADER,
    ["楼阿根", MAN, "男", "1980-05-17", "137 0000 1111", "一组1号", "第一村民小组", 4],
    ["何秀娟", WOMAN, "", "", "", "一组2号", "一组", "3人"],  # sex and birth date from the ID
    ["骆小明", "", "男", "1962-03-04", "", "一组3号", "第1组", "2"],  # no ID number
]


def roster(*rows, header=ROSTER_HEADER) -> bytes:
    return xlsx([header, *rows])


@pytest.fixture
def numbered(world):
    """The village already numbers its households up to 0007; the next village goes higher."""
    Household.objects.create(region=world.village1, number="0007")
    Household.objects.create(region=world.village1, number="东-3")  # not a number: ignored
    Household.objects.create(region=world.village2, number="0100")


def test_a_roster_creates_households_with_new_numbers_and_their_heads(world, numbered):
    report = run("households", world.village1, xlsx(ROSTER))
    assert report.written, (report.file_error, report.errors)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    made = Household.objects.filter(region=world.village1, head__isnull=False).order_by("number")
    assert [h.number for h in made] == ["0008", "0009", "0010"]  # after 0007, in row order
    first, second, third = made
    assert first.head.name == "楼阿根" and first.head.household == first and first.size == 4
    assert first.group == second.group == third.group == world.group1  # three spellings, one group
    man = first.head
    assert (man.id_number, man.sex, man.birth_date) == (MAN, "M", dt.date(1980, 5, 17))
    assert man.phone == "13700001111" and man.address == "一组1号" and man.region == world.village1
    woman = second.head
    assert (woman.sex, woman.birth_date, second.size) == ("F", dt.date(1975, 3, 2), 3)
    assert third.head.name == "骆小明" and not third.head.id_number and third.size == 2
    assert Person.objects.get(id_number_bidx=man.id_number_bidx) == man  # found by its ID
    # one history line each, showing the household with its head and the head in it
    created = first.history.get()
    assert created.history_type == "+" and created.head_id == man.pk
    assert man.history.get().household_id == first.pk


def test_reimporting_the_same_roster_changes_nothing(world, numbered):
    assert run("households", world.village1, xlsx(ROSTER)).written
    before = (history_rows(), Household.objects.count(), Person.objects.count())
    again = run("households", world.village1, xlsx(ROSTER))
    assert again.written and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (history_rows(), Household.objects.count(), Person.objects.count()) == before
    changed = [row[:] for row in ROSTER]
    changed[1][4] = "13900002222"
    report = run("households", world.village1, xlsx(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Person.objects.get(name="楼阿根").phone == "13900002222"
    assert Household.objects.filter(region=world.village1).count() == 5  # no new numbers


def test_a_birth_date_that_disagrees_with_the_id_is_a_bad_row_and_nothing_is_written(world):
    data = roster(ROSTER[1], ["何秀娟", WOMAN, "男", "1975-03-03", "", "", "", ""])
    with translation.override("en"):
        report = run("households", world.village1, data)
    assert where(report) == [(3, "出生日期"), (3, "性别")]
    assert "birth date does not match" in report.errors[0].message
    assert not Household.objects.exists() and not Person.objects.exists()


def test_a_group_the_village_does_not_have_is_a_bad_row_and_never_created(world):
    groups = Region.objects.count()
    report = run("households", world.village1, roster(ROSTER[1], [*ROSTER[2][:6], "第九村民小组"]))
    assert where(report) == [(3, "村民小组")] and "第九村民小组" in report.errors[0].message
    assert Region.objects.count() == groups and not Household.objects.exists()


def test_the_same_head_twice_in_the_file_is_a_bad_row_naming_the_other_row(world):
    report = run("households", world.village1, roster(ROSTER[1], ROSTER[2], ROSTER[1]))
    assert where(report) == [(4, "户主身份证号")] and "2" in report.errors[0].message
    no_id = ["骆小明", "", "男", "1962-03-04"]
    report = run("households", world.village1, roster(no_id, ROSTER[1], no_id))
    assert where(report) == [(4, "户主姓名")] and "2" in report.errors[0].message
    assert not Household.objects.exists()


def test_a_head_of_another_village_is_refused(world):
    Person.objects.create(
        region=world.village2,
        name="蒋国良",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        id_number=MAN,
    )
    report = run("households", world.village1, roster(ROSTER[1]))
    assert where(report) == [(2, "户主身份证号")] and "蒋国良" not in report.errors[0].message
    assert not Household.objects.filter(region=world.village1).exists()
    assert Person.objects.get(id_number_bidx__isnull=False).region == world.village2


def test_a_head_already_in_the_register_finds_the_household_they_head(world):
    household = Household.objects.create(region=world.village1, number="A12")
    head = Person.objects.create(
        region=world.village1,
        household=household,
        name="楼阿根",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        id_number=MAN,
    )
    household.head = head
    household.save()
    report = run("households", world.village1, xlsx(ROSTER))
    assert (report.created, report.updated, report.unchanged) == (2, 1, 0), report.errors
    household.refresh_from_db()
    assert household.size == 4 and household.group == world.group1
    assert Household.objects.filter(region=world.village1).count() == 3
    assert Person.objects.filter(name="楼阿根").count() == 1  # matched, not a second 楼阿根
    numbers = set(Household.objects.values_list("number", flat=True))
    assert numbers == {"A12", "0001", "0002"}


def test_new_numbers_never_take_one_the_file_gives(world):
    header = ["户号", *ROSTER_HEADER]
    data = roster(["", *ROSTER[1]], ["0001", *ROSTER[2]], ["", *ROSTER[3]], header=header)
    report = run("households", world.village1, data)
    assert report.written, report.errors
    numbers = dict(Household.objects.values_list("head__name", "number"))
    assert numbers == {"楼阿根": "0002", "何秀娟": "0001", "骆小明": "0003"}


def test_a_row_without_a_number_must_say_who_heads_the_household(world):
    header = ["户号", *ROSTER_HEADER]
    nobody = roster(["", "", "", "", "", "", "一组2号"], header=header)
    assert where(run("households", world.village1, nobody)) == [(2, "户号")]
    # an ID number alone is enough only for a person the register already has
    unknown = roster(["", "", WOMAN, "", "", "", "一组2号"], header=header)
    assert where(run("households", world.village1, unknown)) == [(2, "户主身份证号")]
    Person.objects.create(
        region=world.village1,
        name="何秀娟",
        sex="F",
        birth_date=dt.date(1975, 3, 2),
        id_number=WOMAN,
    )
    ids_only = xlsx([["户主身份证号", "人口数"], [WOMAN, 2]])
    report = run("households", world.village1, ids_only)
    assert report.written and report.created == 1, report.errors
    household = Household.objects.get()
    assert household.head.name == "何秀娟" and household.head.household == household
    assert (household.number, household.size) == ("0001", 2)
    again = run("households", world.village1, ids_only)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_head_without_an_id_number_needs_sex_and_birth_date(world):
    report = run("households", world.village1, roster(["骆小明", "", "", "", "", "一组3号"]))
    assert where(report) == [(2, "出生日期"), (2, "性别")]


def test_a_household_size_out_of_range_is_a_bad_row(world):
    report = run("households", world.village1, roster([*ROSTER[1][:7], 60], ROSTER[2]))
    assert where(report) == [(2, "人口数")] and "50" in report.errors[0].message


def test_the_register_s_own_layout_still_imports_and_needs_its_numbers(world):
    rows = [
        HOUSEHOLD_HEADER,
        ["0001", "第一村民小组", "", "一组1号", "否", "是", "否", "否", "否"],
        ["0002", "", an_id("19600101", 3), "一组2号", "是", "", "", "", ""],
    ]
    report = run("households", world.village1, xlsx(rows))
    assert report.written and report.created == 2 and len(report.notices) == 1
    assert not Person.objects.exists()  # without head names, nobody is created
    missing = run("households", world.village1, xlsx([HOUSEHOLD_HEADER[:2], ["", "一组"]]))
    assert where(missing) == [(2, "户号")]


def test_the_export_carries_the_size_and_the_head(world, numbered):
    assert run("households", world.village1, xlsx(ROSTER)).written
    households = Household.objects.visible_to(world.director1).filter(head__isnull=False)
    rows = _csv_rows(export_file(layout="households", queryset=households, fmt="csv"))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["人口数"] == "4" and first["户主姓名"] == "楼阿根" and first["性别"] == "男"
    assert first["联系电话"] == "137****1111" and MAN not in str(rows)


def test_the_household_pages_show_and_edit_the_size(world, client_for):
    household = Household.objects.create(region=world.village1, number="0001", size=3)
    client = client_for(world.director1)
    body = client.get(reverse("registry:household_list")).content.decode()
    assert '<td class="num">3</td>' in body
    url = reverse("registry:household_edit", args=[household.pk])
    fields = {"region": world.village1.pk, "number": "0001"}
    refused = client.post(url, {**fields, "size": 51})
    assert refused.status_code == 200 and "size" in refused.context["form"].errors
    client.post(url, {**fields, "size": 5})
    household.refresh_from_db()
    assert household.size == 5
    detail = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert "<dd>5</dd>" in detail.content.decode()
