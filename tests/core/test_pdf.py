"""PDFs of the paper registers and of the notices for the village board (core/pdf.py): real PDFs
that carry their CJK font and read as Chinese, logged when they list people, refused for another
village's records, and a clear answer on a server without WeasyPrint's libraries.

The rendering tests need WeasyPrint's system libraries (Pango), a CJK font and poppler-utils
(`pdffonts`, `pdftotext`); CI installs them and sets QUNFANG_REQUIRE_PDF=1 so that they fail
instead of skipping."""

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from qunfang.core import pdf
from qunfang.core.models import SecurityEvent, SecurityEventKind
from qunfang.patrols.models import PatrolPoint, Roster, RosterStatus
from tests.core.test_books import a_case
from tests.factories import contract_for

REGISTERS = [
    "casebook:case_register_print",
    "casebook:inspection_register_print",
    "casebook:mediation_register_print",
    "casebook:opinion_register_print",
    "patrols:register_print",
    "governance:minutes_register_print",
]
CJK_FONT = re.compile(r"WenQuanYi|Noto-?Sans-?CJK|Noto-?Serif-?CJK|Droid-?Sans-?Fallback", re.I)


def _can_render() -> bool:
    try:
        import weasyprint  # noqa: F401  (OSError: the Pango libraries are missing)
    except (ImportError, OSError):
        return False
    return bool(shutil.which("pdffonts") and shutil.which("pdftotext"))


renders = pytest.mark.skipif(
    not _can_render() and os.environ.get("QUNFANG_REQUIRE_PDF") != "1",
    reason="needs WeasyPrint's libraries and poppler-utils (CI has them: QUNFANG_REQUIRE_PDF=1)",
)


