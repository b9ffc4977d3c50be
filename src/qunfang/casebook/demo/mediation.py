"""The mediation committee's book (人民调解): disputes the case register sends, villagers who
come themselves or through the opinion book, and each mediation from its application to
where it stands today — sessions, an agreement and its follow-up visit, or a referral."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils.translation import gettext as _

from qunfang.casebook.demo.rhythms import MEDIATIONS_A_YEAR
from qunfang.casebook.demo.township import Township, Village
from qunfang.casebook.models import (
    Case,
    MediationCase,
    MediationParty,
    MediationSession,
    MediationStatus,
    Opinion,
)
from qunfang.core.bulk import insert
from qunfang.core.models import User

M = MediationStatus

AGREEMENTS = {  # the agreement's clauses, by kind of dispute
    "neighbours": (
        "一、{b}于{date}前自行疏通门前排水沟并清理杂物，保持通道畅通；"
        "二、双方今后互谅互让，不再因此事争吵；"
        "三、本协议自双方签字之日起生效。"
    ),
    "housing_land": (
        "一、双方以村委会现场测量确定的界桩为界，{a}翻建房屋不得越过界桩；"
        "二、{a}补偿{b}围墙修缮费{amount}元，于{date}前一次付清；"
        "三、双方不再就此事发生争执。"
    ),
    "land_forest": (
        "一、土地界址按原承包合同执行，由村委会现场打桩确认；"
        "二、{b}赔偿{a}损失{amount}元，于{date}前付清；"
        "三、双方今后按约定使用，互不侵占。"
    ),
    "marriage_family": (
        "一、{a}每月给付赡养费{amount}元，于每月10日前支付；"
        "二、老人由{a}、{b}两家轮流照料，每家各半年；"
        "三、双方互相尊重，和睦相处。"
    ),
    "contract": (
        "一、{b}于{date}前向{a}支付所欠款项{amount}元；"
        "二、逾期未付的，{a}可依法向人民法院起诉；"
        "三、本协议一式三份，双方及调委会各执一份。"
    ),
    "labour": ("一、{b}于{date}前结清{a}工资{amount}元；二、双方劳动关系就此解除，再无其他纠纷。"),
    "damages": (
        "一、{b}一次性赔偿{a}医药费、误工费共计{amount}元，当场付清；"
        "二、{b}今后拴养犬只，防止再次伤人；"
        "三、双方就此事再无争议。"
    ),
    "traffic": (
        "一、{b}一次性赔偿{a}医疗费、车辆修理费共计{amount}元，于{date}前付清；"
        "二、双方就此次事故再无其他争议。"
    ),
    "other": (
        "一、双方互相赔礼道歉；二、今后互谅互让，不再发生争执；三、本协议自双方签字之日起生效。"
    ),
}
SESSION_NOTES = [
    "调解员分别听取双方陈述并查看现场。{a}认为对方理亏，{b}不同意，双方分歧较大，约定再调。",
    "调解员讲解相关法律政策，背靠背做双方工作，双方各退一步，初步形成一致意见。",
    "请村老党员、双方亲属参加调解，释法说理，双方情绪缓和。",
]
SESSION_AGREED = "双方就调解协议内容达成一致，当场签字，调解员告知协议的效力。"
SESSION_FAILED = "双方意见分歧较大，{b}坚持不愿让步，调解未成，告知当事人其他解决途径。"
SESSION_PLACES = ["村调解室", "村委会会议室", "当事人家中", "纠纷现场", "文化礼堂"]
FOLLOW_UPS = [
    "经回访，双方已按协议履行，关系和睦。",
    "回访时{b}已支付全部款项，双方无新的矛盾。",
    "回访了解，协议已履行完毕，双方表示满意。",
    "回访时双方表示满意，未再发生争执。",
]
REFERRED_TO = ["枫桥镇人民调解委员会", "诸暨市人民法院枫桥人民法庭", "枫桥镇综治中心"]
WALK_IN = "{a}到村调委会申请调解：{text}"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def milestone_note(what: str, m: MediationCase) -> str:
    """The line a case's book keeps of a milestone of its mediation (or a note naming it)."""
    labels = {"agreed": M.AGREED, "failed": M.FAILED, "closed": M.CLOSED}
    if what == "referred":
        return _("Mediation case %(number)s failed and was referred to %(where)s.") % {
            "number": m.number,
            "where": m.referred_to,
        }
    if what == "follow_up":
        return _("Mediation case %(number)s: follow-up visit on %(day)s.") % {
            "number": m.number,
            "day": m.followed_up_on,
        }
    if what in labels:
        return _("Mediation case %(number)s: %(status)s.") % {
            "number": m.number,
            "status": labels[what].label,
        }
    return what % {"number": m.number}


@dataclass(eq=False)
class MediationDraft:
    """A mediation while its story is made up, with the milestones its case's book notes."""

    mediation: MediationCase
    village: Village
    actor: User
    parties: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    milestones: list = field(default_factory=list)  # (day, what)


