"""Mandates and division of work on screen: the township sets them, its villages read them, new
cases and mediations offer the owning organisation's people first, the flags, bad input, and
the query counts of the lists."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qunfang.casebook.models import Case, CaseType, MediationCase, ReporterKind
from qunfang.casebook.services.cases import register_case
from qunfang.core.models import Region, RegionKind
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.models import Mandate, Ownership
from qunfang.governance.selectors import mandates as sel
from qunfang.governance.services.mandates import Owning, division_set, mandates_from_defaults
from qunfang.registry.models import OrgKind
from tests.factories import TEST_PASSWORD, organisation_for, post_holder

pytestmark = pytest.mark.django_db

SECURITY = OrgKind.SECURITY_COMMITTEE
MEDIATION = OrgKind.MEDIATION_COMMITTEE
PATROL = OrgKind.PATROL_TEAM
LIST = reverse("governance:mandates_list")
EDIT = reverse("governance:mandates_edit")
DIVISION = reverse("governance:mandates_division")
DEFAULTS = reverse("governance:mandates_defaults")


@pytest.fixture(autouse=True)
def english(client, settings):
    """Messages are matched in English (the msgids); the Chinese page is checked on its own."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _state():
    return (
        sorted(Mandate.objects.values_list("region_id", "org_kind", "text", "required_rules")),
        sorted(
            (r, k, c or "", d)
            for r, k, c, d in Ownership.objects.values_list(
                "region_id", "org_kind", "case_type__code", "dispute_type"
            )
        ),
    )


def _account(username, village, role=Role.MEDIATOR):
    return user_create(
        username=username,
        password=TEST_PASSWORD,
        region=village,
        roles={role},
        full_name=username,
    )


def _body(response):
    return response.content.decode()


# ---- the township sets, the villages read ---------------------------------------------------


def test_the_township_reads_its_defaults_and_the_flags(world, client):
    client.force_login(world.township_officer)
    body = _body(client.get(LIST))
    assert 'data-testid="mandates-defaults-apply"' in body
    assert body.count('data-testid="mandate-row"') == len(OrgKind.choices)
    assert 'data-testid="unowned-type">Other<' in body
    assert "枫源村" in body and "乐山村" in body  # neither village has anyone yet
    assert 'data-testid="mandate-edit-security_committee"' in body


