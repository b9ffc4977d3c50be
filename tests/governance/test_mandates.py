"""Mandates and division of work (职责分工): the owner lookup, the defaults, the flags and the
refusals of the services (the screens are in test_mandates_screens.py)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qunfang.casebook.models import CaseType
from qunfang.casebook.selectors.cases import first_offer as casebook_first_offer
from qunfang.core.roles import Role
from qunfang.core.services import user_create
from qunfang.governance.models import Mandate, Ownership, RuleKind
from qunfang.governance.reference import DEFAULT_MANDATES
from qunfang.governance.selectors import mandates as sel
from qunfang.governance.services.mandates import (
    Owning,
    division_set,
    mandate_set,
    mandates_from_defaults,
)
from qunfang.registry.models import Membership, OrgKind, OrgStatus, Person
from tests.factories import TEST_PASSWORD, organisation_for, post_holder

pytestmark = pytest.mark.django_db

SECURITY = OrgKind.SECURITY_COMMITTEE
MEDIATION = OrgKind.MEDIATION_COMMITTEE
PATROL = OrgKind.PATROL_TEAM


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the msgids)."""
    with translation.override("en"):
        yield


def _type(code):
    return CaseType.objects.get(code=code)


def _account(username, village, role=Role.MEDIATOR, **extra):
    return user_create(
        username=username,
        password=TEST_PASSWORD,
        region=village,
        roles={role},
        full_name=extra.pop("full_name", username),
        **extra,
    )


def _state(township):
    """Everything the township has set, to prove a refusal changed nothing."""
    return (
        sorted(Mandate.objects.filter(region=township).values_list("org_kind", "text")),
        sorted(
            (kind, code or "", dispute)
            for kind, code, dispute in Ownership.objects.filter(region=township).values_list(
                "org_kind", "case_type__code", "dispute_type"
            )
        ),
        Mandate.history.count(),
        Ownership.history.count(),
    )


# ---- the owner lookup ----------------------------------------------------------------------


def test_before_the_township_sets_anything_the_defaults_apply(world):
    assert sel.owning_kind(world.township, case_type=_type("theft")) == SECURITY
    assert sel.owning_kind(world.township, case_type=_type("fraud")) == SECURITY
    assert sel.owning_kind(world.township, case_type=_type("fire")) == PATROL
    assert sel.owning_kind(world.township, case_type=_type("other")) is None
    assert sel.owning_kind(world.township, dispute_type="neighbours") == MEDIATION
    assert sel.owning_kind(world.township) is None
    assert not sel.division_of(world.township).configured


def test_once_configured_the_townships_own_division_holds_without_falling_back(world):
    officer = world.township_officer
    assert mandates_from_defaults(township=world.township, by=officer) > 0
    division_set(
        township=world.township,
        owners=[Owning("case", "fraud", PATROL), Owning("case", "theft", "")],
        by=officer,
    )
    assert sel.owning_kind(world.township, case_type=_type("fraud")) == PATROL
    assert sel.owning_kind(world.township, case_type=_type("theft")) is None  # not the default
    assert sel.owning_kind(world.township, case_type=_type("burglary")) == SECURITY
    # another township is untouched: still the defaults
    assert sel.owning_kind(world.township2, case_type=_type("fraud")) == SECURITY


def test_a_first_change_keeps_the_defaults_it_was_working_under(world):
    mandate_set(
        township=world.township,
        org_kind=PATROL,
        text="巡逻队负责夜间巡逻。",
        required_rules=[RuleKind.PATROL],
        by=world.township_officer,
    )
    assert sel.division_of(world.township).configured
    assert sel.owning_kind(world.township, case_type=_type("theft")) == SECURITY
    assert Mandate.objects.filter(region=world.township).count() == len(DEFAULT_MANDATES)
    patrol = Mandate.objects.get(region=world.township, org_kind=PATROL)
    assert (patrol.text, patrol.required_rules) == ("巡逻队负责夜间巡逻。", ["patrol"])


def test_a_township_that_gives_every_type_away_to_nobody_owns_nothing(world):
    officer = world.township_officer
    mandates_from_defaults(township=world.township, by=officer)
    Ownership.objects.filter(region=world.township).delete()
    assert sel.owning_kind(world.township, case_type=_type("theft")) is None
    assert sel.owning_kind(world.township, dispute_type="neighbours") is None


def test_starting_from_the_defaults_is_idempotent_and_sets_changes_back(world):
    officer = world.township_officer
    first = mandates_from_defaults(township=world.township, by=officer)
    assert first == len(DEFAULT_MANDATES) + Ownership.objects.filter(region=world.township).count()
    state = _state(world.township)
    assert mandates_from_defaults(township=world.township, by=officer) == 0
    assert _state(world.township) == state  # not even a history row
    division_set(
        township=world.township,
        owners=[Owning("case", "fraud", PATROL), Owning("case", "other", SECURITY)],
        by=officer,
    )
    mandate_set(
        township=world.township, org_kind=SECURITY, text="改过", required_rules=[], by=officer
    )
    assert mandates_from_defaults(township=world.township, by=officer) == 3
    assert _state(world.township)[:2] == state[:2]


