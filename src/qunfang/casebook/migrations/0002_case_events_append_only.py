from django.db import migrations

from qunfang.core.triggers import refuse_updates


class Migration(migrations.Migration):
    dependencies = [("casebook", "0001_initial")]
    operations = [refuse_updates("casebook_caseevent")]
