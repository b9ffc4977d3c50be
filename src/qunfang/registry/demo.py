"""Demo registries for 枫桥镇: organisations in all three forms, ~1,000 households with their
people, ten-household groups, vetting, training and two security contracts.

People, placements in posts, ten-household groups and contracts go through the registry's
services, which check them as they check a clerk's entries: an ID number with its check digit,
a post taken up only by someone old enough, vetted and holding the training it requires on that
day, a contract with its terms signed before it is in force. Vetting checks and training
records are entered as the paper files have them (signed already)."""

import datetime as dt
from decimal import Decimal
from typing import cast

from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext, phone
from qunfang.core.demo.reference import GIVEN_F, GIVEN_M, SURNAMES
from qunfang.core.models import Region, RegionKind
from qunfang.core.personal import id_check_digit
from qunfang.registry.models import (
    Comparator,
    ContractPayment,
    ContractStatus,
    Education,
    Household,
    JointDefenceGroup,
    Membership,
    Metric,
    Organisation,
    OrgForm,
    OrgKind,
    PerformanceTerm,
    Person,
    Political,
    Post,
    SecurityContract,
    Sex,
    TrainingKind,
    TrainingRecord,
    VettingCheck,
    VettingKind,
    VettingResult,
)
from qunfang.registry.services.contracts import contract_save_draft, contract_set_status
from qunfang.registry.services.groups import joint_defence_group_form
from qunfang.registry.services.organisations import membership_start
from qunfang.registry.services.people import person_save

# (kind, name suffix, form, [(post, seats, leader, vetting, min age, max age, training, duties)])
# (title, seats, leader, vetting, youngest, oldest, training, duties)
PostSpec = tuple[str, int, bool, bool, int, int, str, str]
OrgSpec = tuple[str, str, str, list[PostSpec]]  # (kind, name suffix, form, posts)

ORGANISATIONS: list[OrgSpec] = [
    (
        OrgKind.SECURITY_COMMITTEE,
        "治保会",
        OrgForm.NONE,
        [
            (
                "治保主任",
                1,
                True,
                True,
                25,
                65,
                TrainingKind.SECURITY_BASICS,
                "主持治保会工作；组织治安巡逻和安全检查；重大情况及时向乡镇综治办和派出所报告。",
            ),
            ("治保委员", 3, False, True, 22, 65, "", "协助主任做好治安防范、矛盾排查和法制宣传。"),
        ],
    ),
    (
        OrgKind.MEDIATION_COMMITTEE,
        "调解委员会",
        OrgForm.NONE,
        [
            (
                "调委会主任",
                1,
                True,
                True,
                30,
                70,
                TrainingKind.MEDIATION,
                "主持调解工作，审核调解协议，组织回访。",
            ),
            (
                "调解员",
                3,
                False,
                False,
                25,
                70,
                TrainingKind.MEDIATION,
                "受理和调解民间纠纷，做好调解记录。",
            ),
        ],
    ),
    (
        OrgKind.PATROL_TEAM,
        "义务巡逻队",
        OrgForm.VOLUNTARY,
        [
            (
                "队长",
                1,
                True,
                True,
                20,
                60,
                TrainingKind.PATROL,
                "安排排班，带队夜间巡逻，做好巡逻登记。",
            ),
            ("队员", 8, False, True, 18, 60, "", "按排班参加巡逻，发现情况及时报告。"),
        ],
    ),
    (
        OrgKind.JOINT_DEFENCE,
        "十户联防",
        OrgForm.VOLUNTARY,
        [
            ("联防户长", 4, False, False, 18, 70, "", "组织本组各户轮流值守，互相照应，遇事呼应。"),
        ],
    ),
]
GUARD: OrgSpec = (
    OrgKind.VILLAGE_GUARD,
    "护村队",
    OrgForm.PAID,
    [
        (
            "护村队长",
            1,
            True,
            True,
            22,
            55,
            TrainingKind.PATROL,
            "带领专职护村队员日夜巡逻，管理装备。",
        ),
        ("护村队员", 4, False, True, 20, 55, TrainingKind.PATROL, "专职巡逻，守护重点部位。"),
    ],
)


