from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("patrols", "0004_chain_existing_duty_ledger")]
    operations = [
        migrations.AddConstraint(
            model_name="dutyledgerentry",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="patrols_dutyledgerentry_chain_seq"),
        ),
    ]
