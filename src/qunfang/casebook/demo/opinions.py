"""The villagers' opinion book (群众意见簿): opinions, suggestions, complaints and reports, by
the public form (mostly anonymous, the hour only) or in person, and what became of each —
answered, published, rated, or turned into a case or a mediation."""

from __future__ import annotations

import datetime as dt
import hashlib

from qunfang.casebook.demo.cases import CaseRegister
from qunfang.casebook.demo.mediation import MediationBook, MediationDraft
from qunfang.casebook.demo.rhythms import (
    OPINIONS_A_YEAR,
    PUBLIC_HOURS,
    SATISFACTION,
    days,
    hours,
    minutes,
)
from qunfang.casebook.demo.township import Village
from qunfang.casebook.models import Case, Opinion, OpinionStatus
from qunfang.core.bulk import insert
from qunfang.core.demo.reference import POINT_KINDS

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as models.new_tracking_code

# named senders who keep their name and contact confidential (举报人保密): on the public form the
# box is ticked unless the sender unticks it; in person the villager has to ask
CONFIDENTIAL_SENDERS = {"public_form": 0.7, "in_person": 0.15}

# (text, case type when it becomes a case or "")
OPINIONS = {
    "opinion": [
        ("村里巡逻队晚上很负责，辛苦了！", ""),
        ("希望村里多组织防诈骗宣传，老人容易上当。", ""),
        ("{dark}一带晚上太暗，老人走路不放心。", ""),
        ("调解员处理我们两家的事很公道，谢谢。", ""),
        ("村里治安比以前好多了，晚上出门放心。", ""),
    ],
    "suggestion": [
        ("建议在{place}加装监控探头。", ""),
        ("建议在{dark}装几盏路灯。", ""),
        ("建议巡逻队周末晚上到{dark}多转转。", ""),
        ("建议在山塘边加设护栏和警示牌。", ""),
        ("建议给独居老人装一键呼叫器。", ""),
        ("建议菜市场门口划定电动车停放点。", ""),
    ],
    "complaint": [
        ("{hall}晚上有人打牌赌钱，吵得睡不着。", "gambling"),
        ("隔壁养狗不拴，已经咬伤过人。", "other"),
        ("{dark}附近有人乱倒建筑垃圾。", ""),
        ("广场舞音响太响，晚上十点还不停。", ""),
        ("村口小卖部向学生卖烟。", ""),
        ("邻居家翻建房子占了我家的路，找他说不通。", "dispute"),
        ("隔壁在我家墙边堆柴草，说了也不听，请村里评评理。", "dispute"),
    ],
    "report": [
        ("{dark}有陌生人深夜徘徊。", "suspicious_person"),
        ("{road}的窨井盖丢了，很危险。", "hazard"),
        ("有人冒充社保局打电话让老人转账。", "fraud"),
        ("{hall}旁边有人私拉电线给电动车充电。", "hazard"),
        ("{water}护栏坏了，小孩容易掉进水里。", "hazard"),
    ],
}
ANSWERS = {
    "opinion": ["感谢您对村里工作的支持，我们会继续努力。", "谢谢您的反映，已转告相关人员。"],
    "suggestion": [
        "感谢您的建议！村两委已研究，近期安排实施。",
        "感谢建议，已列入明年村级项目计划。",
        "感谢建议，已安排巡逻队加强该处巡查。",
    ],
    "complaint": [
        "已安排治保会人员到现场查看，对当事人进行了劝导，请继续监督。",
        "已责令当事人整改，我们会跟踪落实。",
        "已联系派出所处理，感谢您的反映。",
    ],
    "report": ["收到反映后已派人核实处理，感谢您的举报！", "已通知责任人整改，隐患已消除。"],
}
ANSWER_CASE = "已登记为案件（编号{number}）办理，处理结果会在这里答复。"
ANSWER_MEDIATION = "已转村人民调解委员会调解（编号{number}）。"