def _id_number(rng, birth: dt.date, sex: str) -> str:
    serial = rng.randint(10, 99) * 10 + rng.choice(
        [1, 3, 5, 7, 9] if sex == Sex.MALE else [0, 2, 4, 6, 8]
    )
    first17 = f"330681{birth:%Y%m%d}{serial:03d}"
    return first17 + id_check_digit(first17)


def _birth(rng, lo: int, hi: int, today: dt.date) -> dt.date:
    return today - dt.timedelta(days=rng.randint(lo * 365, hi * 365))


def _people_for(
    rng, village: Region, household: Household, today: dt.date, used_ids: set
) -> list[Person]:
    surname = rng.choice(SURNAMES)
    members: list[Person] = []
    plan = [(Sex.MALE, 30, 68), (Sex.FEMALE, 28, 66)] + [
        (rng.choice(Sex.values), 18, 40)
    ] * rng.randint(0, 2)
    if household.elderly_only:
        plan = [(Sex.MALE, 70, 88), (Sex.FEMALE, 68, 86)][: rng.randint(1, 2)]
    for sex, lo, hi in plan:
        birth = _birth(rng, lo, hi, today)
        id_number = _id_number(rng, birth, sex)
        while id_number in used_ids:
            id_number = _id_number(rng, birth, sex)
        used_ids.add(id_number)
        given = rng.choice(GIVEN_M if sex == Sex.MALE else GIVEN_F)
        person = Person(
            region=village,
            household=household,
            name=surname + given
            if sex == Sex.MALE or not members
            else rng.choice(SURNAMES) + given,
            sex=sex,
            birth_date=birth,
            id_number=id_number,
            phone=phone(rng) if rng.random() < 0.8 else "",
            phone_reachable=rng.random() < 0.9,
            education=rng.choice(Education.values[1:]),
            political_status=rng.choices(Political.values, weights=[80, 12, 6, 2])[0],
            address=household.address,
            may_serve=not household.elderly_only and lo < 60,
        )
        members.append(person_save(person=person))
    return members


def step_registry(context: DemoContext) -> None:
    rng, today = context.rng, context.today
    director, police = context.accounts["director1"], context.accounts["police"]
    used_ids: set[str] = set()
    for village in context.villages:
        main = village.code in (VILLAGE_1, VILLAGE_2)
        groups = list(Region.objects.filter(parent=village, kind=RegionKind.GROUP))
        households, people = [], []
        for number in range(1, (200 if main else 21) + 1):
            household = Household.objects.create(
                region=village,
                group=rng.choice(groups),
                number=f"{number:04d}",
                address=f"{village.name}{rng.randint(1, 300)}号",
                elderly_only=rng.random() < 0.08,
                disabled_member=rng.random() < 0.03,
                absent=rng.random() < 0.1,
                low_income=rng.random() < 0.04,
                five_guarantees=rng.random() < 0.01,
            )
            members = _people_for(rng, village, household, today, used_ids)
            household.head, household.size = members[0], len(members)
            household.save(update_fields=["head", "size"])
            households.append(household)
            people += members
        _organisations(context, village, households, people, main, director, police)
    _contracts(context)


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (later when negative); 29 February becomes the 28th in a
    common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# The demo accounts are people of the village too: give the holders of their posts their names.
ACCOUNT_POSTS = {"director": "治保主任", "mediator": "调解员", "patrol": "队员"}


