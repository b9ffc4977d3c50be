"""The incident types of the article's books and the usual reporting rules (重大事项1小时内报告),
from casebook/reference.py (plain lists the demo reads too). Kept by the system administrator
afterwards; this only seeds an empty table."""

from django.db import migrations

from qunfang.casebook.reference import CASE_TYPES, ESCALATION_RULES  # plain data only


def seed(apps, schema_editor):
    CaseType = apps.get_model("casebook", "CaseType")
    EscalationRule = apps.get_model("casebook", "EscalationRule")
    if CaseType.objects.exists():
        return
    by_code = {}
    for order, (code, name, name_en, dispute) in enumerate(CASE_TYPES):
        by_code[code] = CaseType.objects.create(
            code=code, name=name, name_en=name_en, is_dispute=dispute, order=order
        )
    for code, severity, township, police, minutes in ESCALATION_RULES:
        EscalationRule.objects.create(case_type=by_code.get(code), min_severity=severity, to_township=township,
                                      to_police=police, within_minutes=minutes)


class Migration(migrations.Migration):
    dependencies = [("casebook", "0002_case_events_append_only")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