def test_the_defaults_are_written_in_the_sites_language(world):
    mandates_from_defaults(township=world.township, by=world.township_officer)
    text = Mandate.objects.get(region=world.township, org_kind=SECURITY).text
    with translation.override("zh-hans"):
        assert text == str(DEFAULT_MANDATES[0].text)
    assert text != "Public order and security in the village" and "治安" in text


def test_owning_people_are_the_accounts_holding_open_posts_of_that_kind_in_the_village(world):
    committee = organisation_for(world.village1, kind=SECURITY, members=1)  # no account
    member = _account("member", world.village1)
    left = _account("left", world.village1)
    asleep = _account("asleep", world.village1)
    asleep.is_active = False
    asleep.save()
    post_holder(committee, member)
    post_holder(committee, left, ended_on=dt.date(2025, 6, 1))
    post_holder(committee, asleep)
    post_holder(organisation_for(world.village1, kind=PATROL, members=0), world.patrol1)
    post_holder(organisation_for(world.village2, kind=SECURITY, members=0), world.director2)
    gone = organisation_for(world.village1, kind=SECURITY, members=0)
    gone.status = OrgStatus.DISSOLVED
    gone.save()
    holder = post_holder(gone, world.director1)
    assert list(sel.owning_people(world.village1, SECURITY)) == [member]
    # who also holds a post of the working committee counts, whatever their other posts
    Membership.objects.create(
        person=holder, post=committee.posts.get(title="成员"), started_on=dt.date(2025, 1, 1)
    )
    assert list(sel.owning_people(world.village1, SECURITY)) == [member, world.director1]
    Membership.objects.filter(person=holder, post__organisation=committee).delete()
    assert list(sel.owning_people(world.village1, PATROL)) == [world.patrol1]
    assert list(sel.owning_people(world.village2, SECURITY)) == [world.director2]
    assert not sel.owning_people(world.village2, PATROL).exists()


def test_the_casebook_asks_who_comes_first_through_the_hook(world):
    post_holder(organisation_for(world.village1, kind=SECURITY, members=0), world.mediator1)
    offer = casebook_first_offer(world.village1, case_type=_type("theft"))
    assert offer.owner == OrgKind.SECURITY_COMMITTEE.label
    assert offer.accounts == {world.mediator1.pk}
    assert casebook_first_offer(
        world.village1, case_type=_type("theft"), people=False
    ).accounts == (frozenset())
    nobody = casebook_first_offer(world.village1, case_type=_type("other"))
    assert nobody.owner is None and nobody.accounts == frozenset()
    assert casebook_first_offer(world.village2, dispute_type="neighbours").owner == (
        OrgKind.MEDIATION_COMMITTEE.label
    )


# ---- the flags -----------------------------------------------------------------------------


def _page(user, township=None):
    return sel.mandates_page(user, township or _township_of(user))


def _township_of(user):
    return sel.townships_for(user)[0]


def test_types_nobody_owns_are_flagged(world):
    page = _page(world.township_officer)
    assert [row.code for row in page.unowned] == ["other"]
    division_set(
        township=world.township,
        owners=[Owning("case", "theft", ""), Owning("dispute", "labour", "")],
        by=world.township_officer,
    )
    page = _page(world.township_officer)
    assert {row.code for row in page.unowned} == {"other", "theft", "labour"}


def test_villages_without_someone_to_take_their_share_are_flagged(world):
    organisation_for(world.village1, kind=SECURITY, members=0)  # an organisation, nobody in post
    organisation_for(world.village2, kind=PATROL, members=2)  # people in post, without accounts
    post_holder(organisation_for(world.village1, kind=MEDIATION, members=0), world.mediator1)
    post_holder(organisation_for(world.village1, kind=PATROL, members=0), world.patrol1)
    gaps = {
        (g.village.name, g.org_kind, g.no_organisation) for g in _page(world.township_officer).gaps
    }
    assert gaps == {
        ("枫源村", SECURITY, False),
        ("乐山村", SECURITY, True),
        ("乐山村", MEDIATION, True),
    }
    gap = next(g for g in _page(world.township_officer).gaps if g.village == world.village1)
    assert gap.sentence == (
        "Theft, Burglary, Fraud…: owned by the Security committee, but nobody holds a post in "
        "it in 枫源村."
    )
    other = next(g for g in _page(world.township_officer).gaps if g.village == world.village2)
    assert other.sentence.endswith("but 乐山村 has none.")


def test_a_village_reads_its_townships_mandates_and_only_its_own_gaps(world):
    mandates_from_defaults(township=world.township, by=world.township_officer)
    assert Mandate.objects.visible_to(world.director2).count() == len(DEFAULT_MANDATES)
    assert Ownership.objects.visible_to(world.director2).exists()
    assert not Mandate.objects.visible_to(world.township2_officer).exists()
    assert sel.townships_for(world.director2) == [world.township]
    assert sel.townships_for(world.township2_officer) == [world.township2]
    page = _page(world.director2)
    assert {g.village for g in page.gaps} == {world.village2}
    assert all(m.text for m in page.mandates)


