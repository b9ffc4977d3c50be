"""Factories that keep related objects inside one region tree."""

import factory

from qunfang.core.models import Region, RegionKind, User, UserRole
from qunfang.core.roles import Role

TEST_PASSWORD = "Qf-test-2026"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    kind = RegionKind.VILLAGE
    code = factory.Sequence(lambda n: f"330681109{n + 400:03d}")
    name = factory.Sequence(lambda n: f"测试{n}村")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or [Role.PATROL_MEMBER]:
            UserRole.objects.create(user=self, role=role)


# ---- security contracts ----------------------------------------------------------------------

_contract_numbers = iter(range(1, 1_000_000))
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def contract_for(village, *, status="draft", scan=False, contractor=None, **fields):
    """A security contract of `village` with a contractor living there, one performance term and
    two instalments that add up to the amount. `status` is set directly (no service), with the
    dates a real contract in that state would have; `scan=True` stores a small PDF as the
    scanned agreement (point MEDIA_ROOT at a temporary folder first)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from qunfang.registry.models import ContractPayment, PerformanceTerm, Person, SecurityContract

    n = next(_contract_numbers)
    if contractor is None:
        contractor = Person.objects.create(
            region=village, name=f"承包人{n}", sex="M", birth_date=dt.date(1975, 3, 9)
        )
    party = (
        {"contractor_person": contractor}
        if isinstance(contractor, Person)
        else {"contractor_team": contractor}
    )
    values = {
        "region": village,
        "number": f"CT-{n:04d}",
        "title": f"{village.name}治安承包",
        "starts_on": dt.date(2026, 1, 1),
        "ends_on": dt.date(2026, 12, 31),
        "amount": Decimal("12000.00"),
        "duties": "夜间巡逻每周不少于三次\n看护村委会和文化礼堂",
        "rights": "按月领取报酬",
        "benefits": "意外伤害保险",
        "status": status,
        **party,
        **fields,
    }
    if status != "draft":
        values.setdefault("signed_on", values["starts_on"] - dt.timedelta(days=10))
    if status in ("settled", "terminated"):
        values.setdefault("closed_on", values["ends_on"])
        values.setdefault("close_note", "按考核结果结算")
    contract = SecurityContract.objects.create(**values)
    contract.area.set([village])
    PerformanceTerm.objects.create(
        contract=contract, metric="thefts", comparator="lte", target=2, deduction=500
    )
    half = (contract.amount / 2).quantize(Decimal("0.01"))
    for due_on, amount in ((contract.starts_on, half), (contract.ends_on, contract.amount - half)):
        if amount > 0:
            ContractPayment.objects.create(contract=contract, due_on=due_on, amount=amount)
    if scan:
        contract.agreement_scan.save("scan.pdf", ContentFile(MINIMAL_PDF))
    return contract


# ---- governance: organisations with members, meetings, schedules ------------------------------

_governance_numbers = iter(range(1, 1_000_000))


def organisation_for(village, *, kind="security_committee", name=None, members=3):
    """An organisation of `village` with one post and `members` people of the village holding
    it (open memberships since 2025-01-01): a meeting's default invitees."""
    import datetime as dt

    from qunfang.registry.models import Membership, Organisation, Person, Post

    n = next(_governance_numbers)
    org = Organisation.objects.create(
        region=village, name=name or f"{village.name}组织{n}", kind=kind
    )
    post = Post.objects.create(organisation=org, title="委员", seats=max(members, 1))
    for i in range(members):
        person = Person.objects.create(
            region=village, name=f"委员{n}-{i + 1}", sex="M", birth_date=dt.date(1970 + i, 1, 1)
        )
        Membership.objects.create(person=person, post=post, started_on=dt.date(2025, 1, 1))
    return org


def meeting_schedule_for(org, **fields):
    """A monthly schedule of `org` (the 10th at 09:00, from 2025-01-01), straight into the
    table (no planning of meetings: `services.meetings.plan_coming_meetings` does that)."""
    import datetime as dt

    from qunfang.governance.models import MeetingSchedule

    values = {
        "organisation": org,
        "kind": "study",
        "title": f"{org.name}月度例会",
        "frequency": "monthly",
        "day_of_month": 10,
        "time": dt.time(9, 0),
        "starts_on": dt.date(2025, 1, 1),
        **fields,
    }
    if values["frequency"] == "weekly":
        values.setdefault("weekday", 0)
        values["day_of_month"] = None
    return MeetingSchedule.objects.create(**values)


def meeting_for(where, *, status="planned", scheduled_at=None, invite=True, **fields):
    """A meeting of `where` (an Organisation, or a village: then a new organisation with three
    members), by default tomorrow at 09:00 Shanghai time, with the organisation's members
    invited (`invite=False`: nobody). `status="held"` gives it held_at and minutes;
    `"cancelled"` a reason. Straight into the tables, no service."""
    import datetime as dt

    from django.utils import timezone

    from qunfang.core.models import Region
    from qunfang.governance.models import Attendance, Meeting
    from qunfang.registry.models import Person

    org = organisation_for(where) if isinstance(where, Region) else where
    if scheduled_at is None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        scheduled_at = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(9, 0)))
    values = {
        "organisation": org,
        "kind": "study",
        "title": f"{org.name}例会{next(_governance_numbers)}",
        "scheduled_at": scheduled_at,
        "status": status,
        **fields,
    }
    if status == "held":
        values.setdefault("held_at", scheduled_at)
        values.setdefault("minutes", "学习了有关文件，布置了下月工作。")
    if status == "cancelled":
        values.setdefault("cancel_reason", "防汛抢险，改期")
    meeting = Meeting.objects.create(**values)
    if invite:
        members = Person.objects.filter(
            memberships__post__organisation=org, memberships__ended_on__isnull=True
        ).distinct()
        Attendance.objects.bulk_create(Attendance(meeting=meeting, person=p) for p in members)
    return meeting


