"""The mapping step, through real HTTP and real files: a village's own roster goes to a screen
that shows which column holds what, with a preview; the confirmed mapping imports the file and is
remembered for the village; the problems come back as the same sheet with a reason column; and
the command line uses the suggestion or --map. Tickets are their uploader's only."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from qunfang.core.models import ImportMapping
from qunfang.core.personal import mask_id_number
from qunfang.registry.models import Household, Person
from tests.registry.test_spreadsheets import an_id

pytestmark = pytest.mark.django_db

OWN_HEADER = ["序号", "户主姓名", "公民身份号码", "组别", "住 址", "备注"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def roster(rows, header=OWN_HEADER, title="枫源村户籍花名册（2026年）") -> bytes:
    """A village's own sheet: a title row merged across the width, then its headers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "花名册"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADS = [
    [1, "张三", an_id("19620304", 11), "第一村民小组", "枫源村3号", ""],
    [2, "李四", an_id("19750812", 22), "一组", "枫源村8号", "外出"],
]


def upload(client, world, data, name="花名册.xlsx", **extra):
    url = reverse("registry:import", kwargs={"layout": "households"})
    return client.post(
        url, {"village": world.village1.pk, "file": SimpleUploadedFile(name, data), **extra}
    )


def columns_page(client, world, data):
    response = upload(client, world, data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert "/columns/" in response["Location"]
    return response["Location"]


def test_a_village_s_own_roster_goes_to_the_mapping_screen_with_a_guess_and_a_preview(
    world, client_for
):
    client = client_for(world.director1)
    page = client.get(columns_page(client, world, roster(HEADS)))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="preview"' in html and "张三" in html
    # ID numbers are masked on the screen, in the samples and in the preview alike
    assert HEADS[0][2] not in html and mask_id_number(HEADS[0][2]) in html
    form = page.context["form"]
    assert form["head"].value() == "公民身份号码"
    assert form["group"].value() == "组别"
    assert form["address"].value() == "住 址"
    assert not Household.objects.exists()  # nothing written before the user confirms


def test_the_confirmed_mapping_imports_the_file_and_is_remembered_for_the_village(
    world, client_for
):
    client = client_for(world.director1)
    url = columns_page(client, world, roster(HEADS))
    chosen = {"head_name": "户主姓名", "head": "公民身份号码", "group": "组别", "address": "住 址"}
    chosen["import"] = "1"
    response = client.post(url, chosen)
    assert response.status_code == 200
    assert 'data-testid="import-result"' in response.content.decode()
    assert Household.objects.filter(region=world.village1).count() == 2
    remembered = ImportMapping.objects.get(region=world.village1, layout="households")
    assert remembered.columns["head"] == "公民身份号码"
    # the next file of the village, with the ID column renamed back, is guessed from memory
    again = client.get(columns_page(client, world, roster(HEADS)))
    assert again.context["form"]["head"].value() == "公民身份号码"


def test_a_column_chosen_twice_or_a_required_field_without_one_is_refused_and_nothing_written(
    world, client_for
):
    client = client_for(world.director1)
    url = columns_page(client, world, roster(HEADS))
    response = client.post(url, {"head": "组别", "group": "组别", "import": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "组别" in html
    # the second field in the layout's order that names the column is the one refused
    assert "组别" in response.context["form"].errors["head"][0]
    assert not Household.objects.exists()


def test_the_problems_come_back_as_the_same_sheet_with_a_reason_column(world, client_for):
    client = client_for(world.director1)
    bad = [*HEADS, [3, "王五", an_id("19800101", 33), "第九组", "枫源村9号", ""]]
    url = columns_page(client, world, roster(bad))
    response = client.post(
        url,
        {
            "head_name": "户主姓名",
            "head": "公民身份号码",
            "group": "组别",
            "address": "住 址",
            "import": "1",
        },
    )
    html = response.content.decode()
    assert not Household.objects.exists()
    link = reverse("registry:import_problems", args=[response.context["report"]["problems"]])
    assert link in html
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(link).content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    reasons = [row[-1] for row in rows]
    assert rows[0][0] == "枫源村户籍花名册（2026年）"  # the title row as it was
    assert reasons[4] and "第九组" in reasons[4]  # row 5 in Excel: 王五's group does not exist
    assert not any(reasons[2:4])  # the good rows carry no reason
    # the file is its uploader's: another signed-in user gets a 404
    assert client_for(world.director2).get(link).status_code == 404


def test_a_ticket_is_its_uploader_s_and_names_only_a_village_they_see(world, client_for):
    url = columns_page(client_for(world.director1), world, roster(HEADS))
    assert client_for(world.director2).get(url).status_code == 404
    assert (
        client_for(world.director1).get(url.replace("/columns/", "/columns/x")).status_code == 404
    )


def test_a_file_laid_out_like_the_template_is_imported_at_once(world, client_for):
    data = roster([["0007", "枫源村7号"]], header=["户号", "地址"], title="住户")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    sheet.delete_rows(1)  # no title row: the template's own first row is the header
    out = io.BytesIO()
    sheet.parent.save(out)
    response = upload(client_for(world.director1), world, out.getvalue(), name="住户.xlsx")
    assert response.status_code == 200
    assert Household.objects.filter(region=world.village1, number="0007").exists()


def test_the_command_uses_the_suggestion_or_map_and_prints_the_mapping(world, tmp_path, capsys):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(roster(HEADS))
    call_command("import_registry", "households", str(path), "--village", "330681109290")
    out = capsys.readouterr().out
    assert "公民身份号码=head" in out and "组别=group" in out
    assert Household.objects.filter(region=world.village1).count() == 2
    with pytest.raises(CommandError, match="nowhere"):
        call_command(
            "import_registry",
            "households",
            str(path),
            "--village",
            "330681109290",
            "--map",
            "nowhere=address",
        )
    with pytest.raises(CommandError, match="no field"):
        call_command(
            "import_registry",
            "households",
            str(path),
            "--village",
            "330681109290",
            "--map",
            "住 址=street",
        )


def test_people_are_created_only_through_the_heads_columns(world, client_for):
    """Without the head's name the roster links heads by ID only (nobody is created)."""
    client = client_for(world.director1)
    url = columns_page(client, world, roster(HEADS))
    client.post(url, {"head": "公民身份号码", "address": "住 址", "import": "1"})
    assert not Person.objects.filter(name="张三").exists()


def test_a_village_s_remembered_mapping_is_seen_only_within_its_jurisdiction(world, client_for):
    client = client_for(world.director1)
    url = columns_page(client, world, roster(HEADS))
    chosen = {"head_name": "户主姓名", "head": "公民身份号码", "group": "组别", "import": "1"}
    client.post(url, chosen)
    remembered = ImportMapping.objects.get(region=world.village1)
    assert remembered in ImportMapping.objects.visible_to(world.township_officer)
    assert remembered not in ImportMapping.objects.visible_to(world.director2)
    assert remembered not in ImportMapping.objects.visible_to(world.township2_officer)


def test_the_preview_reads_only_the_first_rows_and_counts_them_all(world, client_for):
    many = [[n, f"户主{n}", an_id("19700101", 2 * n + 1), "一组", f"{n}号", ""] for n in range(30)]
    client = client_for(world.director1)
    page = client.get(columns_page(client, world, roster(many)))
    preview = page.context["preview"]
    assert [row["number"] for row in preview["rows"]] == list(range(3, 13))  # Excel rows 3–12
    assert preview["total"] == 30
    assert "30" in page.content.decode()


def test_an_english_reader_sees_each_field_s_english_name_beside_the_file_s_header(
    world, client_for
):
    client = client_for(world.director1)
    url = columns_page(client, world, roster(HEADS))
    client.cookies["django_language"] = "en"
    html = client.get(url).content.decode()
    assert '户主身份证号 <span class="muted">(head ID number)</span>' in html
    assert "Which column holds what" in html
