"""A printed sign changes its code at most weekly now (signs.py: a code is accepted for its
period and the next, so at most 14 days). Points that changed every 30 days change weekly:
their signs must be reprinted."""

from django.db import migrations

WEEK = 7 * 86400


def at_most_weekly(apps, schema_editor):
    PatrolPoint = apps.get_model("patrols", "PatrolPoint")
    PatrolPoint.objects.filter(sign_period__gt=WEEK).update(sign_period=WEEK)


class Migration(migrations.Migration):
    dependencies = [("patrols", "0006_check_in_proof")]
    operations = [migrations.RunPython(at_most_weekly, migrations.RunPython.noop)]