class MediationBook:
    """The committee's book of the year, made in memory; `write()` puts it in the database."""

    def __init__(self, t: Township):
        self.t, self.rng, self.today = t, t.rng, t.today
        self.mediations: list[MediationDraft] = []

    def mediation(
        self,
        v: Village,
        applied: dt.date,
        sub: str,
        a: dict,
        b: dict,
        summary: str,
        actor: User,
        *,
        case: Case | None = None,
        opinion: Opinion | None = None,
    ) -> MediationDraft:
        """A mediation from its application to where it stands today."""
        rng, today = self.rng, self.today
        m = MediationCase(
            region=v.region,
            case=case,
            opinion=opinion,
            dispute_type=sub,
            summary=summary,
            applied_on=applied,
            status=M.APPLIED,
            year=applied.year,
        )
        md = MediationDraft(mediation=m, village=v, actor=actor)
        for side, p in (("A", a), ("B", b)):
            md.parties.append(
                MediationParty(
                    mediation=m,
                    person_id=p["pk"],
                    name=p["name"],
                    side=side,
                    address=p.get("address") or "",
                )
            )
        self.mediations.append(md)
        self.t.stats["mediations"] += 1
        day = applied + dt.timedelta(days=rng.randint(0, 3))
        if day > today:
            return md
        m.status = M.IN_MEDIATION
        sessions = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
        agreed = rng.random() < 0.8
        values = {"a": a["name"], "b": b["name"], "amount": int(self.t.amount("")), "date": ""}
        for k in range(sessions):
            if k:
                day += dt.timedelta(days=rng.randint(2, 10))
            if day > today:
                return md
            last = k == sessions - 1
            text = (SESSION_AGREED if agreed else SESSION_FAILED) if last else SESSION_NOTES[k % 3]
            md.sessions.append(
                MediationSession(
                    mediation=m,
                    held_on=day,
                    place=rng.choice(SESSION_PLACES),
                    notes=text.format(**values),
                    recorded_by=actor,
                )
            )
        if agreed:
            values["date"] = chinese_date(day + dt.timedelta(days=rng.choice([7, 15, 30])))
            m.status, m.agreement = (
                M.AGREED,
                AGREEMENTS.get(sub, AGREEMENTS["other"]).format(**values),
            )
            m.follow_up_due = day + dt.timedelta(days=rng.choice([30, 30, 30, 15, 60]))
            md.milestones.append((day, "agreed"))
            if rng.random() < 0.93:
                visit = max(
                    m.follow_up_due + dt.timedelta(days=rng.randint(-7, 10)),
                    day + dt.timedelta(days=1),
                )
                if visit <= today:
                    m.followed_up_on, m.follow_up_note = (
                        visit,
                        rng.choice(FOLLOW_UPS).format(**values),
                    )
                    md.milestones.append((visit, "follow_up"))
                    closed = visit + dt.timedelta(days=rng.randint(0, 5))
                    if closed <= today:
                        m.status, m.closed_on = M.CLOSED, closed
                        md.milestones.append((closed, "closed"))
        else:
            m.status = M.FAILED
            md.milestones.append((day, "failed"))
            referred = day + dt.timedelta(days=rng.randint(1, 10))
            if rng.random() < 0.85 and referred <= today:
                m.status, m.referred_to = M.REFERRED, rng.choice(REFERRED_TO)
                md.milestones.append((referred, "referred"))
        return md

    def walk_ins(self) -> None:
        """Villagers who come to the committee themselves (人民调解申请)."""
        rng = self.rng
        places = [v for v in self.t.villages if v.mediators]
        if not places:
            return
        wanted = round(MEDIATIONS_A_YEAR * self.t.scale) - self.t.stats["mediations"]
        cum = self.t.cum.get("dispute")
        for _k in range(max(wanted, 0)):
            v = rng.choices(places, weights=[p.weight for p in places])[0]
            applied = rng.choices(self.t.days, cum_weights=cum)[0]
            kind = self.t.dispute_kind(applied)
            a = self.t.person(v)
            b = self.t.person(v, not_in=a["household_id"])
            values = {"a": a["name"], "b": b["name"], "why": rng.choice(kind[5])}
            summary = WALK_IN.format(a=a["name"], text=kind[4].format(**values))
            self.mediation(v, applied, kind[0], a, b, summary, v.mediators[0])

    def number(self) -> None:
        """Running numbers per village and year, in the order of application (after any
        mediation the book already holds)."""
        top: defaultdict[tuple[int, int], int] = defaultdict(int)
        for row in (
            MediationCase.objects.filter(region__in=[v.region for v in self.t.villages])
            .values("region_id", "year")
            .annotate(n=Max("serial"))
            .order_by()
        ):
            top[row["region_id"], row["year"]] = row["n"]
        for md in sorted(self.mediations, key=lambda md: md.mediation.applied_on):
            m = md.mediation
            m.year = m.applied_on.year
            top[m.region.pk, m.year] += 1
            m.serial = top[m.region.pk, m.year]

    def write(self) -> None:
        """After the cases and the opinions they point at."""
        insert(MediationCase, [md.mediation for md in self.mediations])
        through = MediationCase.mediators.through
        insert(
            through,
            [
                through(mediationcase_id=md.mediation.pk, user_id=md.actor.pk)
                for md in self.mediations
                if md.actor in md.village.mediators
            ],
        )
        insert(MediationParty, [p for md in self.mediations for p in md.parties])
        insert(MediationSession, [s for md in self.mediations for s in md.sessions])
