"""Assessment schemes (考核办法) and responsibility letters (综治目标管理责任书): drafting a scheme
(indicators with weights, targets and time limits, grades, vetoes), putting it in use (refused
unless the weights add up to 100, there is an indicator and a grade from 0) and retiring the one
it replaces, copying a scheme in use, the defaults, the plain-data spec a run reads, the letters
with their targets — and every refusal: a clear message, nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from qunfang.core.permissions import NotYours
from qunfang.governance.assessment import catalogue
from qunfang.governance.assessment.catalogue import INDICATORS, VETOES, Indicator, Unit, Veto
from qunfang.governance.models import (
    LetterTarget,
    ResponsibilityLetter,
    Scheme,
    SchemeGrade,
    SchemeIndicator,
    SchemeVeto,
)
from qunfang.governance.selectors import schemes as sel
from qunfang.governance.services import schemes as service
from tests.clock import MIDWEEK

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

YEAR = 2029  # MIDWEEK's year


def _nothing(ctx):
    return []


@pytest.fixture
def fake_catalogue(monkeypatch):
    """Three indicators and a veto of the tests' own, beside whatever the system registers: a
    rate, a rate with a time limit and an amount (hours a month)."""
    catalogue.load()
    items = [
        Indicator(
            code="t_rate",
            label=gettext_lazy("Test patrols done"),
            explanation=gettext_lazy("Share of the test patrols done."),
            unit=Unit.RATE,
            default_target=Decimal(90),
            compute=_nothing,
        ),
        Indicator(
            code="t_closed",
            label=gettext_lazy("Test cases closed in time"),
            explanation=gettext_lazy("Share of the test cases closed within the limit."),
            unit=Unit.RATE,
            default_target=Decimal(80),
            compute=_nothing,
            default_within_days=15,
        ),
        Indicator(
            code="t_hours",
            label=gettext_lazy("Test training hours"),
            explanation=gettext_lazy("Hours of test training."),
            unit=Unit.AMOUNT,
            default_target=Decimal(4),
            compute=_nothing,
            unit_label=gettext_lazy("hours"),
        ),
    ]
    for item in items:
        monkeypatch.setitem(INDICATORS, item.code, item)
    veto = Veto(
        code="t_veto",
        label=gettext_lazy("Test major case unreported"),
        explanation=gettext_lazy("A test major case not reported."),
        compute=_nothing,
    )
    monkeypatch.setitem(VETOES, veto.code, veto)
    return {item.code: item for item in items}


def snapshot():
    return (
        list(Scheme.objects.order_by("pk").values_list("pk", "name", "status", "appeal_days")),
        list(
            SchemeIndicator.objects.order_by("pk").values_list(
                "scheme", "indicator", "weight", "target", "within_days"
            )
        ),
        list(SchemeGrade.objects.order_by("pk").values_list("scheme", "label", "min_score")),
        list(SchemeVeto.objects.order_by("pk").values_list("scheme", "veto")),
        list(
            ResponsibilityLetter.objects.order_by("pk").values_list(
                "region", "year", "signed_on", "village_signatory", "commitments"
            )
        ),
        list(LetterTarget.objects.order_by("pk").values_list("letter", "indicator", "target")),
    )


def refused(call, *, error=ValidationError, **kwargs) -> str:
    """The service refuses with a message and changes nothing; returns the message."""
    before = snapshot()
    with pytest.raises(error) as caught:
        call(**kwargs)
    assert snapshot() == before
    exc = caught.value
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def draft(world, *, level="village", name="村级考核办法", by=None):
    return service.scheme_create(
        township=world.township,
        name=name,
        level=level,
        appeal_days=7,
        by=by or world.township_officer,
    )


def ready(world, scheme, parts=(("t_rate", 60), ("t_hours", 40))):
    """Indicators with the given weights and the grades 合格 60 / 不合格 0."""
    officer = world.township_officer
    for code, weight in parts:
        service.scheme_indicator_set(scheme=scheme, code=code, weight=Decimal(weight), by=officer)
    service.scheme_grade_add(scheme=scheme, label="合格", min_score=Decimal(60), by=officer)
    service.scheme_grade_add(scheme=scheme, label="不合格", min_score=Decimal(0), by=officer)
    return scheme


def in_use(world, **kwargs):
    scheme = ready(world, draft(world, **kwargs))
    return service.scheme_activate(scheme=scheme, by=world.township_officer)


# ---- drafting ------------------------------------------------------------------------------------


def test_a_draft_is_made_by_the_township(world):
    scheme = draft(world)
    assert scheme.status == "draft" and scheme.region == world.township
    assert scheme.history.first().history_user == world.township_officer


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"name": "  "}, "名称"),
        ({"name": "长" * 101}, "100"),
        ({"level": "household"}, "考核对象"),
        ({"appeal_days": 0}, "60"),
        ({"appeal_days": 61}, "60"),
        ({"appeal_days": None}, "60"),
    ],
)
def test_a_draft_with_bad_fields_is_refused(world, fields, says):
    values = {"name": "考核办法", "level": "village", "appeal_days": 7, **fields}
    message = refused(
        service.scheme_create, township=world.township, by=world.township_officer, **values
    )
    assert says in message


def test_only_the_townships_office_drafts_its_schemes(world):
    for user in (world.director1, world.township2_officer, world.police):
        message = refused(
            service.scheme_create,
            error=NotYours,
            township=world.township,
            name="考核办法",
            level="village",
            appeal_days=7,
            by=user,
        )
        assert "乡镇" in message
    message = refused(
        service.scheme_create,
        township=world.village1,
        name="考核办法",
        level="village",
        appeal_days=7,
        by=world.township_officer,
    )
    assert "不是乡镇" in message


def test_a_draft_is_renamed(world):
    scheme = draft(world)
    service.scheme_edit(scheme=scheme, name="新名称", appeal_days=10, by=world.township_officer)
    scheme.refresh_from_db()
    assert (scheme.name, scheme.appeal_days) == ("新名称", 10)


def test_an_indicator_takes_the_catalogues_target_and_time_limit(world, fake_catalogue):
    scheme = draft(world)
    officer = world.township_officer
    rate = service.scheme_indicator_set(scheme=scheme, code="t_rate", weight="50", by=officer)
    closed = service.scheme_indicator_set(scheme=scheme, code="t_closed", weight=30, by=officer)
    hours = service.scheme_indicator_set(
        scheme=scheme, code="t_hours", weight=Decimal("20"), target=Decimal("6.5"), by=officer
    )
    assert (rate.target, rate.within_days) == (Decimal(90), None)
    assert (closed.target, closed.within_days) == (Decimal(80), 15)
    assert hours.target == Decimal("6.5")
    # set again: changed, not added
    service.scheme_indicator_set(
        scheme=scheme, code="t_closed", weight=25, target=95, within_days=10, by=officer
    )
    row = SchemeIndicator.objects.get(scheme=scheme, indicator="t_closed")
    assert (row.weight, row.target, row.within_days) == (25, 95, 10)
    assert SchemeIndicator.objects.filter(scheme=scheme).count() == 3


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"code": "nonexistent"}, "选择一项指标"),
        ({"weight": 0}, "权重"),
        ({"weight": 101}, "权重"),
        ({"weight": "12.345"}, "两位小数"),
        ({"weight": "abc"}, "两位小数"),
        ({"target": 0}, "大于0"),
        ({"target": -5}, "大于0"),
        ({"target": 101}, "百分比"),
        ({"within_days": 5}, "没有时限"),
        ({"code": "t_closed", "within_days": 0}, "365"),
        ({"code": "t_closed", "within_days": 400}, "365"),
        ({"code": "t_hours", "target": Decimal("100000000")}, "过大"),
    ],
)
def test_an_indicator_with_bad_values_is_refused(world, fake_catalogue, fields, says):
    scheme = draft(world)
    values = {"code": "t_rate", "weight": 50, "target": None, "within_days": None, **fields}
    message = refused(
        service.scheme_indicator_set, scheme=scheme, by=world.township_officer, **values
    )
    assert says in message


def test_an_amounts_target_may_be_more_than_100(world, fake_catalogue):
    scheme = draft(world)
    row = service.scheme_indicator_set(
        scheme=scheme, code="t_hours", weight=10, target=150, by=world.township_officer
    )
    assert row.target == 150


def test_indicators_grades_and_vetoes_are_removed(world, fake_catalogue):
    scheme = ready(world, draft(world))
    officer = world.township_officer
    service.scheme_veto_add(scheme=scheme, code="t_veto", by=officer)
    service.scheme_indicator_remove(scheme=scheme, code="t_hours", by=officer)
    grade = SchemeGrade.objects.get(scheme=scheme, label="合格")
    service.scheme_grade_remove(scheme=scheme, grade_id=grade.pk, by=officer)
    service.scheme_veto_remove(scheme=scheme, code="t_veto", by=officer)
    parts = sel.scheme_parts(scheme)
    assert [r.code for r in parts.indicators] == ["t_rate"]
    assert [g.label for g in parts.grades] == ["不合格"] and parts.vetoes == []
    for call, kwargs in (
        (service.scheme_indicator_remove, {"code": "t_hours"}),
        (service.scheme_grade_remove, {"grade_id": grade.pk}),
        (service.scheme_veto_remove, {"code": "t_veto"}),
    ):
        assert "不在" in refused(call, scheme=scheme, by=officer, **kwargs)


@pytest.mark.parametrize(
    ("label", "score", "says"),
    [
        ("", 50, "等次"),
        ("长" * 21, 50, "20"),
        ("良好", -1, "0到100"),
        ("良好", 101, "0到100"),
        ("良好", "7.555", "两位小数"),
        ("合格", 70, "已有等次"),
        ("良好", 60, "已从60分起"),
    ],
)
def test_a_bad_grade_is_refused(world, fake_catalogue, label, score, says):
    scheme = ready(world, draft(world))
    message = refused(
        service.scheme_grade_add,
        scheme=scheme,
        label=label,
        min_score=score,
        by=world.township_officer,
    )
    assert says in message


def test_a_veto_not_in_the_catalogue_or_twice_is_refused(world, fake_catalogue):
    scheme = draft(world)
    officer = world.township_officer
    assert "选择一项" in refused(service.scheme_veto_add, scheme=scheme, code="nope", by=officer)
    service.scheme_veto_add(scheme=scheme, code="t_veto", by=officer)
    assert "已在" in refused(service.scheme_veto_add, scheme=scheme, code="t_veto", by=officer)


def test_a_village_or_another_township_changes_no_draft(world, fake_catalogue):
    scheme = ready(world, draft(world))
    grade = scheme.grades.first()
    for user in (world.director1, world.township2_officer):
        for call, kwargs in (
            (service.scheme_edit, {"name": "改", "appeal_days": 5}),
            (service.scheme_indicator_set, {"code": "t_rate", "weight": 10}),
            (service.scheme_indicator_remove, {"code": "t_rate"}),
            (service.scheme_grade_add, {"label": "优秀", "min_score": 90}),
            (service.scheme_grade_remove, {"grade_id": grade.pk}),
            (service.scheme_veto_add, {"code": "t_veto"}),
            (service.scheme_veto_remove, {"code": "t_veto"}),
            (service.scheme_activate, {}),
            (service.scheme_retire, {}),
            (service.scheme_copy, {}),
        ):
            refused(call, error=NotYours, scheme=scheme, by=user, **kwargs)


# ---- putting in use ------------------------------------------------------------------------------


def test_a_draft_is_put_in_use_and_retires_the_one_before(world, fake_catalogue):
    first = in_use(world, name="旧办法")
    second = ready(world, draft(world, name="新办法"), parts=(("t_rate", 100),))
    organisations = in_use(world, level="organisation", name="组织办法")
    service.scheme_activate(scheme=second, by=world.township_officer)
    first.refresh_from_db()
    second.refresh_from_db()
    organisations.refresh_from_db()
    assert (first.status, second.status, organisations.status) == ("retired", "active", "active")
    assert sel.scheme_in_use(world.township.pk, "village") == second


def test_the_database_keeps_one_scheme_in_use_per_level(world, fake_catalogue):
    scheme = in_use(world)
    other = draft(world, name="另一个")
    with pytest.raises(IntegrityError), transaction.atomic():
        Scheme.objects.filter(pk=other.pk).update(status="active")
    assert Scheme.objects.get(pk=scheme.pk).status == "active"


def test_weights_that_do_not_add_up_to_100_are_refused_with_their_sum(world, fake_catalogue):
    scheme = ready(world, draft(world), parts=(("t_rate", "55.5"), ("t_hours", 34)))
    message = refused(service.scheme_activate, scheme=scheme, by=world.township_officer)
    assert "89.5" in message and "100" in message
    with translation.override("en"):
        message = refused(service.scheme_activate, scheme=scheme, by=world.township_officer)
    assert message == "The weights add up to 89.5: they must add up to exactly 100."


def test_a_scheme_without_indicators_or_a_grade_from_0_is_refused(world, fake_catalogue):
    scheme = draft(world)
    officer = world.township_officer
    message = refused(service.scheme_activate, scheme=scheme, by=officer)
    assert "至少添加一项指标" in message and "0分" in message
    service.scheme_indicator_set(scheme=scheme, code="t_rate", weight=100, by=officer)
    service.scheme_grade_add(scheme=scheme, label="合格", min_score=60, by=officer)
    message = refused(service.scheme_activate, scheme=scheme, by=officer)
    assert "0分" in message and "至少添加一项指标" not in message


def test_an_indicator_the_system_no_longer_measures_is_refused(world, fake_catalogue, monkeypatch):
    scheme = ready(world, draft(world))
    service.scheme_veto_add(scheme=scheme, code="t_veto", by=world.township_officer)
    monkeypatch.delitem(INDICATORS, "t_hours")
    monkeypatch.delitem(VETOES, "t_veto")
    message = refused(service.scheme_activate, scheme=scheme, by=world.township_officer)
    assert "t_hours" in message and "t_veto" in message


def test_a_scheme_in_use_or_retired_no_longer_changes(world, fake_catalogue):
    scheme = in_use(world)
    officer = world.township_officer
    grade = scheme.grades.first()
    calls = (
        (service.scheme_edit, {"name": "改", "appeal_days": 5}),
        (service.scheme_indicator_set, {"code": "t_rate", "weight": 10}),
        (service.scheme_indicator_remove, {"code": "t_rate"}),
        (service.scheme_grade_add, {"label": "优秀", "min_score": 90}),
        (service.scheme_grade_remove, {"grade_id": grade.pk}),
        (service.scheme_veto_add, {"code": "t_veto"}),
        (service.scheme_veto_remove, {"code": "t_veto"}),
        (service.scheme_activate, {}),
    )
    for call, kwargs in calls:
        assert "复制为新草案" in refused(call, scheme=scheme, by=officer, **kwargs)
    service.scheme_retire(scheme=scheme, by=officer)
    for call, kwargs in calls:
        assert "已停用" in refused(call, scheme=scheme, by=officer, **kwargs)
    assert "已停用" in refused(service.scheme_retire, scheme=scheme, by=officer)


def test_a_scheme_is_copied_to_a_new_draft(world, fake_catalogue):
    scheme = in_use(world)
    officer = world.township_officer
    copy = service.scheme_copy(scheme=scheme, by=officer)
    assert (copy.status, copy.replaces, copy.name) == ("draft", scheme, scheme.name)
    old, new = sel.scheme_parts(scheme), sel.scheme_parts(copy)
    assert [(r.code, r.weight, r.target) for r in old.indicators] == [
        (r.code, r.weight, r.target) for r in new.indicators
    ]
    assert [(g.label, g.min_score) for g in old.grades] == [
        (g.label, g.min_score) for g in new.grades
    ]
    service.scheme_indicator_set(scheme=copy, code="t_rate", weight=70, by=officer)
    service.scheme_indicator_set(scheme=copy, code="t_hours", weight=30, by=officer)
    service.scheme_activate(scheme=copy, by=officer)
    scheme.refresh_from_db()
    assert scheme.status == "retired"
    assert SchemeIndicator.objects.get(scheme=scheme, indicator="t_rate").weight == 60


def test_a_draft_is_set_aside(world, fake_catalogue):
    scheme = draft(world)
    service.scheme_retire(scheme=scheme, by=world.township_officer)
    scheme.refresh_from_db()
    assert scheme.status == "retired"


# ---- who reads which scheme ----------------------------------------------------------------------


def test_villages_read_their_townships_schemes_in_use_not_drafts(world, fake_catalogue):
    active = in_use(world)
    retired = in_use(world, level="person", name="人员办法")
    service.scheme_retire(scheme=retired, by=world.township_officer)
    working = draft(world, name="草案")
    other = service.scheme_create(
        township=world.township2,
        name="赵家镇办法",
        level="village",
        appeal_days=7,
        by=world.township2_officer,
    )
    assert set(sel.schemes_visible(world.director1)) == {active, retired}
    assert set(sel.schemes_visible(world.township_officer)) == {active, retired, working}
    assert set(sel.schemes_visible(world.township2_officer)) == {other}
    assert set(sel.schemes_visible(world.admin)) == {active, retired, working, other}
    assert set(sel.schemes_visible(world.patrol1)) == {active, retired}  # its views need VIEW


# ---- the defaults --------------------------------------------------------------------------------


def test_the_defaults_put_a_scheme_in_use_at_every_level(world, fake_catalogue):
    made = service.default_schemes(world.township, world.township_officer)
    assert {s.level for s in made} == {"village", "organisation", "person"}
    for scheme in made:
        assert scheme.status == "active"
        assert sel.readiness(scheme) == []
        parts = sel.scheme_parts(scheme)
        assert parts.weight_total == 100
        assert [(g.label, g.min_score) for g in parts.grades] == [
            ("优秀", 90),
            ("良好", 80),
            ("合格", 60),
            ("不合格", 0),
        ]
        assert parts.veto_codes == set(VETOES)
        closed = next(r for r in parts.indicators if r.code == "t_closed")
        assert (closed.target, closed.within_days) == (Decimal(80), 15)
    village = next(s for s in made if s.level == "village")
    person = next(s for s in made if s.level == "person")
    assert sel.scheme_parts(village).codes == set(INDICATORS)
    # an amount (hours) would count a zero against every person it is not about
    assert "t_hours" not in sel.scheme_parts(person).codes
    assert "t_rate" in sel.scheme_parts(person).codes
    # again: every level has a scheme in use, nothing is added
    assert service.default_schemes(world.township, world.township_officer) == []
    assert Scheme.objects.count() == 3


def test_the_defaults_leave_a_level_with_a_scheme_in_use_alone(world, fake_catalogue):
    own = in_use(world)
    made = service.default_schemes(world.township, world.township_officer)
    assert {s.level for s in made} == {"organisation", "person"}
    own.refresh_from_db()
    assert own.status == "active"


def test_the_defaults_are_the_townships_to_set(world, fake_catalogue):
    refused(service.default_schemes, error=NotYours, township=world.township, by=world.director1)
    refused(
        service.default_schemes,
        error=NotYours,
        township=world.township,
        by=world.township2_officer,
    )
    refused(service.default_schemes, township=world.village1, by=world.township_officer)


def test_even_weights_add_up_to_100():
    for n in range(1, 30):
        weights = service.even_weights(n)
        assert len(weights) == n and sum(weights) == 100
        assert max(weights) - min(weights) <= 1
    assert service.even_weights(3) == [34, 33, 33]


# ---- the spec a run reads ------------------------------------------------------------------------


def _letter(world, village, year=YEAR, **targets):
    return service.letter_create(
        village=village,
        year=year,
        details=service.LetterDetails(targets=targets),
        by=world.township2_officer if village == world.village3 else world.township_officer,
    )


def test_the_spec_is_the_scheme_and_the_years_targets_as_plain_data(world, fake_catalogue):
    scheme = in_use(world)
    officer = world.township_officer
    copy = service.scheme_copy(scheme=scheme, by=officer)
    service.scheme_indicator_set(
        scheme=copy, code="t_closed", weight=Decimal("12.5"), within_days=10, by=officer
    )
    service.scheme_indicator_set(scheme=copy, code="t_rate", weight=Decimal("47.5"), by=officer)
    service.scheme_veto_add(scheme=copy, code="t_veto", by=officer)
    service.scheme_activate(scheme=copy, by=officer)
    _letter(world, world.village1, t_rate=Decimal("95.5"), t_hours=Decimal(8))
    _letter(world, world.village2, t_closed=Decimal(70))
    _letter(world, world.village1, year=YEAR - 1, t_rate=Decimal(50))  # another year
    # another township's village: a scheme of its own, its letter never in this spec
    other = service.scheme_create(
        township=world.township2,
        name="赵家镇",
        level="village",
        appeal_days=7,
        by=world.township2_officer,
    )
    service.scheme_indicator_set(
        scheme=other, code="t_rate", weight=100, by=world.township2_officer
    )
    service.scheme_grade_add(scheme=other, label="合格", min_score=0, by=world.township2_officer)
    service.scheme_activate(scheme=other, by=world.township2_officer)
    _letter(world, world.village3, t_rate=Decimal(99))

    spec = service.scheme_spec(copy, YEAR)
    assert spec == {
        "scheme": copy.pk,
        "name": copy.name,
        "level": "village",
        "appeal_days": 7,
        "indicators": [
            {"code": "t_rate", "weight": "47.50", "target": "90.00", "within_days": None},
            {"code": "t_hours", "weight": "40.00", "target": "4.00", "within_days": None},
            {"code": "t_closed", "weight": "12.50", "target": "80.00", "within_days": 10},
        ],
        "grades": [
            {"label": "合格", "min_score": "60.00"},
            {"label": "不合格", "min_score": "0.00"},
        ],
        "vetoes": ["t_veto"],
        "targets": {
            str(world.village1.pk): {"t_hours": "8.00", "t_rate": "95.50"},
            str(world.village2.pk): {"t_closed": "70.00"},
        },
    }
    assert service.scheme_spec(copy, YEAR - 1)["targets"] == {
        str(world.village1.pk): {"t_rate": "50.00"}
    }


def test_the_spec_leaves_out_targets_of_indicators_not_in_the_scheme(world, fake_catalogue):
    village = in_use(world)  # t_rate, t_hours
    _letter(world, world.village1, t_rate=Decimal(95), t_hours=Decimal(8))
    organisations = ready(
        world, draft(world, level="organisation", name="组织"), parts=(("t_rate", 100),)
    )
    targets = service.scheme_spec(organisations, YEAR)["targets"]
    assert targets == {str(world.village1.pk): {"t_rate": "95.00"}}
    assert service.scheme_spec(village, YEAR + 1)["targets"] == {}


# ---- responsibility letters ----------------------------------------------------------------------


def test_a_letter_is_drawn_up_with_its_targets(world, fake_catalogue):
    in_use(world)
    letter = service.letter_create(
        village=world.village1,
        year=YEAR,
        details=service.LetterDetails(
            signed_on=dt.date(2029, 1, 5),
            village_signatory=" 骆金法 ",
            township_signatory="陈建国",
            commitments="一、春节前完成消防通道整治。",
            targets={"t_rate": Decimal(95), "t_hours": None},
        ),
        by=world.township_officer,
    )
    assert (letter.village_signatory, letter.created_by) == ("骆金法", world.township_officer)
    # signed: the scheme's own targets are written in beside the village's
    assert dict(letter.targets.values_list("indicator", "target")) == {"t_rate": 95, "t_hours": 4}
    assert letter.history.first().history_user == world.township_officer


def test_what_a_village_signed_holds_when_the_scheme_changes(world, fake_catalogue):
    scheme = in_use(world)
    signed = _letter(world, world.village1, t_rate=Decimal(95))
    service.letter_edit(
        letter=signed,
        details=service.LetterDetails(signed_on=dt.date(2029, 1, 5), targets={"t_rate": 95}),
        by=world.township_officer,
    )
    _letter(world, world.village2, t_rate=Decimal(95))  # not signed
    # the township puts a stricter copy in use
    copy = service.scheme_copy(scheme=scheme, by=world.township_officer)
    hours = copy.indicators.get(indicator="t_hours")
    service.scheme_indicator_set(
        scheme=copy,
        code="t_hours",
        weight=hours.weight,
        target=Decimal(8),
        within_days=None,
        by=world.township_officer,
    )
    service.scheme_activate(scheme=copy, by=world.township_officer)
    spec = service.scheme_spec(copy, YEAR)["targets"]
    assert spec[str(world.village1.pk)]["t_hours"] == "4.00"  # as signed
    assert "t_hours" not in spec.get(str(world.village2.pk), {})  # not signed: the scheme's 8


@pytest.mark.parametrize("signed_on", [dt.date(2020, 1, 1), dt.date(YEAR - 2, 12, 31)])
def test_a_letter_is_signed_in_its_year_or_the_one_before(world, fake_catalogue, signed_on):
    in_use(world)
    message = refused(
        service.letter_create,
        village=world.village1,
        year=YEAR,
        details=service.LetterDetails(signed_on=signed_on),
        by=world.township_officer,
    )
    assert f"{YEAR}年" in message and not ResponsibilityLetter.objects.exists()


def test_a_letter_is_changed_and_its_targets_become_those_given(world, fake_catalogue):
    in_use(world)
    letter = _letter(world, world.village1, t_rate=Decimal(95), t_hours=Decimal(6))
    service.letter_edit(
        letter=letter,
        details=service.LetterDetails(
            township_signatory="陈建国", targets={"t_rate": Decimal(97), "t_hours": ""}
        ),
        by=world.township_officer,
    )
    letter.refresh_from_db()
    assert letter.township_signatory == "陈建国"
    assert dict(letter.targets.values_list("indicator", "target")) == {"t_rate": 97}
    assert LetterTarget.history.filter(indicator="t_hours", history_type="-").exists()


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"year": 1999}, "2000"),
        ({"year": YEAR + 2}, "2030"),
        ({"year": None}, "年份"),
        ({"targets": {"t_rate": Decimal(0)}}, "大于0"),
        ({"targets": {"t_rate": Decimal(120)}}, "百分比"),
        ({"targets": {"t_closed": Decimal(90)}}, "不是"),  # not in the villages' scheme
        ({"targets": {"ghost": Decimal(90)}}, "不是"),
        ({"signed_on": dt.date(2029, 1, 11)}, "将来"),
        ({"village_signatory": "长" * 51}, "50"),
        ({"commitments": "长" * 4001}, "4000"),
    ],
)
def test_a_bad_letter_is_refused(world, fake_catalogue, fields, says):
    in_use(world)
    year = fields.pop("year", YEAR)
    details = service.LetterDetails(**fields)
    message = refused(
        service.letter_create,
        village=world.village1,
        year=year,
        details=details,
        by=world.township_officer,
    )
    assert says in message


def test_one_letter_a_village_a_year(world, fake_catalogue):
    _letter(world, world.village1)
    message = refused(
        service.letter_create,
        village=world.village1,
        year=YEAR,
        details=service.LetterDetails(),
        by=world.township_officer,
    )
    assert "已有" in message and "枫源村" in message


def test_targets_without_a_villages_scheme_in_use_are_refused(world, fake_catalogue):
    in_use(world, level="organisation")  # not the villages'
    message = refused(
        service.letter_create,
        village=world.village1,
        year=YEAR,
        details=service.LetterDetails(targets={"t_rate": Decimal(90)}),
        by=world.township_officer,
    )
    assert "没有在用的村级考核办法" in message
    assert _letter(world, world.village1).targets.count() == 0  # a letter without targets is fine


def test_only_the_townships_office_draws_up_and_changes_letters(world, fake_catalogue):
    in_use(world)
    letter = _letter(world, world.village1, t_rate=Decimal(95))
    for user in (world.director1, world.director2, world.township2_officer, world.police):
        refused(
            service.letter_create,
            error=NotYours,
            village=world.village2,
            year=YEAR,
            details=service.LetterDetails(),
            by=user,
        )
        refused(
            service.letter_edit,
            error=NotYours,
            letter=letter,
            details=service.LetterDetails(commitments="改"),
            by=user,
        )
    message = refused(
        service.letter_create,
        village=world.township,
        year=YEAR,
        details=service.LetterDetails(),
        by=world.township_officer,
    )
    assert "村" in message


def test_a_letter_is_read_by_its_village_and_township_only(world, fake_catalogue):
    one = _letter(world, world.village1)
    two = _letter(world, world.village2)
    assert set(sel.letter_list(world.director1)) == {one}
    assert set(sel.letter_list(world.township_officer)) == {one, two}
    assert set(sel.letter_list(world.township2_officer)) == set()
    assert sel.villages_without_letter(world.township_officer, YEAR) == []
    assert sel.villages_without_letter(world.township_officer, YEAR + 1) == [
        world.village1,
        world.village2,
    ]
