"""The screen at a patrol point, through a display link: made and revoked by whoever may change
the point, opened by nobody signed in, showing the point's name and its rotating code and
nothing else; a withdrawn or made-up link gets a short page in Chinese."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from qunfang.patrols.models import PointDisplay, SignPeriod
from qunfang.patrols.selectors.display import display_for_token, token_hash
from qunfang.patrols.services import signs

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(patrol):
    point = patrol.points[0]  # 村委会, of 枫源村
    point.sign_period = SignPeriod.MINUTE
    point.description = "村委会大院门口"
    point.save()
    return point


def _make_link(client, point) -> str:
    response = client.post(reverse("patrols:point_display_create", args=[point.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return response.context["new_display_url"]


def _private(response) -> None:
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no session, no CSRF, no language cookie


def test_the_screen_shows_the_rotating_code_to_nobody_signed_in(client, world, point):
    client.force_login(world.director1)
    url = _make_link(client, point)
    assert url.startswith("http://testserver/patrols/display/")
    screen = Client()  # the old phone at the point: nobody signed in
    before = signs.current_code(point)
    response = screen.get(url)
    after = signs.current_code(point)
    assert response.status_code == 200
    _private(response)
    page = response.content.decode()
    code = next(c for c in (before, after) if f"{c[:4]} {c[4:]}" in page)
    assert "<svg" in page and point.name in page
    code_url = reverse("patrols:display_code", args=[url.rstrip("/").rsplit("/", 1)[1]])
    assert f'hx-get="{code_url}"' in page and 'hx-trigger="every 20s"' in page
    assert "sign-live.js" in page and "<script>" not in page  # CSP: no inline script
    assert '<meta http-equiv="refresh"' in page  # without JavaScript, the page reloads
    fragment = screen.get(code_url)
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert code[:4] in fragment.content.decode() or signs.current_code(point)[:4] in (
        fragment.content.decode()
    )
    _private(fragment)
    assert screen.post(url).status_code == 405  # read-only
    assert screen.post(code_url).status_code == 405


def test_the_screen_leaks_nothing_but_the_points_name_and_code(client, world, patrol, point):
    client.force_login(world.director1)
    url = _make_link(client, point)
    page = Client().get(url).content.decode()
    people = [world.director1.full_name, world.patrol1.full_name, *(p.name for p in patrol.people)]
    places = [world.village1.name, world.township.name, *(p.name for p in patrol.points[1:])]
    about_the_point = [point.description, point.secret, str(point.latitude)]
    pages = ["csrf", "<form", "/patrols/points/", "/patrols/log/"]
    for secret in people + places + about_the_point + pages:
        assert secret not in page, secret
    assert re.findall(r'href="([^"]+)"', page) == ["/static/qunfang/app.css"]


def test_a_revoked_link_answers_410_and_the_screen_reloads_onto_it(client, world, point):
    client.force_login(world.director1)
    url = _make_link(client, point)
    display = PointDisplay.objects.get(point=point)
    response = client.post(reverse("patrols:point_display_revoke", args=[display.pk]))
    assert response.status_code == 302
    display.refresh_from_db()
    assert display.revoked_by == world.director1 and display.revoked_at is not None
    screen = Client()
    gone = screen.get(url)
    assert gone.status_code == 410 and "此显示链接已撤销" in gone.content.decode()
    _private(gone)
    code_url = url + "code/"
    polled = screen.get(code_url, headers={"HX-Request": "true"})
    assert polled.status_code == 410 and polled["HX-Refresh"] == "true"
    detail = client.get(reverse("patrols:point_detail", args=[point.pk])).content.decode()
    assert "已于" in detail and "撤销" in detail and 'data-testid="display-revoke"' not in detail


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t + "x",
        lambda t: "x" * 60,
        lambda t: t * 3,  # longer than any token: not even hashed
    ],
)
def test_a_tampered_link_answers_404_in_chinese(client, world, point, tamper):
    client.force_login(world.director1)
    token = _make_link(client, point).rstrip("/").rsplit("/", 1)[1]
    response = Client().get(reverse("patrols:display", args=[tamper(token)]))
    assert response.status_code == 404 and "没有这个显示链接" in response.content.decode()
    _private(response)


def test_only_a_hash_of_the_token_is_kept_and_the_link_is_shown_once(client, world, point):
    client.force_login(world.director1)
    url = _make_link(client, point)
    token = url.rstrip("/").rsplit("/", 1)[1]
    display = PointDisplay.objects.get()
    assert display.token_hash == token_hash(token) and token not in display.token_hash
    assert display.created_by == world.director1
    assert display_for_token(token) == display
    detail = client.get(reverse("patrols:point_detail", args=[point.pk])).content.decode()
    assert token not in detail and world.director1.full_name in detail
    assert all(not hasattr(h, "token_hash") for h in display.history.all())


def test_a_new_link_revokes_the_old_one(client, world, point):
    client.force_login(world.director1)
    first = _make_link(client, point)
    client.force_login(world.township_officer)  # the township may make one too
    second = _make_link(client, point)
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200
    old, new = PointDisplay.objects.order_by("id")
    assert old.revoked_by == world.township_officer and new.revoked_at is None


def test_another_village_can_neither_make_nor_revoke_the_points_links(client, world, point):
    client.force_login(world.director1)
    url = _make_link(client, point)
    display = PointDisplay.objects.get()
    client.force_login(world.director2)
    assert client.post(reverse("patrols:point_display_create", args=[point.pk])).status_code == 404
    assert (
        client.post(reverse("patrols:point_display_revoke", args=[display.pk])).status_code == 404
    )
    client.force_login(world.police)  # sees the patrols, plans none
    assert (
        client.post(reverse("patrols:point_display_revoke", args=[display.pk])).status_code == 403
    )
    assert PointDisplay.objects.count() == 1 and Client().get(url).status_code == 200


def test_a_printed_sign_point_gets_no_display_link(client, world, point):
    point.sign_period = SignPeriod.WEEK
    point.save()
    client.force_login(world.director1)
    response = client.post(reverse("patrols:point_display_create", args=[point.pk]), follow=True)
    assert "现场屏幕用于每分钟或每小时更换一次的代码" in response.content.decode()
    assert not PointDisplay.objects.exists()


def test_a_point_taken_out_of_use_shows_no_code(client, world, point):
    client.force_login(world.director1)
    url = _make_link(client, point)
    point.active = False
    point.save()
    assert Client().get(url).status_code == 410


def test_the_signed_in_live_screen_is_gone(client, world, point):
    client.force_login(world.director1)
    assert client.get(f"/patrols/points/{point.pk}/live/").status_code == 404
    assert client.get(f"/patrols/points/{point.pk}/live/code/").status_code == 404
    detail = client.get(reverse("patrols:point_detail", args=[point.pk])).content.decode()
    assert 'data-testid="display-create"' in detail
    assert (
        client.get(reverse("patrols:point_sign", args=[point.pk])).status_code == 200
    )  # printing stays


def test_making_and_revoking_a_link_are_lines_in_the_security_log(client, world, point):
    from qunfang.core.models import SecurityEvent, SecurityEventKind

    client.force_login(world.director1)
    _make_link(client, point)
    _make_link(client, point)  # the second revokes the first
    lines = list(
        SecurityEvent.objects.filter(region=point.region, kind__startswith="display_link")
        .order_by("id")
        .values_list("kind", "actor", "detail__point")
    )
    made, revoked = SecurityEventKind.DISPLAY_LINK_CREATED, SecurityEventKind.DISPLAY_LINK_REVOKED
    me = world.director1.pk
    assert lines == [(made, me, point.pk), (revoked, me, point.pk), (made, me, point.pk)]
    client.force_login(world.auditor)
    log = client.get(reverse("core:security_log")).content.decode()
    assert f"巡逻点：{point.name}" in log and "生成标牌屏幕链接" in log
