from django.db import migrations

from qunfang.core.triggers import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("patrols", "0001_patrols")]
    operations = [refuse_updates("patrols_dutyledgerentry")]