# ---- governance: selection and appointment (选聘) ----------------------------------------------


def vetted_person(village, *, name=None, born=1985, checked_on=None, **results):
    """A person of `village` with the three checks (政治关、素质关、年龄关) recorded and signed by
    the village committee and the police station 30 days before `checked_on` (default today),
    valid three years; `political="failed"` (etc.) gives a check another result, `None` leaves
    it out."""
    import datetime as dt

    from django.utils import timezone

    from qunfang.core.models import User
    from qunfang.registry.models import Person, VettingCheck

    n = next(_governance_numbers)
    person = Person.objects.create(
        region=village, name=name or f"候选人{n}", sex="M", birth_date=dt.date(born, 3, 1)
    )
    day = checked_on or timezone.localdate() - dt.timedelta(days=30)
    signer = User.objects.filter(is_active=True).order_by("pk").first()
    for kind in ("political", "quality", "age"):
        result = results.get(kind, "passed")
        if result is None:
            continue
        VettingCheck.objects.create(
            person=person,
            kind=kind,
            result=result,
            checked_on=day,
            due_on=day + dt.timedelta(days=3 * 365),
            village_signed_by=signer,
            village_signed_on=day,
            police_signed_by=signer,
            police_signed_on=day,
        )
    return person


def candidacy_for(post, person=None, *, status="nominated", **fields):
    """A candidacy for `post` (a person of the post's village, vetted, when none is given),
    nominated 20 days ago; straight into the table, no service (an appointed one needs its
    `membership`)."""
    import datetime as dt

    from django.utils import timezone

    from qunfang.governance.models import Candidacy

    village = post.organisation.region
    values = {
        "post": post,
        "person": person or vetted_person(village),
        "nominated_by": "committee",
        "nominated_on": timezone.localdate() - dt.timedelta(days=20),
        "reason": "群众基础好",
        "status": status,
        **fields,
    }
    if status != "nominated":
        values.setdefault("committee_decided_on", values["nominated_on"] + dt.timedelta(days=5))
    return Candidacy.objects.create(**values)


# ---- governance: training (培训) ---------------------------------------------------------------


def course_for(region, *, people=(), status="planned", **fields):
    """A course run by `region` (a village or the township), on 2028-06-01 by default, with
    `people` enrolled; straight into the tables, no service (nothing closed, no record)."""
    import datetime as dt
    from decimal import Decimal

    from qunfang.governance.models import Course, Enrolment

    values = {
        "region": region,
        "title": f"{region.name}培训班{next(_governance_numbers)}",
        "subject": "fire_safety",
        "hours": Decimal("4"),
        "starts_on": dt.date(2028, 6, 1),
        "status": status,
        **fields,
    }
    course = Course.objects.create(**values)
    for person in people:
        Enrolment.objects.create(course=course, person=person)
    return course


# ---- governance: written rules (制度) and model texts -----------------------------------------


def model_text_for(township, *, kind="confidentiality", **fields):
    """A model text published by `township` on 2025-01-01; straight into the table."""
    import datetime as dt

    from qunfang.governance.models import ModelText

    values = {
        "region": township,
        "kind": kind,
        "title": f"{township.name}示范文本{next(_governance_numbers)}",
        "text": "第一条 本制度适用于村治保会全体成员。\n第二条 不得泄露举报人信息。",
        "published_on": dt.date(2025, 1, 1),
        **fields,
    }
    return ModelText.objects.create(**values)


def rule_for(org, *, kind="confidentiality", text=None, adopted_on=None, **fields):
    """A rule of `org` in force since `adopted_on` (2025-03-01), with its revision 1 (`text`,
    else its model text's); straight into the tables, no service."""
    import datetime as dt

    from qunfang.governance.models import Rule, RuleRevision

    day = adopted_on or dt.date(2025, 3, 1)
    values = {
        "organisation": org,
        "kind": kind,
        "title": f"{org.name}制度{next(_governance_numbers)}",
        "adopted_on": day,
        **fields,
    }
    rule = Rule.objects.create(**values)
    model_text = values.get("model_text")
    body = text or (model_text.text if model_text else "第一条 按时参加例会。")
    RuleRevision.objects.create(rule=rule, number=1, text=body, adopted_on=day)
    return rule


# ---- governance: mandates and division of work (职责分工) --------------------------------------


def post_holder(org, account=None, *, name=None, ended_on=None):
    """A person of `org`'s village holding a post in it (open unless `ended_on`), who signs in
    as `account` when given: one of the owning organisation's people a case is offered to."""
    import datetime as dt

    from qunfang.registry.models import Membership, Person, Post

    n = next(_governance_numbers)
    post, _ = Post.objects.get_or_create(organisation=org, title="成员", defaults={"seats": 20})
    person = Person.objects.create(
        region=org.region,
        name=name or (account.full_name if account else f"成员{n}"),
        sex="M",
        birth_date=dt.date(1975, 1, 1),
        account=account,
    )
    Membership.objects.create(
        person=person, post=post, started_on=dt.date(2025, 1, 1), ended_on=ended_on
    )
    return person