class OpinionBook:
    """The year's opinions, made in memory; `write()` puts them in the database first (cases
    and mediations point at them)."""

    def __init__(self, cases: CaseRegister, mediation_book: MediationBook):
        self.t, self.rng, self.now, self.today = cases.t, cases.t.rng, cases.t.now, cases.t.today
        self.cases, self.story, self.mediation_book = cases, cases.story, mediation_book
        self.opinions: list[Opinion] = []
        self.answers: list[tuple[Opinion, str, Case | MediationDraft]] = []  # naming a case
        self.codes: set[str] = set()

    def tracking_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(TRACKING_ALPHABET) for _ in range(12))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def build(self) -> None:
        rng = self.rng
        # the demo villages' boards have the QR code longest
        weights = [v.weight * (2 if v.main else 1) for v in self.t.villages]
        for _k in range(round(OPINIONS_A_YEAR * self.t.scale)):
            v = rng.choices(self.t.villages, weights=weights)[0]
            kind = rng.choices(list(OPINIONS), weights=[20, 30, 30, 20])[0]
            public = rng.random() < 0.65
            anonymous = rng.random() < (0.7 if public else 0.05)
            while True:
                day = rng.choice(self.t.days)
                if public:  # the public form keeps the hour only
                    created = self.t.at(day, rng.choices(range(24), weights=PUBLIC_HOURS)[0])
                elif day.weekday() < 5 or rng.random() < 0.3:
                    created = self.t.at(
                        day, rng.choice([8, 9, 10, 11, 14, 15, 16]), rng.randint(0, 59)
                    )
                else:
                    continue
                if created < self.now - minutes(10):
                    break
            text, case_code = rng.choice(OPINIONS[kind])
            if kind == "complaint" and v.mediators and not anonymous and rng.random() < 0.4:
                text, case_code = rng.choice([o for o in OPINIONS[kind] if o[1] == "dispute"])
            self.opinion(v, kind, text, case_code, created, public=public, anonymous=anonymous)
        mediating = [v for v in self.t.villages if v.mediators]
        if mediating and not self.t.stats["opinion_mediations"]:  # one at least, for the demo
            created = self.t.office(self.today - dt.timedelta(days=rng.randint(20, 60)))
            text, case_code = next(o for o in OPINIONS["complaint"] if o[1] == "dispute")
            self.opinion(
                mediating[0],
                "complaint",
                text,
                case_code,
                created,
                public=False,
                anonymous=False,
                go=1,
            )

    def opinion(
        self, v, kind, text, case_code, created, *, public: bool, anonymous: bool, go=None
    ) -> None:
        """One entry of the book, and what became of it: answered, a case, or a mediation."""
        rng = self.rng
        person = self.t.person(v)
        opinion = Opinion(
            region=v.region,
            kind=kind,
            text=text.format(**self.spots(v)),
            anonymous=anonymous,
            name="" if anonymous else person["name"],
            contact="" if anonymous else self.t.phone(),
            channel="public_form" if public else "in_person",
            tracking_code=self.tracking_code(),
            status=OpinionStatus.RECEIVED,
            created_at=created,
            entered_by=None if public else v.holder,
        )
        if not anonymous:
            opinion.confidential = (
                self.chance(opinion.tracking_code) < CONFIDENTIAL_SENDERS[opinion.channel]
            )
        self.opinions.append(opinion)
        self.t.stats["opinions"] += 1
        if case_code and case_code in self.t.types and (go or rng.random() < 0.5):
            if case_code == "dispute" and v.mediators and not anonymous:
                self.opinion_to_mediation(opinion, v, person)
            else:
                self.opinion_to_case(opinion, v, case_code, person)
            return
        slow = rng.random() >= 0.9
        self.answer(
            opinion, v, created + days(rng.uniform(10, 40) if slow else rng.uniform(0.1, 6))
        )

    @staticmethod
    def chance(key: str) -> float:
        """A number in [0, 1) that follows from `key` (drawn by the seeded generator already),
        without a draw of its own: the rest of the demo stays as it was."""
        return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") / 2**32

    def spots(self, v: Village) -> dict[str, str]:
        """A place of each kind in the village, for the words of an opinion."""
        rng = self.rng

        def one(kinds, fallback):
            names = [p.name for p in v.places if p.kind in kinds]
            return rng.choice(names) if names else fallback

        return {
            "place": one(set(POINT_KINDS.values()), "村口"),
            "dark": one({"road", "lonely", "market"}, "村道"),
            "road": one({"road"}, "村道"),
            "water": one({"water"}, "山塘"),
            "hall": one({"gathering"}, "村委会"),
        }

    def answer(
        self, opinion: Opinion, v: Village, at: dt.datetime, text: str = "", case=None, md=None
    ) -> None:
        rng = self.rng
        if at > self.now:
            if self.now - opinion.created_at > days(1) and rng.random() < 0.7:
                opinion.status = OpinionStatus.IN_HAND
            return
        by = rng.choice(v.mediators) if v.mediators and rng.random() < 0.2 else v.holder
        opinion.status, opinion.answered_at, opinion.answered_by = OpinionStatus.ANSWERED, at, by
        opinion.answer = text or rng.choice(ANSWERS[opinion.kind])
        if case is not None or md is not None:
            self.answers.append((opinion, text, case or md))
        opinion.answer_published = rng.random() < 0.45
        closing = at + days(rng.uniform(1, 14))
        if case is not None:
            closing = max(
                closing, (case.closed_at or self.now + days(1)) + days(rng.uniform(0.5, 5))
            )
        if closing <= self.now and rng.random() < 0.85:
            opinion.status = OpinionStatus.CLOSED
            if rng.random() < 0.7:
                opinion.satisfaction = rng.choices(range(1, 6), weights=SATISFACTION)[0]

    def opinion_to_case(self, opinion: Opinion, v: Village, code: str, person: dict) -> None:
        rng = self.rng
        reported = opinion.created_at + hours(rng.uniform(0.5, 30))
        if reported > self.now:
            return
        kind = (
            "anonymous"
            if opinion.anonymous
            else "public_form"
            if opinion.channel == "public_form"
            else "person"
        )
        d = self.cases.new_case(
            v,
            code,
            opinion.created_at - hours(rng.uniform(1, 48)),
            reported,
            reporter_kind=kind,
            reporter=person if not opinion.anonymous else None,
            source_opinion=opinion,
            title=opinion.text.rstrip("。")[:30],
            description=opinion.text,
        )
        d.case.reporter_id = None  # as opinions.to_case: the name only
        # as opinions.to_case: the sender's name is confidential by default, in the book too
        d.case.reporter_confidential = opinion.confidential = not opinion.anonymous
        if code == "dispute":
            d.sub = "housing_land"
        opinion.status = OpinionStatus.IN_HAND
        self.story.tell(d)
        self.t.stats["opinion_cases"] += 1
        self.answer(opinion, v, reported + hours(rng.uniform(1, 48)), ANSWER_CASE, case=d.case)

    def opinion_to_mediation(self, opinion: Opinion, v: Village, person: dict) -> None:
        rng = self.rng
        applied = self.t.local(opinion.created_at + days(rng.uniform(0.5, 5))).date()
        if applied > self.today:
            return
        b = self.t.person(v, not_in=person["household_id"])
        opinion.confidential = False  # a villager who asks for a mediation is named in it
        md = self.mediation_book.mediation(
            v, applied, "housing_land", person, b, opinion.text, v.mediators[0], opinion=opinion
        )
        self.t.stats["opinion_mediations"] += 1
        opinion.status = OpinionStatus.IN_HAND
        answered = max(self.t.office(applied), opinion.created_at + hours(rng.uniform(1, 5)))
        self.answer(opinion, v, answered, ANSWER_MEDIATION, md=md)

    def write(self) -> None:
        """First of the year's rows (cases and mediations point at opinions), once the cases
        and mediations are numbered: the answers that name one say its number."""
        for opinion, _template, target in self.answers:
            number = target.number if isinstance(target, Case) else target.mediation.number
            opinion.answer = opinion.answer.format(number=number)
        insert(Opinion, self.opinions)
