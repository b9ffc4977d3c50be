"""A database trigger refuses UPDATE on the security log, whatever code path tries it."""

from django.db import migrations

from qunfang.core.triggers import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [refuse_updates("core_securityevent")]
