"""Pages per role, and query counts that stay flat as rows grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qunfang.core.models import Region, RegionKind, SecurityEvent, SecurityEventKind
from qunfang.core.roles import Role
from qunfang.core.services import user_create


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("township_officer", ["枫桥镇", "枫源村", "乐山村", "账号"]),
        ("director1", ["枫源村", "第一村民小组"]),
        ("auditor", ["最近安全事件", "安全日志"]),
        ("patrol1", ["巡逻队员"]),
    ],
)
def test_home_shows_each_role_its_own_dashboard(world, client, persona, expected):
    client.force_login(getattr(world, persona))
    body = client.get("/").content.decode()
    for text in expected:
        assert text in body, text


@pytest.mark.django_db
def test_menu_shows_only_what_the_role_may_open(world, client):
    client.force_login(world.patrol1)
    body = client.get("/").content.decode()
    assert reverse("core:user_list") not in body and reverse("core:security_log") not in body
    assert client.get(reverse("core:user_list")).status_code == 403
    assert "您的角色无权" in client.get(reverse("core:security_log")).content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("core:region_list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
def test_unknown_urls_get_a_chinese_404_page(world, client):
    client.force_login(world.director1)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "该页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_password_change_checks_the_rules_and_keeps_the_old_one_on_error(world, client):
    from tests.factories import TEST_PASSWORD

    client.force_login(world.director1)
    url = reverse("core:password_change")
    response = client.post(
        url, {"old_password": TEST_PASSWORD, "new_password1": "abc", "new_password2": "abc"}
    )
    assert response.status_code == 200 and "密码" in response.content.decode()
    world.director1.refresh_from_db()
    assert world.director1.check_password(TEST_PASSWORD)
    new = "Fengyuan-Village9"
    response = client.post(
        url, {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    world.director1.refresh_from_db()
    assert world.director1.check_password(new)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED).count() == 1


def _grow(world, n):
    """Add n villages with a director each and a security event each, under the township."""
    start = Region.objects.filter(parent=world.township).count()
    for i in range(start, start + n):
        village = Region.objects.create(
            code=f"330681109{500 + i:03d}",
            name=f"新村{i}",
            kind=RegionKind.VILLAGE,
            parent=world.township,
        )
        user = user_create(
            username=f"d{village.code}",
            password=None,
            region=village,
            roles={Role.VILLAGE_DIRECTOR},
            phone="13800000000",
        )
        SecurityEvent.objects.create(kind=SecurityEventKind.LOGIN_FAILED, user=user, region=village)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name",
    ["home", "core:region_list", "core:user_list", "core:security_log", "api:regions", "api:me"],
)
def test_list_query_counts_stay_flat_as_rows_grow(world, client, url_name):
    # session + user + roles, then the page's own queries (count and rows, no per-row query)
    client.force_login(world.admin if url_name == "core:security_log" else world.township_officer)
    url = reverse(url_name)
    _grow(world, 2)
    small = _queries(client, url)
    _grow(world, 20)
    large = _queries(client, url)
    assert small == large, (small, large)
    # session, user, roles, then the page; home adds its panels' counts (registry 6, patrols 5,
    # cases and inspections 6, governance 15: meetings 3, decisions 2, training 3, selection 1,
    # rules 1, mandates 3, assessment 2; supervision, bulletins, leaders, health and reports to
    # villagers 8 together)
    assert large <= (44 if url_name == "home" else 8), large


@pytest.mark.django_db
def test_region_detail_query_count_is_flat(world, client):
    client.force_login(world.township_officer)
    url = reverse("core:region_detail", args=[world.township.code])
    _grow(world, 2)
    small = _queries(client, url)
    _grow(world, 15)
    assert _queries(client, url) == small


@pytest.mark.django_db
def test_region_search_finds_by_name_or_code_inside_the_jurisdiction(world, client):
    client.force_login(world.township_officer)
    body = client.get(reverse("core:region_list"), {"q": "枫源"}).content.decode()
    assert "枫源村" in body and "乐山村" not in body
    body = client.get(reverse("core:region_list"), {"q": "花明泉"}).content.decode()
    assert "花明泉村" not in body and "没有符合条件的结果" in body  # another township's village
    body = client.get(reverse("core:region_list"), {"q": "330681109291"}).content.decode()
    assert "乐山村" in body
