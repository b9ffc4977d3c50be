"""Selection and appointment (选聘), the screens: the list and the township's queue, nominating,
a candidacy's page with its checks and decisions, dismissal, the person's history on the
registry's page, the home panel and the menu, both languages, another village's people (the
routes of walk_selection.py), and query counts that stay flat as rows grow."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.governance.models import Candidacy, CandidacyStatus, Dismissal
from qunfang.governance.services import selection as service
from qunfang.registry.models import Membership, Organisation, OrgKind, Post
from tests.clock import MIDWEEK
from tests.factories import candidacy_for, vetted_person
from tests.governance import walk_selection

S = CandidacyStatus
TODAY = dt.date(2029, 1, 10)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]


@pytest.fixture
def v(world):
    org = Organisation.objects.create(
        region=world.village1, name="枫源村治保会", kind=OrgKind.SECURITY_COMMITTEE
    )
    world.member = Post.objects.create(
        organisation=org, title="治保委员", seats=2, requires_vetting=True
    )
    world.head = Post.objects.create(
        organisation=org, title="治保主任", seats=1, requires_township_approval=True
    )
    org2 = Organisation.objects.create(
        region=world.village2, name="乐山村治保会", kind=OrgKind.SECURITY_COMMITTEE
    )
    world.member2 = Post.objects.create(organisation=org2, title="治保委员", seats=2)
    world.person = vetted_person(world.village1, name="楼志明")
    return world


def body(response) -> str:
    return response.content.decode()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# ---- the list -------------------------------------------------------------------------------


def test_the_list_shows_open_candidacies_by_status_and_village(v, client_for):
    open_one = candidacy_for(v.member, v.person)
    approved = candidacy_for(v.head, status="committee_approved")
    candidacy_for(v.member, status="rejected", decision_note="不予聘任")
    other = candidacy_for(v.member2)
    client = client_for(v.township_officer)
    url = reverse("governance:selection_list")
    page = body(client.get(url))
    for c in (open_one, approved, other):
        assert reverse("governance:candidacy_detail", args=[c.pk]) in page
    assert page.count('data-testid="candidacy-row"') == 3  # not the rejected one
    page = body(client.get(url, {"status": "committee_approved"}))
    assert page.count('data-testid="candidacy-row"') == 1 and approved.person.name in page
    page = body(client.get(url, {"village": v.village2.code}))
    assert page.count('data-testid="candidacy-row"') == 1 and other.person.name in page
    assert body(client.get(url, {"view": "all"})).count('data-testid="candidacy-row"') == 4
    # a status that does not exist is said so, and everything shown
    response = client.get(url, {"status": "elected"}, follow=True)
    assert "没有这种状态" in body(response)


def test_the_townships_queue_holds_what_awaits_its_approval(v, client_for):
    waiting = candidacy_for(v.head, status="committee_approved")
    candidacy_for(v.member, status="committee_approved")  # needs no approval
    candidacy_for(v.head)  # the committee has not decided yet
    page = body(
        client_for(v.township_officer).get(
            reverse("governance:selection_list"), {"view": "township"}
        )
    )
    assert page.count('data-testid="candidacy-row"') == 1
    assert reverse("governance:candidacy_detail", args=[waiting.pk]) in page


def test_the_list_query_count_stays_flat_as_rows_grow(v, client_for):
    client = client_for(v.township_officer)
    url = reverse("governance:selection_list")
    for post in (v.member, v.head):
        candidacy_for(post)
    small = queries(client, url)
    for n in range(12):
        candidacy_for(
            (v.member, v.head, v.member2)[n % 3], status=("nominated", "committee_approved")[n % 2]
        )
    assert queries(client, url) == small
    assert queries(client, url + "?view=township") <= small


def test_another_villages_director_sees_none_of_village1s_candidacies(v, client_for):
    candidacy_for(v.member, v.person)
    page = body(client_for(v.director2).get(reverse("governance:selection_list")))
    assert "楼志明" not in page and "枫源村" not in page


# ---- nominating -------------------------------------------------------------------------------


def test_a_nomination_through_the_page(v, client_for):
    client = client_for(v.director1)
    url = reverse("governance:candidacy_create")
    form = body(client.get(url, {"person": v.person.pk}))
    assert "乐山村" not in form  # only the director's own posts and people
    data = {
        "post": v.member.pk,
        "person": v.person.pk,
        "nominated_by": "organisation",
        "nominated_on": "2029-01-08",
        "reason": "为人正派",
    }
    response = client.post(url, data)
    candidacy = Candidacy.objects.get()
    assert response.status_code == 302 and response["Location"] == candidacy.get_absolute_url()
    assert (candidacy.status, candidacy.reason) == (S.NOMINATED, "为人正派")
    # the same again: refused on the form, nothing written
    response = client.post(url, data)
    assert response.status_code == 200 and "已是" in body(response)
    assert Candidacy.objects.count() == 1


def test_a_forged_post_or_person_of_another_village_fails_like_a_typo(v, client_for):
    other = vetted_person(v.village2)
    client = client_for(v.director1)
    data = {"nominated_by": "committee", "nominated_on": "2029-01-08"}
    response = client.post(
        reverse("governance:candidacy_create"),
        {**data, "post": v.member2.pk, "person": v.person.pk},
    )
    assert response.status_code == 200 and "请选择本村的岗位" in body(response)
    response = client.post(
        reverse("governance:candidacy_create"), {**data, "post": v.member.pk, "person": other.pk}
    )
    assert "请选择本村登记的人员" in body(response)
    assert not Candidacy.objects.exists()


def test_readers_without_the_right_to_nominate_get_403(v, client_for):
    for user in (v.auditor, v.police, v.mediator1):
        assert client_for(user).get(reverse("governance:candidacy_create")).status_code == 403
    assert client_for(v.patrol1).get(reverse("governance:selection_list")).status_code == 403


# ---- one candidacy --------------------------------------------------------------------------


def test_the_candidacy_page_shows_the_checks_and_what_would_refuse_an_appointment(v, client_for):
    failed = vetted_person(v.village1, political="failed", quality="pending", age=None)
    candidacy = candidacy_for(v.member, failed, status="committee_approved")
    page = body(client_for(v.director1).get(candidacy.get_absolute_url()))
    assert 'data-state="failed"' in page and 'data-state="pending"' in page
    assert 'data-state="missing"' in page
    assert 'data-testid="appointment-problems"' in page and "政治关" in page
    assert 'data-testid="move-appointed"' in page  # offered; the service refuses it


def test_the_buttons_are_each_users_own(v, client_for):
    waiting = candidacy_for(v.head, status="committee_approved")
    page = body(client_for(v.director1).get(waiting.get_absolute_url()))
    assert 'data-testid="move-withdrawn"' in page
    assert (
        'data-testid="move-appointed"' not in page
        and 'data-testid="move-township_approved"' not in page
    )
    page = body(client_for(v.township_officer).get(waiting.get_absolute_url()))
    assert 'data-testid="move-township_approved"' in page and 'data-testid="move-rejected"' in page
    page = body(client_for(v.auditor).get(waiting.get_absolute_url()))
    assert 'data-testid="move-' not in page and 'data-testid="awaiting-township"' in page


def test_deciding_and_appointing_through_the_page(v, client_for):
    candidacy = candidacy_for(v.member, v.person)
    client = client_for(v.director1)
    url = reverse("governance:candidacy_move", args=[candidacy.pk])
    response = client.post(url, {"to": "committee_approved", "on": "2029-01-08", "note": "同意"})
    assert response.status_code == 302
    response = client.post(url, {"to": "appointed", "on": "2029-01-09"})
    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.status == S.APPOINTED
    assert candidacy.membership.started_on == dt.date(2029, 1, 9)
    page = body(client.get(candidacy.get_absolute_url()))
    assert 'data-testid="appointed"' in page and 'data-testid="dismiss-link"' in page


def test_a_refused_appointment_shows_why_and_changes_nothing(v, client_for):
    holder = vetted_person(v.village1)
    Membership.objects.create(person=holder, post=v.head, started_on=dt.date(2028, 1, 1))
    candidacy = candidacy_for(
        v.head, status="township_approved", township_decided_on=dt.date(2029, 1, 2)
    )
    client = client_for(v.director1)
    url = reverse("governance:candidacy_move", args=[candidacy.pk])
    response = client.post(url, {"to": "appointed", "on": "2029-01-09"})
    assert response.status_code == 200 and "名额已满" in body(response)
    candidacy.refresh_from_db()
    assert candidacy.status == S.TOWNSHIP_APPROVED and candidacy.membership is None
    # a rejection without its reason, and a decision nobody may take from here
    fresh = candidacy_for(v.member)
    url = reverse("governance:candidacy_move", args=[fresh.pk])
    response = client.post(url, {"to": "rejected", "on": "2029-01-09"})
    assert "请说明不予聘任的理由" in body(response)
    response = client.post(url, {"to": "township_approved", "on": "2029-01-09"})
    assert response.status_code == 200 and 'data-testid="move-errors"' in body(response)
    assert Candidacy.objects.get(pk=fresh.pk).status == S.NOMINATED


def test_the_township_approves_through_the_page(v, client_for):
    waiting = candidacy_for(v.head, status="committee_approved")
    response = client_for(v.township_officer).post(
        reverse("governance:candidacy_move", args=[waiting.pk]),
        {"to": "township_approved", "on": "2029-01-09", "note": "同意"},
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == S.TOWNSHIP_APPROVED
    assert waiting.township_decided_by == v.township_officer


def test_the_candidacy_page_query_count_stays_flat_as_its_history_grows(v, client_for):
    candidacy = candidacy_for(v.member, v.person)
    client = client_for(v.director1)
    small = queries(client, candidacy.get_absolute_url())
    for _ in range(5):
        candidacy.reason += "。"
        candidacy.save()
    assert queries(client, candidacy.get_absolute_url()) == small


# ---- dismissal ------------------------------------------------------------------------------


def test_a_dismissal_through_the_page(v, client_for):
    held = Membership.objects.create(person=v.person, post=v.member, started_on=dt.date(2027, 1, 1))
    client = client_for(v.director1)
    url = reverse("governance:membership_dismiss", args=[held.pk])
    assert 'name="reason"' in body(client.get(url))
    response = client.post(url, {"decided_on": "2029-01-09", "reason": ""})
    assert response.status_code == 200 and "请填写免职（解聘）理由" in body(response)
    assert not Dismissal.objects.exists()
    response = client.post(url, {"decided_on": "2029-01-09", "reason": "多次无故缺席"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.ended_on == dt.date(2029, 1, 9) and held.dismissal.reason == "多次无故缺席"
    # once more: the membership has ended
    response = client.post(url, {"decided_on": "2029-01-09", "reason": "再次"})
    assert response.status_code == 200 and 'data-testid="membership-ended"' in body(response)
    assert Dismissal.objects.count() == 1


def test_dismissal_is_the_village_committees(v, client_for):
    held = Membership.objects.create(person=v.person, post=v.member, started_on=dt.date(2027, 1, 1))
    url = reverse("governance:membership_dismiss", args=[held.pk])
    assert client_for(v.director2).get(url).status_code == 404
    assert client_for(v.auditor).get(url).status_code == 403
    assert (
        client_for(v.director2).post(url, {"decided_on": "2029-01-09", "reason": "x"}).status_code
        == 404
    )
    held.refresh_from_db()
    assert held.ended_on is None


# ---- the person's page ---------------------------------------------------------------------


def test_the_persons_page_holds_the_whole_history(v, client_for):
    rejected = candidacy_for(v.head, v.person, status="rejected", decision_note="年龄将到限")
    candidacy = service.candidacy_nominate(
        post=v.member,
        person=v.person,
        nominated_by="villagers",
        nominated_on=dt.date(2028, 12, 20),
        reason="群众推荐",
        by=v.director1,
    )
    candidacy = service.candidacy_move(
        candidacy=candidacy, to=S.COMMITTEE_APPROVED, on=dt.date(2028, 12, 24), by=v.director1
    )
    candidacy = service.candidacy_move(
        candidacy=candidacy, to=S.APPOINTED, on=dt.date(2028, 12, 28), by=v.director1
    )
    service.membership_dismiss(
        membership=candidacy.membership,
        reason="长期外出务工",
        decided_on=dt.date(2029, 1, 5),
        by=v.director1,
    )
    client = client_for(v.director1)
    page = body(client.get(reverse("registry:person_detail", args=[v.person.pk])))
    assert 'data-testid="selection-history"' in page
    for text in (
        "群众推荐",
        "村委会已同意",
        "已聘任",
        "长期外出务工",
        "年龄将到限",
        "村委会未同意",
    ):
        assert text in page, text
    assert page.count('data-testid="history-row"') == 6
    assert reverse("governance:candidacy_detail", args=[rejected.pk]) in page
    # a current post offers its dismissal to the village committee, not to a reader
    held = Membership.objects.create(person=v.person, post=v.head, started_on=dt.date(2029, 1, 6))
    page = body(client.get(reverse("registry:person_detail", args=[v.person.pk])))
    assert f'data-testid="dismiss-{held.pk}"' in page
    page = body(client_for(v.auditor).get(reverse("registry:person_detail", args=[v.person.pk])))
    assert "长期外出务工" in page and 'data-testid="dismiss-' not in page


def test_the_persons_page_query_count_stays_flat_as_the_history_grows(v, client_for):
    client = client_for(v.director1)
    url = reverse("registry:person_detail", args=[v.person.pk])
    candidacy_for(v.member, v.person, status="rejected", decision_note="x")
    small = queries(client, url)
    for post in (v.head, v.member):
        candidacy_for(post, v.person, status="withdrawn")
        Membership.objects.create(
            person=v.person, post=post, started_on=dt.date(2020, 1, 1), ended_on=dt.date(2021, 1, 1)
        )
    assert queries(client, url) == small


# ---- the home panel and the menu -----------------------------------------------------------


def test_the_home_panel_shows_what_awaits_each_users_decision(v, client_for):
    candidacy_for(v.member, v.person)  # for the committee to decide
    candidacy_for(v.member, status="committee_approved")  # to appoint
    waiting = candidacy_for(v.head, status="committee_approved")  # for the township
    candidacy_for(v.member2)  # village 2's
    page = body(client_for(v.director1).get("/"))
    assert 'data-testid="selection-panel"' in page
    assert "待村委会研究的推荐" in page and "楼志明" in page
    assert "乐山村" not in page.split('data-testid="selection-panel"')[1].split("</section>")[0]
    page = body(client_for(v.township_officer).get("/"))
    panel = page.split('data-testid="selection-panel"')[1].split("</section>")[0]
    assert "待乡镇审批" in panel and waiting.person.name in panel and "楼志明" not in panel
    assert 'data-testid="selection-panel"' not in body(client_for(v.auditor).get("/"))


def test_the_home_panel_costs_two_queries_at_most(v):
    from qunfang.governance.selectors.selection import selection_summary

    for n in range(6):
        candidacy_for(v.member if n % 2 else v.head, status="committee_approved")
    for user in (v.director1, v.township_officer):
        assert user.permissions  # the roles, read once per request before any page
        with CaptureQueriesContext(connection) as captured:
            summary = selection_summary(user)
        assert len(captured) <= 2 and summary["awaiting"] == 3


def test_the_menu_offers_appointments_to_the_governance_readers(v, client_for):
    url = reverse("governance:selection_list")
    # the entry of the governance section, marked on its own page
    assert f'href="{url}" aria-current="page"' in body(client_for(v.auditor).get(url))
    assert url not in body(client_for(v.patrol1).get("/"))


def test_the_pages_in_english(v, client_for):
    candidacy = candidacy_for(v.head, v.person, status="committee_approved")
    client = client_for(v.director1)
    client.cookies["django_language"] = "en"
    assert "Appointments" in body(client.get(reverse("governance:selection_list")))
    page = body(client.get(candidacy.get_absolute_url()))
    assert "Awaiting the township's approval." in page and "Political check" in page


def test_the_post_form_sets_the_townships_approval(v, client_for):
    client = client_for(v.director1)
    url = reverse("registry:post_edit", args=[v.member.organisation_id, v.member.pk])
    assert 'name="requires_township_approval"' in body(client.get(url))
    client.post(url, {"title": "治保委员", "seats": 2, "requires_township_approval": "on"})
    v.member.refresh_from_db()
    assert v.member.requires_township_approval


# ---- another village's people: the walk of walk_selection.py --------------------------------


@pytest.fixture
def walk(world, records):
    return walk_selection.records(world, records)


def _url(name, walk):
    owner = walk_selection.PK_OWNER.get(name)
    return reverse(name, args=[getattr(walk, owner).pk] if owner else [])


@pytest.mark.parametrize("outsider", ["director2", "township2_officer"])
def test_outsiders_get_404_or_nothing_of_village1(world, walk, client_for, outsider):
    client = client_for(getattr(world, outsider))
    for name, kind in walk_selection.ROUTES.items():
        url = _url(name, walk)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if kind == walk_selection.FOREIGN_404:
                assert response.status_code in (404, 405), (method, url, response.status_code)
            else:
                assert response.status_code in (200, 302, 403, 405), (method, url)
                for marker in walk_selection.MARKERS:
                    assert marker not in body(response), (method, url, marker)
    assert Candidacy.objects.get().status == S.NOMINATED and not Dismissal.objects.exists()


def test_village1s_director_reaches_every_route(world, walk, client_for):
    client = client_for(world.director1)
    for name in walk_selection.ROUTES:
        url = _url(name, walk)
        status = client.get(url).status_code
        assert status == 200 or (status == 405 and client.post(url).status_code in (200, 302)), url
    page = body(client.get(reverse("governance:selection_list")))
    assert all(
        marker in page or marker == walk_selection.MARKER_REASON
        for marker in walk_selection.MARKERS
    )


def test_the_write_routes_are_the_ones_that_take_a_post(world, walk, client_for):
    client = client_for(world.admin)
    for name in walk_selection.ROUTES:
        takes_post = client.post(_url(name, walk)).status_code != 405
        assert takes_post == (name in walk_selection.WRITES), name
