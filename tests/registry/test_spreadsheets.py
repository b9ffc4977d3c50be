"""Spreadsheet import and export: real .xlsx and .csv files built in the test, no mocks."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qunfang.core.personal import id_check_digit
from qunfang.registry.models import Household, Membership, Organisation, OrgKind, Person, Post
from qunfang.registry.spreadsheets import export_file, import_file, template_file
from tests.core.test_spreadsheets import csv_file, xlsx

pytestmark = pytest.mark.django_db

HOUSEHOLD_HEADER = [
    "户号",
    "村民小组",
    "户主身份证号",
    "地址",
    "仅老人户",
    "有残疾人",
    "外出/不在家",
    "低保",
    "五保",
]
PEOPLE_HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "电话",
    "文化程度",
    "政治面貌",
    "户号",
    "住址",
    "可参加值守",
]
MEMBERSHIP_HEADER = ["身份证号", "组织名称", "岗位", "起始日期", "结束日期", "离任原因"]


def an_id(born: str, seq: int) -> str:
    """A valid ID number of someone born on `born` (YYYYMMDD); odd `seq` is a man."""
    first = f"330681{born}{seq:03d}"
    return first + id_check_digit(first)


def run(layout, village, data, filename="file.xlsx", **kwargs):
    return import_file(
        layout=layout, village=village, file=io.BytesIO(data), filename=filename, **kwargs
    )


def where(report):
    """(row, column) of every error, for compact assertions."""
    return [(e.row, e.column) for e in report.errors]


def history_rows() -> int:
    return Household.history.count() + Person.history.count() + Membership.history.count()


@pytest.fixture
def households(world):
    return [Household.objects.create(region=world.village1, number=n) for n in ("0001", "0002")]


MAN = an_id("19800517", 1)
WOMAN = an_id("19750302", 2)
PEOPLE_ROWS = [
    PEOPLE_HEADER,
    ["楼阿根", "男", "1980-05-17", MAN, "13700001111", "初中", "中共党员", "0001", "", "是"],
    ["何秀娟", "女", "", WOMAN, "", "高中/中专", "群众", "0002", "二组3号", "否"],
    ["骆小明", "M", "2010/3/4", "", "", "小学", "共青团员", "0001", "", "N"],
]


# ---- households --------------------------------------------------------------------------


def test_a_good_household_file_imports(world):
    data = xlsx(
        [
            HOUSEHOLD_HEADER,
            ["0001", "第一村民小组", "", "一组1号", "否", "是", "N", "0", "×"],
            ["0002", "", "", "一组2号", "是", "", "√", "1", "true"],
        ]
    )
    report = run("households", world.village1, data)
    assert report.ok and report.written, report.errors
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    first, second = Household.objects.filter(region=world.village1).order_by("number")
    assert first.group == world.group1 and first.disabled_member and not first.elderly_only
    assert second.elderly_only and second.absent and second.low_income and second.five_guarantees
    assert second.history.count() == 1  # the import is in the audit history
    assert "file.xlsx" in second.history.first().history_change_reason


def test_an_unknown_villager_group_is_reported_and_nothing_written(world):
    data = xlsx([HOUSEHOLD_HEADER[:2], ["0001", "第一村民小组"], ["0002", "第九村民小组"]])
    report = run("households", world.village1, data)
    assert where(report) == [(3, "村民小组")]
    assert "第九村民小组" in report.errors[0].message
    assert not Household.objects.exists()


def test_a_household_number_twice_in_the_file_is_reported(world):
    report = run("households", world.village1, csv_file([["户号"], ["0001"], ["0001"]]), "h.csv")
    assert where(report) == [(3, "户号")] and "2" in report.errors[0].message


def test_heads_are_linked_once_the_people_are_in(world):
    households_file = xlsx([["户号", "户主身份证号"], ["0001", MAN], ["0002", WOMAN]])
    first = run("households", world.village1, households_file)
    assert first.written and len(first.notices) == 2  # nobody to link yet: noted, not refused
    assert run("people", world.village1, xlsx(PEOPLE_ROWS)).written
    again = run("households", world.village1, households_file)
    assert (again.created, again.updated, again.unchanged) == (0, 2, 0) and not again.notices
    assert Household.history.filter(history_type="~").count() == 2  # bulk updates keep history
    assert Household.objects.get(number="0001").head.name == "楼阿根"


def test_a_head_from_another_village_is_refused(world):
    Person.objects.create(
        region=world.village2,
        name="蒋国良",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        id_number=MAN,
    )
    report = run("households", world.village1, xlsx([["户号", "户主身份证号"], ["0001", MAN]]))
    assert where(report) == [(2, "户主身份证号")]
    assert "蒋国良" not in report.errors[0].message  # says nothing about the other village's people


# ---- people ------------------------------------------------------------------------------


def test_a_good_people_file_imports_and_derives_what_the_id_says(world, households):
    report = run("people", world.village1, xlsx(PEOPLE_ROWS))
    assert report.written and (report.created, report.updated) == (3, 0), report.errors
    woman = Person.objects.get(name="何秀娟")
    assert woman.birth_date == dt.date(1975, 3, 2) and woman.id_number == WOMAN
    assert (
        woman.education == "senior" and woman.political_status == "masses" and not woman.may_serve
    )
    assert woman.id_number_bidx  # computed by Person.save
    boy = Person.objects.get(name="骆小明")
    assert boy.household == households[0] and boy.political_status == "league" and not boy.id_number


def test_reimporting_the_same_file_changes_nothing(world, households):
    data = xlsx(PEOPLE_ROWS)
    run("people", world.village1, data)
    before = history_rows()
    again = run("people", world.village1, data)
    assert again.written and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert history_rows() == before and Person.objects.count() == 3


def test_a_changed_value_updates_only_that_person(world, households):
    run("people", world.village1, xlsx(PEOPLE_ROWS))
    changed = [row[:] for row in PEOPLE_ROWS]
    changed[1][4] = "13700002222"
    report = run("people", world.village1, xlsx(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Person.objects.get(name="楼阿根").phone == "13700002222"


def test_empty_cells_leave_stored_values_alone(world, households):
    run("people", world.village1, xlsx(PEOPLE_ROWS))
    sparse = xlsx([["姓名", "性别", "身份证号", "电话"], ["楼阿根", "男", MAN, ""]])
    report = run("people", world.village1, sparse)
    assert report.unchanged == 1 and Person.objects.get(name="楼阿根").phone == "13700001111"


def test_a_file_with_several_bad_rows_reports_each_and_writes_nothing(world, households):
    bad_checksum = MAN[:-1] + ("0" if MAN[-1] != "0" else "1")
    data = xlsx(
        [
            ["枫源村人口登记表"],  # a title row above the headers, as villages keep them
            PEOPLE_HEADER,
            ["楼阿根", "男", "", bad_checksum, "", "", "", "0001", "", ""],
            ["何秀娟", "女", "", WOMAN, "", "", "", "0009", "", ""],
            ["骆小明", "男", "2999-01-01", "", "", "", "", "", "", ""],
            ["", "女", "1990-01-01", "", "", "", "", "", "", ""],
            ["陈丽", "女", "1990-01-01", "", "1234", "博士后", "", "", "", "也许"],
            ["王强", "男", "1990-01-01", "", "", "", "", "", "", ""],
        ]
    )
    report = run("people", world.village1, data)
    assert not report.ok and not Person.objects.exists()
    assert where(report) == [
        (3, "身份证号"),
        (4, "户号"),
        (5, "出生日期"),
        (6, "姓名"),
        (7, "电话"),
        (7, "文化程度"),
        (7, "可参加值守"),
    ]
    assert report.bad_rows == 5 and report.created == 0


def test_an_id_twice_in_the_file_is_reported(world):
    data = csv_file([["姓名", "性别", "身份证号"], ["楼阿根", "男", MAN], ["楼根", "男", MAN]])
    report = run("people", world.village1, data, "p.csv")
    assert where(report) == [(3, "身份证号")] and "2" in report.errors[0].message


def test_an_id_held_by_a_person_of_another_village_is_refused(world):
    Person.objects.create(
        region=world.village2,
        name="斯伟东",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        id_number=MAN,
    )
    report = run(
        "people",
        world.village1,
        csv_file([["姓名", "性别", "身份证号"], ["楼阿根", "男", MAN]]),
        "p.csv",
    )
    assert where(report) == [(2, "身份证号")] and "斯伟东" not in report.errors[0].message
    assert Person.objects.count() == 1


def test_the_birth_date_and_sex_must_agree_with_the_id(world):
    data = csv_file([["姓名", "性别", "出生日期", "身份证号"], ["楼阿根", "女", "1980-05-18", MAN]])
    report = run("people", world.village1, data, "p.csv")
    assert sorted(where(report)) == [(2, "出生日期"), (2, "性别")]


def test_dates_and_yes_no_in_the_ways_villages_write_them(world):
    rows = [["姓名", "性别", "出生日期", "可参加值守"]]
    days = ["1990-01-02", "1990/1/3", "1990.1.4", "1990年1月5日", dt.datetime(1990, 1, 6)]
    for day, yes in zip(days, ["是", "Y", "1", "true", "√"], strict=True):
        rows.append([f"村民{len(rows)}", "男", day, yes])
    report = run("people", world.village1, xlsx(rows))
    assert report.written, report.errors
    assert sorted(p.birth_date.day for p in Person.objects.all()) == [2, 3, 4, 5, 6]
    assert all(p.may_serve for p in Person.objects.all())


def test_a_masked_or_numeric_id_gets_a_clear_message(world):
    data = xlsx(
        [
            ["姓名", "性别", "身份证号"],
            ["甲", "男", "330681********0017"],
            ["乙", "男", 3.30681198005171e17],
        ]
    )
    with translation.override("en"):
        report = run("people", world.village1, data)
    assert "masked" in report.errors[0].message and "as a number" in report.errors[1].message


# ---- memberships -------------------------------------------------------------------------


@pytest.fixture
def post(world):
    org = Organisation.objects.create(
        region=world.village1, name="枫源村治保会", kind=OrgKind.SECURITY_COMMITTEE
    )
    return Post.objects.create(organisation=org, title="治保委员", seats=1, min_age=18)


def test_memberships_import_follow_the_posts_rules_and_reimport_cleanly(world, households, post):
    run("people", world.village1, xlsx(PEOPLE_ROWS))
    rows = [
        MEMBERSHIP_HEADER,
        [
            WOMAN,
            "枫源村治保会",
            "治保委员",
            "2015-01-01",
            "2019-12-31",
            "换届",
        ],  # history: recorded as it was
        [MAN, "枫源村治保会", "治保委员", "2024-01-01", "", ""],
    ]
    report = run("memberships", world.village1, xlsx(rows))
    assert report.written and report.created == 2, report.errors
    assert Membership.objects.get(ended_on__isnull=True).person.name == "楼阿根"
    before = history_rows()
    again = run("memberships", world.village1, xlsx(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and history_rows() == before


def test_a_membership_the_person_cannot_take_is_refused(world, households, post):
    run("people", world.village1, xlsx(PEOPLE_ROWS))
    boy_id = an_id("20100304", 3)
    Person.objects.filter(name="骆小明").delete()
    Person.objects.create(
        region=world.village1,
        name="骆小明",
        sex="M",
        birth_date=dt.date(2010, 3, 4),
        id_number=boy_id,
    )
    rows = [
        MEMBERSHIP_HEADER,
        [boy_id, "枫源村治保会", "治保委员", "2024-01-01", "", ""],  # too young
        [MAN, "枫源村治保会", "治保委员", "2024-01-01", "", ""],
        [WOMAN, "枫源村治保会", "治保委员", "2024-02-01", "", ""],  # the only seat went to row 3
        [MAN, "枫源村调委会", "主任", "2024-01-01", "", ""],
        [MAN, "枫源村治保会", "会计", "2024-01-01", "", ""],
        [MAN, "枫源村治保会", "治保委员", "2099-01-01", "", ""],
    ]
    report = run("memberships", world.village1, xlsx(rows))
    assert where(report) == [
        (2, "岗位"),
        (4, "岗位"),
        (5, "组织名称"),
        (6, "岗位"),
        (7, "起始日期"),
    ]
    assert not Membership.objects.exists()


def test_a_future_date_is_refused(world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    report = run(
        "people", world.village1, xlsx([["姓名", "性别", "出生日期"], ["甲", "男", tomorrow]])
    )
    assert where(report) == [(2, "出生日期")] and tomorrow.isoformat() in report.errors[0].message


# ---- hostile and odd files ---------------------------------------------------------------
# How a file is refused (bombs, size, rows, damage) is the reader's:
# tests/core/test_spreadsheets.py.


def test_a_refused_file_is_the_reports_file_error_and_nothing_is_written(world):
    with translation.override("en"):
        report = run("households", world.village1, b"not a zip", "households.xlsx")
    assert "cannot be opened" in report.file_error and not report.written
    assert report.created == 0 and not Household.objects.exists()


def test_a_formula_without_a_saved_result_is_a_row_error(world):
    data = xlsx(
        [["户号", "地址"], ["0001", "一组1号"], ["0002", "=B2"]]
    )  # openpyxl saves no result
    with translation.override("en"):
        report = run("households", world.village1, data)
    assert where(report) == [(3, "地址")] and "formula" in report.errors[0].message
    assert not Household.objects.exists()
    assert "公式" in run("households", world.village1, data).errors[0].message  # Chinese by default


def test_merged_cells_leave_the_hidden_cells_empty_and_that_is_reported(world):
    workbook = openpyxl.Workbook()
    for row in [["户号", "地址"], ["0001", "一组1号"], ["", "一组2号"]]:
        workbook.active.append(row)
    workbook.active.merge_cells("A2:A3")  # one number over two rows, as registers sometimes do
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run("households", world.village1, buffer.getvalue())
    assert where(report) == [(3, "户号")] and not Household.objects.exists()


def test_a_file_of_another_layout_is_refused(world):
    with translation.override("en"):
        # a people file has a 户号 column too: it must not pass for households
        as_households = run("households", world.village1, xlsx(PEOPLE_ROWS, sheet="人员"))
        as_memberships = run("memberships", world.village1, xlsx(PEOPLE_ROWS, sheet="人员"))
    assert "People" in as_households.file_error and not Household.objects.exists()
    assert "组织名称" in as_memberships.file_error and "岗位" in as_memberships.file_error


def test_english_headers_are_accepted(world):
    data = csv_file(
        [["Household number", "Villager group", "Elderly only"], ["0001", "第一村民小组", "yes"]]
    )
    report = run("households", world.village1, data, "households.csv")
    assert report.written and Household.objects.get().elderly_only


def test_a_row_from_another_village_is_refused(world):
    data = csv_file([["村", "户号"], ["枫源村", "0001"], ["乐山村", "0002"]])
    assert where(run("households", world.village1, data, "h.csv")) == [(3, "村")]


def test_check_only_counts_but_writes_nothing(world):
    report = run(
        "households", world.village1, csv_file([["户号"], ["0001"]]), "h.csv", dry_run=True
    )
    assert report.ok and not report.written and report.created == 1
    assert not Household.objects.exists()


# ---- templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["households", "people", "memberships"])
def test_templates_explain_every_column_and_their_example_is_not_imported(world, layout):
    workbook = openpyxl.load_workbook(io.BytesIO(template_file(layout=layout, fmt="xlsx")))
    assert workbook.sheetnames[1] == "说明"
    headers = [c.value for c in workbook.worksheets[0][1]]
    explained = {row[0] for row in workbook["说明"].iter_rows(values_only=True)}
    assert set(headers) <= explained
    with translation.override("en"):
        report = run(
            layout, world.village1, template_file(layout=layout, fmt="csv"), "template.csv"
        )
    assert [e.row for e in report.errors] == [2] and "example row" in report.errors[0].message


# ---- exports -----------------------------------------------------------------------------


@pytest.fixture
def two_villages(world, households):
    Person.objects.create(
        region=world.village1,
        household=households[0],
        name="楼阿根",
        sex="M",
        birth_date=dt.date(1980, 5, 17),
        id_number=MAN,
        phone="13700001111",
        address='=HYPERLINK("http://evil")',
    )
    Person.objects.create(
        region=world.village2,
        name="蒋国良",
        sex="M",
        birth_date=dt.date(1975, 3, 2),
        id_number=an_id("19750302", 1),
        phone="13900002222",
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_exports_are_masked_and_scoped(world, two_villages):
    people = Person.objects.visible_to(world.director1)
    rows = _csv_rows(export_file(layout="people", queryset=people, fmt="csv"))
    text = str(rows)
    assert rows[0][:3] == ["村", "姓名", "性别"] and "楼阿根" in text and "蒋国良" not in text
    assert MAN not in text and "330681********0017"[:6] in text and "137****1111" in text
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_file(layout="people", queryset=people, fmt="xlsx"))
    )
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row]
    assert "楼阿根" in cells and MAN not in cells and "13700001111" not in cells


def test_export_defuses_cells_that_would_run_as_formulas(world, two_villages):
    people = Person.objects.visible_to(world.director1)
    rows = _csv_rows(export_file(layout="people", queryset=people, fmt="csv"))
    assert rows[1][rows[0].index("住址")] == '\'=HYPERLINK("http://evil")'
    workbook = openpyxl.load_workbook(
        io.BytesIO(export_file(layout="people", queryset=people, fmt="xlsx"))
    )
    address = workbook.active.cell(row=2, column=rows[0].index("住址") + 1)
    assert address.data_type == "s" and address.value.startswith("'=")


@pytest.mark.parametrize("layout", ["households", "people", "memberships"])
def test_export_query_count_stays_flat_as_rows_grow(world, post, layout):
    def grow(count):
        for n in range(count):
            household = Household.objects.create(
                region=world.village1, group=world.group1, number=f"h{n}-{count}"
            )
            person = Person.objects.create(
                region=world.village1,
                household=household,
                name=f"村民{n}",
                sex="F",
                birth_date=dt.date(1980, 1, 1 + n % 28),
                id_number=an_id("19800101", 2 * n + count),
            )
            household.head = person
            household.save()
            organisation = Organisation.objects.create(
                region=world.village1, name=f"组织{n}-{count}", kind=OrgKind.PATROL_TEAM
            )
            Membership.objects.create(
                person=person,
                started_on=dt.date(2024, 1, 1),
                post=Post.objects.create(organisation=organisation, title="队员"),
            )

    model = {"households": Household, "people": Person, "memberships": Membership}[layout]
    counts = []
    for count in (2, 20):
        grow(count)
        visible = model.objects.visible_to(world.director1)  # reads the user's roles once
        with CaptureQueriesContext(connection) as queries:
            export_file(layout=layout, queryset=visible, fmt="xlsx")
        counts.append(len(queries))
    assert counts[0] == counts[1] == 1  # one query with select_related, whatever the rows


# ---- the pages ---------------------------------------------------------------------------


def _upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_import_page_lists_problems_in_chinese(world, households, client_for):
    client = client_for(world.director1)
    url = reverse("registry:import", kwargs={"layout": "people"})
    page = client.get(url).content.decode()
    assert "枫源村" in page and "乐山村" not in page
    bad = MAN[:-1] + ("0" if MAN[-1] != "0" else "1")
    data = xlsx([["姓名", "性别", "身份证号"], ["楼阿根", "男", bad]])
    response = client.post(url, {"village": world.village1.pk, "file": _upload("人员.xlsx", data)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "身份证号校验位不正确" in body and '<td class="num">2</td><td>身份证号</td>' in body
    assert not Person.objects.exists()


def test_the_import_page_imports_a_good_file(world, client_for):
    client = client_for(world.township_officer)
    url = reverse("registry:import", kwargs={"layout": "households"})
    response = client.post(
        url,
        {"village": world.village1.pk, "file": _upload("h.csv", csv_file([["户号"], ["0001"]]))},
    )
    assert (
        response.status_code == 200 and Household.objects.filter(region=world.village1).count() == 1
    )


def test_an_outsider_cannot_import_into_village1(world, client_for):
    client = client_for(world.director2)
    url = reverse("registry:import", kwargs={"layout": "households"})
    response = client.post(
        url,
        {"village": world.village1.pk, "file": _upload("h.csv", csv_file([["户号"], ["0001"]]))},
    )
    assert response.status_code == 404 and not Household.objects.exists()


def test_import_needs_the_manage_permission_and_export_its_own(world, client_for):
    client = client_for(world.mediator1)  # may view the registry, not edit or export it
    assert client.get(reverse("registry:import", kwargs={"layout": "people"})).status_code == 403
    export = reverse("registry:export", kwargs={"layout": "people", "fmt": "csv"})
    assert client.get(export).status_code == 403
    assert client_for(world.director1).get(export).status_code == 200


def test_unknown_layouts_and_formats_are_404(world, client_for):
    client = client_for(world.director1)
    assert client.get(reverse("registry:import", kwargs={"layout": "cattle"})).status_code == 404
    assert (
        client.get(
            reverse("registry:export", kwargs={"layout": "people", "fmt": "pdf"})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("registry:template", kwargs={"layout": "cattle", "fmt": "csv"})
        ).status_code
        == 404
    )


def test_the_export_download_is_scoped_and_named_in_chinese(world, two_villages, client_for):
    client = client_for(world.director2)
    response = client.get(reverse("registry:export", kwargs={"layout": "people", "fmt": "csv"}))
    body = response.content.decode("utf-8-sig")
    assert "蒋国良" in body and "楼阿根" not in body and "枫源村" not in body
    assert "filename*=UTF-8''%E4%BA%BA%E5%91%98-" in response["Content-Disposition"]


def test_the_template_download(world, client_for):
    client = client_for(world.patrol1)  # no registry permission
    url = reverse("registry:template", kwargs={"layout": "households", "fmt": "xlsx"})
    assert client.get(url).status_code == 403
    response = client_for(world.mediator1).get(url)
    assert response.status_code == 200 and response.content.startswith(b"PK")


@pytest.mark.django_db
def test_the_command_imports_a_large_file_outside_a_request(world, tmp_path):
    from django.core.management import CommandError, call_command

    from qunfang.registry.models import Household

    path = tmp_path / "hh.csv"
    path.write_text("户号,地址\n0101,枫源村101号\n0102,枫源村102号\n", encoding="utf-8")
    call_command(
        "import_registry", "households", str(path), village=world.village1.code, check=True
    )
    assert not Household.objects.filter(number="0101").exists()
    call_command("import_registry", "households", str(path), village=world.village1.code)
    assert Household.objects.filter(region=world.village1, number__in=["0101", "0102"]).count() == 2
    path.write_text("户号,地址\n,缺户号\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_registry", "households", str(path), village=world.village1.code)