def _organisations(context, village, households, people, main, director, police) -> None:
    rng, today = context.rng, context.today
    candidates = [p for p in people if p.may_serve and 22 <= p.age <= 58]
    rng.shuffle(candidates)
    specs = ORGANISATIONS + ([GUARD] if main else [])
    joint_defence = None
    for kind, suffix, form, posts in specs:
        org = Organisation.objects.create(
            region=village,
            name=village.name + suffix,
            kind=kind,
            form=form,
            founded_on=_years_before(today, rng.randint(2, 12)),
        )
        joint_defence = org if kind == OrgKind.JOINT_DEFENCE else joint_defence
        for title, seats, leader, vetting, lo, hi, training, duties in posts:
            post = Post.objects.create(
                organisation=org,
                title=title,
                seats=seats,
                is_leader=leader,
                requires_vetting=vetting,
                min_age=lo,
                max_age=hi,
                required_training=training,
                duties=duties,
            )
            filled = seats if (main or leader) else max(seats - rng.randint(0, 2), 0)
            if rng.random() >= 0.93 and not (main and title in ACCOUNT_POSTS.values()):
                filled -= 1  # a seat stays empty (never one of the demo accounts' posts)
            for _ in range(filled):
                # the next candidate of an age the post allows
                person = next((p for p in reversed(candidates) if lo <= p.age <= hi), None)
                if person is None:
                    break
                candidates.remove(person)
                _place(context, person, post, director, police)
    _groups(context, village, households, joint_defence)
    if main:
        _name_after_accounts(context, village)


def _name_after_accounts(context, village) -> None:
    suffix = "1" if village.code == VILLAGE_1 else "2"
    for prefix, title in ACCOUNT_POSTS.items():
        account = context.accounts.get(prefix + suffix)
        membership = Membership.objects.filter(
            post__organisation__region=village, post__title=title
        ).first()
        if account and membership:
            membership.person.name = account.full_name
            person_save(person=membership.person)


EVIDENCE = {
    "political": "无违法犯罪记录，派出所出具证明。",
    "quality": "群众评议良好，责任心强。",
    "age": "年龄符合岗位要求。",
}


def _place(context, person: Person, post: Post, director, police) -> None:
    """The person takes up the post, once old enough for it, vetted and trained before."""
    rng, today = context.rng, context.today
    started = today - dt.timedelta(days=rng.randint(60, 2000))
    if post.min_age is not None:  # not before they were old enough
        started = max(started, _years_before(person.birth_date, -post.min_age))
    if post.requires_vetting:
        checked = started - dt.timedelta(days=rng.randint(10, 40))
        due = today + dt.timedelta(days=rng.randint(-20, 900))  # a few are due or overdue
        for kind in VettingKind.values:
            VettingCheck.objects.create(
                person=person,
                kind=kind,
                result=VettingResult.PASSED,
                checked_on=checked,
                due_on=max(due, started + dt.timedelta(days=30)),
                evidence=EVIDENCE[kind],
                village_signed_by=director,
                village_signed_on=checked,
                police_signed_by=police,
                police_signed_on=checked + dt.timedelta(days=3),
            )
    training = post.required_training
    if training or rng.random() < 0.3:
        kind = training or TrainingKind.LAW
        held = today - dt.timedelta(days=rng.randint(30, 700))
        expires = _certificate(rng, person, kind, held)
        if training and not held <= started <= expires:  # the one in force when they started
            _certificate(rng, person, kind, started - dt.timedelta(days=rng.randint(5, 60)))
    membership_start(person=person, post=post, started_on=started)


def _certificate(rng, person: Person, kind: str, held: dt.date) -> dt.date:
    """A training certificate; returns the day it expires."""
    record = TrainingRecord.objects.create(
        person=person,
        kind=kind,
        course=f"{TrainingKind(kind).label}培训班",
        held_on=held,
        hours=Decimal(rng.choice([4, 8, 16])),
        certificate_number=f"ZJ{held:%Y}{rng.randint(1000, 9999)}",
        certificate_expires_on=held + dt.timedelta(days=rng.choice([365, 730, 1095])),
    )
    return cast(dt.date, record.certificate_expires_on)  # set just above