def test_the_home_panel_counts_the_flags(world):
    summary = sel.mandates_summary(world.township_officer)
    assert summary["unowned"] == ["Other"] and summary["gap_villages"] == 2
    assert not summary["configured"]
    post_holder(organisation_for(world.village1, kind=SECURITY, members=0), world.director1)
    assert sel.mandates_summary(world.township_officer)["gap_count"] == 5
    assert sel.mandates_summary(world.township2_officer)["gap_villages"] == 1


# ---- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owners", "message"),
    [
        ([Owning("case", "theft", PATROL), Owning("case", "theft", SECURITY)], "owner twice"),
        ([Owning("dispute", "feud", MEDIATION)], "no dispute type feud"),
        ([Owning("case", "arson", SECURITY)], "no incident type arson"),
        ([Owning("case", "theft", "police_station")], "police_station is not a kind"),
        ([Owning("crime", "theft", SECURITY)], "case type or a dispute type"),
    ],
)
def test_bad_ownerships_are_refused_and_nothing_changes(world, owners, message):
    mandates_from_defaults(township=world.township, by=world.township_officer)
    before = _state(world.township)
    with pytest.raises(ValidationError) as refused:
        division_set(
            township=world.township,
            owners=[Owning("case", "fraud", PATROL), *owners],
            by=world.township_officer,
        )
    assert message in " ".join(refused.value.messages)
    assert _state(world.township) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"org_kind": "police_station"}, "not a kind of organisation"),
        ({"required_rules": ["meetings", "tea_break"]}, "no rule tea_break"),
        ({"text": "  "}, "Write what the organisation is for"),
        ({"text": "字" * 4001}, "too long"),
    ],
)
def test_bad_mandates_are_refused_and_nothing_changes(world, change, message):
    before = _state(world.township)
    values = {"org_kind": SECURITY, "text": "治安", "required_rules": ["meetings"]}
    with pytest.raises(ValidationError) as refused:
        mandate_set(township=world.township, by=world.township_officer, **{**values, **change})
    assert message in " ".join(refused.value.messages)
    assert _state(world.township) == before
    assert not sel.division_of(world.township).configured  # the defaults were not written


@pytest.mark.parametrize("who", ["township2_officer", "director1", "police"])
def test_only_the_townships_own_officers_set_its_mandates(world, who):
    by = getattr(world, who)
    before = _state(world.township)
    for write in (
        lambda: mandate_set(
            township=world.township, org_kind=SECURITY, text="x", required_rules=[], by=by
        ),
        lambda: division_set(
            township=world.township, owners=[Owning("case", "fraud", PATROL)], by=by
        ),
        lambda: mandates_from_defaults(township=world.township, by=by),
    ):
        with pytest.raises(ValidationError) as refused:
            write()
        assert "枫桥镇 is not your township" in refused.value.messages[0]
    assert _state(world.township) == before


def test_mandates_are_set_for_a_township_not_a_village(world):
    with pytest.raises(ValidationError) as refused:
        mandates_from_defaults(township=world.village1, by=world.township_officer)
    assert "枫源村 is not a township" in refused.value.messages[0]
    assert not Mandate.objects.exists()


# ---- the demo ------------------------------------------------------------------------------


def test_the_demo_starts_from_the_defaults_changes_one_thing_and_leaves_one_type_unowned(
    world, monkeypatch
):
    import random

    from qunfang.core.demo import DemoContext
    from qunfang.governance.demo import mandates as demo

    monkeypatch.setattr(demo, "VILLAGE_1", world.village1.code)
    monkeypatch.setattr(
        demo,
        "ACCOUNT_PEOPLE",
        (
            ("director1", world.village1.code, "治保主任"),
            ("mediator1", world.village1.code, "调解员"),
        ),
    )
    # the registry's demo names the holder of the director's post after the account
    committee = organisation_for(world.village1, kind=SECURITY, members=0)
    person = Person.objects.create(
        region=world.village1, name="骆金法", sex="M", birth_date=dt.date(1970, 1, 1)
    )
    Membership.objects.create(
        person=person, post=committee.posts.create(title="治保主任"), started_on=dt.date(2025, 1, 1)
    )
    context = DemoContext(
        password=TEST_PASSWORD,
        rng=random.Random(1),
        township=world.township,
        villages=[world.village1, world.village2],
        accounts={
            "township": world.township_officer,
            "director1": world.director1,
            "mediator1": world.mediator1,  # nobody holds 调解员 here: stays unlinked
        },
    )
    demo.step(context)
    demo.step(context)  # twice: nothing more
    assert sel.owning_kind(world.township, case_type=_type("fraud")) == PATROL
    assert sel.owning_kind(world.township, case_type=_type("theft")) == SECURITY
    page = sel.mandates_page(world.township_officer, world.township)
    assert [row.code for row in page.unowned] == ["other"]
    assert list(sel.owning_people(world.village1, SECURITY)) == [world.director1]
    assert not Person.objects.filter(account=world.mediator1).exists()
    assert Mandate.objects.filter(region=world.township).count() == len(DEFAULT_MANDATES)
