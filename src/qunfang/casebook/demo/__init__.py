"""Demo books for 枫桥镇: a year of the case register with the rhythms of real village work,
upward reports and their acknowledgements, daily and weekly situation reports with nil returns
(零上报), the mediation committee's book, safety inspections with rectification orders, and the
villagers' opinion book.

Rhythms that later analytics can find:
- thefts and burglaries at night (22:00-04:00) and in the month before the Spring Festival;
- disputes in the evenings and at weekends, land disputes in the planting and harvest seasons,
  family quarrels and gambling around the festival;
- traffic accidents at commuting hours and on market days (逢三逢八), fires in the dry winter
  months, at Qingming and with the festival's fireworks, water hazards in summer;
- more cases in bigger villages (more villager groups; the town's communities), in a hot
  villager group or two, and at recurring places (村委会, 祠堂, 桥头, 老街口, 菜市场…) whose
  coordinates lie near the village's patrol points;
- some cases come from patrol findings (source_check_in), from the opinion book, or from a
  rectification order that was never carried out.

Every case has the book of moves the lifecycle (cases.TRANSITIONS) would have written: one
owner at every moment, hand-overs offered and answered, upward reports sent by the owner and
acknowledged by someone else (a few late, two overdue now), refused attempts, reopenings. The
moves never run past now: a case reported recently is still open where its story stands.

Everything is made in memory from the context's random generator, then written with
bulk_create, a few statements per table (no history rows: like the patrol demo's past, the
demo's books are its starting point).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qunfang.casebook.cases import REOPEN, TRANSITIONS
from qunfang.casebook.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOutcome,
    CaseParty,
    CaseStatus,
    CaseType,
    ChecklistItem,
    Escalation,
    EscalationRule,
    Hazard,
    Inspection,
    InspectionStatus,
    Level,
    MediationCase,
    MediationParty,
    MediationSession,
    MediationStatus,
    Opinion,
    OpinionStatus,
    OrderStatus,
    PartyRole,
    RectificationOrder,
    ReporterKind,
    ReportPeriod,
    Severity,
    SituationReport,
)
from qunfang.casebook.overdue import send_overdue_notices
from qunfang.core.demo import VILLAGE_1, VILLAGE_2, DemoContext
from qunfang.core.models import Notification, Region, RegionKind, User
from qunfang.core.notify import notify
from qunfang.core.phrases import Phrase
from qunfang.core.roles import Perm
from qunfang.patrols.models import CheckIn, Finding, PatrolPoint
from qunfang.registry.demo import GIVEN_F, GIVEN_M, SURNAMES
from qunfang.registry.models import Household, Person

S = CaseStatus
E = CaseEventKind
M = MediationStatus

CASES_A_YEAR = 1500  # for the whole township; a reduced township gets its share
MEDIATIONS_A_YEAR = 200
INSPECTIONS_A_YEAR = 300
OPINIONS_A_YEAR = 400
DAILY_REPORT_DAYS = 60
CENTRE = (29.7100, 120.2400)  # 枫源村, as in the patrol demo
M_PER_DEG = 111_320.0
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as models.new_tracking_code

# 春节 (the first day of the lunar year)
SPRING_FESTIVAL = {
    2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26),
    2029: (2, 13), 2030: (2, 3), 2031: (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19),
    2035: (2, 8), 2036: (1, 28),
}  # fmt: skip

# ---- rhythms --------------------------------------------------------------------------------

# share of the cases of the year by type (patrol findings, opinions and inspections add more)
TYPE_SHARE = {
    "theft": 24, "burglary": 7, "fraud": 9, "fire": 5, "traffic": 14, "dispute": 25,
    "domestic_violence": 3, "gambling": 3, "suspicious_person": 5, "hazard": 3, "other": 2,
}  # fmt: skip
# weight of each hour of the day (0-23) by type
HOURS = {
    "theft": [6, 6, 6, 5, 3, 1.5, 1, 1, 1, 1, 1.2, 1, 1, 1, 1, 1, 1, 1, 1.3, 1.5, 2, 3, 5, 6],
    "burglary": [5, 5, 5, 4, 2, 1, 0.5, 0.5, 1, 2, 2, 2, 1.5, 2, 2, 2, 1.5, 1, 1, 1, 1.5, 2, 3, 4],
    "fraud": [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 3, 3, 3, 2, 3, 3, 3, 3, 2.5, 1.5, 1.5, 1.2, 1, 0.5, 0.3],
    "fire": [0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 1, 1, 1, 1.2, 2.5, 2.5, 2.5, 1.5, 1.5, 1.5, 3, 3, 3, 3, 1.5, 1.5, 1.2, 0.8],
    "traffic": [0.4, 0.3, 0.3, 0.3, 0.4, 0.8, 2, 6, 5, 2, 1.5, 1.5, 1.5, 1.5, 1.5, 1.8, 2, 6, 5, 2, 1, 1, 0.6, 0.5],
    "dispute": [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.5, 1.5, 1.5, 1.2, 1, 1.2, 1.5, 1.5, 1.5, 2, 3, 4, 4, 3, 1.5, 0.5],
    "domestic_violence": [2, 1.5, 1, 0.5, 0.2, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 4, 4, 4, 3.5, 3],
    "gambling": [4, 4, 3, 1, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1, 1, 1.5, 2, 2, 2, 2, 1.5, 1, 2, 5, 5, 5, 5],
    "suspicious_person": [4, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.5, 2, 2.5, 3, 4, 4],
    "hazard": [0.5, 0.3, 0.3, 0.3, 0.3, 0.5, 1, 2, 3, 3, 3, 3, 2, 3, 3, 3, 3, 3, 2, 1.5, 1, 1, 0.5, 0.5],
    "other": [0.5, 0.3, 0.3, 0.3, 0.3, 0.5, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0.5],
}  # fmt: skip
FLAT_WEEK = [1.0] * 7
WEEKDAYS = {  # Monday first
    "theft": [1, 1, 1, 1, 1.1, 1.2, 1.1],
    "dispute": [1, 1, 1, 1, 1.1, 1.4, 1.4],
    "domestic_violence": [1, 1, 1, 1, 1.1, 1.3, 1.3],
    "traffic": [1.1, 1, 1, 1, 1.2, 1.3, 1.1],
    "gambling": [0.8, 0.8, 0.8, 0.9, 1.3, 1.6, 1.3],
    "fraud": [1.2, 1.2, 1.2, 1.2, 1.1, 0.7, 0.6],
}
SEVERITIES = {  # weights of minor, ordinary, major, critical
    "fire": [15, 73, 11, 1], "burglary": [0, 95, 5, 0], "fraud": [5, 88, 7, 0], "traffic": [25, 68, 6, 1],
    "dispute": [35, 62, 3, 0], "domestic_violence": [0, 90, 9, 1], "gambling": [20, 77, 3, 0],
}  # fmt: skip
DEFAULT_SEVERITY = [30, 66, 4, 0]
# where things happen: weight of a kind of place by type ("home" is a household's address)
PLACES = {
    "theft": {"market": 4, "lonely": 3, "home": 2, "road": 1, "gathering": 1},
    "burglary": {"home": 10, "market": 1},
    "fraud": {"home": 6, "market": 2, "gathering": 1},
    "fire": {"home": 5, "lonely": 2, "gathering": 1},
    "traffic": {"road": 6, "market": 4},
    "dispute": {"home": 5, "gathering": 3, "market": 1, "lonely": 1},
    "domestic_violence": {"home": 10},
    "gambling": {"gathering": 6, "home": 2, "market": 1},
    "suspicious_person": {"lonely": 4, "road": 2, "market": 2, "home": 2},
    "hazard": {"water": 4, "road": 3, "lonely": 2},
    "other": {"gathering": 2, "market": 2, "road": 2, "home": 2},
}
POINT_KINDS = {
    "村委会": "gathering", "社区服务中心": "gathering", "文化礼堂": "gathering", "老年活动室": "gathering",
    "祠堂": "gathering", "卫生室": "gathering", "街心公园": "gathering", "棋牌室": "gathering",
    "村口桥头": "road", "小学门口": "road", "竹林路口": "road", "小区东门": "road", "幼儿园门口": "road",
    "十字路口": "road", "机耕路口": "road",
    "水库大坝": "water", "山塘": "water", "溪滩埠头": "water",
    "停车场": "lonely", "养殖场": "lonely", "茶园": "lonely", "仓库": "lonely",
    "菜市场": "market", "商业街口": "market", "老街口": "market", "农贸市场": "market", "村口小卖部": "market",
}  # fmt: skip
VILLAGE_EXTRAS = ["祠堂", "村口桥头", "村口小卖部", "老年活动室", "茶园", "机耕路口", "仓库"]
COMMUNITY_EXTRAS = ["老街口", "菜市场", "商业街口", "停车场", "十字路口", "棋牌室"]
# how a case ends (after it is in hand), by type: (route, weight)
ROUTES = {
    "theft": [("police", 30), ("resolve", 20), ("not_resolved", 40), ("unfounded", 10)],
    "burglary": [("police", 65), ("resolve", 15), ("not_resolved", 20)],
    "fraud": [("police", 65), ("not_resolved", 20), ("resolve", 15)],
    "fire": [("resolve", 90), ("township", 10)],
    "traffic": [("police", 40), ("resolve", 35), ("mediate", 20), ("unfounded", 5)],
    "dispute": [("resolve", 45), ("mediate", 40), ("township", 7), ("not_resolved", 8)],
    "domestic_violence": [("resolve", 35), ("mediate", 30), ("police", 35)],
    "gambling": [("police", 55), ("resolve", 25), ("unfounded", 20)],
    "suspicious_person": [("unfounded", 50), ("resolve", 40), ("police", 10)],
    "hazard": [("resolve", 85), ("township", 10), ("not_resolved", 5)],
    "other": [("resolve", 80), ("unfounded", 20)],
}
RESOLVE_DAYS = {
    "theft": (0.5, 15), "burglary": (1, 20), "fraud": (2, 30), "fire": (0.1, 2), "traffic": (0.2, 10),
    "dispute": (0.5, 12), "domestic_violence": (0.5, 7), "gambling": (0.05, 1),
    "suspicious_person": (0.05, 1), "hazard": (1, 14), "other": (0.2, 3),
}  # fmt: skip
# reports whose villager reporters are kept confidential (举报人保密)
INFORMANT_TYPES = ("gambling", "domestic_violence", "suspicious_person")
REPORTERS = {  # who reports, by type
    "theft": {"person": 70, "hotline": 15, "anonymous": 5, "staff": 10},
    "burglary": {"person": 85, "hotline": 15},
    "fraud": {"person": 85, "hotline": 10, "staff": 5},
    "fire": {"person": 40, "hotline": 30, "staff": 20, "anonymous": 10},
    "traffic": {"person": 45, "hotline": 45, "staff": 10},
    "dispute": {"person": 75, "staff": 15, "hotline": 10},
    "domestic_violence": {"person": 70, "hotline": 20, "anonymous": 10},
    "gambling": {"anonymous": 45, "hotline": 30, "person": 15, "staff": 10},
    "suspicious_person": {"person": 45, "hotline": 25, "anonymous": 20, "staff": 10},
    "hazard": {"person": 50, "staff": 40, "anonymous": 10},
    "other": {"person": 60, "hotline": 30, "staff": 10},
}
AMOUNTS = {"theft": (300, 6000), "burglary": (1000, 30000), "fraud": (2000, 150000)}
# patrol findings as the director would type them
FINDING_TYPES = {
    "一辆无牌摩托车停在路边，已拍照报告": "suspicious_person",
    "有陌生人在仓库附近徘徊，已盘问登记": "suspicious_person",
    "一户院门未关，已提醒户主": "other",
    "发现小孩在水库边玩水，已劝离": "hazard",
    "养殖场围栏被撬，已报派出所": "theft",
    "路边草堆冒烟，已扑灭": "fire",
}
FINDING_DISPUTES = {
    "宅基地": "housing_land",
    "停车": "neighbours",
    "狗咬人": "damages",
    "排水沟": "neighbours",
}
FINDING_CHANCE = {Finding.INCIDENT: 0.5, Finding.DISPUTE: 0.55, Finding.HAZARD: 0.3}

# inspections: base weight of a kind of place
INSPECTION_KINDS = {
    "rental": 30, "shop": 15, "school": 8, "pond": 8, "electrical": 8, "fire": 10, "workshop": 15, "other": 6,
}  # fmt: skip
FAIL_RATE = {
    "rental": 0.12, "workshop": 0.12, "shop": 0.08, "fire": 0.08, "electrical": 0.1, "pond": 0.1,
    "school": 0.05, "other": 0.06,
}  # fmt: skip
SHOPS = ["小超市", "五金店", "农资店", "小吃店", "副食店", "理发店"]
WORKSHOPS = ["袜子加工作坊", "珍珠加工厂", "五金加工厂", "木材加工厂"]
PUBLIC_HOURS = [
    0.5,
    0.2,
    0.1,
    0.1,
    0.1,
    0.2,
    0.5,
    1,
    1,
    1,
    1,
    1.5,
    2,
    1.5,
    1,
    1,
    1,
    1.5,
    2,
    3,
    4,
    4,
    3,
    1.5,
]
SATISFACTION = [3, 5, 14, 36, 42]


# ---- the words (Chinese, as a village's paper registers are written) ------------------------
# Placeholders: {who} {a} {b} {place} {address} {amount} {n} {why} {date}; opinions also name a
# kind of place: {dark} {road} {water} {hall}. A case text may carry a season (Calendar.fits).

# -- case titles and descriptions, by type: (title, description, season or "") -----------

CASE_TEXTS = {
    "theft": [
        ("{place}电动车被盗", "{who}报称，停放在{place}的电动车被盗，车价约{amount}元。", ""),
        (
            "三轮车电瓶被盗",
            "{who}报称，停在{place}的电动三轮车电瓶被人拆走，损失约{amount}元。",
            "",
        ),
        ("农具水泵被盗", "{who}放在{place}附近的水泵和农具被盗，价值约{amount}元。", ""),
        ("鸡鸭被盗", "{who}家养在{place}附近的鸡鸭夜间被盗十余只。", ""),
        ("手机被扒", "{who}在{place}买菜时手机被扒，价值约{amount}元。", "market"),
        ("路灯电缆被盗", "{place}一带的路灯电缆被剪走一段，路灯不亮。", ""),
        ("香榧被偷采", "{who}家山上的香榧被人偷采，损失约{amount}元。", "september"),
        ("年货被盗", "{who}放在院子里的年货（腊肉、酒）夜间被盗，价值约{amount}元。", "festival"),
    ],
    "burglary": [
        (
            "入室盗窃",
            "{who}家（{address}）外出期间被撬门入室，被盗现金{amount}元及金首饰若干。",
            "",
        ),
        ("夜间入室盗窃", "{who}家夜间被人从窗户翻入，被盗手机一部、现金{amount}元。", ""),
        ("小店被撬", "{place}一家小店夜间卷帘门被撬，被盗香烟和现金约{amount}元。", ""),
        ("年关入室盗窃", "春节前{who}家被盗，刚取的过年现金{amount}元被偷。", "festival"),
    ],
    "fraud": [
        ("冒充客服诈骗", "{who}接到自称快递客服的电话，按对方要求转账{amount}元后发现被骗。", ""),
        ("刷单返利诈骗", "{who}在手机上参与“刷单返利”，先后转账{amount}元后对方失联。", ""),
        ("冒充公检法诈骗", "{who}接到自称公安局的电话，称其涉嫌洗钱，被骗转账{amount}元。", ""),
        (
            "保健品推销骗局",
            "有人在{place}以免费体检为名向老人推销保健品，{who}被骗{amount}元。",
            "",
        ),
        ("冒充熟人借钱", "{who}收到冒充亲戚的微信借钱消息，转账{amount}元后发现被骗。", ""),
    ],
    "fire": [
        ("柴堆起火", "{place}附近柴堆起火，村民发现后用水扑灭，烧毁柴草约一车。", "winter"),
        ("电动车充电起火", "{who}家楼道内充电的电动车起火，烧坏车辆一辆，无人员受伤。", ""),
        ("祭扫引发山火", "有人在后山祭扫时燃放鞭炮引燃杂草，过火面积约{n}亩。", "qingming"),
        ("厨房油锅起火", "{who}家厨房油锅起火，家人用锅盖扑灭，熏黑墙面。", ""),
        ("秸秆焚烧起火", "田间焚烧秸秆引燃旁边草垛，村干部到场扑灭。", "harvest"),
        ("烟花引燃杂物", "燃放烟花引燃{place}旁的杂物堆，及时扑灭。", "festival"),
        ("取暖器引燃被褥", "{who}家老人用电取暖器烘衣物引燃被褥，邻居帮助扑灭。", "winter"),
    ],
    "traffic": [
        ("{place}两车相撞", "{place}一辆小轿车与一辆电动车相撞，电动车驾驶人{who}轻伤。", ""),
        ("电动车碰擦", "{place}两辆电动车碰擦，双方人员擦伤。", ""),
        ("三轮车侧翻", "{who}骑三轮车在{place}转弯时侧翻，手臂擦伤。", ""),
        ("集市日车辆刮擦", "集市日{place}人多车多，一辆货车倒车时刮擦路边摊位。", "market"),
        ("行人被撞", "{place}一名老人横穿马路时被电动车撞倒，送镇卫生院检查。", ""),
        ("雨天追尾", "雨天路滑，{place}两辆小车追尾，无人员受伤。", ""),
    ],
    "domestic_violence": [
        ("家庭暴力", "{a}酒后与妻子{b}争吵并动手，{b}脸部受伤，向村里求助。", ""),
        ("家庭暴力求助", "{b}反映其丈夫{a}多次打骂，要求村里出面。", ""),
        ("春节家庭暴力", "春节期间{a}因打牌输钱与妻子{b}争吵并动手。", "festival"),
    ],
    "gambling": [
        ("{place}聚众赌博", "有群众反映{place}有人聚众打麻将赌钱，赌资较大。", ""),
        ("夜间聚赌", "{place}后屋有人夜间聚赌，进出车辆较多。", ""),
        ("春节聚赌", "春节期间{place}有人设赌局推牌九。", "festival"),
    ],
    "suspicious_person": [
        ("可疑人员", "{place}有陌生人挨家挨户打听情况，形迹可疑。", ""),
        ("陌生车辆深夜停留", "一辆外地牌照面包车深夜停在{place}，车内人员形迹可疑。", ""),
        ("收旧家电人员可疑", "有人在{place}以收旧家电为名四处张望。", ""),
    ],
    "hazard": [
        ("{place}路灯损坏", "{place}路灯损坏多日，夜间行人不便。", ""),
        ("{place}护栏缺损", "{place}护栏缺损，存在落水隐患。", ""),
        ("私拉电线充电", "{who}家私拉电线给电动车充电，存在火灾隐患。", ""),
        ("窨井盖缺失", "{place}窨井盖缺失，容易伤人。", ""),
        ("山塘水位上涨", "连日降雨，{place}水位上涨，存在漫坝隐患。", "summer"),
        ("小孩下水玩耍", "有小孩在{place}附近下水玩耍，存在溺水隐患。", "summer"),
    ],
    "other": [
        ("老人走失", "{who}家八旬老人外出未归，家属求助，村里组织寻找。", ""),
        ("狗咬伤人", "{place}一条散养的狗咬伤路过村民。", ""),
        ("广场舞噪音扰民", "{place}夜间广场舞音响声音过大，附近村民反映。", ""),
    ],
}

# Disputes (the case type "dispute") by the mediation committee's kind of dispute.
# (code, weight outside the busy seasons, weight in them, title, description, reasons)
DISPUTE_KINDS = [
    ("neighbours", 30, 15, "{a}与{b}邻里纠纷", "{a}与{b}两家因{why}发生争吵。",
     ["排水沟堵塞", "门前堆放杂物", "养狗扰民", "房屋滴水", "鸡鸭糟蹋菜地", "停车挡路"]),
    ("housing_land", 18, 12, "{a}与{b}宅基地纠纷", "{a}与{b}因{why}发生争执，双方互不相让。",
     ["翻建房屋时宅基地界线", "院墙位置", "出入通道"]),
    ("land_forest", 10, 45, "{a}与{b}土地纠纷", "{a}与{b}因{why}发生纠纷。",
     ["承包田界址", "田水灌溉先后", "山林界线", "竹林采笋", "收割机压坏庄稼", "香榧林归属"]),
    ("marriage_family", 14, 8, "{a}家庭纠纷", "{a}与{b}因{why}闹矛盾，请求村里调解。",
     ["赡养老人", "分家析产", "夫妻感情不和", "彩礼退还"]),
    ("contract", 8, 6, "{a}与{b}合同纠纷", "{a}与{b}因{why}发生纠纷。",
     ["房屋装修款", "土地流转租金", "货款拖欠", "收割机作业费"]),
    ("labour", 8, 6, "{a}工钱纠纷", "{a}在{b}的袜子加工作坊做工，因{why}发生争执。",
     ["工钱结算", "加班费", "工伤医药费"]),
    ("damages", 8, 5, "{a}与{b}损害赔偿纠纷", "{b}家的狗咬伤{a}，双方就{why}发生争执。",
     ["医药费赔偿", "误工费"]),
    ("other", 4, 3, "{a}与{b}矛盾纠纷", "{a}与{b}因{why}发生口角。", ["琐事", "言语冲突", "酒后口角"]),
]  # fmt: skip

# -- the notes of the moves -------------------------------------------------------------

ACCEPT_NOTES = ["已受理", "已受理，登记在册", "接报后受理", "值班人员受理"]
IN_HAND_NOTES = {
    "theft": ["已到现场查看，调取周边监控", "已走访周边住户，了解情况"],
    "burglary": ["已保护现场，通知派出所勘查", "已到现场查看，调取监控"],
    "fraud": ["已联系反诈中心，协助当事人止付", "已了解被骗经过，指导当事人报警"],
    "fire": ["已组织义务消防队扑救，查看过火范围", "火已扑灭，正在查找起火原因"],
    "traffic": ["已到现场疏导交通，通知交警", "已协助送伤者就医，保护现场"],
    "dispute": ["已约双方到村委会了解情况", "已到现场劝开双方，分别了解情况"],
    "domestic_violence": ["已到当事人家中制止并了解情况", "已联系妇联执委一同上门"],
    "gambling": ["已到现场劝散人员", "已会同巡逻队到场查看"],
    "suspicious_person": ["已到场盘问登记", "已通知巡逻队重点巡查"],
    "hazard": ["已到现场查看，设置警示", "已通知责任人整改"],
    "other": ["已安排人员处置", "已到现场了解情况"],
}
RESOLVED_NOTES = {
    "theft": ["被盗物品已追回，归还失主", "嫌疑人已查获，赔偿损失"],
    "burglary": ["嫌疑人已被派出所抓获，部分财物追回"],
    "fraud": ["经反诈中心止付，被骗款项已部分追回"],
    "fire": ["火情处置完毕，已对农户进行防火宣传", "已排除复燃隐患，做好防火提醒"],
    "traffic": ["双方已协商处理，赔偿到位", "伤者已出院，双方无争议"],
    "dispute": ["经劝解双方互谅互让，矛盾已化解", "双方当场达成口头协议，已履行"],
    "domestic_violence": ["男方写下保证书，妇联执委跟踪回访", "双方和好，村里定期回访"],
    "gambling": ["参赌人员已劝散，赌具已收缴", "已对场所负责人进行教育"],
    "suspicious_person": ["经核实为外地收购废品人员，已登记后离开", "经核实为走亲戚人员"],
    "hazard": ["已督促整改到位", "已修复，隐患消除"],
    "other": ["已妥善处置", "已找到，平安送回家中"],
}
CLOSE_NOTES = {
    "resolved": ["处置完毕，予以结案", "已办结，当事人满意", "事情已处理完毕"],
    "mediated": ["经村调委会调解，双方达成协议", "调解成功，协议已履行"],
    "referred_police": ["已移交派出所依法处理，本级结案", "案件由派出所立案侦查"],
    "referred_township": ["已移交镇综治中心处理", "已上报乡镇，由乡镇牵头处理"],
    "not_resolved": ["未找到嫌疑人，已做好防范提醒，暂结", "当事人不愿继续处理，暂结"],
    "unfounded": ["经核实不属实", "经核实为误报", "重复登记，已并案"],
}
REFER_NOTES = {
    "police": ["已移交派出所处理", "已报派出所，民警到场"],
    "traffic": ["已移交交警中队处理"],
    "mediation": ["转村人民调解委员会调解", "当事人申请调解，转调委会"],
}
REOPEN_NOTES = [
    "当事人反映问题反复，重新处理",
    "回访发现问题未解决，重新受理",
    "乡镇督查要求重新处理",
]
HANDOVER_REASONS = ["矛盾纠纷，转调解员办理", "当事人申请调解", "调解员熟悉双方情况"]
DECLINE_NOTES = ["本人近期外出培训，请另行安排", "与当事人有亲戚关系，需回避"]
INSTRUCTIONS = {
    "police": ["请保护好现场，民警马上到", "请做好当事人安抚，收集监控录像", "请核实人员身份后报所里",
               "已指派社区民警跟进，请配合"],
    "township": ["请做好稳控工作，每日报告进展", "请村两委主要负责人到场处置", "请及时化解，防止矛盾激化"],
}  # fmt: skip
SEVERE_TEXTS = {  # a major matter, made for the demo's "overdue now" case
    "title": "征地补偿纠纷 群众聚集",
    "description": "因征地补偿款分配问题，二十余名村民聚集在村委会门口，情绪激动，有冲突苗头。",
}

# -- mediation ----------------------------------------------------------------------------

AGREEMENTS = {
    "neighbours": "一、{b}于{date}前自行疏通门前排水沟并清理杂物，保持通道畅通；二、双方今后互谅互让，不再因此事争吵；三、本协议自双方签字之日起生效。",
    "housing_land": "一、双方以村委会现场测量确定的界桩为界，{a}翻建房屋不得越过界桩；二、{a}补偿{b}围墙修缮费{amount}元，于{date}前一次付清；三、双方不再就此事发生争执。",
    "land_forest": "一、土地界址按原承包合同执行，由村委会现场打桩确认；二、{b}赔偿{a}损失{amount}元，于{date}前付清；三、双方今后按约定使用，互不侵占。",
    "marriage_family": "一、{a}每月给付赡养费{amount}元，于每月10日前支付；二、老人由{a}、{b}两家轮流照料，每家各半年；三、双方互相尊重，和睦相处。",
    "contract": "一、{b}于{date}前向{a}支付所欠款项{amount}元；二、逾期未付的，{a}可依法向人民法院起诉；三、本协议一式三份，双方及调委会各执一份。",
    "labour": "一、{b}于{date}前结清{a}工资{amount}元；二、双方劳动关系就此解除，再无其他纠纷。",
    "damages": "一、{b}一次性赔偿{a}医药费、误工费共计{amount}元，当场付清；二、{b}今后拴养犬只，防止再次伤人；三、双方就此事再无争议。",
    "traffic": "一、{b}一次性赔偿{a}医疗费、车辆修理费共计{amount}元，于{date}前付清；二、双方就此次事故再无其他争议。",
    "other": "一、双方互相赔礼道歉；二、今后互谅互让，不再发生争执；三、本协议自双方签字之日起生效。",
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

# -- safety inspections ---------------------------------------------------------------------

# (checklist item, what was found when it failed, the measure ordered)
CHECKLISTS = {
    "rental": [
        (
            "灭火器配备齐全、压力正常、在有效期内",
            "灭火器压力不足，已过期",
            "更换合格灭火器，每层不少于两具",
        ),
        (
            "疏散通道、楼梯畅通，出口门可从内开启",
            "楼道堆放杂物，堵塞通道",
            "清理楼道杂物，保持通道畅通",
        ),
        ("电气线路规范，无裸露、老化、超负荷", "电线老化裸露", "请持证电工更换老化线路"),
        ("电动车不在室内、楼道停放充电", "电动车在楼道内充电", "设置集中充电点，禁止楼道充电"),
        ("安装独立式烟感报警器并能正常工作", "未安装烟感报警器", "每个房间安装独立式烟感报警器"),
        ("防盗窗留有逃生出口", "防盗窗全封闭，无逃生口", "防盗窗开设可开启的逃生窗"),
        ("液化气钢瓶、灶具不在卧室内", "卧室内使用液化气做饭", "液化气移出卧室，设置独立厨房"),
        ("出租房屋已在村里登记", "出租房屋未登记", "到村治保会办理出租房屋登记"),
        ("租住人员信息登记及时", "新租户未登记", "三日内补登记流动人口信息"),
        ("房东签订安全责任书", "未签订安全责任书", "签订出租房屋治安消防安全责任书"),
    ],
    "shop": [
        ("营业执照亮照经营", "营业执照未悬挂", "营业执照悬挂在醒目位置"),
        ("灭火器配备齐全、在有效期内", "灭火器过期", "更换合格灭火器"),
        ("安全出口、通道畅通，未被货物堵塞", "货物堆放堵塞通道", "清理通道，货物入库"),
        ("电线插座规范，无乱拉接线板", "乱拉接线板", "拆除临时接线板，规范布线"),
        (
            "经营、储存、住宿未混在一起（无三合一）",
            "店内住人，存在三合一",
            "住人区域与经营区域分隔或搬离",
        ),
        ("液化气钢瓶固定并经检验", "钢瓶未固定、无检验标签", "更换检验合格钢瓶并固定"),
        ("易燃物品远离热源和电线", "易燃物品靠近电源", "易燃物品移至安全位置"),
        ("无过期食品销售", "货架上有过期食品", "下架并销毁过期食品"),
    ],
    "school": [
        ("上学放学时段门卫在岗，来访登记", "来访登记不全", "落实来访登记制度"),
        ("防护器械齐全（钢叉、盾牌、警棍）", "缺少钢叉", "补齐门卫防护器械"),
        ("监控探头工作正常并能回放", "两个探头损坏", "维修监控探头"),
        ("消防器材、应急照明完好", "应急灯不亮", "更换应急照明灯"),
        ("疏散通道、楼梯畅通", "楼梯口堆放桌椅", "清理楼梯口杂物"),
        ("校车及驾驶员资质审核", "校车年检将到期", "按期年检校车"),
        ("食堂食品安全台账完整", "留样记录不全", "完善食品留样记录"),
        ("本学期已组织安全演练", "本学期未组织演练", "两周内组织一次疏散演练"),
        ("校门口上下学交通安全有人维护", "放学时段无人护导", "安排护学岗"),
    ],
    "pond": [
        ("防溺水警示牌设置到位、字迹清楚", "警示牌缺失", "设置防溺水警示牌"),
        ("护栏、围栏完好", "护栏缺损一段", "修复护栏"),
        ("救生设施齐全（救生圈、竹竿、绳索）", "救生圈缺失", "配备救生圈和救生绳"),
        ("堤岸稳固，无坍塌、掏空", "堤岸局部坍塌", "加固堤岸"),
        ("暑期防溺水巡查安排到位", "暑期巡查未安排", "安排暑期防溺水巡查"),
    ],
    "electrical": [
        ("配电箱关闭上锁", "配电箱未上锁", "配电箱加锁"),
        ("无裸露、老化电线", "线路老化", "更换老化线路"),
        ("漏电保护开关安装并能动作", "漏电保护不动作", "更换漏电保护开关"),
        ("线路与树木、屋顶保持安全距离", "线路穿过树枝", "修剪树枝，调整线路"),
        ("无私拉乱接", "私拉乱接电线", "拆除私拉电线"),
        ("接地良好", "接地线脱落", "恢复接地"),
    ],
    "fire": [
        ("灭火器配备齐全、在有效期内", "灭火器失效", "更换灭火器"),
        ("消防栓、水带可用", "消防栓无水", "维修消防栓"),
        ("消防车通道畅通", "消防通道被车辆占用", "清理占道车辆，划设禁停标线"),
        ("无野外用火、焚烧秸秆", "有焚烧秸秆痕迹", "加强巡查，禁止野外用火"),
        ("柴草堆放远离住房", "柴堆紧靠住房", "柴草移至离住房10米以外"),
        ("消防水源充足", "消防水池水位不足", "补充消防水池"),
    ],
    "workshop": [
        ("生产、储存、住宿分开（无三合一）", "车间内住人", "住宿搬离车间"),
        ("灭火器配备齐全、在有效期内", "灭火器数量不足", "按面积补足灭火器"),
        ("安全出口、疏散通道畅通", "疏散通道堆放原料", "清理疏散通道"),
        ("机械设备防护到位，工人经过培训", "设备防护罩缺失", "加装防护罩，组织培训"),
        ("危险化学品存放规范并登记", "油漆稀料随意存放", "设置专用危化品存放点并登记"),
        ("电气线路规范，无超负荷", "线路超负荷发热", "增设线路，分路供电"),
        ("签订安全生产责任书", "未签订责任书", "签订安全生产责任书"),
    ],
    "other": [
        ("灭火器配备齐全、在有效期内", "灭火器过期", "更换灭火器"),
        ("疏散通道畅通", "通道堆放杂物", "清理杂物"),
        ("电气线路安全", "电线老化", "更换电线"),
        ("必要处设置安全警示标志", "缺少警示标志", "设置警示标志"),
    ],
}
REPORTED_DONE_NOTES = ["已按要求整改", "已更换", "已清理完毕", "已请电工整改", "已整改，请复查"]
NOT_FIXED_NOTES = ["尚未整改到位", "只整改了一部分", "责任人外出未整改"]
ESCALATED_NOTES = ["多次督促仍未整改，移交案件登记", "责任人拒不整改，报乡镇处理"]

# -- the opinion book -----------------------------------------------------------------------

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
    "suggestion": ["感谢您的建议！村两委已研究，近期安排实施。", "感谢建议，已列入明年村级项目计划。",
                   "感谢建议，已安排巡逻队加强该处巡查。"],
    "complaint": ["已安排治保会人员到现场查看，对当事人进行了劝导，请继续监督。", "已责令当事人整改，我们会跟踪落实。",
                  "已联系派出所处理，感谢您的反映。"],
    "report": ["收到反映后已派人核实处理，感谢您的举报！", "已通知责任人整改，隐患已消除。"],
}  # fmt: skip
ANSWER_CASE = "已登记为案件（编号{number}）办理，处理结果会在这里答复。"
ANSWER_MEDIATION = "已转村人民调解委员会调解（编号{number}）。"

SUMMARY_NIL = ["辖区平稳，无案事件。", "", "今日无情况。"]
SUMMARY_DAY = "今日登记{counts}，均已受理。"
SUMMARY_WEEK = "本周登记{counts}。{extra}"
WEEK_EXTRA = ["重点加强夜间巡逻。", "矛盾纠纷已全部落实调处责任人。", "开展防诈骗宣传一次。", ""]


# ---- small helpers ----------------------------------------------------------------------------


def minutes(x: float) -> dt.timedelta:
    return dt.timedelta(minutes=x)


def hours(x: float) -> dt.timedelta:
    return dt.timedelta(hours=x)


def days(x: float) -> dt.timedelta:
    return dt.timedelta(days=x)


def spring_festival(year: int) -> dt.date:
    month, day = SPRING_FESTIVAL.get(year, (2, 5))
    return dt.date(year, month, day)


def _moved(lat: float, lon: float, metres: float, bearing: float) -> tuple[float, float]:
    return (
        lat + metres * math.cos(bearing) / M_PER_DEG,
        lon + metres * math.sin(bearing) / (M_PER_DEG * math.cos(math.radians(lat))),
    )


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * M_PER_DEG
    dx = (a[1] - b[1]) * M_PER_DEG * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:  # the screens may not be wired yet
        return ""


class Calendar:
    """The farming and festival calendar of the year the demo covers."""

    def __init__(self, first: dt.date, last: dt.date):
        self.festivals = [spring_festival(y) for y in range(first.year - 1, last.year + 2)]

    def around_festival(self, day: dt.date, before: int, after: int) -> bool:
        return any(-after <= (f - day).days <= before for f in self.festivals)

    @staticmethod
    def market(day: dt.date) -> bool:
        return day.day % 10 in (3, 8)  # 逢三逢八

    @staticmethod
    def busy_fields(day: dt.date) -> bool:
        """春耕 (20 April - 20 May) and 秋收 (October)."""
        return (4, 20) <= (day.month, day.day) <= (5, 20) or day.month == 10

    def fits(self, season: str, day: dt.date) -> bool:
        return {
            "": True,
            "winter": day.month in (11, 12, 1, 2, 3),
            "summer": day.month in (6, 7, 8, 9),
            "qingming": day.month == 4 and 2 <= day.day <= 8,
            "harvest": day.month in (10, 11),
            "festival": self.around_festival(day, 30, 15),
            "market": self.market(day),
            "september": day.month == 9,
        }[season]

    def weight(self, code: str, day: dt.date) -> float:
        """How likely a case of this type is on this day, relative to an ordinary day."""
        w = WEEKDAYS.get(code, FLAT_WEEK)[day.weekday()]
        if code in ("theft", "burglary"):
            w *= 2.5 if self.around_festival(day, 30, 0) else 1
            w *= 1.3 if day.month in (7, 8) else 1  # open windows on summer nights
        elif code == "dispute":
            w *= 2.2 if self.busy_fields(day) else 1
            w *= 1.5 if self.around_festival(day, 20, 10) else 1
        elif code == "domestic_violence":
            w *= 2 if self.around_festival(day, 15, 15) else 1
        elif code == "fire":
            w *= 3.5 if day.month in (12, 1, 2) else 2.5 if day.month in (11, 3) else 1
            w *= 5 if self.fits("qingming", day) else 1
            w *= 2.5 if self.around_festival(day, 1, 15) else 1
        elif code == "traffic":
            w *= 2.5 if self.market(day) else 1
            w *= 1.6 if self.around_festival(day, 15, 7) else 1
            w *= 1.3 if day.month == 6 else 1  # 梅雨
        elif code == "gambling":
            w *= 4 if self.around_festival(day, 10, 15) else 1
        elif code == "suspicious_person":
            w *= 1.5 if self.around_festival(day, 30, 0) else 1
        elif code == "hazard":
            w *= 1.8 if day.month in (6, 7, 8, 9) else 1
        return w


@dataclass(eq=False)
class Place:
    name: str
    kind: str
    lat: float
    lon: float
    group_id: int | None
    hot: float


@dataclass(eq=False)
class Village:
    region: Region
    community: bool
    main: bool
    weight: float
    centre: tuple[float, float]
    groups: list[Region]
    group_hot: dict[int, float]
    group_centre: dict[int, tuple[float, float]]
    places: list[Place]
    homes: list[dict]
    people: list[dict]
    by_household: dict[int, list[dict]]
    holder: User
    mediators: list[User]
    cache: dict = field(default_factory=dict)


@dataclass(eq=False)
class Draft:
    """A case while its story is made up: the unsaved row, its book and its upward reports."""

    case: Case
    code: str
    village: Village
    owner: User
    status: str = S.REGISTERED
    t: dt.datetime | None = None
    owners: list = field(default_factory=list)  # (from, owner)
    escalations: dict = field(default_factory=dict)  # level -> Escalation
    parties: list = field(default_factory=list)
    frozen: bool = False
    stop_after: str = ""
    sub: str = ""
    a: dict | None = None
    b: dict | None = None

    def owner_at(self, at: dt.datetime) -> User:
        owner = self.owners[0][1]
        for since, user in self.owners:
            if since <= at:
                owner = user
        return owner


@dataclass(eq=False)
class MediationDraft:
    mediation: MediationCase
    village: Village
    actor: User
    parties: list = field(default_factory=list)
    sessions: list = field(default_factory=list)
    milestones: list = field(default_factory=list)  # (day, what)


# ---- the builder ------------------------------------------------------------------------------


class Books:
    def __init__(self, context: DemoContext):
        self.context = context
        self.rng = context.rng
        self.tz = timezone.get_default_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.first = self.today - dt.timedelta(days=364)
        self.days = [self.first + dt.timedelta(days=k) for k in range(365)]
        self.calendar = Calendar(self.first, self.today)
        acc = context.accounts
        self.township_user = acc["township"]
        self.police = acc["police"]
        self.admin = acc.get("admin")
        self.drafts: list[Draft] = []
        self.events: list[tuple[dt.datetime, int, CaseEvent]] = []
        self.deferred: list[tuple[CaseEvent, str, MediationDraft]] = []  # notes naming a mediation
        self.mediations: list[MediationDraft] = []
        self.opinions: list[Opinion] = []
        self.opinion_answers: list[tuple[Opinion, str, object]] = []  # answers naming a case
        self.inspections: list[tuple] = []
        self.codes: set[str] = set()
        self.stats: Counter = Counter()
        self.cum: dict[str, list[float]] = {}

    # ---- time and chance ---------------------------------------------------------------------

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def office(self, day: dt.date) -> dt.datetime:
        return self.at(day, self.rng.choice([9, 10, 11, 14, 15, 16]), self.rng.randint(0, 59))

    def local(self, moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment, self.tz)

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def name(self, sex: str = "") -> str:
        given = GIVEN_F if sex == "F" or (not sex and self.rng.random() < 0.4) else GIVEN_M
        return self.rng.choice(SURNAMES) + self.rng.choice(given)

    def phone(self) -> str:
        return f"13{self.rng.randint(0, 9)}{self.rng.randint(10000000, 99999999)}"

    def amount(self, code: str) -> int:
        lo, hi = AMOUNTS.get(code, (500, 5000))
        return round(lo + (hi - lo) * self.rng.random() ** 2, -2)

    # ---- what there is ---------------------------------------------------------------------

    def run(self) -> None:
        self.load()
        self.opinion_book()
        self.patrol_cases()
        self.incidents()
        self.walk_in_mediations()
        self.inspection_book()
        self.current()
        self.number()
        self.write()
        self.situation_reports()
        self.notifications()

    def load(self) -> None:
        ctx = self.context
        self.types = {t.code: t for t in CaseType.objects.filter(active=True)}
        self.rules = list(EscalationRule.objects.select_related("case_type"))
        region_ids = [v.pk for v in ctx.villages]
        everyone = (
            Region.objects.filter(kind=RegionKind.VILLAGE, parent=ctx.township)
            .annotate(groups=Count("children", filter=Q(children__kind=RegionKind.GROUP)))
            .order_by("code")
        )
        weights = {v.pk: self.village_weight(v, v.groups) for v in everyone}
        self.scale = sum(weights.get(pk, 0) for pk in region_ids) / (sum(weights.values()) or 1)
        groups = defaultdict(list)
        for g in Region.objects.filter(parent_id__in=region_ids, kind=RegionKind.GROUP).order_by(
            "code"
        ):
            groups[g.parent_id].append(g)
        points = defaultdict(list)
        for p in (
            PatrolPoint.objects.filter(region_id__in=region_ids)
            .order_by("pk")
            .values("pk", "name", "region_id", "latitude", "longitude")
        ):
            points[p["region_id"]].append(p)
        homes = defaultdict(list)
        for h in (
            Household.objects.filter(region_id__in=region_ids)
            .order_by("pk")
            .values("pk", "region_id", "group_id", "address", "head_id")
        ):
            homes[h["region_id"]].append(h)
        people = defaultdict(list)
        by_household = defaultdict(list)
        for p in (
            Person.objects.filter(region_id__in=region_ids)
            .order_by("pk")
            .values("pk", "name", "sex", "region_id", "household_id", "address")
        ):
            people[p["region_id"]].append(p)
            if p["household_id"]:
                by_household[p["household_id"]].append(p)
        holders, mediators = {}, defaultdict(list)
        for user in sorted(ctx.accounts.values(), key=lambda u: u.pk):
            if user.is_system_admin or not user.region_id:
                continue
            if user.can(Perm.MANAGE_VILLAGE):
                holders.setdefault(user.region_id, user)
            elif user.can(Perm.HANDLE_MEDIATION):
                mediators[user.region_id].append(user)
        self.villages = []
        for region in sorted(ctx.villages, key=lambda v: v.code):
            self.villages.append(
                self.village(region, weights[region.pk], groups[region.pk], points[region.pk],
                             homes[region.pk], people[region.pk], by_household,
                             holders.get(region.pk, self.township_user), mediators[region.pk])
            )  # fmt: skip
        self.village_weights = [v.weight for v in self.villages]
        self.existing = list(
            Case.objects.filter(region_id__in=region_ids).values(
                "region_id",
                "year",
                "serial",
                "reported_at",
                "case_type__code",
                "source_check_in_id",
            )
        )

    @staticmethod
    def village_weight(region: Region, groups: int) -> float:
        community = region.name.endswith("社区")
        main = region.code in (VILLAGE_1, VILLAGE_2)
        return max(groups, 3) * (1.8 if community else 1) * (2.5 if main else 1)

    def village(
        self, region, weight, groups, points, homes, people, by_household, holder, mediators
    ):
        rng = self.rng
        community = region.name.endswith("社区")
        hall = next(
            (p for p in points if p["name"] in ("村委会", "社区服务中心")),
            points[0] if points else None,
        )
        centre = (
            (float(hall["latitude"]), float(hall["longitude"]))
            if hall
            else _moved(*CENTRE, rng.uniform(1500, 7000), rng.uniform(0, 2 * math.pi))
        )
        group_centre = {
            g.pk: _moved(*centre, rng.uniform(150, 900), rng.uniform(0, 2 * math.pi))
            for g in groups
        }
        group_hot = {g.pk: 1.0 for g in groups}
        for g, boost in zip(rng.sample(groups, min(2, len(groups))), (3.0, 2.0), strict=False):
            group_hot[g.pk] = boost  # the hot villager groups

        def nearest_group(spot):
            return (
                min(groups, key=lambda g: _metres(spot, group_centre[g.pk])).pk if groups else None
            )

        places = []
        for p in points:
            spot = (float(p["latitude"]), float(p["longitude"]))
            places.append(Place(p["name"], POINT_KINDS.get(p["name"], "gathering"), *spot,
                                nearest_group(spot), rng.choice([0.6, 1, 1, 1.5, 2])))  # fmt: skip
        taken = {p.name for p in places}
        for name in COMMUNITY_EXTRAS if community else VILLAGE_EXTRAS:
            if name in taken or (name == "棋牌室" and rng.random() < 0.5):
                continue
            spot = _moved(*centre, rng.uniform(120, 650), rng.uniform(0, 2 * math.pi))
            places.append(
                Place(
                    name,
                    POINT_KINDS[name],
                    *spot,
                    nearest_group(spot),
                    rng.choice([0.6, 1, 1, 1.5, 2]),
                )
            )
        if places:
            rng.choice(places).hot *= 4  # the village's hotspot
        return Village(
            region=region, community=community, main=region.code in (VILLAGE_1, VILLAGE_2), weight=weight,
            centre=centre, groups=groups, group_hot=group_hot, group_centre=group_centre, places=places,
            homes=homes, people=people, by_household=by_household, holder=holder, mediators=mediators,
        )  # fmt: skip

    def pick_village(self, tilt: dict | None = None) -> Village:
        weights = self.village_weights
        if tilt:
            weights = [v.weight * (tilt.get("community", 1) if v.community else tilt.get("village", 1))
                       for v in self.villages]  # fmt: skip
        return self.rng.choices(self.villages, weights=weights)[0]

    def person(self, v: Village, *, not_in: int | None = None) -> dict:
        rng = self.rng
        if v.people:
            for _attempt in range(5):
                p = rng.choice(v.people)
                if p["household_id"] != not_in or not_in is None:
                    return p
        return {"pk": None, "name": self.name(), "sex": "", "household_id": None, "address": ""}

    def place(self, v: Village, code: str) -> dict:
        """Where a case of this type happens: a recurring place or a household's address."""
        rng = self.rng
        kinds = PLACES[code]
        cached = v.cache.get(code)
        if cached is None:
            usable = [p for p in v.places if p.kind in kinds]
            weights = [kinds[p.kind] * p.hot * v.group_hot.get(p.group_id, 1) for p in usable]
            homes_weight = [v.group_hot.get(h["group_id"], 1) for h in v.homes]
            cached = v.cache[code] = (usable, weights, homes_weight)
        usable, weights, homes_weight = cached
        home_share = kinds.get("home", 0) / sum(kinds.values())
        if v.homes and (not usable or rng.random() < home_share):
            home = rng.choices(v.homes, weights=homes_weight)[0]
            base = v.group_centre.get(home["group_id"], v.centre)
            lat, lon = _moved(*base, rng.uniform(0, 180), rng.uniform(0, 2 * math.pi))
            people = v.by_household.get(home["pk"], [])
            return {"name": home["address"], "address": home["address"], "group_id": home["group_id"],
                    "lat": lat, "lon": lon, "household": home["pk"], "people": people}  # fmt: skip
        if not usable:
            lat, lon = _moved(*v.centre, rng.uniform(50, 500), rng.uniform(0, 2 * math.pi))
            return {"name": v.region.name, "address": v.region.name, "group_id": None, "lat": lat, "lon": lon,
                    "household": None, "people": []}  # fmt: skip
        p = rng.choices(usable, weights=weights)[0]
        lat, lon = _moved(p.lat, p.lon, rng.uniform(5, 40), rng.uniform(0, 2 * math.pi))
        return {"name": p.name, "address": f"{v.region.name}{p.name}", "group_id": p.group_id, "lat": lat,
                "lon": lon, "household": None, "people": []}  # fmt: skip

    # ---- the case register -----------------------------------------------------------------

    def occurrence(self, code: str) -> dt.datetime:
        rng = self.rng
        cum = self.cum.get(code)
        if cum is None:
            total, cum = 0.0, []
            for day in self.days:
                total += self.calendar.weight(code, day)
                cum.append(total)
            self.cum[code] = cum
        while True:
            day = rng.choices(self.days, cum_weights=cum)[0]
            hour = rng.choices(range(24), weights=HOURS[code])[0]
            if code == "traffic" and self.calendar.market(day) and rng.random() < 0.4:
                hour = rng.choice([6, 7, 8, 9, 10])  # market mornings
            moment = self.at(day, hour, rng.randint(0, 59))
            if moment < self.now - minutes(30):
                return moment

    def report_time(self, code: str, occurred: dt.datetime) -> dt.datetime:
        rng = self.rng
        local = self.local(occurred)
        if code in ("theft", "burglary") and (local.hour >= 22 or local.hour < 6):
            morning = local.date() + dt.timedelta(days=1 if local.hour >= 22 else 0)
            moment = self.at(morning, rng.choice([6, 7, 7, 8, 8, 9]), rng.randint(0, 59))
        elif code == "fraud":
            moment = occurred + hours(rng.uniform(0.5, 48))
        elif code in ("fire", "traffic"):
            moment = occurred + minutes(rng.uniform(2, 30))
        elif code == "hazard":
            moment = occurred + hours(rng.uniform(0.5, 24))
        else:
            moment = occurred + minutes(rng.uniform(5, 120))
        return max(occurred + minutes(1), min(moment, self.now - minutes(5)))

    def severity(self, code: str) -> int:
        return self.rng.choices(Severity.values, weights=SEVERITIES.get(code, DEFAULT_SEVERITY))[0]

    def dispute_kind(self, day: dt.date) -> tuple:
        busy = self.calendar.busy_fields(day)
        return self.rng.choices(
            DISPUTE_KINDS, weights=[k[2] if busy else k[1] for k in DISPUTE_KINDS]
        )[0]

    def new_case(
        self, v: Village, code: str, occurred: dt.datetime, reported: dt.datetime, *, severity: int | None = None,
        where: dict | None = None, reporter_kind: str = "", reporter: dict | None = None, title: str = "",
        description: str = "", registered_by: User | None = None, owner: User | None = None, **extra,
    ) -> Draft:  # fmt: skip
        """An unsaved case with its place, reporter, parties and words."""
        rng = self.rng
        where = where or self.place(v, code)
        owner = owner or v.holder
        victim = reporter or (rng.choice(where["people"]) if where["people"] else self.person(v))
        kind = reporter_kind or self.pick(REPORTERS[code])
        case = Case(
            region=v.region, group_id=where["group_id"], case_type=self.types[code],
            severity=severity or self.severity(code), occurred_at=occurred, reported_at=reported,
            address=where["address"][:200], status=S.REGISTERED, owner=owner,
            registered_by=registered_by or owner, **extra,
        )  # fmt: skip
        if rng.random() < 0.92:
            case.latitude, case.longitude = _dec(where["lat"]), _dec(where["lon"])
        if kind == "person":
            case.reporter_kind, case.reporter_id, case.reporter_name = (
                ReporterKind.PERSON,
                victim["pk"],
                victim["name"],
            )
        elif kind == "hotline":
            case.reporter_kind, case.reporter_name = ReporterKind.HOTLINE, victim["name"]
        elif kind == "staff":
            case.reporter_kind, case.reporter_name = ReporterKind.STAFF, str(owner)[:50]
        elif kind == "patrol":
            case.reporter_kind, case.reporter_id, case.reporter_name = (
                ReporterKind.PATROL,
                victim["pk"],
                victim["name"],
            )
        elif kind == "public_form":
            case.reporter_kind, case.reporter_name = ReporterKind.PUBLIC_FORM, victim["name"]
        else:
            case.reporter_kind, case.reporter_name = ReporterKind.ANONYMOUS, ""
        # 举报人保密: hotline and public-form reporters always (as cases.register_case), and the
        # villagers who come to report gambling, violence at home or a stranger about
        case.reporter_confidential = bool(case.reporter_name) and (
            kind in ("hotline", "public_form") or (kind == "person" and code in INFORMANT_TYPES)
        )
        d = Draft(case=case, code=code, village=v, owner=owner)
        d.owners.append((reported, owner))
        self.people_of(d, where, victim)
        if not title:
            title, description = self.words(d, where, victim)
        case.title, case.description = title[:100], description
        self.drafts.append(d)
        self.stats["cases"] += 1
        return d

    def people_of(self, d: Draft, where: dict, victim: dict) -> None:
        """The parties: the victim, the two sides of a dispute, a suspect now and then."""
        rng, v, code = self.rng, d.village, d.code
        party = CaseParty
        if code in ("dispute", "traffic") or d.sub:
            d.a = victim
            d.b = self.person(v, not_in=victim["household_id"]) if code != "traffic" or rng.random() < 0.5 else {
                "pk": None, "name": self.name(), "household_id": None, "address": ""}  # fmt: skip
            note = "" if code != "traffic" else rng.choice(["电动车", "小轿车", "三轮车", "货车"])
            d.parties += [party(case=d.case, person_id=d.a["pk"], name=d.a["name"], role=PartyRole.PARTY, note=note),
                          party(case=d.case, person_id=d.b["pk"], name=d.b["name"], role=PartyRole.PARTY)]  # fmt: skip
        elif code == "domestic_violence":
            family = v.by_household.get(victim["household_id"], [])
            man = next((p for p in family if p["sex"] == "M"), None) or {
                "pk": None,
                "name": self.name("M"),
            }
            woman = next((p for p in family if p["sex"] == "F"), None) or {
                "pk": None,
                "name": self.name("F"),
            }
            d.a, d.b, d.sub = man, woman, "marriage_family"
            d.parties += [party(case=d.case, person_id=woman["pk"], name=woman["name"], role=PartyRole.VICTIM),
                          party(case=d.case, person_id=man["pk"], name=man["name"], role=PartyRole.SUSPECT)]  # fmt: skip
        elif code in ("theft", "burglary", "fraud") and victim["pk"]:
            d.parties.append(
                party(
                    case=d.case, person_id=victim["pk"], name=victim["name"], role=PartyRole.VICTIM
                )
            )
            if rng.random() < 0.15:
                d.parties.append(party(case=d.case, name=rng.choice(["不明身份男子", "外地口音男子"]),
                                       role=PartyRole.SUSPECT, note="监控拍到"))  # fmt: skip
        elif code == "gambling" and rng.random() < 0.5:
            d.parties += [
                party(case=d.case, name=self.name("M"), role=PartyRole.SUSPECT, note="组织者")
            ]
        elif code == "fire" and victim["pk"] and rng.random() < 0.6:
            d.parties.append(
                party(
                    case=d.case, person_id=victim["pk"], name=victim["name"], role=PartyRole.PARTY
                )
            )

    def words(self, d: Draft, where: dict, victim: dict) -> tuple[str, str]:
        rng, code = self.rng, d.code
        day = self.local(d.case.occurred_at).date()
        values = {"who": victim["name"], "place": where["name"], "address": where["address"],
                  "amount": int(self.amount(code)), "n": rng.randint(1, 5), "village": d.village.region.name}  # fmt: skip
        if code == "dispute":
            kind = next((k for k in DISPUTE_KINDS if k[0] == d.sub), None) or self.dispute_kind(day)
            d.sub = kind[0]
            values.update(a=d.a["name"], b=d.b["name"], why=rng.choice(kind[5]))
            return kind[3].format(**values), kind[4].format(**values)
        if d.a and d.b:
            values.update(a=d.a["name"], b=d.b["name"])
        if code == "traffic":
            d.sub = "traffic"
        texts = [t for t in CASE_TEXTS[code] if self.calendar.fits(t[2], day)] or CASE_TEXTS[code][
            :1
        ]
        title, text, _season = rng.choice(texts)
        return title.format(**values), text.format(**values)

    def incidents(self) -> None:
        """The year's cases with their rhythms, each told to where it stands now."""
        rng = self.rng
        wanted = round(CASES_A_YEAR * self.scale) - self.stats["cases"]
        codes = [c for c in TYPE_SHARE if c in self.types]
        tilts = {"traffic": {"community": 1.5}, "theft": {"community": 1.3}, "fraud": {"community": 1.2},
                 "fire": {"village": 1.3}, "dispute": {"village": 1.2}}  # fmt: skip
        for _k in range(max(wanted, 0)):
            code = rng.choices(codes, weights=[TYPE_SHARE[c] for c in codes])[0]
            v = self.pick_village(tilts.get(code))
            occurred = self.occurrence(code)
            d = self.new_case(v, code, occurred, self.report_time(code, occurred))
            self.tell(d)

    def patrol_cases(self) -> None:
        """Findings of the patrol log that the director registered as cases."""
        rng = self.rng
        by_region = {v.region.pk: v for v in self.villages}
        taken = {c["source_check_in_id"] for c in self.existing if c["source_check_in_id"]}
        rows = (
            CheckIn.objects.filter(accepted=True, recorded_at__lt=self.now, point__region_id__in=list(by_region))
            .exclude(finding=Finding.NOTHING)
            .order_by("pk")
            .values("pk", "finding", "note", "recorded_at", "latitude", "longitude", "point__name", "point__region_id",
                    "assignment__person_id", "assignment__person__name", "by_id")
        )  # fmt: skip
        users = {u.pk: u for u in User.objects.filter(pk__in={r["by_id"] for r in rows})}
        for row in rows:
            if row["pk"] in taken or rng.random() >= FINDING_CHANCE.get(row["finding"], 0):
                continue
            v = by_region[row["point__region_id"]]
            note = row["note"]
            code = FINDING_TYPES.get(note) or {"hazard": "hazard", "dispute": "dispute"}.get(
                row["finding"], "other"
            )
            if code not in self.types:
                continue
            seen = row["recorded_at"]
            reported = min(seen + minutes(rng.uniform(2, 40)), self.now - minutes(1))
            place = next((p for p in v.places if p.name == row["point__name"]), None)
            lat = float(
                row["latitude"]
                if row["latitude"] is not None
                else place.lat
                if place
                else v.centre[0]
            )
            lon = float(
                row["longitude"]
                if row["longitude"] is not None
                else place.lon
                if place
                else v.centre[1]
            )
            where = {"name": row["point__name"], "address": f"{v.region.name}{row['point__name']}",
                     "group_id": place.group_id if place else None, "lat": lat, "lon": lon, "household": None,
                     "people": []}  # fmt: skip
            patroller = {"pk": row["assignment__person_id"], "name": row["assignment__person__name"],
                         "household_id": None, "sex": ""}  # fmt: skip
            title = note.split("，")[0][:100] or row["point__name"]
            sub = next((k for word, k in FINDING_DISPUTES.items() if word in note), "neighbours")
            d = self.new_case(
                v, code, seen - minutes(rng.uniform(0, 30)), reported, where=where, reporter_kind="patrol",
                reporter=patroller, title=title,
                description=f"巡逻队员{patroller['name']}在{row['point__name']}巡逻时发现：{note}。",
                registered_by=users.get(row["by_id"], v.holder), severity=self.rng.choice([1, 2, 2]),
                source_check_in_id=row["pk"],
            )  # fmt: skip
            if code == "dispute":
                d.sub = sub
                d.a = self.person(v)
                d.b = self.person(v, not_in=d.a["household_id"])
                d.parties = [CaseParty(case=d.case, person_id=p["pk"], name=p["name"], role=PartyRole.PARTY)
                             for p in (d.a, d.b)]  # fmt: skip
            self.stats["patrol_cases"] += 1
            self.tell(d)

    # ---- a case's story ----------------------------------------------------------------------

    def event(self, d: Draft, kind: str, at: dt.datetime, by: User, **values) -> CaseEvent:
        event = CaseEvent(case=d.case, kind=kind, by=by, at=at, **values)
        self.events.append((at, len(self.events), event))
        return event

    def go(self, d: Draft, to: str, after: dt.timedelta | None = None, *, at: dt.datetime | None = None,
           note: str = "", outcome: str = "", by: User | None = None) -> bool:  # fmt: skip
        """One move of the transition table, as cases.move makes it; nothing past now."""
        if d.frozen:
            return False
        at = max(at or d.t + after, d.t + minutes(1))
        if at > self.now:
            d.frozen = True
            return False
        assert to in TRANSITIONS[d.status], (d.status, to)
        by = by or d.owner
        c = d.case
        before_status, before_owner = d.status, d.owner
        if to == S.CLOSED:
            assert outcome in CaseOutcome.values
            c.outcome, c.outcome_note, c.closed_at = outcome, note, at
        elif (d.status, to) == REOPEN:
            c.outcome, c.closed_at = "", None
            if by != d.owner:  # whoever reopens it holds it
                d.owner = c.owner = by
                d.owners.append((at, by))
        d.status = c.status = to
        self.event(d, E.TRANSITION, at, by, from_status=before_status, to_status=to, from_owner=before_owner,
                   to_owner=d.owner, note=note)  # fmt: skip
        d.t = at
        if to == S.ESCALATED:
            self.report_upward(d, at, None)
        if d.stop_after == to:
            d.frozen = True
        return True

    def close(self, d: Draft, outcome: str, after: dt.timedelta, note: str = "") -> bool:
        rng = self.rng
        if not d.frozen and rng.random() < 0.012:  # a refused attempt first, in the book
            at = d.t + after - minutes(rng.uniform(2, 30))
            if d.t < at <= self.now:
                mediator = next(iter(d.village.mediators), None)
                if mediator and mediator != d.owner and rng.random() < 0.5:
                    self.event(
                        d, E.REFUSED, at, mediator, note=_("Only the case's owner can change it.")
                    )
                else:
                    self.event(
                        d, E.REFUSED, at, d.owner, note=_("Closing a case needs an outcome.")
                    )
                self.stats["refused"] += 1
        return self.go(
            d, S.CLOSED, after, note=note or rng.choice(CLOSE_NOTES[outcome]), outcome=outcome
        )

    def plan_escalations(self, d: Draft) -> None:
        """What the rules require (as cases.plan_escalations): the tightest deadline per level."""
        c, due = d.case, {}
        for rule in self.rules:
            if (rule.case_type_id in (None, c.case_type.pk)) and rule.min_severity <= c.severity:
                for level, wanted in (
                    (Level.TOWNSHIP, rule.to_township),
                    (Level.POLICE, rule.to_police),
                ):
                    if wanted:
                        due[level] = min(due.get(level, rule.within_minutes), rule.within_minutes)
        for level, within in due.items():
            d.escalations[level] = Escalation(case=c, level=level, required=True,
                                              due_at=c.reported_at + minutes(within))  # fmt: skip

    def report_upward(self, d: Draft, at: dt.datetime, level: str | None) -> None:
        """Send the due upward reports (or one level on demand), as cases.report_upward."""
        if at > self.now:
            return
        by = d.owner_at(at)
        if level:
            levels = [level]
        else:
            unsent = sorted(
                (e for e in d.escalations.values() if e.sent_at is None),
                key=lambda e: (e.due_at, e.level),
            )
            levels = [e.level for e in unsent] or [Level.TOWNSHIP]
        for lvl in levels:
            e = d.escalations.get(lvl)
            if e is None:
                e = d.escalations[lvl] = Escalation(
                    case=d.case, level=lvl, required=False, due_at=at
                )
            if e.sent_at:
                continue
            e.sent_at, e.sent_by = at, by
            self.event(d, E.ESCALATED, at, by, note=str(Level(lvl).label))
            self.acknowledge(d, e)

    def acknowledge(self, d: Draft, e: Escalation) -> None:
        """The receiving level acknowledges, mostly soon, a few late; never the sender."""
        rng = self.rng
        old = e.sent_at < self.now - days(2)
        first_late = not self.stats["acknowledged_late"] and e.sent_at < self.now - days(30)
        if old and (rng.random() < 0.07 or first_late):  # a few late, one at least
            at = max(e.due_at + hours(1) + minutes(rng.uniform(20, 900)), e.sent_at + minutes(10))
            self.stats["acknowledged_late"] += 1
        else:
            at = e.sent_at + minutes(rng.uniform(3, 50))
        if at > self.now:
            return
        receiver = self.police if e.level == Level.POLICE else self.township_user
        if receiver in (e.sent_by, d.owner_at(at)):
            receiver = self.admin  # the township's own report goes up to the county's office
        if receiver is None:
            return
        e.acknowledged_at, e.acknowledged_by = at, receiver
        self.event(d, E.ACKNOWLEDGED, at, receiver, note=str(Level(e.level).label))
        if rng.random() < (0.45 if e.level == Level.POLICE else 0.25):
            text = rng.choice(INSTRUCTIONS[e.level])
            e.instructions = text
            self.event(d, E.INSTRUCTION, at + minutes(rng.uniform(0, 5)), receiver, note=text)

    def send_time(self, d: Draft) -> dt.datetime:
        c = d.case
        due = min(e.due_at for e in d.escalations.values())
        if c.reported_at < self.now - days(3) and self.rng.random() < 0.05:
            self.stats["sent_late"] += 1
            return due + minutes(self.rng.uniform(10, 180))
        return c.reported_at + (due - c.reported_at) * self.rng.uniform(0.15, 0.8)

    def span(self, code: str) -> dt.timedelta:
        lo, hi = RESOLVE_DAYS[code]
        return days(lo + (hi - lo) * self.rng.random() ** 2)

    def route(self, d: Draft) -> str:
        weights = dict(ROUTES[d.code])
        if "mediate" in weights and d.village.mediators:  # a village with a mediator's account
            weights["mediate"] *= 2
        route = self.pick(weights)
        if route == "mediate":  # only a dispute goes to the committee (source_case_problem)
            real = d.village.mediators and d.a and d.b and d.case.case_type.is_dispute
            return "mediation" if real else "mediated_off"
        return route

    def registered(self, d: Draft) -> None:
        """The first line of the book, as cases.register_case writes it."""
        c = d.case
        d.t = c.reported_at
        self.event(d, E.REGISTERED, d.t, c.registered_by, to_status=S.REGISTERED, to_owner=d.owner)

    def tell(self, d: Draft, route: str = "") -> None:
        """The case's story from registration to where it stands now."""
        rng, c = self.rng, d.case
        self.registered(d)
        self.plan_escalations(d)
        route = route or self.route(d)
        required = bool(d.escalations)
        if not required and route != "mediation" and rng.random() < 0.015:  # a duplicate
            self.go(
                d,
                S.CLOSED,
                minutes(rng.uniform(20, 600)),
                note="重复登记，已并案",
                outcome=CaseOutcome.UNFOUNDED,
            )
            return
        if (
            not required
            and route != "mediation"
            and c.reported_at < self.now - days(20)
            and rng.random() < 0.006
        ):
            d.stop_after = rng.choice([S.IN_HAND, S.REFERRED])  # stuck: still open after weeks
            self.stats["stuck"] += 1
        major = c.severity >= Severity.MAJOR
        self.go(d, S.ACCEPTED, minutes(rng.uniform(2, 10) if required else rng.uniform(3, 45)),
                note=rng.choice(ACCEPT_NOTES))  # fmt: skip
        if required:
            when = self.send_time(d)
            if major:
                self.go(d, S.ESCALATED, at=when, note="重大情况，按规定上报")
            else:
                self.report_upward(d, max(when, d.t + minutes(1)), None)
        self.go(d, S.IN_HAND, minutes(rng.uniform(10, 180)), note=rng.choice(IN_HAND_NOTES[d.code]))
        self.finish(d, route)
        if d.status == S.CLOSED and c.closed_at < self.now - days(30) and rng.random() < 0.01:
            self.reopen(d)

    def finish(self, d: Draft, route: str) -> None:
        rng, code = self.rng, d.code
        if route == "resolve":
            self.go(d, S.RESOLVED, self.span(code), note=rng.choice(RESOLVED_NOTES[code]))
            self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 72)))
        elif route == "unfounded":
            self.close(d, CaseOutcome.UNFOUNDED, hours(rng.uniform(1, 30)))
        elif route == "not_resolved":
            self.close(d, CaseOutcome.NOT_RESOLVED, days(rng.uniform(3, 30)))
        elif route == "police":
            self.go(d, S.REFERRED, hours(rng.uniform(0.2, 12)),
                    note=rng.choice(REFER_NOTES["traffic" if code == "traffic" else "police"]))  # fmt: skip
            if Level.POLICE not in d.escalations and not d.frozen and rng.random() < 0.3:
                self.report_upward(d, d.t + minutes(rng.uniform(1, 10)), Level.POLICE)
            if d.owner == self.township_user and rng.random() < 0.15:
                reason = "涉嫌违法犯罪，移交派出所办理"  # the station takes the file over
                self.handover(d, self.police, hours(rng.uniform(1, 24)), reason)
            if rng.random() < 0.2:
                self.go(
                    d,
                    S.IN_HAND,
                    days(rng.uniform(1, 10)),
                    note="派出所反馈已查明，交回村里做好后续工作",
                )
                self.go(d, S.RESOLVED, self.span(code), note=rng.choice(RESOLVED_NOTES[code]))
                self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 48)))
            else:
                self.close(d, CaseOutcome.REFERRED_POLICE, days(rng.uniform(1, 20)))
        elif route == "township":
            if d.village.main and d.owner == d.village.holder and rng.random() < 0.5:
                self.handover(
                    d, self.township_user, hours(rng.uniform(1, 12)), "矛盾复杂，请乡镇牵头处理"
                )
            if d.status != S.ESCALATED:
                self.go(d, S.ESCALATED, hours(rng.uniform(1, 48)), note="情况复杂，上报乡镇")
            if rng.random() < 0.4:
                self.go(d, S.RESOLVED, self.span(code), note=rng.choice(RESOLVED_NOTES[code]))
                self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 48)))
            else:
                self.close(d, CaseOutcome.REFERRED_TOWNSHIP, days(rng.uniform(1, 10)))
        elif route == "mediated_off":
            self.go(
                d, S.REFERRED, hours(rng.uniform(1, 48)), note=rng.choice(REFER_NOTES["mediation"])
            )
            self.go(d, S.RESOLVED, days(rng.uniform(2, 15)), note="经村调委会调解，双方达成协议")
            self.close(d, CaseOutcome.MEDIATED, hours(rng.uniform(1, 48)))
        elif route == "mediation":
            self.mediate_case(d)

    def reopen(self, d: Draft) -> None:
        rng = self.rng
        by = self.township_user if d.village.main and rng.random() < 0.35 else d.owner
        if self.go(d, S.IN_HAND, days(rng.uniform(3, 30)), note=rng.choice(REOPEN_NOTES), by=by):
            self.stats["reopened"] += 1
        self.go(d, S.RESOLVED, self.span(d.code), note=rng.choice(RESOLVED_NOTES[d.code]))
        self.close(d, CaseOutcome.RESOLVED, hours(rng.uniform(1, 48)))

    def handover(
        self, d: Draft, to: User, after: dt.timedelta, reason: str, *, decline: bool | None = None
    ) -> bool:
        """Offer the case to `to`; they accept (mostly), decline, or have not answered yet.
        True when `to` holds it now."""
        rng, c = self.rng, d.case
        at = d.t + after
        if any(e.sent_at is None or e.sent_at > at for e in d.escalations.values() if e.required):
            return False  # the rules' reports go up first, from the one who registered the case
        if any(e.acknowledged_by == to and e.acknowledged_at > at for e in d.escalations.values()):
            return False  # nor to whoever acknowledges one later: nobody acknowledges their own
        if d.frozen or at > self.now:
            d.frozen = True
            return False
        self.event(d, E.HANDOVER_OFFERED, at, d.owner, from_owner=d.owner, to_owner=to, note=reason)
        answer = at + hours(rng.uniform(0.5, 20))
        if answer > self.now:  # waiting for the receiver
            c.handover_to, c.handover_reason = to, reason
            d.t, d.frozen = at, True
            self.stats["handovers_waiting"] += 1
            return False
        d.t = answer
        if decline or (decline is None and rng.random() < 0.1):
            self.event(d, E.HANDOVER_DECLINED, answer, to, from_owner=d.owner, to_owner=d.owner,
                       note=rng.choice(DECLINE_NOTES))  # fmt: skip
            return False
        self.event(d, E.HANDOVER_ACCEPTED, answer, to, from_owner=d.owner, to_owner=to)
        d.owner = d.case.owner = to
        d.owners.append((answer, to))
        self.stats["handovers"] += 1
        return True

    # ---- mediation ---------------------------------------------------------------------------

    def mediate_case(self, d: Draft) -> None:
        """A dispute in a village with a mediator's account goes to the mediation committee:
        handed to the mediator, referred, mediated; the case ends as the mediation does."""
        rng, v = self.rng, d.village
        mediator = v.mediators[0]
        if d.owner not in v.mediators and rng.random() < 0.7:
            self.handover(d, mediator, hours(rng.uniform(1, 24)), rng.choice(HANDOVER_REASONS))
        if not self.go(
            d, S.REFERRED, hours(rng.uniform(1, 30)), note=rng.choice(REFER_NOTES["mediation"])
        ):
            return
        applied = self.local(d.t).date()
        actor = d.owner if d.owner in v.mediators else mediator
        md = self.mediation(
            v, applied, d.sub or "other", d.a, d.b, d.case.description, actor, case=d.case
        )
        at = d.t + minutes(rng.uniform(1, 30))
        if at > self.now:
            return
        note = self.event(d, E.NOTE, at, actor)
        self.deferred.append((note, _("Taken to mediation: mediation case %(number)s."), md))
        d.t = at
        for day, what in md.milestones:
            at = max(self.office(day), d.t + minutes(1))
            if at > self.now:
                break
            note = self.event(d, E.NOTE, at, actor)
            self.deferred.append((note, what, md))
            d.t = at
            if what == "agreed" and d.status == S.REFERRED:
                self.go(d, S.RESOLVED, minutes(rng.uniform(5, 90)), note="调解成功，双方达成协议")
                self.close(d, CaseOutcome.MEDIATED, hours(rng.uniform(1, 72)))
            elif what == "referred" and d.status == S.REFERRED:
                self.close(d, CaseOutcome.REFERRED_TOWNSHIP, minutes(rng.uniform(10, 240)),
                           note=f"调解不成，已引导当事人到{md.mediation.referred_to}解决")  # fmt: skip

    def mediation(self, v: Village, applied: dt.date, sub: str, a: dict, b: dict, summary: str, actor: User, *,
                  case: Case | None = None, opinion: Opinion | None = None) -> MediationDraft:  # fmt: skip
        """A mediation from its application to where it stands today."""
        rng, today = self.rng, self.today
        m = MediationCase(region=v.region, case=case, opinion=opinion, dispute_type=sub, summary=summary,
                          applied_on=applied, status=M.APPLIED, year=applied.year)  # fmt: skip
        md = MediationDraft(mediation=m, village=v, actor=actor)
        for side, p in (("A", a), ("B", b)):
            md.parties.append(MediationParty(mediation=m, person_id=p["pk"], name=p["name"], side=side,
                                             address=p.get("address") or ""))  # fmt: skip
        self.mediations.append(md)
        self.stats["mediations"] += 1
        day = applied + dt.timedelta(days=rng.randint(0, 3))
        if day > today:
            return md
        m.status = M.IN_MEDIATION
        sessions = rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
        agreed = rng.random() < 0.8
        values = {"a": a["name"], "b": b["name"], "amount": int(self.amount("")), "date": ""}
        for k in range(sessions):
            if k:
                day += dt.timedelta(days=rng.randint(2, 10))
            if day > today:
                return md
            last = k == sessions - 1
            text = (SESSION_AGREED if agreed else SESSION_FAILED) if last else SESSION_NOTES[k % 3]
            md.sessions.append(MediationSession(mediation=m, held_on=day, place=rng.choice(SESSION_PLACES),
                                                notes=text.format(**values), recorded_by=actor))  # fmt: skip
        if agreed:
            values["date"] = _chinese_date(day + dt.timedelta(days=rng.choice([7, 15, 30])))
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

    def walk_in_mediations(self) -> None:
        """Villagers who come to the committee themselves (人民调解申请)."""
        rng = self.rng
        places = [v for v in self.villages if v.mediators]
        if not places:
            return
        wanted = round(MEDIATIONS_A_YEAR * self.scale) - self.stats["mediations"]
        cum = self.cum.get("dispute")
        for _k in range(max(wanted, 0)):
            v = rng.choices(places, weights=[p.weight for p in places])[0]
            applied = rng.choices(self.days, cum_weights=cum)[0]
            kind = self.dispute_kind(applied)
            a = self.person(v)
            b = self.person(v, not_in=a["household_id"])
            values = {"a": a["name"], "b": b["name"], "why": rng.choice(kind[5])}
            summary = WALK_IN.format(a=a["name"], text=kind[4].format(**values))
            self.mediation(v, applied, kind[0], a, b, summary, v.mediators[0])

    # ---- the opinion book --------------------------------------------------------------------

    def tracking_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(TRACKING_ALPHABET) for _ in range(12))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def opinion_book(self) -> None:
        rng = self.rng
        # the demo villages' boards have the QR code longest
        weights = [v.weight * (2 if v.main else 1) for v in self.villages]
        for _k in range(round(OPINIONS_A_YEAR * self.scale)):
            v = rng.choices(self.villages, weights=weights)[0]
            kind = rng.choices(list(OPINIONS), weights=[20, 30, 30, 20])[0]
            public = rng.random() < 0.65
            anonymous = rng.random() < (0.7 if public else 0.05)
            while True:
                day = rng.choice(self.days)
                if public:  # the public form keeps the hour only
                    created = self.at(day, rng.choices(range(24), weights=PUBLIC_HOURS)[0])
                elif day.weekday() < 5 or rng.random() < 0.3:
                    created = self.at(
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
        mediating = [v for v in self.villages if v.mediators]
        if mediating and not self.stats["opinion_mediations"]:  # one at least, for the demo
            created = self.office(self.today - dt.timedelta(days=rng.randint(20, 60)))
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
        person = self.person(v)
        opinion = Opinion(
            region=v.region, kind=kind, text=text.format(**self.spots(v)), anonymous=anonymous,
            name="" if anonymous else person["name"], contact="" if anonymous else self.phone(),
            channel="public_form" if public else "in_person", tracking_code=self.tracking_code(),
            status=OpinionStatus.RECEIVED, created_at=created, entered_by=None if public else v.holder,
        )  # fmt: skip
        if not anonymous:
            opinion.confidential = (
                self.chance(opinion.tracking_code) < CONFIDENTIAL_SENDERS[opinion.channel]
            )
        self.opinions.append(opinion)
        self.stats["opinions"] += 1
        if case_code and case_code in self.types and (go or rng.random() < 0.5):
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

        return {"place": one(set(POINT_KINDS.values()), "村口"), "dark": one({"road", "lonely", "market"}, "村道"),
                "road": one({"road"}, "村道"), "water": one({"water"}, "山塘"), "hall": one({"gathering"}, "村委会")}  # fmt: skip

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
            self.opinion_answers.append((opinion, text, case or md))
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
        d = self.new_case(
            v, code, opinion.created_at - hours(rng.uniform(1, 48)), reported, reporter_kind=kind,
            reporter=person if not opinion.anonymous else None, source_opinion=opinion,
            title=opinion.text.rstrip("。")[:30], description=opinion.text,
        )  # fmt: skip
        d.case.reporter_id = None  # as opinions.to_case: the name only
        # as opinions.to_case: the sender's name is confidential by default, in the book too
        d.case.reporter_confidential = opinion.confidential = not opinion.anonymous
        if code == "dispute":
            d.sub = "housing_land"
        opinion.status = OpinionStatus.IN_HAND
        self.tell(d)
        self.stats["opinion_cases"] += 1
        self.answer(opinion, v, reported + hours(rng.uniform(1, 48)), ANSWER_CASE, case=d.case)

    def opinion_to_mediation(self, opinion: Opinion, v: Village, person: dict) -> None:
        rng = self.rng
        applied = self.local(opinion.created_at + days(rng.uniform(0.5, 5))).date()
        if applied > self.today:
            return
        b = self.person(v, not_in=person["household_id"])
        opinion.confidential = False  # a villager who asks for a mediation is named in it
        md = self.mediation(
            v, applied, "housing_land", person, b, opinion.text, v.mediators[0], opinion=opinion
        )
        self.stats["opinion_mediations"] += 1
        opinion.status = OpinionStatus.IN_HAND
        answered = max(self.office(applied), opinion.created_at + hours(rng.uniform(1, 5)))
        self.answer(opinion, v, answered, ANSWER_MEDIATION, md=md)

    # ---- safety inspections ------------------------------------------------------------------

    def inspection_places(self, v: Village) -> dict[str, list[tuple]]:
        """(place, address, responsible party) by kind of place, for one village."""
        rng, name = self.rng, v.region.name
        out = defaultdict(list)
        for home in rng.sample(v.homes, min(len(v.homes), rng.randint(2, 6 if v.community else 4))):
            head = next((p["name"] for p in v.by_household.get(home["pk"], []) if p["pk"] == home["head_id"]),
                        self.name("M"))  # fmt: skip
            out["rental"].append((f"{home['address']}出租房", home["address"], f"房东{head}"))
        for shop in rng.sample(SHOPS, rng.randint(1, 3)):
            out["shop"].append(
                (f"{name}{shop}", f"{name}{rng.randint(1, 300)}号", f"店主{self.name()}")
            )
        school = f"{name}{'幼儿园' if v.community or rng.random() < 0.4 else '小学'}"
        out["school"].append((school, name, f"{school}园长/校长{self.name()}"))
        waters = [p.name for p in v.places if p.kind == "water"] or ["山塘"]
        out["pond"] += [(f"{name}{w}", f"{name}{w}", f"{name}村委会") for w in waters]
        out["electrical"].append((f"{name}配电房", name, f"{name}村委会"))
        out["fire"].append(
            (f"{name}{rng.choice(['后山防火区', '竹林柴堆区'])}", name, f"{name}村委会")
        )
        for work in rng.sample(WORKSHOPS, rng.randint(1, 2)):
            owner = self.name("M")
            out["workshop"].append(
                (f"{owner}{work}", f"{name}{rng.randint(1, 300)}号", f"业主{owner}")
            )
        halls = [p.name for p in v.places if p.kind == "gathering"] or ["文化礼堂"]
        out["other"] += [(f"{name}{h}", f"{name}{h}", f"{name}村委会") for h in halls[:2]]
        return out

    def inspection_kind(self, day: dt.date) -> str:
        cal, weights = self.calendar, dict(INSPECTION_KINDS)
        weights["fire"] *= 3 if cal.fits("winter", day) else 1
        weights["pond"] *= 4 if day.month in (5, 6, 7, 8) else 0.4
        weights["school"] *= 3 if day.month in (2, 3, 8, 9) else 0.2 if day.month == 7 else 1
        weights["shop"] *= 3 if cal.around_festival(day, 30, 0) else 1
        weights["electrical"] *= 2 if day.month in (6, 7, 8, 12, 1) else 1
        return self.pick(weights)

    def inspection_note(self, kind: str, day: dt.date) -> str:
        """Why the place is inspected: the campaign of the season, or nothing special."""
        rng, month = self.rng, day.month
        campaigns = {
            "school": "开学前校园安全检查" if month in (2, 8) else "校园周边安全整治",
            "shop": "春节前安全大检查"
            if self.calendar.around_festival(day, 30, 0)
            else "日常安全检查",
            "pond": "防溺水专项检查"
            if 5 <= month <= 9
            else "汛前安全检查"
            if month in (3, 4)
            else "",
            "fire": "冬季消防安全检查" if self.calendar.fits("winter", day) else "森林防火检查",
            "electrical": "夏季用电安全检查"
            if 6 <= month <= 8
            else "冬季用电安全检查"
            if month in (12, 1, 2)
            else "",
            "rental": rng.choice(["出租房屋专项整治", "流动人口登记核查"]),
            "workshop": rng.choice(["安全生产检查", "三合一场所整治"]),
            "other": "日常安全检查",
        }
        return campaigns[kind] if rng.random() < 0.7 else ""

    def inspection_book(self) -> None:
        rng = self.rng
        sites = {v.region.pk: self.inspection_places(v) for v in self.villages}
        workdays = [d for d in self.days if d.weekday() < 5 or rng.random() < 0.15]
        for _k in range(round(INSPECTIONS_A_YEAR * self.scale)):
            day = rng.choice(workdays)
            kind = self.inspection_kind(day)
            v = self.pick_village()
            self.inspection(v, kind, rng.choice(sites[v.region.pk][kind]), day)
        for _k in range(max(2, round(12 * self.scale))):  # planned for the weeks ahead
            v = self.pick_village()
            day = self.today + dt.timedelta(days=rng.randint(0, 28))
            kind = self.inspection_kind(day)
            self.inspection(v, kind, rng.choice(sites[v.region.pk][kind]), day, planned_only=True)
        for _k in range(max(1, round(3 * self.scale))):  # planned, the day passed, not done yet
            v = self.pick_village()
            day = self.today - dt.timedelta(days=rng.randint(1, 10))
            kind = self.inspection_kind(day)
            self.inspection(v, kind, rng.choice(sites[v.region.pk][kind]), day, planned_only=True)
        # a rental whose landlord ignored one order (overdue now) and dragged his feet over
        # another until it went to the case register
        v = self.villages[0]
        self.inspection(
            v,
            "rental",
            sites[v.region.pk]["rental"][0],
            self.today - dt.timedelta(days=40),
            force=True,
        )

    def inspection(
        self,
        v: Village,
        kind: str,
        site: tuple,
        day: dt.date,
        planned_only: bool = False,
        force: bool = False,
    ) -> None:
        rng = self.rng
        place, address, responsible = site
        by = (
            self.township_user
            if v.holder != self.township_user and rng.random() < 0.2
            else v.holder
        )
        inspection = Inspection(
            region=v.region, place_name=place[:100], place_kind=kind, address=address[:200],
            planned_for=day if planned_only or rng.random() < 0.7 else None, status=InspectionStatus.PLANNED,
            note=self.inspection_note(kind, day), created_by=by,
        )  # fmt: skip
        checklist = CHECKLISTS[kind]
        items, hazards = [], []
        self.inspections.append((inspection, items, hazards))
        self.stats["inspections"] += 1
        if planned_only:
            items += [ChecklistItem(inspection=inspection, text=text) for text, _f, _m in checklist]
            return
        helper = rng.choice(v.people)["name"] if v.people else self.name()
        inspection.inspectors = (
            f"{by}、{helper}" if by != self.township_user else f"{by}、{self.police}"
        )
        inspection.inspected_on = day
        inspection.status = InspectionStatus.DONE
        fail = FAIL_RATE[kind] * rng.choice([0.5, 1, 1, 1.5, 2.5])
        fates = ["stuck", "escalate"] if force else []
        for k, (text, found, measure) in enumerate(checklist):
            passed = rng.random() >= fail and k >= len(fates)
            items.append(
                ChecklistItem(
                    inspection=inspection, text=text, passed=passed, note="" if passed else found
                )
            )
            if not passed:
                hazard = Hazard(inspection=inspection, description=f"{text}：{found}",
                                severity=rng.choices([1, 2, 3], weights=[30, 65, 5])[0])  # fmt: skip
                fate = fates[k] if k < len(fates) else None
                order = self.order(v, inspection, hazard, responsible, measure, day, by, fate)
                hazards.append((hazard, order))
        if all(
            order.status in (OrderStatus.VERIFIED, OrderStatus.ESCALATED) for _h, order in hazards
        ):
            inspection.status = InspectionStatus.CLOSED

    def order(
        self, v, inspection, hazard, responsible, measure, day, by, fate=None
    ) -> RectificationOrder:
        """The rectification notice and what became of it (as inspections.py moves it)."""
        rng, today = self.rng, self.today
        deadline = day + dt.timedelta(days=rng.choice([3, 7, 7, 10, 15, 15, 30]))
        order = RectificationOrder(hazard=hazard, responsible=responsible, measures=measure, deadline=deadline,
                                   status=OrderStatus.OPEN)  # fmt: skip
        log, since = [], day
        # stuck: never reported, never re-inspected, so overdue once its day passes
        stuck = fate == "stuck" or (fate is None and rng.random() < 0.05)
        for round_ in range(3):
            if stuck:
                break
            if rng.random() < 0.85:
                reported = since + dt.timedelta(
                    days=rng.randint(1, max(1, (order.deadline - since).days + 2))
                )
                if reported > today:
                    break
                order.status = OrderStatus.REPORTED_DONE
                log.append(
                    f"{reported:%Y-%m-%d} 责任方报告已整改：{rng.choice(REPORTED_DONE_NOTES)}"
                )
                since = reported
            check = (
                since if order.status == OrderStatus.REPORTED_DONE else max(since, order.deadline)
            )
            check += dt.timedelta(days=rng.randint(0, 5))
            if check > today:
                break
            order.reinspected_on = check
            verified, escalated = ((0.85, 0.89), (0.7, 0.85), (0.6, 1.0))[round_]
            roll = verified if fate == "escalate" else rng.random()
            if roll < verified:
                order.status = OrderStatus.VERIFIED
                log.append(f"{check:%Y-%m-%d} 复查：已整改，予以销号")
                break
            if roll < escalated:
                result = rng.choice(ESCALATED_NOTES)
                order.status = OrderStatus.ESCALATED
                log.append(f"{check:%Y-%m-%d} 复查：仍未整改，移交案件登记：{result}")
                order.escalated_case = self.escalate_hazard(
                    v, inspection, hazard, order, check, by, result
                ).case
                break
            order.status = OrderStatus.OPEN
            order.deadline = check + dt.timedelta(days=rng.randint(7, 15))
            log.append(
                f"{check:%Y-%m-%d} 复查：未整改 · 新期限{order.deadline:%Y-%m-%d}：{rng.choice(NOT_FIXED_NOTES)}"
            )
            since = check
        order.result = "\n".join(log)
        if order.status in (OrderStatus.OPEN, OrderStatus.REPORTED_DONE) and order.deadline < today:
            self.stats["orders_overdue"] += 1
        return order

    def escalate_hazard(self, v, inspection, hazard, order, day, by, result) -> Draft:
        """The unrectified hazard goes into the case register (type hazard), held by whoever
        escalated it."""
        rng = self.rng
        moment = max(
            self.at(day, 0, 5), min(self.office(day), self.now - minutes(rng.uniform(1, 20)))
        )
        description = "\n".join([
            f"检查发现（{inspection.inspected_on:%Y-%m-%d}）：{hazard.description}",
            f"整改要求：{order.responsible}于{order.deadline:%Y-%m-%d}前{order.measures}",
            f"复查情况：{result}",
        ])  # fmt: skip
        d = self.new_case(
            v, "hazard", moment, moment + minutes(1), severity=hazard.severity, reporter_kind="staff",
            title=f"隐患未整改：{inspection.place_name}"[:100], description=description, owner=by,
            where={"name": inspection.place_name, "address": inspection.address or inspection.place_name,
                   "group_id": None, "lat": v.centre[0], "lon": v.centre[1], "household": None, "people": []},
        )  # fmt: skip
        d.case.reporter_name = str(by)[:50]
        self.stats["hazard_cases"] += 1
        self.tell(d, route=rng.choice(["resolve", "resolve", "township"]))
        return d

    # ---- what stands open now ----------------------------------------------------------------

    def current(self) -> None:
        """Two upward reports overdue now (one never sent, one not acknowledged) and a hand-over
        waiting for the mediator, so the dashboards have something to flag."""
        rng = self.rng
        by_code = {v.region.code: v for v in self.villages}
        v2 = by_code.get(VILLAGE_2) or self.villages[-1]
        v1 = by_code.get(VILLAGE_1) or self.villages[0]
        # a major matter, due an hour after it was reported, not yet sent
        if "dispute" in self.types:
            reported = self.now - minutes(rng.uniform(150, 200))
            d = self.new_case(v2, "dispute", reported - minutes(20), reported, severity=Severity.MAJOR,
                              reporter_kind="staff", title=SEVERE_TEXTS["title"],
                              description=SEVERE_TEXTS["description"])  # fmt: skip
            self.registered(d)
            self.plan_escalations(d)
            self.go(d, S.ACCEPTED, minutes(8), note="村两委主要负责人已到场")
            self.stats["overdue_now"] += len(d.escalations)
        if "burglary" in self.types:  # sent to the police, not acknowledged
            reported = self.now - hours(rng.uniform(7.5, 9))
            d = self.new_case(
                v1, "burglary", reported - hours(2), reported, severity=Severity.ORDINARY
            )
            self.registered(d)
            self.plan_escalations(d)
            self.go(d, S.ACCEPTED, minutes(12), note=rng.choice(ACCEPT_NOTES))
            d.t += minutes(30)
            for e in d.escalations.values():
                e.sent_at, e.sent_by = d.t, d.owner
                self.event(d, E.ESCALATED, d.t, d.owner, note=str(Level(e.level).label))
                self.stats["overdue_now"] += 1
            self.go(d, S.IN_HAND, minutes(20), note=rng.choice(IN_HAND_NOTES["burglary"]))
        if v1.mediators and "dispute" in self.types:  # offered to the mediator, who declines
            reported = self.now - days(rng.uniform(8, 12))
            d = self.new_case(
                v1, "dispute", reported - minutes(30), reported, severity=Severity.MINOR
            )
            self.registered(d)
            self.go(d, S.ACCEPTED, minutes(20), note=rng.choice(ACCEPT_NOTES))
            self.go(d, S.IN_HAND, hours(2), note=rng.choice(IN_HAND_NOTES["dispute"]))
            if d.owner != v1.mediators[0]:
                self.handover(
                    d, v1.mediators[0], hours(3), rng.choice(HANDOVER_REASONS), decline=True
                )
                self.event(
                    d,
                    E.REFUSED,
                    d.t + hours(20),
                    v1.mediators[0],
                    note=_("Only the case's owner can change it."),
                )
                d.t += hours(20)
            self.go(d, S.RESOLVED, days(2), note=rng.choice(RESOLVED_NOTES["dispute"]))
            self.close(d, CaseOutcome.RESOLVED, days(1))
        if v1.mediators and "dispute" in self.types:  # offered to the mediator, not yet answered
            reported = self.now - hours(rng.uniform(24, 30))
            d = self.new_case(
                v1, "dispute", reported - minutes(40), reported, severity=Severity.MINOR
            )
            self.registered(d)
            self.go(d, S.ACCEPTED, minutes(15), note=rng.choice(ACCEPT_NOTES))
            self.go(d, S.IN_HAND, hours(2), note=rng.choice(IN_HAND_NOTES["dispute"]))
            mediator = v1.mediators[0]
            if d.owner != mediator:
                reason = rng.choice(HANDOVER_REASONS)
                at = self.now - hours(rng.uniform(2, 4))
                self.event(
                    d,
                    E.HANDOVER_OFFERED,
                    at,
                    d.owner,
                    from_owner=d.owner,
                    to_owner=mediator,
                    note=reason,
                )
                d.case.handover_to, d.case.handover_reason = mediator, reason
                self.stats["handovers_waiting"] += 1

    # ---- numbers and writing ----------------------------------------------------------------

    def number(self) -> None:
        """Running numbers per village and year, in the order of reporting (after any case the
        register already holds)."""
        top = defaultdict(int)
        for c in self.existing:
            top[c["region_id"], c["year"]] = max(top[c["region_id"], c["year"]], c["serial"])
        for d in sorted(self.drafts, key=lambda d: (d.case.reported_at, d.case.occurred_at)):
            c = d.case
            c.year = self.local(c.reported_at).year
            key = (c.region.pk, c.year)
            top[key] += 1
            c.serial = top[key]
        top = defaultdict(int)
        for row in (
            MediationCase.objects.filter(region__in=[v.region for v in self.villages])
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
        for opinion, _template, target in self.opinion_answers:
            opinion.answer = opinion.answer.format(number=target.number if isinstance(target, Case)
                                                   else target.mediation.number)  # fmt: skip
        Opinion.objects.bulk_create(self.opinions, batch_size=500)
        Case.objects.bulk_create([d.case for d in self.drafts], batch_size=500)
        labels = {"agreed": M.AGREED, "failed": M.FAILED, "closed": M.CLOSED}
        for event, what, md in self.deferred:
            m = md.mediation
            if what == "referred":
                event.note = _("Mediation case %(number)s failed and was referred to %(where)s.") % {
                    "number": m.number, "where": m.referred_to}  # fmt: skip
            elif what == "follow_up":
                event.note = _("Mediation case %(number)s: follow-up visit on %(day)s.") % {
                    "number": m.number, "day": m.followed_up_on}  # fmt: skip
            elif what in labels:
                event.note = _("Mediation case %(number)s: %(status)s.") % {
                    "number": m.number, "status": labels[what].label}  # fmt: skip
            else:
                event.note = what % {"number": m.number}
        self.events.sort(key=lambda row: (row[0], row[1]))
        CaseEvent.objects.bulk_create([row[2] for row in self.events], batch_size=1000)
        Escalation.objects.bulk_create(
            [e for d in self.drafts for e in d.escalations.values()], batch_size=500
        )
        CaseParty.objects.bulk_create([p for d in self.drafts for p in d.parties], batch_size=500)
        MediationCase.objects.bulk_create([md.mediation for md in self.mediations], batch_size=500)
        through = MediationCase.mediators.through
        through.objects.bulk_create(
            [
                through(mediationcase_id=md.mediation.pk, user_id=md.actor.pk)
                for md in self.mediations
                if md.actor in md.village.mediators
            ]
        )
        MediationParty.objects.bulk_create(
            [p for md in self.mediations for p in md.parties], batch_size=500
        )
        MediationSession.objects.bulk_create(
            [s for md in self.mediations for s in md.sessions], batch_size=500
        )
        Inspection.objects.bulk_create([i for i, _items, _h in self.inspections], batch_size=500)
        ChecklistItem.objects.bulk_create(
            [x for _i, items, _h in self.inspections for x in items], batch_size=1000
        )
        Hazard.objects.bulk_create(
            [h for _i, _x, hazards in self.inspections for h, _o in hazards], batch_size=500
        )
        RectificationOrder.objects.bulk_create(
            [o for _i, _x, hazards in self.inspections for _h, o in hazards], batch_size=500
        )
        self.stats["events"] = len(self.events)
        self.stats["escalations"] = sum(len(d.escalations) for d in self.drafts)

    # ---- situation reports -------------------------------------------------------------------

    def situation_reports(self) -> None:
        """Daily for the last 60 days, weekly for the year: the counts the register held when
        the report was sent, a nil return when it held none, and a few days never reported."""
        rng = self.rng
        names = {t.code: t.name for t in self.types.values()}
        reported = defaultdict(list)  # (village pk, day) -> [(reported_at, type code)]
        for d in self.drafts:
            c = d.case
            reported[c.region.pk, self.local(c.reported_at).date()].append((c.reported_at, d.code))
        for c in self.existing:
            reported[c["region_id"], self.local(c["reported_at"]).date()].append(
                (c["reported_at"], c["case_type__code"])
            )
        rows = []

        def text(counts: Counter) -> str:
            return "、".join(f"{names.get(code, code)}{n}起" for code, n in sorted(counts.items()))

        first_day = self.today - dt.timedelta(days=DAILY_REPORT_DAYS - 1)
        monday = self.first + dt.timedelta(days=(7 - self.first.weekday()) % 7)
        for v in self.villages:
            gap = set()
            if not v.main and rng.random() < 0.3:  # a village that forgot a few days running
                start = first_day + dt.timedelta(days=rng.randint(0, DAILY_REPORT_DAYS - 5))
                gap = {start + dt.timedelta(days=k) for k in range(rng.randint(2, 4))}
            for k in range(DAILY_REPORT_DAYS):
                day = first_day + dt.timedelta(days=k)
                if day in gap or rng.random() < 0.03:
                    self.stats["daily_missing"] += 1
                    continue
                sent = self.at(day, 17, 30) + minutes(rng.uniform(0, 240))
                if sent > self.now:
                    continue
                counts = Counter(code for at, code in reported[v.region.pk, day] if at <= sent)
                rows.append(SituationReport(
                    region=v.region, period=ReportPeriod.DAILY, starts_on=day, nil_return=not counts,
                    summary=SUMMARY_DAY.format(counts=text(counts)) if counts else rng.choice(SUMMARY_NIL),
                    counts=dict(sorted(counts.items())), submitted_by=v.holder, submitted_at=sent,
                ))  # fmt: skip
            week = monday
            while week + dt.timedelta(days=7) <= self.today:
                sent = self.at(week + dt.timedelta(days=7), 8, 30) + minutes(rng.uniform(0, 180))
                if sent <= self.now and rng.random() >= 0.03:
                    counts = Counter()
                    for k in range(7):
                        counts.update(
                            code for _at, code in reported[v.region.pk, week + dt.timedelta(days=k)]
                        )
                    rows.append(SituationReport(
                        region=v.region, period=ReportPeriod.WEEKLY, starts_on=week, nil_return=not counts,
                        summary=SUMMARY_WEEK.format(counts=text(counts), extra=rng.choice(WEEK_EXTRA))
                        if counts else rng.choice(SUMMARY_NIL),
                        counts=dict(sorted(counts.items())), submitted_by=v.holder, submitted_at=sent,
                    ))  # fmt: skip
                week += dt.timedelta(days=7)
        SituationReport.objects.bulk_create(rows, batch_size=1000)
        self.stats["situation_reports"] = len(rows)
        self.stats["nil_returns"] = sum(r.nil_return for r in rows)

    # ---- the inbox ---------------------------------------------------------------------------

    def notifications(self) -> None:
        """What the demo accounts would have in their inbox about the last days' cases."""
        sent, since = 0, self.now - days(3)

        def tell(user, kind, msgid, case, at, read_at=None):
            """Through notify(), as the services do, then dated when it happened."""
            nonlocal sent
            note = notify(user, kind, Phrase(msgid, case=case), _url(case))
            if note is not None:
                Notification.objects.filter(pk=note.pk).update(created_at=at, read_at=read_at)
                sent += 1

        for d in self.drafts:
            c = d.case
            if c.handover_to_id:
                handed = gettext_noop("A case is being handed to you: %(case)s.")
                tell(c.handover_to, "assignment", handed, c, self.now - hours(2))
            for e in d.escalations.values():
                if e.sent_at and e.sent_at >= since:
                    receiver = self.police if e.level == Level.POLICE else self.township_user
                    if receiver in (e.sent_by, None):
                        continue
                    reported = gettext_noop("Reported to you: %(case)s.")
                    tell(receiver, "escalation", reported, c, e.sent_at, e.acknowledged_at)
                if e.instructions and e.acknowledged_at and e.acknowledged_at >= since:
                    told = gettext_noop("Instructions on %(case)s.")
                    tell(e.sent_by, "escalation", told, c, e.acknowledged_at)
        self.stats["notifications"] = sent
        # the overdue reports and orders made above, told as the hourly task tells them
        self.stats["overdue_notices"] = send_overdue_notices(now=self.now)


def step_casebook(context: DemoContext) -> None:
    # the incident types come from a migration; a test database may have been flushed since
    from importlib import import_module

    from django.apps import apps

    import_module("qunfang.casebook.migrations.0003_default_types_and_rules").seed(apps, None)
    Books(context).run()