def test_the_page_reads_in_chinese_by_default(world, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(world.township_officer)
    with translation.override("zh-hans"):
        body = _body(client.get(LIST))
    assert "职责分工" in body and "治保会" in body and "其他" in body


def test_the_township_sets_a_mandate_and_its_required_rules(world, client):
    client.force_login(world.township_officer)
    page = _body(client.get(EDIT, {"kind": SECURITY}))
    assert "Public order and security" in page and 'value="meetings"' in page
    response = client.post(
        EDIT,
        {
            "township": world.township.code,
            "org_kind": SECURITY,
            "text": "负责全村治安防范。",
            "required_rules": ["meetings", "confidentiality"],
        },
    )
    assert response.status_code == 302 and response["Location"] == LIST
    mandate = Mandate.objects.get(region=world.township, org_kind=SECURITY)
    assert (mandate.text, mandate.required_rules) == (
        "负责全村治安防范。",
        ["meetings", "confidentiality"],
    )
    assert mandate.history.first().history_user == world.township_officer
    assert "负责全村治安防范。" in _body(client.get(LIST))


def test_the_township_changes_the_division_of_work(world, client):
    client.force_login(world.township_officer)
    page = _body(client.get(DIVISION))
    assert 'name="case-theft"' in page and 'name="dispute-neighbours"' in page
    assert re.search(r'name="case-fraud".*?value="security_committee" selected', page, re.S)
    response = client.post(
        DIVISION,
        {"township": world.township.code, "case-fraud": PATROL, "case-other": PATROL},
    )
    assert response.status_code == 302
    assert sel.owning_kind(world.township, case_type=CaseType.objects.get(code="fraud")) == PATROL
    assert sel.owning_kind(world.township, case_type=CaseType.objects.get(code="theft")) == SECURITY
    body = _body(client.get(LIST))
    assert 'data-testid="unowned-type"' not in body


def test_starting_from_the_defaults_twice_changes_nothing_the_second_time(world, client):
    client.force_login(world.township_officer)
    response = client.post(DEFAULTS, {"township": world.township.code}, follow=True)
    assert "are now the defaults" in _body(response)
    state = _state()
    assert state[0] and state[1]
    response = client.post(DEFAULTS, {"township": world.township.code}, follow=True)
    assert "(0 changes)" in _body(response) and _state() == state
    assert 'data-testid="mandates-defaults-apply"' not in _body(client.get(LIST))


def test_a_village_reads_its_townships_mandates_and_may_not_change_them(world, client):
    mandates_from_defaults(township=world.township, by=world.township_officer)
    client.force_login(world.director2)
    body = _body(client.get(LIST))
    text = Mandate.objects.get(region=world.township, org_kind=SECURITY).text
    assert text in body and "乐山村" in body and "枫源村" not in body
    assert "mandate-edit-" not in body and "mandates-from-defaults" not in body
    before = _state()
    assert client.get(EDIT, {"kind": SECURITY}).status_code == 403
    assert client.get(DIVISION).status_code == 403
    data = {"township": world.township.code, "org_kind": SECURITY, "text": "x", "case-fraud": ""}
    for url in (EDIT, DIVISION, DEFAULTS):
        assert client.post(url, data).status_code == 403
    assert _state() == before


def test_another_townships_page_answers_404(world, client):
    client.force_login(world.township2_officer)
    assert client.get(LIST, {"township": world.township.code}).status_code == 404
    assert client.get(EDIT, {"township": world.township.code, "kind": SECURITY}).status_code == 404
    assert client.get(DIVISION, {"township": world.township.code}).status_code == 404
    body = _body(client.get(LIST))
    assert "赵家镇" in body and "枫桥镇" not in body


def test_a_county_account_chooses_the_township(world, client):
    client.force_login(world.admin)
    body = _body(client.get(LIST))
    assert 'name="township"' in body and "枫桥镇" in body and "赵家镇" in body
    body = _body(client.get(LIST, {"township": world.township2.code}))
    assert "花明泉村" in body and "枫源村" not in body


# ---- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"org_kind": "police_station"}, "Choose a kind of organisation"),
        ({"required_rules": ["meetings", "tea_break"]}, "Choose rules from the list"),
        ({"text": ""}, "Write what the organisation is for"),
        ({"township": "330681110000"}, "赵家镇 is not your township"),
        ({"township": "999999999999"}, "no such township"),
    ],
)
def test_bad_mandate_input_changes_nothing(world, client, data, message):
    mandates_from_defaults(township=world.township, by=world.township_officer)
    before = _state()
    client.force_login(world.township_officer)
    values = {"township": world.township.code, "org_kind": SECURITY, "text": "新的职责"}
    response = client.post(EDIT, {**values, **data})
    assert response.status_code == 200
    body = _body(response)
    assert 'data-testid="form-errors"' in body and message in body
    assert _state() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"case-theft": [PATROL, SECURITY]}, "Theft is given an owner twice"),
        ({"dispute-feud": MEDIATION}, "There is no dispute type feud"),
        ({"case-arson": SECURITY}, "There is no incident type arson"),
        ({"case-theft": "police_station"}, "Choose a kind of organisation, or nobody"),
        ({"dispute-neighbours-x": "police_station"}, "no dispute type neighbours-x"),
        ({"township": "330681110000"}, "赵家镇 is not your township"),
    ],
)
def test_bad_division_input_changes_nothing(world, client, data, message):
    mandates_from_defaults(township=world.township, by=world.township_officer)
    before = _state()
    client.force_login(world.township_officer)
    response = client.post(
        DIVISION, {"township": world.township.code, "case-fraud": PATROL, **data}
    )
    assert response.status_code == 200
    body = _body(response)
    assert 'data-testid="form-errors"' in body and message in body
    assert "赵家镇" not in body.replace(message, "")  # nothing of the other township is shown
    assert _state() == before