def _poppler(tool: str, data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    args = [tool, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _assert_chinese_pdf(response, tmp_path: Path, *texts: str) -> str:
    """A PDF download with an embedded CJK font whose text holds each of `texts`."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.content
    assert data.startswith(b"%PDF-")
    fonts = [line for line in _poppler("pdffonts", data, tmp_path).splitlines()[2:] if line]
    embedded_cjk = [line for line in fonts if CJK_FONT.search(line) and " yes " in line]
    assert embedded_cjk, fonts  # no CJK font: the Chinese would be boxes on a fresh machine
    text = _poppler("pdftotext", data, tmp_path)
    for wanted in texts:
        assert wanted in text, (wanted, text[:500])
    return text


# ---- registers --------------------------------------------------------------------------------


@renders
def test_a_case_register_downloads_as_a_pdf_in_chinese(world, client, tmp_path):
    a_case(world)
    client.force_login(world.director1)
    page = client.get(reverse("casebook:case_register_print")).content.decode()
    assert "format=pdf" in page  # the register offers its PDF
    response = client.get(reverse("casebook:case_register_print"), {"format": "pdf"})
    text = _assert_chinese_pdf(response, tmp_path, "案件登记簿", "电动车被盗", "登记人签字")
    assert "枫源村" in text and "乡镇检查盖章" in text
    assert "下载 PDF" not in text and "显示登记簿" not in text  # the tools stay on the screen
    assert "filename*=UTF-8''" in response["Content-Disposition"]


@renders
def test_a_patrol_register_pdf_has_its_month_and_sheet_numbers(world, client, tmp_path):
    client.force_login(world.director1)
    response = client.get(reverse("patrols:register_print"), {"month": "2027-03", "format": "pdf"})
    _assert_chinese_pdf(response, tmp_path, "巡逻登记簿", "2027-03", "第 1 张，共 1 张")


def _fake_pdf(monkeypatch) -> list[str]:
    """Replace the renderer: the HTML it was given is kept, a stand-in PDF returned."""
    seen: list[str] = []

    def render(html: str, *, base_url: str) -> bytes:
        seen.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(pdf, "render_pdf", render)
    return seen


@pytest.mark.parametrize("name", REGISTERS)
def test_every_register_is_offered_as_a_pdf_of_its_sheets(world, client, monkeypatch, name):
    seen = _fake_pdf(monkeypatch)
    client.force_login(world.director1)
    page = client.get(reverse(name)).content.decode()
    assert 'data-testid="register-pdf"' in page and "format=pdf" in page
    response = client.get(reverse(name), {"format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert 'data-testid="register-sheet"' in seen[0] and 'data-testid="stamp-box"' in seen[0]


def test_a_register_pdf_is_written_to_the_security_log(world, client, monkeypatch):
    _fake_pdf(monkeypatch)
    a_case(world)
    client.force_login(world.director1)
    client.get(
        reverse("casebook:case_register_print"),
        {"village": world.village1.code, "from": "2027-01-01", "to": "2027-01-31", "format": "pdf"},
    )
    event = SecurityEvent.objects.get(kind=SecurityEventKind.DATA_EXPORTED)
    assert event.actor == world.director1
    assert event.detail["list"] == "register:cases" and event.detail["format"] == "pdf"
    wanted = {"village": world.village1.code, "from": "2027-01-01", "to": "2027-01-31"}
    assert event.detail["filters"] == wanted


def test_without_weasyprints_libraries_the_answer_says_to_print_from_the_browser(
    world, client, monkeypatch
):
    def missing(html: str, *, base_url: str) -> bytes:
        raise pdf.PdfUnavailable("cannot load library 'libgobject-2.0-0'")

    monkeypatch.setattr(pdf, "render_pdf", missing)
    client.force_login(world.director1)
    response = client.get(reverse("casebook:case_register_print"), {"format": "pdf"})
    assert response.status_code == 503
    assert "浏览器打印" in response.content.decode()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.DATA_EXPORTED).exists()


@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
@pytest.mark.parametrize("name", REGISTERS)
def test_another_villages_register_pdf_answers_404(world, client, monkeypatch, outsider, name):
    seen = _fake_pdf(monkeypatch)
    client.force_login(getattr(world, outsider))
    url = reverse(name)
    assert client.get(url, {"village": world.village1.code, "format": "pdf"}).status_code == 404
    own = client.get(url, {"format": "pdf"})  # their own (or their chooser): nothing of village 1
    assert all(world.village1.name not in html for html in seen)
    assert world.village1.name.encode() not in own.content


# ---- notices for the board --------------------------------------------------------------------


@renders
def test_the_opinion_poster_downloads_as_a_pdf_in_chinese(world, client, tmp_path):
    client.force_login(world.director1)
    url = reverse("casebook:opinion_poster", args=[world.village1.code])
    assert "format=pdf" in client.get(url).content.decode()
    response = client.get(url, {"format": "pdf"})
    _assert_chinese_pdf(response, tmp_path, "群众意见簿", "枫源村")
    assert "下载 PDF" not in _poppler("pdftotext", response.content, tmp_path)


@renders
def test_a_patrol_point_sign_and_a_roster_download_as_pdfs(world, client, tmp_path):
    point = PatrolPoint.objects.create(region=world.village1, name="村委会", radius_m=100)
    today = timezone.localdate()
    roster = Roster.objects.create(
        region=world.village1,
        starts_on=today,
        ends_on=today + dt.timedelta(days=6),
        status=RosterStatus.PUBLISHED,
        created_by=world.director1,
    )
    client.force_login(world.director1)
    sign = client.get(
        reverse("patrols:point_sign", args=[point.pk]), {"size": "a5", "format": "pdf"}
    )
    _assert_chinese_pdf(sign, tmp_path, "巡逻点", "村委会")
    printed = client.get(reverse("patrols:roster_print", args=[roster.pk]), {"format": "pdf"})
    _assert_chinese_pdf(printed, tmp_path, "该排班表没有班次", "1/1")  # numbered at the foot


@renders
def test_a_group_roster_and_a_contract_download_as_pdfs(world, records, client, tmp_path):
    contract = contract_for(world.village1)
    client.force_login(world.director1)
    group = client.get(reverse("registry:group_print", args=[records.group.pk]), {"format": "pdf"})
    _assert_chinese_pdf(group, tmp_path, "十户联防组名册", "第1联防组")
    paper = client.get(reverse("registry:contract_print", args=[contract.pk]), {"format": "pdf"})
    text = _assert_chinese_pdf(paper, tmp_path, "治安承包合同书", contract.number)
    assert "返回合同" not in text  # the page's tools and the site's menus are not printed


def test_another_villages_notices_answer_404_as_pdfs(world, records, client, monkeypatch):
    _fake_pdf(monkeypatch)
    point = PatrolPoint.objects.create(region=world.village1, name="村委会", radius_m=100)
    contract = contract_for(world.village1)
    client.force_login(world.director2)
    for url in (
        reverse("casebook:opinion_poster", args=[world.village1.code]),
        reverse("patrols:point_sign", args=[point.pk]),
        reverse("registry:group_print", args=[records.group.pk]),
        reverse("registry:contract_print", args=[contract.pk]),
    ):
        assert client.get(url, {"format": "pdf"}).status_code == 404, url


def test_a_notice_pdf_is_not_logged_as_an_export(world, client, monkeypatch):
    seen = _fake_pdf(monkeypatch)
    client.force_login(world.director1)
    url = reverse("casebook:opinion_poster", args=[world.village1.code])
    response = client.get(url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf" and "<svg" in seen[0]  # the QR code
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.DATA_EXPORTED).exists()


# ---- what WeasyPrint may fetch ----------------------------------------------------------------


def test_only_our_static_files_are_fetched_for_a_pdf():
    base = "http://testserver/"
    found = pdf._static_file("http://testserver/static/qunfang/print.css", base)
    assert found is not None and found.name == "print.css"
    assert pdf._static_file("http://elsewhere.example/static/qunfang/print.css", base) is None
    assert pdf._static_file("http://testserver/media/attachments/1.jpg", base) is None
    assert pdf._static_file("http://testserver/static/../../settings.py", base) is None
    assert pdf._static_file("file:///etc/passwd", base) is None


@renders
def test_a_page_that_points_elsewhere_still_renders_without_fetching_it(world):
    html = (
        '<html lang="zh-CN"><meta charset="utf-8"><img src="http://example.invalid/x.png">'
        '<link rel="stylesheet" href="file:///etc/passwd"><h1>收支公示</h1></html>'
    )
    assert pdf.render_pdf(html, base_url="http://testserver/").startswith(b"%PDF-")
