"""The training screens: the course list (filters, query count flat as courses grow), a new
course (bad input told in the user's language, nothing written), the roll call and results, the
close that writes the records, the certificate and the training register (and their PDFs), the
person's page, the home panel and the menu; another village's director sees nothing of it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qunfang.governance.models import Course, CourseStatus, Enrolment
from qunfang.governance.services import training as service
from qunfang.registry.models import Person, TrainingRecord
from tests.clock import MIDWEEK
from tests.core.test_pdf import _assert_chinese_pdf, renders
from tests.factories import course_for, meeting_for, organisation_for

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MIDWEEK, tick=False)]

DAY = dt.date(2028, 11, 6)


@pytest.fixture
def people(world):
    org = organisation_for(world.village1, members=3)
    return list(Person.objects.filter(memberships__post__organisation=org).order_by("name"))


def _form(**changes):
    return {
        "region": "",
        "title": "消防安全培训班",
        "subject": "fire_safety",
        "hours": "4",
        "starts_on": DAY.isoformat(),
        "certificate_months": "24",
        **changes,
    }


# ---- the list ---------------------------------------------------------------------------------


def _grow(world, n):
    for i in range(n):
        person = Person.objects.create(
            region=world.village2, name=f"学员{i}", sex="M", birth_date=dt.date(1980, 1, 1)
        )
        organisation = organisation_for(world.village1, members=1)
        course_for(world.village1, people=[person], organisation=organisation)
        course_for(world.township, people=[person], status=CourseStatus.HELD)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", ["", "?status=planned&year=2028&subject=fire_safety"])
def test_the_course_list_query_count_is_flat(world, client, params):
    client.force_login(world.township_officer)
    url = reverse("governance:course_list") + params
    _grow(world, 2)
    small = _queries(client, url)
    _grow(world, 12)
    large = _queries(client, url)
    assert small == large, (small, large)
    # session, user, roles, the regions for the filter, the page's count and rows
    assert large <= 8, large


def test_the_list_filters_by_place_subject_status_and_year(world, client):
    course_for(world.village1, title="村消防课", subject="fire_safety")
    course_for(world.township, title="镇法律课", subject="law", starts_on=dt.date(2027, 5, 1))
    course_for(world.village1, title="村急救课", subject="first_aid", status=CourseStatus.HELD)
    client.force_login(world.township_officer)
    url = reverse("governance:course_list")

    def titles(**params):
        return {
            title
            for title in ("村消防课", "镇法律课", "村急救课")
            if title in client.get(url, params).content.decode()
        }

    assert titles() == {"村消防课", "镇法律课", "村急救课"}
    assert titles(village=world.township.code) == {"镇法律课"}
    assert titles(village=world.village1.code) == {"村消防课", "村急救课"}
    assert titles(subject="first_aid") == {"村急救课"}
    assert titles(status="planned") == {"村消防课", "镇法律课"}
    assert titles(year="2027") == {"镇法律课"}
    response = client.get(url, {"year": "twenty"})
    assert "四位数" in response.content.decode() and len(titles(year="twenty")) == 3
    assert client.get(url, {"village": world.village3.code}).status_code == 404
    client.force_login(world.director2)  # the next village sees none of them
    assert titles() == set()


# ---- a new course -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"hours": "-2"}, "学时"),
        ({"hours": "0"}, "学时"),
        ({"subject": "karate"}, "科目"),
    ],
)
def test_a_bad_course_is_told_in_chinese_and_nothing_is_written(world, client, changes, message):
    client.force_login(world.director1)
    response = client.post(
        reverse("governance:course_create"), _form(region=world.village1.pk, **changes)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Course.objects.exists()


def test_the_same_in_english(world, client, settings):
    client.force_login(world.director1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("governance:course_create"), _form(region=world.village1.pk, hours="-1")
    )
    assert "above zero" in response.content.decode()
    assert not Course.objects.exists()


def test_a_director_plans_a_course_for_their_village_only(world, client, people):
    client.force_login(world.director1)
    page = client.get(reverse("governance:course_create"))
    offered = page.context["form"].fields["region"].queryset
    assert list(offered) == [world.village1]
    refused = client.post(reverse("governance:course_create"), _form(region=world.village2.pk))
    assert refused.status_code == 200 and not Course.objects.exists()
    org = people[0].memberships.get().post.organisation
    response = client.post(
        reverse("governance:course_create"), _form(region=world.village1.pk, organisation=org.pk)
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response["Location"] == course.get_absolute_url()
    assert course.enrolments.count() == 3 and course.created_by == world.director1


def test_a_course_starts_from_a_training_meeting(world, client, people):
    org = people[0].memberships.get().post.organisation
    at = timezone.make_aware(dt.datetime.combine(DAY, dt.time(19, 0)))
    meeting = meeting_for(org, kind="training", status="held", scheduled_at=at, title="以会代训")
    client.force_login(world.director1)
    url = reverse("governance:course_create") + f"?meeting={meeting.pk}"
    form = client.get(url).context["form"]
    assert form.initial["meeting"] == meeting.pk and form.initial["starts_on"] == DAY
    response = client.post(
        url, _form(region=world.village1.pk, meeting=meeting.pk, title="以会代训")
    )
    assert response.status_code == 302
    course = Course.objects.get()
    assert course.meeting == meeting and course.enrolments.count() == 3
    detail = client.get(course.get_absolute_url()).content.decode()
    assert 'data-testid="take-roll-call"' in detail and 'data-testid="enrol-person"' not in detail
    client.force_login(world.director2)
    assert client.get(url).status_code == 404  # another village's meeting


# ---- one course: roll call, results, close ------------------------------------------------


def test_the_roll_call_refuses_a_pass_for_someone_absent(world, client, people):
    course = course_for(world.village1, people=people, starts_on=DAY, certificate_months=24)
    client.force_login(world.director1)
    first = course.enrolments.get(person=people[0])
    response = client.post(
        reverse("governance:course_results", args=[course.pk]), {f"result_{first.pk}": "passed"}
    )
    assert response.status_code == 200
    assert "只有参加的人" in response.content.decode()
    assert not Enrolment.objects.filter(attended__isnull=False).exists()


def test_a_course_is_run_from_its_page_to_the_certificate(world, client, people):
    a, b, _c = people
    course = course_for(world.village1, people=people, starts_on=DAY, certificate_months=24)
    client.force_login(world.director1)
    enrolment = {e.person: e for e in course.enrolments.all()}
    results = {
        f"attended_{enrolment[a].pk}": "on",
        f"result_{enrolment[a].pk}": "passed",
        f"attended_{enrolment[b].pk}": "on",
        f"result_{enrolment[b].pk}": "failed",
    }
    response = client.post(reverse("governance:course_results", args=[course.pk]), results)
    assert response.status_code == 302
    move = reverse("governance:course_move", args=[course.pk])
    assert client.post(move, {"to": "held"}).status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.HELD
    assert TrainingRecord.objects.filter(person__in=[a, b]).count() == 2
    again = client.post(move, {"to": "held"})  # closing twice: told, nothing written
    assert again.status_code == 200 and "只有计划中的培训" in again.content.decode()
    assert TrainingRecord.objects.count() == 2

    edit = client.get(reverse("governance:course_edit", args=[course.pk]), follow=True)
    assert "只有计划中的培训才能修改" in edit.content.decode()
    page = client.get(course.get_absolute_url()).content.decode()
    number = f"2028-{course.pk}-01"
    assert number in page and 'data-testid="certificate-link"' in page
    certified = Enrolment.objects.get(certificate_number=number)
    certificate = client.get(reverse("governance:training_certificate", args=[certified.pk]))
    assert certificate.status_code == 200 and a.name in certificate.content.decode()
    failed = enrolment[b]
    assert (
        client.get(reverse("governance:training_certificate", args=[failed.pk])).status_code == 404
    )
    # the person's page lists the record with the course's name
    person_page = client.get(reverse("registry:person_detail", args=[a.pk])).content.decode()
    assert course.title in person_page and number in person_page


def test_readers_see_the_course_but_may_not_change_it(world, client, people):
    course = course_for(world.village1, people=people, starts_on=DAY)
    client.force_login(world.police)
    page = client.get(course.get_absolute_url())
    assert page.status_code == 200 and page.context["moves"] == []
    assert 'data-testid="results-save"' not in page.content.decode()
    response = client.post(reverse("governance:course_move", args=[course.pk]), {"to": "held"})
    assert response.status_code == 403
    client.force_login(world.director2)
    assert client.get(course.get_absolute_url()).status_code == 404
    removal = reverse("governance:enrolment_remove", args=[course.enrolments.first().pk])
    assert client.post(removal).status_code == 404
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED and course.enrolments.count() == 3


def test_a_person_of_another_village_is_not_offered_nor_taken(world, client, people):
    course = course_for(world.village1, starts_on=DAY)
    stranger = Person.objects.create(
        region=world.village2, name="乐山村村民", sex="M", birth_date=dt.date(1980, 1, 1)
    )
    client.force_login(world.township_officer)
    url = reverse("governance:course_enrol", args=[course.pk])
    offered = client.get(course.get_absolute_url()).context["person_form"].fields["person"]
    assert stranger not in offered.queryset and people[0] in offered.queryset
    response = client.post(url, {"person": stranger.pk})
    assert response.status_code == 200 and not course.enrolments.exists()
    assert client.post(url, {"person": people[0].pk}).status_code == 302
    assert course.enrolments.get().person == people[0]


# ---- paper ---------------------------------------------------------------------------------------


def _held_course(world, people):
    course = course_for(
        world.village1,
        people=people,
        starts_on=DAY,
        certificate_months=24,
        title="枫源村应急救护培训班",
        trainer="诸暨市红十字会",
        hours=Decimal("8"),
    )
    for enrolment in course.enrolments.all():
        service.enrolment_mark(enrolment=enrolment, attended=True, passed=True, by=world.director1)
    return service.course_close(course=course, by=world.director1)


def test_the_training_register_lists_the_courses_held(world, client, people):
    course = _held_course(world, people)
    course_for(world.village1, title="未举办的课", starts_on=DAY)
    client.force_login(world.director1)
    url = reverse("governance:training_register_print")
    body = client.get(url, {"from": "2028-01-01", "to": "2028-12-31"}).content.decode()
    assert course.title in body and "诸暨市红十字会" in body and "未举办的课" not in body
    assert body.count('data-testid="register-row"') == 1
    client.force_login(world.township_officer)  # the township chooses, itself among the choices
    chooser = client.get(url).content.decode()
    assert world.township.code in chooser and world.village1.code in chooser
    township = client.get(url, {"village": world.township.code}).content.decode()
    assert "枫桥镇" in township and course.title not in township


@renders
def test_the_training_register_pdf_is_in_chinese(world, client, people, tmp_path):
    _held_course(world, people)
    client.force_login(world.director1)
    response = client.get(
        reverse("governance:training_register_print"),
        {"from": "2028-01-01", "to": "2028-12-31", "format": "pdf"},
    )
    _assert_chinese_pdf(response, tmp_path, "培训登记簿", "枫源村应急救护培训班", "登记人签字")


@renders
def test_the_certificate_pdf_is_in_chinese(world, client, people, tmp_path):
    course = _held_course(world, people)
    certified = course.enrolments.order_by("certificate_number").first()
    client.force_login(world.director1)
    url = reverse("governance:training_certificate", args=[certified.pk])
    assert "format=pdf" in client.get(url).content.decode()
    response = client.get(url, {"format": "pdf"})
    _assert_chinese_pdf(
        response, tmp_path, "培训合格证书", certified.certificate_number, certified.person.name
    )


# ---- home and menu -----------------------------------------------------------------------


def test_the_home_panel_and_the_menu(world, client):
    client.force_login(world.director1)
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="training-panel"' in body
    assert reverse("governance:course_list") in body
    client.force_login(world.patrol1)  # no VIEW_GOVERNANCE
    body = client.get(reverse("home")).content.decode()
    assert 'data-testid="training-panel"' not in body
    assert reverse("governance:course_list") not in body
