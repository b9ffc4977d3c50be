"""The rhythms of the demo year: how many records a year, which cases happen when and where,
who reports them and how they end, and the farming and festival calendar that sets the pace.
Numbers only; the words are with each book."""

import datetime as dt

from qunfang.core.demo.reference import BUSY_SEASONS, SPRING_FESTIVAL
from qunfang.patrols.models import Finding

CASES_A_YEAR = 1500  # for the whole township; a reduced township gets its share
MEDIATIONS_A_YEAR = 200
INSPECTIONS_A_YEAR = 300
OPINIONS_A_YEAR = 400
DAILY_REPORT_DAYS = 60

# share of the cases of the year by type (patrol findings, opinions and inspections add more)
TYPE_SHARE = {
    "theft": 24,
    "burglary": 7,
    "fraud": 9,
    "fire": 5,
    "traffic": 14,
    "dispute": 25,
    "domestic_violence": 3,
    "gambling": 3,
    "suspicious_person": 5,
    "hazard": 3,
    "other": 2,
}


def by_hour(morning: list[float], afternoon: list[float]) -> list[float]:
    """A weight for each hour of the day: midnight to 11:00, then noon to 23:00."""
    return [*morning, *afternoon]


# weight of each hour of the day by type
HOURS = {
    "theft": by_hour(
        [6, 6, 6, 5, 3, 1.5, 1, 1, 1, 1, 1.2, 1],
        [1, 1, 1, 1, 1, 1, 1.3, 1.5, 2, 3, 5, 6],
    ),
    "burglary": by_hour(
        [5, 5, 5, 4, 2, 1, 0.5, 0.5, 1, 2, 2, 2],
        [1.5, 2, 2, 2, 1.5, 1, 1, 1, 1.5, 2, 3, 4],
    ),
    "fraud": by_hour(
        [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 3, 3, 3],
        [2, 3, 3, 3, 3, 2.5, 1.5, 1.5, 1.2, 1, 0.5, 0.3],
    ),
    "fire": by_hour(
        [0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 1, 1, 1, 1.2, 2.5, 2.5],
        [2.5, 1.5, 1.5, 1.5, 3, 3, 3, 3, 1.5, 1.5, 1.2, 0.8],
    ),
    "traffic": by_hour(
        [0.4, 0.3, 0.3, 0.3, 0.4, 0.8, 2, 6, 5, 2, 1.5, 1.5],
        [1.5, 1.5, 1.5, 1.8, 2, 6, 5, 2, 1, 1, 0.6, 0.5],
    ),
    "dispute": by_hour(
        [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.5, 1.5, 1.5, 1.2],
        [1, 1.2, 1.5, 1.5, 1.5, 2, 3, 4, 4, 3, 1.5, 0.5],
    ),
    "domestic_violence": by_hour(
        [2, 1.5, 1, 0.5, 0.2, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5],
        [1, 0.5, 0.5, 0.5, 0.5, 1, 2, 4, 4, 4, 3.5, 3],
    ),
    "gambling": by_hour(
        [4, 4, 3, 1, 0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1, 1],
        [1.5, 2, 2, 2, 2, 1.5, 1, 2, 5, 5, 5, 5],
    ),
    "suspicious_person": by_hour(
        [4, 4, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1, 1.5, 2, 2.5, 3, 4, 4],
    ),
    "hazard": by_hour(
        [0.5, 0.3, 0.3, 0.3, 0.3, 0.5, 1, 2, 3, 3, 3, 3],
        [2, 3, 3, 3, 3, 3, 2, 1.5, 1, 1, 0.5, 0.5],
    ),
    "other": by_hour(
        [0.5, 0.3, 0.3, 0.3, 0.3, 0.5, 1, 2, 2, 2, 2, 2],
        [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0.5],
    ),
}
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
    "fire": [15, 73, 11, 1],
    "burglary": [0, 95, 5, 0],
    "fraud": [5, 88, 7, 0],
    "traffic": [25, 68, 6, 1],
    "dispute": [35, 62, 3, 0],
    "domestic_violence": [0, 90, 9, 1],
    "gambling": [20, 77, 3, 0],
}
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
    "theft": (0.5, 15),
    "burglary": (1, 20),
    "fraud": (2, 30),
    "fire": (0.1, 2),
    "traffic": (0.2, 10),
    "dispute": (0.5, 12),
    "domestic_violence": (0.5, 7),
    "gambling": (0.05, 1),
    "suspicious_person": (0.05, 1),
    "hazard": (1, 14),
    "other": (0.2, 3),
}
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
FINDING_CHANCE: dict[str, float] = {
    Finding.INCIDENT: 0.5,
    Finding.DISPUTE: 0.55,
    Finding.HAZARD: 0.3,
}

# inspections: base weight of a kind of place
INSPECTION_KINDS = {
    "rental": 30,
    "shop": 15,
    "school": 8,
    "pond": 8,
    "electrical": 8,
    "fire": 10,
    "workshop": 15,
    "other": 6,
}
FAIL_RATE = {
    "rental": 0.12,
    "workshop": 0.12,
    "shop": 0.08,
    "fire": 0.08,
    "electrical": 0.1,
    "pond": 0.1,
    "school": 0.05,
    "other": 0.06,
}
SHOPS = ["小超市", "五金店", "农资店", "小吃店", "副食店", "理发店"]
WORKSHOPS = ["袜子加工作坊", "珍珠加工厂", "五金加工厂", "木材加工厂"]
# when the public form is used
PUBLIC_HOURS = by_hour(
    [0.5, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1, 1, 1, 1.5],
    [2, 1.5, 1, 1, 1, 1.5, 2, 3, 4, 4, 3, 1.5],
)
SATISFACTION = [3, 5, 14, 36, 42]


def minutes(x: float) -> dt.timedelta:
    return dt.timedelta(minutes=x)


def hours(x: float) -> dt.timedelta:
    return dt.timedelta(hours=x)


def days(x: float) -> dt.timedelta:
    return dt.timedelta(days=x)


def spring_festival(year: int) -> dt.date:
    month, day = SPRING_FESTIVAL.get(year, (2, 5))
    return dt.date(year, month, day)


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
        """春耕 (20 April - 20 May) and 秋收 (October): the reference's busy seasons."""
        return any(start <= (day.month, day.day) <= end for _name, start, end in BUSY_SEASONS)

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
