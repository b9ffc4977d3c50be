"""The screens of the assessment schemes and the responsibility letters: the township drafts a
scheme, edits it and puts it in use through the pages (refusals shown, nothing changed); a
village reads the schemes in use without any edit control and is refused every write; another
township gets 404; the letters are drawn up, read by their own village only, printed with their
sign-off lines and as a PDF in Chinese; both languages; query counts that stay flat."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.core.models import Region, RegionKind
from qunfang.governance.models import ResponsibilityLetter, Scheme
from qunfang.governance.services import schemes as service
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.governance.test_schemes import YEAR, draft, fake_catalogue, in_use, ready, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

__all__ = ["fake_catalogue"]  # the fixture, shared with the services' tests


def body(response):
    return response.content.decode()


def messages_of(response):
    return [str(m) for m in response.wsgi_request._messages]


def url(name, *args):
    return reverse(f"governance:{name}", args=args)


# ---- the township drafts and puts a scheme in use ------------------------------------------------


def test_the_township_makes_a_draft_through_the_page(world, client, fake_catalogue):
    client.force_login(world.township_officer)
    page = body(client.get(url("scheme_create")))
    assert 'name="township"' in page and 'type="hidden"' in page  # one township: not asked
    response = client.post(
        url("scheme_create"),
        {
            "township": world.township.pk,
            "name": "枫桥镇村级考核办法",
            "level": "village",
            "appeal_days": "10",
        },
    )
    scheme = Scheme.objects.get()
    assert response.status_code == 302 and response["Location"] == scheme.get_absolute_url()
    assert (scheme.status, scheme.appeal_days) == ("draft", 10)


def test_a_bad_draft_is_shown_with_its_error_and_nothing_is_made(world, client, fake_catalogue):
    client.force_login(world.township_officer)
    response = client.post(
        url("scheme_create"),
        {"township": world.township.pk, "name": "办法", "level": "village", "appeal_days": "90"},
    )
    assert response.status_code == 200 and "申诉期限为1至60天" in body(response)
    assert not Scheme.objects.exists()


def test_the_editor_adds_indicators_grades_and_vetoes(world, client, fake_catalogue):
    scheme = draft(world)
    client.force_login(world.township_officer)
    page = body(client.get(scheme.get_absolute_url()))
    assert 'data-testid="add-indicator-form"' in page
    assert "Share of the test cases closed within the limit." in page  # what it measures
    assert "通常目标值：80%" in page and "时限15天" in page
    client.post(url("scheme_indicator", scheme.pk), {"indicator": "t_rate", "weight": "70"})
    client.post(
        url("scheme_indicator", scheme.pk),
        {"indicator": "t_hours", "weight": "30", "target": "6"},
    )
    client.post(url("scheme_grade", scheme.pk), {"label": "不合格", "min_score": "0"})
    client.post(url("scheme_veto", scheme.pk), {"veto": "t_veto"})
    page = body(client.get(scheme.get_absolute_url()))
    assert page.count('data-testid="indicator-row"') == 2
    assert "各项权重合计100（满分100）" in page and "每月" in page
    assert 'data-testid="grade-row"' in page and 'data-testid="veto-row"' in page
    assert 'data-testid="scheme-problems"' not in page
    response = client.post(url("scheme_activate", scheme.pk))
    scheme.refresh_from_db()
    assert response.status_code == 302 and scheme.status == "active"
    page = body(client.get(scheme.get_absolute_url()))
    assert 'data-testid="add-indicator-form"' not in page and 'data-testid="copy-scheme"' in page


def test_a_refused_indicator_is_shown_on_the_page_and_nothing_changes(
    world, client, fake_catalogue
):
    scheme = draft(world)
    client.force_login(world.township_officer)
    before = snapshot()
    response = client.post(
        url("scheme_indicator", scheme.pk), {"indicator": "t_rate", "weight": "50", "target": "120"}
    )
    assert response.status_code == 200
    assert "“Test patrols done”的目标值是百分比，不能超过100" in body(response)
    response = client.post(url("scheme_indicator", scheme.pk), {"indicator": "t_rate"})
    assert response.status_code == 200 and "请填写数字" in body(response)
    assert snapshot() == before


def test_a_refused_change_to_a_row_is_said_above_the_table(world, client, fake_catalogue):
    scheme = ready(world, draft(world), parts=(("t_rate", 50), ("t_hours", 50)))
    client.force_login(world.township_officer)
    before = snapshot()
    for weight in ("-5", "abc", ""):
        response = client.post(
            url("scheme_indicator", scheme.pk), {"indicator": "t_rate", "weight": weight}
        )
        assert response.status_code == 200
        page = body(response)
        assert 'data-testid="indicator-row-errors"' in page
        assert "“Test patrols done”未作修改" in page
    assert snapshot() == before


def test_putting_in_use_is_refused_with_what_the_weights_add_up_to(world, client, fake_catalogue):
    scheme = ready(world, draft(world), parts=(("t_rate", 50), ("t_hours", 30)))
    client.force_login(world.township_officer)
    page = body(client.get(scheme.get_absolute_url()))
    assert 'data-testid="scheme-problems"' in page and "各项权重合计为80" in page
    before = snapshot()
    response = client.post(url("scheme_activate", scheme.pk), follow=True)
    assert "各项权重合计为80，必须正好等于100。" in body(response)
    assert snapshot() == before


def test_a_scheme_in_use_is_copied_and_not_edited(world, client, fake_catalogue):
    scheme = in_use(world)
    client.force_login(world.township_officer)
    response = client.get(url("scheme_edit", scheme.pk))
    assert 'data-testid="why-not"' in body(response) and "复制为新草案" in body(response)
    before = snapshot()
    response = client.post(
        url("scheme_grade", scheme.pk), {"label": "优秀", "min_score": "90"}, follow=True
    )
    assert "正在使用，不再修改" in body(response)
    assert snapshot() == before
    response = client.post(url("scheme_copy", scheme.pk))
    copy = Scheme.objects.get(replaces=scheme)
    assert response["Location"] == copy.get_absolute_url() and copy.status == "draft"
    response = client.post(url("scheme_edit", copy.pk), {"name": "新办法", "appeal_days": "5"})
    copy.refresh_from_db()
    assert response.status_code == 302 and (copy.name, copy.appeal_days) == ("新办法", 5)
    client.post(url("scheme_retire", scheme.pk))
    scheme.refresh_from_db()
    assert scheme.status == "retired"


def test_the_removals_through_the_page(world, client, fake_catalogue):
    scheme = ready(world, draft(world))
    service.scheme_veto_add(scheme=scheme, code="t_veto", by=world.township_officer)
    client.force_login(world.township_officer)
    grade = scheme.grades.get(label="合格")
    client.post(url("scheme_indicator_remove", scheme.pk), {"indicator": "t_hours"})
    client.post(url("scheme_grade_remove", scheme.pk), {"grade": grade.pk})
    client.post(url("scheme_veto_remove", scheme.pk), {"veto": "t_veto"})
    assert list(scheme.indicators.values_list("indicator", flat=True)) == ["t_rate"]
    assert list(scheme.grades.values_list("label", flat=True)) == ["不合格"]
    assert not scheme.vetoes.exists()
    response = client.post(url("scheme_veto_remove", scheme.pk), {"veto": "t_veto"}, follow=True)
    assert "该否决事项不在考核办法中。" in body(response)


def test_start_from_the_defaults(world, client, fake_catalogue):
    client.force_login(world.township_officer)
    page = body(client.get(url("scheme_list")))
    assert 'data-testid="scheme-from-defaults"' in page
    response = client.post(url("scheme_defaults"), {"township": world.township.code})
    assert response.status_code == 302
    assert Scheme.objects.filter(region=world.township, status="active").count() == 3
    page = body(client.get(url("scheme_list")))
    assert page.count('data-testid="scheme-row"') == 3 and "scheme-from-defaults" not in page
    response = client.post(url("scheme_defaults"), {"township": world.township.code}, follow=True)
    assert "未作添加" in body(response)
    # another township's code: refused, nothing made there
    response = client.post(url("scheme_defaults"), {"township": world.township2.code}, follow=True)
    assert "请选择您所辖的乡镇" in body(response)
    assert not Scheme.objects.filter(region=world.township2).exists()


# ---- a village reads, another township does not see ----------------------------------------------


def test_a_village_reads_the_schemes_in_use_without_edit_controls(world, client, fake_catalogue):
    scheme = in_use(world)
    working = draft(world, name="草案中的办法")
    client.force_login(world.director1)
    page = body(client.get(url("scheme_list")))
    assert scheme.name in page and "草案中的办法" not in page
    assert 'data-testid="new-scheme"' not in page and "scheme-from-defaults" not in page
    page = body(client.get(scheme.get_absolute_url()))
    assert "Share of the test patrols done." in page
    for control in ("activate-scheme", "copy-scheme", "retire-scheme", "edit-scheme"):
        assert control not in page
    assert client.get(working.get_absolute_url()).status_code == 404
    assert client.get(url("scheme_create")).status_code == 403
    page = body(client.get(url("scheme_edit", scheme.pk)))
    assert "由乡镇综治办制定" in page


def test_a_village_is_refused_every_write_on_a_scheme(world, client, fake_catalogue):
    scheme = in_use(world)
    client.force_login(world.director2)
    before = snapshot()
    for name, data in (
        ("scheme_indicator", {"indicator": "t_rate", "weight": "10"}),
        ("scheme_indicator", {}),
        ("scheme_indicator_remove", {"indicator": "t_rate"}),
        ("scheme_grade", {"label": "优秀", "min_score": "90"}),
        ("scheme_grade_remove", {"grade": scheme.grades.first().pk}),
        ("scheme_veto", {"veto": "t_veto"}),
        ("scheme_veto_remove", {"veto": "t_veto"}),
        ("scheme_activate", {}),
        ("scheme_retire", {}),
        ("scheme_copy", {}),
    ):
        response = client.post(url(name, scheme.pk), data)
        assert response.status_code == 302, name
        assert any("由乡镇综治办制定" in m for m in messages_of(response)), name
    assert client.post(url("scheme_edit", scheme.pk), {"name": "改"}).status_code == 403
    assert client.post(url("scheme_defaults"), {"township": world.township.code}).status_code == 403
    assert snapshot() == before


def test_another_township_gets_404(world, client, fake_catalogue):
    scheme = in_use(world)
    client.force_login(world.township2_officer)
    assert client.get(scheme.get_absolute_url()).status_code == 404
    assert client.post(url("scheme_activate", scheme.pk)).status_code == 404
    assert client.get(url("scheme_list"), {"township": world.township.code}).status_code == 404
    assert scheme.name not in body(client.get(url("scheme_list")))


def test_the_pages_in_english(world, client, fake_catalogue):
    scheme = ready(world, draft(world), parts=(("t_rate", 50),))
    client.force_login(world.township_officer)
    client.cookies["django_language"] = "en"
    page = body(client.get(scheme.get_absolute_url()))
    assert "The weights add up to 50 (of 100)." in page and "Put in use" in page
    assert "The weights add up to 50: they must add up to exactly 100." in page
    assert "Assessment schemes" in body(client.get(url("scheme_list")))
    assert "Responsibility letters" in body(client.get(url("letter_list")))


# ---- responsibility letters ----------------------------------------------------------------------


def _letter(world, village=None, **targets):
    return service.letter_create(
        village=village or world.village1,
        year=YEAR,
        details=service.LetterDetails(
            village_signatory="骆金法",
            township_signatory="陈建国",
            commitments="一、春节前完成消防通道整治。\n二、每月召开治保会例会。",
            targets=targets,
        ),
        by=world.township_officer,
    )


def test_the_township_draws_up_a_letter_in_two_steps(world, client, fake_catalogue):
    in_use(world)
    client.force_login(world.township_officer)
    page = body(client.get(url("letter_create")))
    assert world.village1.name in page and world.village3.name not in page
    step = f"{url('letter_create')}?village={world.village1.code}&year={YEAR}"
    page = body(client.get(step))
    assert 'name="target_t_rate"' in page and 'name="target_t_hours"' in page
    assert "考核办法的目标值：90%" in page and "每月4学时" in page
    response = client.post(
        step,
        {
            "signed_on": "2029-01-08",
            "village_signatory": "骆金法",
            "township_signatory": "陈建国",
            "commitments": "春节前完成消防通道整治。",
            "target_t_rate": "95",
            "target_t_hours": "",
        },
    )
    letter = ResponsibilityLetter.objects.get()
    assert response["Location"] == letter.get_absolute_url()
    # signed: the scheme's target for the rest is written in, so what was signed holds
    assert dict(letter.targets.values_list("indicator", "target")) == {"t_rate": 95, "t_hours": 4}
    # the same village and year again: to its letter
    response = client.get(step)
    assert response["Location"] == url("letter_edit", letter.pk)
    # a village of another township: 404
    other = f"{url('letter_create')}?village={world.village3.code}&year={YEAR}"
    assert client.get(other).status_code == 404
    # a year out of range is refused at the first step, before the targets are asked for
    for year in (1990, 3000):
        page = body(client.get(f"{url('letter_create')}?village={world.village1.code}&year={year}"))
        assert "2000" in page and 'name="target_t_rate"' not in page


def test_a_refused_target_is_shown_on_its_field_and_nothing_is_made(world, client, fake_catalogue):
    in_use(world)
    client.force_login(world.township_officer)
    step = f"{url('letter_create')}?village={world.village1.code}&year={YEAR}"
    before = snapshot()
    response = client.post(step, {"target_t_rate": "0"})
    assert response.status_code == 200 and "目标值须大于0" in body(response)
    response = client.post(step, {"target_t_rate": "105"})
    assert "百分比" in body(response)
    response = client.post(step, {"signed_on": "2029-02-01"})
    assert "日期在将来" in body(response)
    assert snapshot() == before


def test_a_letter_is_changed_through_the_page(world, client, fake_catalogue):
    in_use(world)
    letter = _letter(world, t_rate=Decimal(95), t_hours=Decimal(6))
    client.force_login(world.township_officer)
    page = body(client.get(url("letter_edit", letter.pk)))
    assert 'value="95.00"' in page or 'value="95"' in page
    response = client.post(
        url("letter_edit", letter.pk),
        {"village_signatory": "骆金法", "target_t_rate": "97", "target_t_hours": ""},
    )
    assert response.status_code == 302
    assert dict(letter.targets.values_list("indicator", "target")) == {"t_rate": 97}


def test_a_village_reads_its_own_letter_only(world, client, fake_catalogue):
    in_use(world)
    one = _letter(world, t_rate=Decimal(95))
    two = _letter(world, world.village2)
    client.force_login(world.director1)
    page = body(client.get(url("letter_list")))
    assert page.count('data-testid="letter-row"') == 1 and "乐山村" not in page
    page = body(client.get(one.get_absolute_url()))
    assert 'data-testid="own-target"' in page and "95%" in page
    assert 'data-testid="letter-edit"' not in page
    assert client.get(two.get_absolute_url()).status_code == 404
    assert "由乡镇综治办拟定" in body(client.get(url("letter_edit", one.pk)))
    before = snapshot()
    assert client.post(url("letter_edit", one.pk), {"commitments": "改"}).status_code == 403
    assert client.get(url("letter_create")).status_code == 403
    assert snapshot() == before
    client.force_login(world.township2_officer)
    assert client.get(one.get_absolute_url()).status_code == 404
    assert client.get(url("letter_print", one.pk)).status_code == 404


def test_the_letters_list_names_the_villages_without_a_letter(world, client, fake_catalogue):
    _letter(world)
    client.force_login(world.township_officer)
    page = body(client.get(url("letter_list")))
    assert 'data-testid="letters-missing"' in page and "乐山村" in page
    assert page.count('data-testid="missing-village"') == 1


def test_the_printed_letter_has_its_targets_and_sign_off_lines(world, client, fake_catalogue):
    in_use(world)
    letter = _letter(world, t_rate=Decimal(95))
    client.force_login(world.director1)
    page = body(client.get(url("letter_print", letter.pk)))
    assert "2029年度社会治安综合治理目标管理责任书" in page
    assert "甲方：枫桥镇（盖章）" in page and "乙方：枫源村（盖章）" in page
    assert "骆金法" in page and "陈建国" in page and 'data-testid="signoff"' in page
    assert "95%" in page and "每月4学时" in page  # its own target; the scheme's for the rest
    assert page.count("<li>") == 2  # the commitments, one a line


@renders
def test_the_letter_downloads_as_a_pdf_in_chinese(world, client, fake_catalogue, tmp_path):
    in_use(world)
    letter = _letter(world, t_rate=Decimal(95))
    client.force_login(world.township_officer)
    response = client.get(url("letter_print", letter.pk), {"format": "pdf"})
    _assert_chinese_pdf(response, tmp_path, "目标管理责任书", "枫源村", "盖章")


# ---- query counts --------------------------------------------------------------------------------


def _queries(client, address, data=None):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address, data or {}).status_code == 200
    return len(captured)


def _grow(world, start, n):
    """`n` more villages of the township, each with a letter; `n` more drafts."""
    for k in range(start, start + n):
        village = Region.objects.create(
            code=f"3306811093{k:02d}",
            name=f"新村{k}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        _letter(world, village)
        scheme = draft(world, name=f"草案{k}")
        service.scheme_indicator_set(
            scheme=scheme, code="t_rate", weight=10, by=world.township_officer
        )


@pytest.mark.parametrize(
    ("user", "name", "data"),
    [
        ("township_officer", "scheme_list", {}),
        ("township_officer", "scheme_list", {"level": "village", "status": "draft"}),
        ("director1", "scheme_list", {}),
        ("township_officer", "letter_list", {}),
        ("township_officer", "letter_list", {"year": str(YEAR)}),
        ("director1", "letter_list", {}),
    ],
)
def test_list_query_counts_stay_flat_as_rows_grow(world, client, fake_catalogue, user, name, data):
    in_use(world)
    _grow(world, 0, 2)
    client.force_login(getattr(world, user))
    small = _queries(client, url(name), data)
    _grow(world, 2, 10)
    assert _queries(client, url(name), data) == small


def test_scheme_and_letter_pages_query_counts_stay_flat(world, client, fake_catalogue):
    scheme = ready(world, draft(world), parts=(("t_rate", 100),))
    village_scheme = in_use(world, name="在用")
    letter = _letter(world, t_rate=Decimal(95))
    client.force_login(world.township_officer)
    pages = [
        scheme.get_absolute_url(),
        village_scheme.get_absolute_url(),
        letter.get_absolute_url(),
        url("letter_edit", letter.pk),
        url("letter_print", letter.pk),
    ]
    small = [_queries(client, page) for page in pages]
    officer = world.township_officer
    for k, score in enumerate((70, 80, 90)):
        service.scheme_grade_add(scheme=scheme, label=f"等{k}", min_score=score, by=officer)
    service.scheme_indicator_set(scheme=scheme, code="t_hours", weight=5, by=officer)
    service.scheme_indicator_set(scheme=scheme, code="t_closed", weight=5, by=officer)
    service.scheme_veto_add(scheme=scheme, code="t_veto", by=officer)
    service.letter_edit(
        letter=letter,
        details=service.LetterDetails(targets={"t_rate": 96, "t_hours": 8}),
        by=officer,
    )
    assert [_queries(client, page) for page in pages] == small
