"""The incident types of the article's books and the usual reporting rules (重大事项1小时内报告).
Kept by the system administrator afterwards; this only seeds an empty table."""

from django.db import migrations

TYPES = [
    ("theft", "盗窃", "Theft", False), ("burglary", "入室盗窃", "Burglary", False), ("fraud", "诈骗", "Fraud", False),
    ("fire", "火灾", "Fire", False), ("traffic", "交通事故", "Traffic accident", False),
    ("dispute", "矛盾纠纷", "Dispute", True), ("domestic_violence", "家庭暴力", "Domestic violence", True),
    ("gambling", "赌博", "Gambling", False), ("suspicious_person", "可疑人员", "Suspicious person", False),
    ("hazard", "安全隐患", "Safety hazard", False), ("other", "其他", "Other", False),
]  # fmt: skip
# (type code or None for all types, from severity, township, police, within minutes)
RULES = [
    (None, 3, True, True, 60),  # any major matter: township and police within the hour
    (None, 4, True, True, 30),
    ("fire", 2, True, False, 120),
    ("domestic_violence", 2, False, True, 120),
    ("burglary", 2, False, True, 240),
]


def seed(apps, schema_editor):
    CaseType = apps.get_model("casebook", "CaseType")
    EscalationRule = apps.get_model("casebook", "EscalationRule")
    if CaseType.objects.exists():
        return
    by_code = {}
    for order, (code, name, name_en, dispute) in enumerate(TYPES):
        by_code[code] = CaseType.objects.create(
            code=code, name=name, name_en=name_en, is_dispute=dispute, order=order
        )
    for code, severity, township, police, minutes in RULES:
        EscalationRule.objects.create(case_type=by_code.get(code), min_severity=severity, to_township=township,
                                      to_police=police, within_minutes=minutes)  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("casebook", "0002_case_events_append_only")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