def test_another_townships_defaults_are_refused_with_a_message(world, client):
    client.force_login(world.township2_officer)
    response = client.post(DEFAULTS, {"township": world.township.code}, follow=True)
    assert "Nothing was changed: 枫桥镇 is not your township" in _body(response)
    assert not Mandate.objects.exists() and not Ownership.objects.exists()


# ---- offered first: new cases ---------------------------------------------------------------


def _owner_options(body):
    select = re.search(r'<select name="owner"[^>]*>(.*?)</select>', body, re.S).group(1)
    return re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', select)


def test_a_new_case_offers_the_owning_organisations_people_first(world, client):
    committee = organisation_for(world.village1, kind=SECURITY, members=1)
    post_holder(committee, world.mediator1)  # the committee's member with an account
    client.force_login(world.director1)
    options = _owner_options(_body(client.get(reverse("casebook:case_create"))))
    assert [label for _, _, label in options] == ["Myself", "杨秀英（枫源村）", "骆金法（枫源村）"]
    body = _body(client.get(reverse("casebook:case_create"), {"case_type": "theft"}))
    options = _owner_options(body)
    assert options[1] == (
        str(world.mediator1.pk),
        " selected",
        "杨秀英（枫源村） · Security committee",
    )
    assert options[2][2] == "骆金法（枫源村）" and not options[2][1]
    assert "its people are listed first" in body
    # a type the patrol team owns: nobody of it may hold a case, and it says so
    post_holder(organisation_for(world.village1, kind=PATROL, members=0), world.patrol1)
    body = _body(client.get(reverse("casebook:case_create"), {"case_type": "fire"}))
    assert "none of its people here may hold a case" in body
    assert [pk for pk, selected, _ in _owner_options(body) if selected] == [""]  # "Myself"


def test_the_suggestion_works_without_javascript_and_keeps_what_was_filled_in(world, client):
    post_holder(organisation_for(world.village1, kind=SECURITY, members=0), world.mediator1)
    client.force_login(world.director1)
    data = {
        "case_type": CaseType.objects.get(code="burglary").pk,
        "region": world.village1.pk,
        "title": "夜间入室",
        "description": "东头一户被撬门",
        "owner": "",
        "parties-TOTAL_FORMS": "3",
        "parties-0-name": "张三",
        "parties-0-role": "victim",
        "suggest": "1",
    }
    response = client.post(reverse("casebook:case_create"), data)
    body = _body(response)
    assert response.status_code == 200 and not Case.objects.exists()
    assert 'value="夜间入室"' in body and 'value="张三"' in body
    assert 'data-testid="form-errors"' not in body
    assert _owner_options(body)[1][:2] == (str(world.mediator1.pk), " selected")


