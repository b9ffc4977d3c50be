"""The demo township's plain data, read by every app's demo: its codes and where it lies, the
names of its people and places, what the patrols find on their rounds and what the case
register makes of it, and the farming calendar. Plain data only, no imports: the registry's,
the patrols' and the casebook's demos read one copy."""

DEMO_COUNTY = "330681"  # 诸暨市
DEMO_TOWNSHIP = "330681109000"  # 枫桥镇
VILLAGE_1 = "330681109290"  # 枫源村
VILLAGE_2 = "330681109291"  # 乐山村
VILLAGE_3 = "330681109292"  # 齐东村, the third village of the joint zone
# the township's story in the demo year (Governance III): strong villages, a model among them,
# villages slipping, and one whose organisations stopped working — paralysed
STRONG_VILLAGES = (VILLAGE_1, VILLAGE_2)
MODEL_VILLAGE = VILLAGE_1
SLIPPING_VILLAGES = (VILLAGE_3, "330681109300")  # 齐东村, 马岭村
PARALYSED_VILLAGE = "330681109269"  # 屠家坞村
GROUP_NUMERALS = "一二三四五六七八九十"  # 第一村民小组 …
CENTRE = (29.7100, 120.2400)  # 枫源村; the township lies around it

# ---- people ------------------------------------------------------------------------------

SURNAMES = "陈骆杨何蒋斯楼赵王周金徐朱宣张吴钟郦俞孟"
GIVEN_M = [
    "建国",
    "金法",
    "国良",
    "伟东",
    "小军",
    "志强",
    "德明",
    "水根",
    "炳荣",
    "海峰",
    "立新",
    "永祥",
    "春林",
    "利民",
    "文斌",
]
GIVEN_F = [
    "秀英",
    "丽华",
    "美娟",
    "桂芳",
    "月娥",
    "雅琴",
    "小燕",
    "玉兰",
    "彩凤",
    "红梅",
    "晓丽",
    "素珍",
]

# ---- places ------------------------------------------------------------------------------

# Every village's patrol round starts at its hall, then a few of its points.
VILLAGE_HALL, COMMUNITY_HALL = "村委会", "社区服务中心"
VILLAGE_POINTS = [
    "文化礼堂",
    "老年活动室",
    "村口桥头",
    "小学门口",
    "祠堂",
    "水库大坝",
    "停车场",
    "卫生室",
    "山塘",
    "养殖场",
    "竹林路口",
    "溪滩埠头",
]
COMMUNITY_POINTS = [
    "菜市场",
    "小区东门",
    "幼儿园门口",
    "商业街口",
    "街心公园",
    "停车场",
    "老街口",
    "农贸市场",
]
# What kind of place each is, for where a case happens: where people gather, a road, water,
# a lonely spot, a market. The points above and a few more places every village has.
POINT_KINDS = {
    **dict.fromkeys(
        [
            "村委会",
            "社区服务中心",
            "文化礼堂",
            "老年活动室",
            "祠堂",
            "卫生室",
            "街心公园",
            "棋牌室",
        ],
        "gathering",
    ),
    **dict.fromkeys(
        ["村口桥头", "小学门口", "竹林路口", "小区东门", "幼儿园门口", "十字路口", "机耕路口"],
        "road",
    ),
    **dict.fromkeys(["水库大坝", "山塘", "溪滩埠头"], "water"),
    **dict.fromkeys(["停车场", "养殖场", "茶园", "仓库"], "lonely"),
    **dict.fromkeys(["菜市场", "商业街口", "老街口", "农贸市场", "村口小卖部"], "market"),
}

# ---- what the patrols find ----------------------------------------------------------------

# A patrol's finding (the check-in's `finding`), the note the member types, and what the case
# register makes of it when the director opens a case: the case type, or for a dispute the
# mediation committee's kind of dispute.
FINDINGS = {
    "hazard": [
        ("路灯损坏，桥头一段漆黑", "hazard"),
        ("河边护栏松动，已做标记", "hazard"),
        ("电线私拉乱接，有火灾隐患", "hazard"),
        ("山塘水位偏高，已告知村委", "hazard"),
        ("井盖缺失，已用石块围挡", "hazard"),
        ("柴堆靠近灶间，已提醒农户清理", "hazard"),
        ("电动车在楼道充电，已劝导", "hazard"),
    ],
    "incident": [
        ("一辆无牌摩托车停在路边，已拍照报告", "suspicious_person"),
        ("有陌生人在仓库附近徘徊，已盘问登记", "suspicious_person"),
        ("一户院门未关，已提醒户主", "other"),
        ("发现小孩在水库边玩水，已劝离", "hazard"),
        ("养殖场围栏被撬，已报派出所", "theft"),
        ("路边草堆冒烟，已扑灭", "fire"),
    ],
    "dispute": [
        ("两户因宅基地界线争吵，已劝开并报调委会", "housing_land"),
        ("邻里因停车发生口角，已劝解", "neighbours"),
        ("狗咬人引起纠纷，双方已到村委会", "damages"),
        ("因排水沟堵塞两户争执，已约明天调解", "neighbours"),
    ],
}

# ---- the calendar --------------------------------------------------------------------------

# The farming seasons when every hand is in the fields: (name, first day, last day) each year.
BUSY_SEASONS = [("春耕春种", (4, 20), (5, 20)), ("秋收冬种", (10, 1), (10, 31))]
# 春节, the first day of the lunar year: (month, day) by year.
SPRING_FESTIVAL = {
    2023: (1, 22),
    2024: (2, 10),
    2025: (1, 29),
    2026: (2, 17),
    2027: (2, 6),
    2028: (1, 26),
    2029: (2, 13),
    2030: (2, 3),
    2031: (1, 23),
    2032: (2, 11),
    2033: (1, 31),
    2034: (2, 19),
    2035: (2, 8),
    2036: (1, 28),
}