def _groups(context, village, households, organisation) -> None:
    rng = context.rng
    formed = context.today - dt.timedelta(days=rng.randint(200, 900))
    for index in range(0, len(households), 10):
        chunk = households[index : index + 10]
        group = JointDefenceGroup.objects.create(
            region=village,
            organisation=organisation,
            name=f"第{index // 10 + 1}联防组",
            formed_on=formed,
        )
        leader = next((h for h in chunk if not h.exempt_from_duty), chunk[0])
        joint_defence_group_form(group=group, households=chunk, leader=leader, on=formed)


TEAM_TERMS = [  # (measure, comparator, target, deduction)
    (Metric.PATROL_HOURS, Comparator.AT_LEAST, 270, 2000),
    (Metric.THEFTS, Comparator.AT_MOST, 2, 1500),
    (Metric.RESPONSE_MINUTES, Comparator.AT_MOST, 5, 1000),
]


def _contracts(context) -> None:
    """乐山村's guard team under contract for this year (signed on 1 January, in force) and a
    draft for next year's care of 枫源村's farms, as a clerk enters them."""
    today = context.today
    village1 = Region.objects.get(code=VILLAGE_1)
    village2 = Region.objects.get(code=VILLAGE_2)
    guard = Organisation.objects.get(region=village2, kind=OrgKind.VILLAGE_GUARD)
    guard.form = OrgForm.CONTRACTED
    guard.save()
    new_year = today.replace(month=1, day=1)
    team = SecurityContract(
        region=village2,
        number="LS-2026-01",
        title="乐山村治安承包合同",
        contractor_team=guard,
        starts_on=new_year,
        ends_on=today.replace(month=12, day=31),
        amount=Decimal("96000.00"),
        duties="承包全村治安巡逻：每晚20时至次日5时不少于2人巡逻；重点守护村委会、学校、养殖场；"
        "发现警情5分钟内报告派出所。",
        rights="按月领取承包费；对可疑人员盘问登记；对巡逻中发现的隐患提出整改建议。",
        benefits="队员意外伤害保险由村委会统一购买；年度考核优秀奖励5000元。",
    )
    contract_save_draft(
        contract=team,
        area=[village2],
        terms=[
            PerformanceTerm(metric=m, comparator=c, target=Decimal(t), deduction=Decimal(d))
            for m, c, t, d in TEAM_TERMS
        ],
        payments=[
            ContractPayment(
                due_on=today.replace(month=month, day=28),
                amount=Decimal("24000.00"),
                note=f"第{month // 3}季度",
            )
            for month in (3, 6, 9, 12)
        ],
    )
    for status in (ContractStatus.SIGNED, ContractStatus.ACTIVE):
        contract_set_status(contract=team, to=status, on=new_year)
    guards = Person.objects.filter(
        region=village1, memberships__post__organisation__kind=OrgKind.VILLAGE_GUARD
    )
    person = guards.filter(memberships__post__is_leader=True).first() or guards.first()
    if person is None:
        return
    starts = today.replace(year=today.year + 1, month=1, day=1)
    single = SecurityContract(
        region=village1,
        number="FY-2027-01",
        title="枫源村养殖区看护承包合同",
        contractor_person=person,
        starts_on=starts,
        ends_on=today.replace(year=today.year + 1, month=12, day=31),
        amount=Decimal("36000.00"),
        duties="看护枫源村养殖区及山塘，夜间每2小时巡查一次，做好巡查登记。",
        rights="可使用村委会配发的巡逻电瓶车和手电。",
        benefits="意外伤害保险。",
    )
    contract_save_draft(
        contract=single,
        area=list(Region.objects.filter(parent=village1, kind=RegionKind.GROUP)[:3]),
        terms=[
            PerformanceTerm(
                metric=Metric.PATROL_COMPLETION,
                comparator=Comparator.AT_LEAST,
                target=Decimal(95),
                deduction=Decimal(500),
            )
        ],
        payments=[
            ContractPayment(
                due_on=starts.replace(month=month, day=28),
                amount=Decimal("18000.00"),
                note=f"第{half}期",
            )
            for half, month in ((1, 6), (2, 12))
        ],
    )
