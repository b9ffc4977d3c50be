"""The demo's selection and appointment (选聘).

The head of each security committee (治保主任) is appointed with the township's approval. The
past: the members now sitting on the security committees, the patrol teams' captains and the
mediation committees' chairs came through a selection, written in bulk with the membership it
made (nominated a few weeks before they took up the post, the township approving the heads of
the security committees); here and there a candidate was not appointed or withdrew.

What is under way now goes through the services (the township's officers get their message):
in 枫源村 a member of the security committee was dismissed for good reason and a successor,
vetted, approved and appointed, took the seat; a successor for the committee's head awaits the
township's approval; in 乐山村 a candidate for the patrol team was not appointed because the
political check failed, another awaits the committee's decision, and one approved for the
village guard waits for a free seat."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from random import Random

from django.db.models import QuerySet

from qunfang.core.bulk import insert
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.core.models import Region, User
from qunfang.core.notify import sent_at
from qunfang.governance.models.selection import Candidacy, CandidacyStatus, NominatedBy
from qunfang.governance.services.selection import (
    candidacy_move,
    candidacy_nominate,
    membership_dismiss,
)
from qunfang.registry.models import (
    Membership,
    Person,
    Post,
    TrainingKind,
    TrainingRecord,
    VettingCheck,
    VettingKind,
    VettingResult,
)

S = CandidacyStatus
TOWNSHIP_APPROVES = ("治保主任",)  # the posts the township approves appointments to
SELECTED = ("治保主任", "治保委员", "队长", "调委会主任")  # past holders came through a selection

REASONS = [
    "群众基础好，办事公道，热心村里治安工作。",
    "退伍军人，身体好，愿意参加夜间巡逻。",
    "在村里威望高，善于做群众工作。",
    "担任村民小组长多年，熟悉村情民情。",
    "年轻有文化，会用手机上报信息。",
]
NOT_APPOINTED = [
    "群众评议意见较多，暂不聘任。",
    "本人长期在外务工，难以履职。",
]
WITHDRAWN = "本人因家庭原因申请退出。"
DISMISSAL = "长期外出务工，连续三个月未参加治保会例会和安全检查，经村两委研究决定予以解聘。"
FAILED_POLITICAL = "派出所核查：有寻衅滋事违法记录，政治关未通过。"
EVIDENCE = {
    "political": "无违法犯罪记录，派出所出具证明。",
    "quality": "群众评议良好，责任心强。",
    "age": "年龄符合岗位要求。",
}


def step(context: DemoContext) -> None:
    villages = context.villages
    Post.objects.filter(organisation__region__in=villages, title__in=TOWNSHIP_APPROVES).update(
        requires_township_approval=True
    )
    _past(context)
    by_code = {v.code: v for v in villages}
    if VILLAGE_1 in by_code:
        _fengyuan(context, by_code[VILLAGE_1])
    if VILLAGE_2 in by_code:
        _leshan(context, by_code[VILLAGE_2])


# ---- the past, in bulk ------------------------------------------------------------------------


def _past(context: DemoContext) -> None:
    rng, today = context.rng, context.today
    township = context.accounts.get("township")
    memberships = (
        Membership.objects.filter(
            post__organisation__region__in=context.villages,
            post__title__in=SELECTED,
            ended_on__isnull=True,
        )
        .select_related("post", "person")
        .order_by("post__organisation__region__path", "post_id", "id")
    )
    rows = []
    for m in memberships:
        took_up = m.started_on
        committee = took_up - dt.timedelta(days=rng.randint(7, 20))
        township_day = None
        if m.post.title in TOWNSHIP_APPROVES:
            township_day = committee + dt.timedelta(days=rng.randint(2, 6))
        rows.append(
            Candidacy(
                post=m.post,
                person=m.person,
                nominated_by=rng.choice(NominatedBy.values),
                nominated_on=committee - dt.timedelta(days=rng.randint(5, 25)),
                reason=rng.choice(REASONS),
                status=S.APPOINTED,
                committee_decided_on=committee,
                township_decided_on=township_day,
                township_decided_by=township if township_day else None,
                membership=m,
            )
        )
    for village in context.villages:
        closed = _closed(rng, today, village) if rng.random() < 0.5 else None
        if closed is not None:
            rows.append(closed)
    insert(Candidacy, rows)


def _closed(rng: Random, today: dt.date, village: Region) -> Candidacy | None:
    """A past candidacy for the security committee that did not end in an appointment."""
    post = Post.objects.filter(organisation__region=village, title="治保委员").first()
    person = _free(village, rng, 22, 60, today)
    if post is None or person is None:
        return None
    nominated = today - dt.timedelta(days=rng.randint(90, 330))
    decided = nominated + dt.timedelta(days=rng.randint(5, 20))
    withdrawn = rng.random() < 0.3
    return Candidacy(
        post=post,
        person=person,
        nominated_by=rng.choice(NominatedBy.values),
        nominated_on=nominated,
        reason=rng.choice(REASONS),
        status=S.WITHDRAWN if withdrawn else S.REJECTED,
        committee_decided_on=decided,
        decision_note=WITHDRAWN if withdrawn else rng.choice(NOT_APPOINTED),
    )


def _free(village: Region, rng: Random, lo: int, hi: int, today: dt.date) -> Person | None:
    """Someone of the village of an age for the post, who holds no post and was never vetted
    or nominated."""
    busy = Membership.objects.filter(ended_on__isnull=True).values("person_id")
    people: QuerySet[Person] = (
        Person.objects.filter(region=village, may_serve=True)
        .exclude(pk__in=busy)
        .exclude(vetting_checks__isnull=False)
        .exclude(candidacies__isnull=False)
        .order_by("id")
    )
    fits = [p for p in people[:300] if lo <= p.age_on(today) <= hi]
    return rng.choice(fits) if fits else None


# ---- what is under way, through the services --------------------------------------------------


def _vet(person: Person, day: dt.date, director: User, police: User, **results: str) -> None:
    """The three checks, signed by the village committee and the police station."""
    for kind in VettingKind.values:
        result = results.get(kind, VettingResult.PASSED)
        VettingCheck.objects.create(
            person=person,
            kind=kind,
            result=result,
            checked_on=day,
            due_on=day + dt.timedelta(days=3 * 365),
            evidence=FAILED_POLITICAL if result == VettingResult.FAILED else EVIDENCE[kind],
            village_signed_by=director,
            village_signed_on=day,
            police_signed_by=police,
            police_signed_on=day + dt.timedelta(days=2),
        )


def _at(context: DemoContext, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=context.tz)


def _fengyuan(context: DemoContext, village: Region) -> None:
    """枫源村: a dismissal and the successor's appointment; the head's successor awaits the
    township."""
    rng, today = context.rng, context.today
    director, police = context.accounts["director1"], context.accounts["police"]
    member = (
        Membership.objects.filter(
            post__organisation__region=village, post__title="治保委员", ended_on__isnull=True
        )
        .select_related("post__organisation__region")
        .order_by("id")
        .first()
    )
    if member is not None:
        dismissed = today - dt.timedelta(days=40)
        membership_dismiss(membership=member, reason=DISMISSAL, decided_on=dismissed, by=director)
        successor = _free(village, rng, 25, 55, today)
        if successor is not None:
            _vet(successor, today - dt.timedelta(days=35), director, police)
            nominated = today - dt.timedelta(days=30)
            candidacy = candidacy_nominate(
                post=member.post,
                person=successor,
                nominated_by=NominatedBy.ORGANISATION,
                nominated_on=nominated,
                reason="治保会推荐：为人正派，熟悉村里情况，愿意承担治保工作。",
                by=director,
            )
            for to, days in ((S.COMMITTEE_APPROVED, 20), (S.APPOINTED, 14)):
                with sent_at(_at(context, today - dt.timedelta(days=days))):
                    candidacy = candidacy_move(
                        candidacy=candidacy,
                        to=to,
                        on=today - dt.timedelta(days=days),
                        note="村两委会议研究同意。" if to == S.COMMITTEE_APPROVED else "",
                        by=director,
                    )
    head = Post.objects.filter(organisation__region=village, title="治保主任").first()
    successor = _free(village, rng, 30, 55, today)
    if head is not None and successor is not None:
        _vet(successor, today - dt.timedelta(days=12), director, police)
        TrainingRecord.objects.create(
            person=successor,
            kind=head.required_training or TrainingKind.SECURITY_BASICS,
            course="治保主任业务培训班",
            held_on=today - dt.timedelta(days=60),
            hours=Decimal(16),
            certificate_number=f"ZJ{today:%Y}{rng.randint(1000, 9999)}",
            certificate_expires_on=today + dt.timedelta(days=3 * 365),
        )
        candidacy = candidacy_nominate(
            post=head,
            person=successor,
            nominated_by=NominatedBy.COMMITTEE,
            nominated_on=today - dt.timedelta(days=10),
            reason="现任治保主任年底到龄退出，村两委推荐接任。",
            by=director,
        )
        with sent_at(_at(context, today - dt.timedelta(days=3))):
            candidacy_move(
                candidacy=candidacy,
                to=S.COMMITTEE_APPROVED,
                on=today - dt.timedelta(days=3),
                note="村两委会议研究同意，报镇里审批。",
                by=director,
            )


def _leshan(context: DemoContext, village: Region) -> None:
    """乐山村: a candidate refused for a failed political check, one awaiting the committee, and
    one approved for the full village guard."""
    rng, today = context.rng, context.today
    director, police = context.accounts["director2"], context.accounts["police"]
    patrol = Post.objects.filter(organisation__region=village, title="队员").first()
    failed = _free(village, rng, 20, 50, today)
    if patrol is not None and failed is not None:
        _vet(
            failed,
            today - dt.timedelta(days=25),
            director,
            police,
            political=VettingResult.FAILED,
        )
        candidacy = candidacy_nominate(
            post=patrol,
            person=failed,
            nominated_by=NominatedBy.SELF,
            nominated_on=today - dt.timedelta(days=28),
            reason="本人自荐参加义务巡逻。",
            by=director,
        )
        candidacy_move(
            candidacy=candidacy,
            to=S.REJECTED,
            on=today - dt.timedelta(days=18),
            note="政治关未通过，不予聘用。",
            by=director,
        )
    for title, reason, approve in (
        ("调解员", "村民小组推荐：处事公道，邻里信任。", False),
        ("护村队员", "退伍军人，身体好，愿意参加专职巡逻。", True),
    ):
        post = Post.objects.filter(organisation__region=village, title=title).first()
        person = _free(village, rng, 25, 55, today)
        if post is None or person is None:
            continue
        candidacy = candidacy_nominate(
            post=post,
            person=person,
            nominated_by=NominatedBy.VILLAGERS,
            nominated_on=today - dt.timedelta(days=6),
            reason=reason,
            by=director,
        )
        if approve:
            candidacy_move(
                candidacy=candidacy,
                to=S.COMMITTEE_APPROVED,
                on=today - dt.timedelta(days=2),
                note="同意，待护村队有空缺时聘用。",
                by=director,
            )