def test_the_chosen_owner_holds_the_new_case(world, client):
    client.force_login(world.director1)
    now = timezone.localtime().replace(second=0, microsecond=0)
    data = {
        "region": world.village1.pk,
        "case_type": CaseType.objects.get(code="theft").pk,
        "severity": 2,
        "title": "电瓶车被盗",
        "description": "村口",
        "occurred_at": (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "reported_at": now.strftime("%Y-%m-%dT%H:%M"),
        "reporter_kind": ReporterKind.ANONYMOUS,
        "owner": world.mediator1.pk,
        "parties-TOTAL_FORMS": "0",
        "parties-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("casebook:case_create"), data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.owner, case.registered_by) == (world.mediator1, world.director1)
    # an owner from another village fails like a typo
    mediator2 = _account("mediator2", world.village2)
    response = client.post(reverse("casebook:case_create"), {**data, "owner": mediator2.pk})
    assert "Choose the owner from the list" in _body(response) and Case.objects.count() == 1


def test_the_case_page_says_when_no_organisation_owns_its_type(world, client):
    def case_of(code):
        now = timezone.now()
        return register_case(
            case=Case(
                region=world.village1,
                case_type=CaseType.objects.get(code=code),
                title=f"{code} 一起",
                description="x",
                occurred_at=now - dt.timedelta(hours=1),
                reported_at=now,
                reporter_kind=ReporterKind.ANONYMOUS,
            ),
            by=world.director1,
        )

    client.force_login(world.director1)
    body = _body(client.get(case_of("other").get_absolute_url()))
    assert 'data-testid="type-unowned"' in body and "no organisation owns this type" in body
    body = _body(client.get(case_of("theft").get_absolute_url()))
    assert 'data-testid="type-unowned"' not in body
    assert "owned by the Security committee" in body


# ---- offered first: new mediations ----------------------------------------------------------


def _mediator_boxes(body):
    return re.findall(
        r'<input type="checkbox" name="mediators" value="(\d+)"[^>]*?( checked)?>', body
    )


def test_a_new_mediation_offers_the_owning_committees_mediators_first(world, client):
    mediator2 = _account("mediator1b", world.village1)
    post_holder(organisation_for(world.village1, kind=MEDIATION, members=0), mediator2)
    client.force_login(world.director1)
    url = reverse("casebook:mediation_create")
    boxes = _mediator_boxes(_body(client.get(url)))  # by name: mediator1b, then 杨秀英
    assert boxes == [(str(mediator2.pk), ""), (str(world.mediator1.pk), "")]
    mediator2.full_name = "赵调解"  # after 杨秀英 by name, but first for the owning committee
    mediator2.save()
    body = _body(client.get(url, {"dispute_type": "neighbours"}))
    assert _mediator_boxes(body) == [(str(mediator2.pk), " checked"), (str(world.mediator1.pk), "")]
    assert "赵调解（枫源村） · Mediation committee" in body
    # the JS-free refresh after choosing the kind of dispute
    response = client.post(
        url,
        {"region": world.village1.pk, "dispute_type": "labour", "summary": "欠薪", "suggest": "1"},
    )
    body = _body(response)
    assert response.status_code == 200 and not MediationCase.objects.exists()
    assert _mediator_boxes(body)[0] == (str(mediator2.pk), " checked") and "欠薪" in body
    # a kind of dispute nobody owns says so
    division_set(
        township=world.township,
        owners=[Owning("dispute", "labour", "")],
        by=world.township_officer,
    )
    body = _body(client.get(url, {"dispute_type": "labour"}))
    assert "No organisation owns this kind of dispute" in body


# ---- the home panel and the query counts ----------------------------------------------------


def test_the_township_home_panel_flags_unowned_types_and_villages(world, client):
    client.force_login(world.township_officer)
    body = _body(client.get(reverse("home")))
    assert 'data-testid="mandates-panel"' in body and 'data-testid="panel-unowned"' in body
    assert "has none" in body
    client.force_login(world.director1)
    assert 'data-testid="mandates-panel"' not in _body(client.get(reverse("home")))


def _grow(world, n):
    """n more villages under the township, each with a security committee and a member with an
    account, and a patrol team with nobody in post."""
    start = Region.objects.filter(parent=world.township).count()
    for i in range(start, start + n):
        village = Region.objects.create(
            code=f"330681109{600 + i:03d}",
            name=f"新村{i}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        post_holder(
            organisation_for(village, kind=SECURITY, members=1),
            _account(f"m{village.code}", village, Role.VILLAGE_DIRECTOR),
        )
        organisation_for(village, kind=PATROL, members=0)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("configured", [False, True])
@pytest.mark.parametrize("url", [LIST, DIVISION])
def test_the_pages_cost_the_same_queries_however_many_villages(world, client, url, configured):
    if configured:
        mandates_from_defaults(township=world.township, by=world.township_officer)
    client.force_login(world.township_officer)
    _grow(world, 2)
    few = _queries(client, url)
    _grow(world, 12)
    assert _queries(client, url) == few


@pytest.mark.parametrize("configured", [False, True])
def test_the_home_panel_costs_four_queries_however_many_villages(world, configured):
    """Its own share of the home page (the other panels are their books' business)."""
    if configured:
        mandates_from_defaults(township=world.township, by=world.township_officer)
    officer = world.township_officer
    officer.region, officer.role_names  # loaded with the signed-in user on a page  # noqa: B018
    _grow(world, 2)
    with CaptureQueriesContext(connection) as few:
        small = sel.mandates_summary(officer)
    _grow(world, 12)
    with CaptureQueriesContext(connection) as many:
        large = sel.mandates_summary(officer)
    assert len(few) == len(many) <= 4
    assert (small["gap_villages"], large["gap_villages"]) == (4, 16)  # the patrol teams
