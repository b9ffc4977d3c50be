"""The casebook's reference lists: the incident types of the article's books and the usual
reporting rules (重大事项1小时内报告). Migration 0003 seeds an empty database from them and the
demo reads them (the system administrator keeps both tables afterwards).

Plain data, no imports, because a migration reads it: a type or rule may be added or changed
here, but each row keeps its shape (a new column belongs to a new migration).
"""

# (code, name, English name, is a dispute)
CASE_TYPES = [
    ("theft", "盗窃", "Theft", False),
    ("burglary", "入室盗窃", "Burglary", False),
    ("fraud", "诈骗", "Fraud", False),
    ("fire", "火灾", "Fire", False),
    ("traffic", "交通事故", "Traffic accident", False),
    ("dispute", "矛盾纠纷", "Dispute", True),
    ("domestic_violence", "家庭暴力", "Domestic violence", True),
    ("gambling", "赌博", "Gambling", False),
    ("suspicious_person", "可疑人员", "Suspicious person", False),
    ("hazard", "安全隐患", "Safety hazard", False),
    ("other", "其他", "Other", False),
]
# (type code or None for all types, from severity, to the township, to the police, within minutes)
ESCALATION_RULES = [
    (None, 3, True, True, 60),  # any major matter: township and police within the hour
    (None, 4, True, True, 30),
    ("fire", 2, True, False, 120),
    ("domestic_violence", 2, False, True, 120),
    ("burglary", 2, False, True, 240),
]
